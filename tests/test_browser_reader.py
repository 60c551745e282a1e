"""The reader page in real headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright through executable_path) against uvicorn serving the app on 127.0.0.1:
expand a question, open a citation's quote, ask a new question and watch the
cited answer stream in, sign up, log out, log in and vote; and read the page
with JavaScript switched off."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .browser_support import BROWSER_MARKS, browser, serve_app  # noqa: F401 (fixture)
from .conftest import ARTICLE_ID

pytestmark = BROWSER_MARKS


@pytest.fixture
def server(seeded) -> Iterator[str]:
    """uvicorn serving the app over the seeded corpus on a free 127.0.0.1 port, in a thread."""
    seeded.settings.bcrypt_rounds = 4
    with serve_app(seeded) as url:
        yield url


def test_reader_page_in_chromium(server: str, browser, seeded) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(30_000)
    url = f"{server}/articles/{ARTICLE_ID}"
    page.goto(url)

    expect(page.locator(".label").first).to_have_text("Important News")
    expect(page.locator("h1.headline")).to_contain_text("U.S. and Mexico agree")
    expect(page.locator(".votes")).to_contain_text("Interesting: 0/0")
    expect(page.locator(".votes")).to_contain_text("Log in to vote")
    expect(page.locator(".takeaways > li")).to_have_count(5)

    # Expand the first suggested question: its stored answer is there, cited.
    first_q = seeded.answers.questions(ARTICLE_ID)[0]
    first_answer = seeded.answers.published(first_q.id).answer
    details = page.locator(f"details#{first_q.id}")
    answer_box = details.locator(".answer")
    expect(answer_box).to_be_hidden()
    details.locator("summary").click()
    expect(answer_box).to_be_visible()
    first_sentence = first_answer.answer.split(" [1]")[0]
    expect(answer_box).to_contain_text(first_sentence)
    # With JavaScript, the footnote list is hidden and [n] opens a popover with the quote.
    expect(details.locator(".notes")).to_be_hidden()
    details.locator("a.cite").first.click()
    popover = page.locator(".popover")
    expect(popover).to_be_visible()
    cited = first_answer.citations[0]
    expect(popover.locator(".quote")).to_have_text(cited.quote)
    expect(popover.locator(".note-src")).to_contain_text(cited.title)
    page.keyboard.press("Escape")
    expect(popover).to_have_count(0)

    # Ask a new question: the answer streams in and ends cited, with working popovers.
    # Record streamed text as it is added to the answer box (before 'done' replaces it).
    page.evaluate("""() => {
        window.__streamed = [];
        new MutationObserver(records => {
            for (const r of records) {
                if (r.target.classList && r.target.classList.contains('streaming')) {
                    for (const n of r.addedNodes) window.__streamed.push(n.textContent);
                }
            }
        }).observe(document.getElementById('asked'), {childList: true, subtree: true});
    }""")
    page.fill("#ask-q", "Which agencies from Mexico take part in the Security Implementation Group?")
    page.click("form.ask button[type=submit]")
    asked = page.locator("#asked .asked").first
    expect(asked).to_have_attribute("data-status", "answered", timeout=60_000)
    expect(asked.locator(".asked-q")).to_have_text(
        "Which agencies from Mexico take part in the Security Implementation Group?")
    expect(asked.locator(".status")).to_contain_text("quoted")
    streamed = page.evaluate("window.__streamed")
    assert streamed and any("[1]" in text for text in streamed), streamed  # deltas arrived, with markers
    links = asked.locator(".answer a.cite")
    assert links.count() >= 1
    stored = seeded.answers.get_typed(_typed_key(seeded))  # what the server cached for this question
    assert stored is not None and stored.status == "answered"
    n = int(links.first.inner_text().strip("[]"))
    links.first.click()
    expect(page.locator(".popover .quote")).to_have_text(next(c.quote for c in stored.citations if c.n == n))
    page.keyboard.press("Escape")

    # Sign up (lands back on the article, logged in), log out, log in, vote.
    page.click("text=Log in to vote")
    page.click("text=Sign up")
    page.fill("input[name=name]", "reader1")
    page.fill("input[name=password]", "a long password")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(url)
    expect(page.locator(".account")).to_contain_text("Signed in as reader1")
    page.click(".account button:has-text('Log out')")
    expect(page.locator(".account")).to_contain_text("Log in")
    page.click("text=Log in to vote")
    page.fill("input[name=name]", "reader1")
    page.fill("input[name=password]", "a long password")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(url)
    votes = page.locator(".votes")
    page.click(".vote-form[data-kind=interesting] button[data-value=true]")
    expect(votes.locator(".tally[data-kind=interesting] .count")).to_have_text("1/1")
    expect(page.locator(".vote-form[data-kind=interesting] button[data-value=true]")).to_have_attribute(
        "aria-pressed", "true")
    page.click(".vote-form[data-kind=support] button[data-value=false]")
    expect(votes.locator(".tally[data-kind=support] .count")).to_have_text("0/1")
    page.reload()
    expect(page.locator(".votes")).to_contain_text("Interesting: 1/1")
    expect(page.locator(".votes")).to_contain_text("Support: 0/1")
    assert seeded.accounts.vote_counts(ARTICLE_ID)["interesting"] == {"yes": 1, "total": 1}
    assert errors == [], errors


def _typed_key(services) -> str:  # noqa: ANN001
    from qa_service.store.answers import typed_key

    return typed_key(ARTICLE_ID, "Which agencies from Mexico take part in the Security Implementation Group?",
                     services.store.version())


def test_reader_page_without_javascript(server: str, browser, seeded) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{server}/articles/{ARTICLE_ID}")
    q = seeded.answers.questions(ARTICLE_ID)[0]
    answer = seeded.answers.published(q.id).answer
    details = page.locator(f"details#{q.id}")
    details.locator("summary").click()
    notes = details.locator(".notes")
    expect(notes).to_be_visible()  # without JS the quoted passages are listed under the answer
    expect(notes.locator(".quote").first).to_have_text(answer.citations[0].quote)
    details.locator("a.cite").first.click()
    assert page.url.endswith(f"#{q.id}-c{answer.citations[0].n}")
    context.close()
