// The reader page's small enhancements. Without this file everything still works:
// answers are in the HTML, [n] links jump to the quoted passage, forms post,
// votes and comments are on the discussion page.
// With it: what differs by reader (login, votes, helpful marks, comments) is
// filled in from /api/articles/ID/me, so the page itself is the same for every
// reader and can be cached; [n] opens a popover, typed questions stream in,
// votes and feedback update in place. Text is only ever inserted with
// textContent; the one HTML insertion is the 'done' event's `html`, which the
// server renders and escapes.
(function () {
  "use strict";
  document.documentElement.classList.replace("no-js", "js");

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // ------------------------------------------------------------ this reader
  function showFor(loggedIn) {
    for (const node of document.querySelectorAll("[data-when]")) {
      node.hidden = node.dataset.when !== (loggedIn ? "user" : "anonymous");
    }
  }

  function press(form, value) {
    for (const button of form.querySelectorAll("button[data-value]")) {
      button.setAttribute("aria-pressed", String(button.dataset.value === value));
    }
  }

  function showVotes(box, votes) {
    for (const kind of ["interesting", "support"]) {
      const count = box.querySelector('.tally[data-kind="' + kind + '"] .count');
      if (count) count.textContent = votes[kind].yes + "/" + votes[kind].total;
      const form = box.querySelector('.vote-form[data-kind="' + kind + '"]');
      const mine = (votes.mine || {})[kind];
      if (form) press(form, mine === undefined ? "" : String(mine));
    }
  }

  function showFeedback(box, counts) {
    box.querySelector(".feedback-counts").textContent =
      counts.helpful + " found this helpful \u00b7 " + counts.unhelpful + " did not";
    const form = box.querySelector(".feedback-form");
    if (form) press(form, counts.mine === null || counts.mine === undefined ? "" : String(counts.mine));
  }

  function when(seconds) {
    const d = new Date(seconds * 1000);
    const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    const two = (n) => String(n).padStart(2, "0");
    return two(d.getUTCDate()) + " " + months[d.getUTCMonth()] + " " + d.getUTCFullYear() + ", " +
      two(d.getUTCHours()) + ":" + two(d.getUTCMinutes()) + " UTC";
  }

  function showComments(list, comments) {
    list.replaceChildren();
    if (!comments.length) list.appendChild(el("p", "muted", "No comments yet."));
    for (const c of comments) {
      const item = el("article", "comment");
      const meta = el("p", "comment-meta");
      meta.append(el("strong", "", c.user_name), " ", el("time", "", when(c.created_at)));
      item.append(meta, el("p", "comment-text", c.text));
      list.appendChild(item);
    }
  }

  const story = document.querySelector("[data-me]");
  if (story) {
    fetch(story.dataset.me, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (me) {
        if (!me) return;
        showFor(Boolean(me.user));
        if (me.user) {
          for (const name of document.querySelectorAll(".who-name")) name.textContent = me.user.name;
        }
        // The shared page's forms post as forms too (logout, or when a fetch fails): they carry this session's token.
        for (const field of document.querySelectorAll('input[name="csrf"]')) field.value = me.csrf || "";
        const votes = document.querySelector(".votes");
        if (votes) showVotes(votes, me.votes);
        for (const box of document.querySelectorAll(".feedback[data-question]")) {
          const counts = me.feedback[box.dataset.question];
          if (counts) showFeedback(box, counts);
        }
        const comments = document.querySelector(".comments");
        if (comments) showComments(comments, me.comments || []);
      })
      .catch(function () { /* the page stays readable; votes and comments show as before */ });
  }

  // ------------------------------------------------------------ citations
  let popover = null;
  let popoverAnchor = null;

  function closePopover() {
    if (popover) popover.remove();
    if (popoverAnchor) {
      popoverAnchor.classList.remove("active");
      popoverAnchor.setAttribute("aria-expanded", "false");
      popoverAnchor.focus({ preventScroll: true });
    }
    popover = null;
    popoverAnchor = null;
  }

  function openPopover(anchor) {
    const note = document.getElementById(anchor.dataset.note || "");
    if (!note) return false;
    closePopover();
    popover = el("div", "popover");
    popover.setAttribute("role", "dialog");
    popover.setAttribute("aria-label", "Quoted passage");
    for (const child of note.children) popover.appendChild(child.cloneNode(true));
    const close = el("button", "popover-close", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", closePopover);
    popover.appendChild(close);
    document.body.appendChild(popover);
    const rect = anchor.getBoundingClientRect();
    const width = popover.offsetWidth;
    const viewport = document.documentElement.clientWidth;
    const left = Math.max(12, Math.min(rect.left - 16, viewport - width - 12));
    popover.style.left = window.scrollX + left + "px";
    popover.style.top = window.scrollY + rect.bottom + 8 + "px";
    anchor.classList.add("active");
    anchor.setAttribute("aria-expanded", "true");
    popoverAnchor = anchor;
    close.focus({ preventScroll: true });
    return true;
  }

  document.addEventListener("click", function (event) {
    const anchor = event.target.closest && event.target.closest("a.cite");
    if (anchor) {
      if (popoverAnchor === anchor) {
        event.preventDefault();
        closePopover();
      } else if (openPopover(anchor)) {
        event.preventDefault();
      }
      return;
    }
    if (popover && !popover.contains(event.target)) closePopover();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && popover) closePopover();
  });

  // ---------------------------------------------------- server-sent events
  // fetch + a small SSE parser rather than EventSource: it lets us read the
  // JSON message of a 422/429 and it never reconnects (and re-asks) by itself.
  async function readEvents(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, "");
        let type = "message";
        const data = [];
        for (const line of block.split(/\r?\n/)) {
          if (line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const val = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") type = val;
          else if (field === "data") data.push(val);
        }
        if (data.length) {
          if (onEvent(type, JSON.parse(data.join("\n"))) === false) {
            reader.cancel();
            return;
          }
        }
      }
    }
  }

  // -------------------------------------------------------------- ask box
  const askForm = document.querySelector("form.ask[data-stream]");
  const askedList = document.getElementById("asked");

  async function ask(question) {
    const item = el("article", "asked");
    const status = el("p", "status", "Searching the article and its sources\u2026");
    let body = el("div", "answer streaming");
    item.append(el("h3", "asked-q", question), status, body);
    askedList.prepend(item);
    item.setAttribute("aria-busy", "true");

    function fail(message) {
      item.classList.add("error");
      status.textContent = message;
      body.classList.remove("streaming");
    }

    let finished = false;
    try {
      const url = askForm.dataset.stream + "?question=" + encodeURIComponent(question);
      const response = await fetch(url, { headers: { Accept: "text/event-stream" } });
      if (!response.ok) {
        let message = "Something went wrong (" + response.status + ").";
        try {
          const payload = await response.json();
          if (payload && payload.detail) message = payload.detail;
        } catch (_) { /* not JSON */ }
        fail(message);
        return;
      }
      let citations = 0;
      await readEvents(response, function (type, data) {
        if (type === "retrieval") {
          status.textContent = data.cached
            ? "Answered before \u2014 here it is."
            : "Reading " + (data.retrieved || []).length + " passages and writing a cited answer\u2026";
        } else if (type === "delta") {
          body.appendChild(document.createTextNode(data.text));
        } else if (type === "citation") {
          citations += 1;
          status.textContent = citations + (citations === 1 ? " citation" : " citations") + " verified\u2026";
        } else if (type === "done") {
          const answer = data.answer || {};
          const holder = el("div", "asked-answer");
          const template = document.createElement("template");
          template.innerHTML = data.html || "";
          holder.appendChild(template.content);
          body.replaceWith(holder);
          body = holder;
          const n = (answer.citations || []).length;
          status.textContent = answer.status === "answered"
            ? n + (n === 1 ? " passage quoted" : " passages quoted") + " \u2014 select a number to read it."
            : "";
          item.dataset.status = answer.status || "";
          finished = true;
          return false;
        } else if (type === "error") {
          if (data.recoverable) status.textContent = data.message;
          else { fail(data.message || "The answer could not be generated."); finished = true; return false; }
        }
        return true;
      });
      if (!finished) fail("The answer was interrupted. Please try again.");
    } catch (_) {
      if (!finished) fail("The connection was lost. Please try again.");
    } finally {
      item.removeAttribute("aria-busy");
    }
  }

  if (askForm && askedList) {
    askForm.addEventListener("submit", function (event) {
      event.preventDefault();
      const input = askForm.querySelector("input[name=question]");
      const question = input.value.trim();
      if (!question) { input.focus(); return; }
      const button = askForm.querySelector("button");
      button.disabled = true;
      ask(question).finally(function () { button.disabled = false; });
    });
  }

  // ------------------------------------------------- votes and feedback
  async function postJSON(url, payload) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(payload),
      credentials: "same-origin",
    });
    if (response.status === 401) {
      window.location.href = "/login?next=" + encodeURIComponent(window.location.pathname);
      return null;
    }
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }

  function fallbackSubmit(form, name, value) {
    const hidden = el("input");
    hidden.type = "hidden";
    hidden.name = name;
    hidden.value = value;
    form.appendChild(hidden);
    HTMLFormElement.prototype.submit.call(form);
  }

  document.addEventListener("submit", async function (event) {
    const form = event.target;
    const value = event.submitter ? event.submitter.value : "";
    if (form.matches(".vote-form")) {
      event.preventDefault();
      const box = form.closest(".votes");
      try {
        const votes = await postJSON(box.dataset.api, { kind: form.dataset.kind, value: value === "true" });
        if (!votes) return;
        showVotes(box, votes);
      } catch (_) {
        fallbackSubmit(form, "value", value);
      }
    } else if (form.matches(".feedback-form")) {
      event.preventDefault();
      const box = form.closest(".feedback");
      try {
        const counts = await postJSON(box.dataset.api, { helpful: value === "true" });
        if (!counts) return;
        showFeedback(box, counts);
      } catch (_) {
        fallbackSubmit(form, "helpful", value);
      }
    }
  });
})();
