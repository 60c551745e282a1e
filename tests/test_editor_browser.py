"""The editor's review → regenerate → diff → publish workflow in real headless
Chromium (Debian's /usr/bin/chromium driven by Playwright through
executable_path) against uvicorn on 127.0.0.1; then a reader's browser shows the
newly published text."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from .browser_support import BROWSER_MARKS, browser, serve_app  # noqa: F401 (fixture)
from .conftest import ARTICLE_ID
from .editor_support import EDITOR_PASSWORD, TrimmingGenerator

pytestmark = BROWSER_MARKS


@pytest.fixture
def server(seeded) -> Iterator[str]:
    """uvicorn serving the app over the seeded corpus on a free 127.0.0.1 port, in a thread."""
    seeded.settings.bcrypt_rounds = 4
    seeded.generator_override = TrimmingGenerator(seeded.extractive)  # each regeneration reads differently
    seeded.accounts.create_user("edna", EDITOR_PASSWORD, role="editor")
    with serve_app(seeded) as url:
        yield url


def _plain(text: str) -> str:
    return " ".join(re.sub(r"\[\d+\]", "", text).split())


def test_editor_reviews_diffs_and_publishes_then_readers_see_it(server: str, browser, seeded) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    qid = seeded.answers.questions(ARTICLE_ID)[0].id
    original = seeded.answers.published(qid)
    assert original is not None

    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Log in through the site's login page; it brings the editor back to the queue.
    page.goto(f"{server}/editor")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Feditor$"))
    page.fill("input[name=name]", "edna")
    page.fill("input[name=password]", EDITOR_PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{server}/editor")
    expect(page.locator("h1")).to_have_text("Review queue")

    # Open the article, then the question, and regenerate its answer.
    page.click(f"a[href='/editor/articles/{ARTICLE_ID}']")
    page.click(f"a[href='/editor/articles/{ARTICLE_ID}/questions/{qid}']")
    expect(page.locator("#versions tbody tr")).to_have_count(1)
    page.click("#regenerate")
    expect(page.locator(".flash")).to_contain_text("(draft)")
    expect(page.locator("#versions tbody tr")).to_have_count(2)
    draft = next(v for v in seeded.answers.versions(qid) if v.status == "draft")
    expect(page.locator(f"tr[data-version='{draft.id}'] .badge-draft")).to_be_visible()

    # The review queue now lists the draft.
    page.click("nav.editor-nav a[href='/editor']")
    row = page.locator(f"#review-queue tr[data-question='{qid}']")
    expect(row).to_contain_text("draft")
    row.locator("a").first.click()

    # Side-by-side diff: the published version (A) against the new draft (B), with citations.
    page.click("#compare")
    expect(page).to_have_url(re.compile(r"/diff\?[ab]=\w+&[ab]=\w+$"))
    expect(page.locator("#diff")).to_be_visible()
    expect(page.locator("#diff td.removed").first).to_be_visible()  # the draft has one sentence fewer
    expect(page.locator("#left-answer")).to_contain_text(_plain(original.answer.answer).split(". ")[0])
    expect(page.locator(".ed-notes blockquote").first).to_be_visible()

    # Publish the draft from the diff page.
    page.click(f"button.publish[data-version='{draft.id}']")
    expect(page.locator(".flash")).to_contain_text(f"Version {draft.id} is published")
    expect(page.locator(f"tr[data-version='{draft.id}'] .badge-published")).to_be_visible()
    expect(page.locator(f"tr[data-version='{original.id}'] .badge-archived")).to_be_visible()
    expect(page.locator(f"tr[data-version='{original.id}'] button.rollback")).to_be_visible()

    # The audit log shows what happened.
    page.click("nav.editor-nav a[href='/editor/audit']")
    expect(page.locator("#audit-log")).to_contain_text("regenerate")
    expect(page.locator("#audit-log")).to_contain_text(f"version {draft.id}")
    assert not errors, errors

    # A reader (no login) sees the new text.
    dropped = [s for s in re.split(r"(?<=\])\s+", original.answer.answer) if s.strip()
               and _plain(s) not in _plain(draft.answer.answer)]
    assert dropped, "the new version should differ from the old"
    reader = browser.new_context().new_page()
    reader.set_default_timeout(30_000)
    reader.goto(f"{server}/articles/{ARTICLE_ID}")
    reader.click(f"details#{qid} > summary")
    answer = reader.locator(f"details#{qid} .answer")
    expect(answer).to_be_visible()
    shown = _plain(answer.inner_text())
    assert shown == _plain(draft.answer.answer)
    assert _plain(dropped[0]) not in shown
    ctx.close()
