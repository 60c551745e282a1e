"""Answer and article text to safe HTML.

Everything is escaped first; only then are the few structures we recognise
turned into tags we write ourselves: paragraphs, "- " / "1. " lists, "#"
headings (article bodies only), **bold**, and [n] markers that have a matching
citation, which become links to that citation's note. No text from a document,
a question or a model can therefore add a tag or an attribute. URLs are only
ever emitted when they are http(s).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import quote, urlsplit

import jinja2
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from qa_service.text import CITATION_MARKER

BOLD_RE = re.compile(r"\*\*(\S(?:.*?\S)?)\*\*")
UL_RE = re.compile(r"^\s*[-*\u2022]\s+(.*)$")
OL_RE = re.compile(r"^\s*(\d{1,3})[.)]\s+(.*)$")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*)$")


def safe_url(url: str | None) -> str:
    """The URL if it is an absolute http(s) URL, else '' (no javascript:, data:, ...)."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not any(c in url for c in "\"'<>\\ \t\n\r"):
        return url
    return ""


def cite_anchor(prefix: str, n: int) -> str:
    return f"{prefix}-c{n}"


def _inline(text: str, prefix: str, cited: set[int]) -> str:
    html = str(escape(text))
    html = BOLD_RE.sub(r"<strong>\1</strong>", html)

    def link(m: re.Match[str]) -> str:
        numbers = [int(x) for x in m.group(1).split(",")]
        if not all(n in cited for n in numbers):
            return m.group(0)
        links = []
        for n in numbers:
            anchor = escape(cite_anchor(prefix, n))
            links.append(f'<a class="cite" href="#{anchor}" data-note="{anchor}" aria-label="Source {n}">[{n}]</a>')
        return "".join(links)

    return CITATION_MARKER.sub(link, html)


def render_text(text: str, *, prefix: str = "x", cited: Iterable[int] = (), headings: bool = False,
                skip_heading: str = "") -> Markup:
    """Paragraphs, lists (and headings when ``headings``) as HTML; [n] links only
    for n in ``cited``. ``skip_heading`` drops a heading equal to it (an article's
    own title at the top of its body)."""
    cited_set = set(cited)
    out: list[str] = []
    for block in re.split(r"\n\s*\n", (text or "").strip()):
        kind: str | None = None
        items: list[str] = []
        ol_start = 1

        def flush() -> None:
            if not items:
                return
            if kind == "p":
                out.append("<p>" + " ".join(items) + "</p>")
            elif kind == "ul":
                out.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            elif kind == "ol":
                start = f' start="{ol_start}"' if ol_start != 1 else ""
                out.append(f"<ol{start}>" + "".join(f"<li>{i}</li>" for i in items) + "</ol>")
            items.clear()

        for line in block.split("\n"):
            if not line.strip():
                continue
            if headings and (m := HEADING_RE.match(line.strip())):
                flush()
                kind = None
                title = m.group(2).strip()
                if skip_heading and title == skip_heading.strip():
                    continue
                level = min(6, len(m.group(1)) + 1)  # the page's h1 is the headline
                out.append(f"<h{level}>{_inline(title, prefix, cited_set)}</h{level}>")
                continue
            if m := UL_RE.match(line):
                this, content = "ul", m.group(1)
            elif m := OL_RE.match(line):
                this, content = "ol", m.group(2)
            else:
                this, content = "p", line.strip()
            if this != kind:
                flush()
                kind = this
                if this == "ol" and m is not None:
                    ol_start = int(m.group(1))
            items.append(_inline(content, prefix, cited_set))
        flush()
    return Markup("\n".join(out))


def render_answer(answer_text: str, citation_numbers: Iterable[int], prefix: str) -> Markup:
    return render_text(answer_text, prefix=prefix, cited=citation_numbers)


def make_templates(**filters: Callable[..., object]) -> Jinja2Templates:
    """The Jinja environment of every page: autoescaped (Markup only comes from
    this module), strict about undefined names, with the shared filters plus
    the page's own."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from qa_service.web.csrf import csrf_token

    # every form that changes something carries it: {{ csrf_token(request) }}
    env.globals["csrf_token"] = csrf_token
    env.filters["safe_url"] = safe_url
    env.filters["urlquote"] = lambda s: quote(str(s), safe="")
    env.filters.update(filters)
    return Jinja2Templates(env=env)
