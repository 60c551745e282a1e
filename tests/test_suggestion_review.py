"""Generated questions at ingest and for editors: an article with no curated
question shows its verified generated ones at once (readers never meet an
empty section); on an article with curated ones they wait hidden unless
auto-publish; either way they wait in the editors' review queue until an
editor shows, keeps or hides them (API and CLI), and `regenerate
--questions` refreshes them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from qa_service.ingest.documents import load_paths
from qa_service.web.app import create_app

from .conftest import ARTICLE_ID, ROOT, SAME_SITE, reconfigured
from .editor_support import bearer, make_users

pytestmark = pytest.mark.slow

WILDFIRE = "nr-bell-creek-wildfire"


@pytest.fixture
def svc(seeded):  # noqa: ANN001, ANN201
    """The seed corpus plus a wire story without curated questions, ingested as `qa-service ingest` does."""
    seeded.settings.bcrypt_rounds = 4
    docs, problems = load_paths([ROOT / "evals" / "corpora" / "newsroom" / f"{WILDFIRE}.md"])
    assert not problems
    summary = seeded.index.ingest(docs)
    seeded.pregenerator.after_ingest(summary.changed)
    return seeded


@pytest.fixture
def tokens(svc) -> dict[str, str]:  # noqa: ANN001
    return make_users(svc)


@pytest.fixture
def client(svc, tokens) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(create_app(services=svc), headers=SAME_SITE) as c:
        yield c


def test_an_article_without_curated_questions_shows_its_generated_ones_at_once(svc, client) -> None:  # noqa: ANN001
    page = client.get(f"/api/articles/{WILDFIRE}").json()
    assert page["answers_ready"] and 4 <= len(page["questions"]) <= 6
    for q in page["questions"]:
        answer = q["answer"]
        assert answer["citations"] and (answer["status"] == "answered" or answer["gaps"])
    assert 3 <= len(page["takeaways"]) <= 6 and all(t["citations"] for t in page["takeaways"])
    html = client.get(f"/articles/{WILDFIRE}").text
    assert page["questions"][0]["question"].replace("'", "&#39;") in html
    # shown, but still waiting for an editor's look
    pending = svc.editorial.pending_suggestions(WILDFIRE)
    assert {q["id"] for q in page["questions"]} == set(pending)
    assert all(r.shown for r in pending.values())


def test_on_an_article_with_curated_questions_generated_ones_wait_hidden(svc) -> None:  # noqa: ANN001
    shown = svc.answers.questions(ARTICLE_ID)
    assert [q.origin for q in shown] == ["curated"] * 6
    generated = [q for q in svc.answers.questions(ARTICLE_ID, include_hidden=True) if q.origin == "generated"]
    assert generated and all(q.hidden for q in generated)
    assert {q.id for q in generated} <= set(svc.editorial.pending_suggestions(ARTICLE_ID))


def test_auto_publish_shows_generated_extras_on_a_curated_article(svc) -> None:  # noqa: ANN001
    auto = reconfigured(svc, auto_publish=True)
    added = auto.editorial.regenerate_questions(ARTICLE_ID, "ana")["added"]
    assert added
    visible = {q.id for q in auto.answers.questions(ARTICLE_ID)}
    assert set(added) <= visible


def test_editors_see_generated_questions_in_the_review_queue_and_hide_or_keep_them(svc, client, tokens) -> None:  # noqa: ANN001
    ed = bearer(tokens["editor"])
    queue = client.get("/api/editor/review", params={"article": WILDFIRE}, headers=ed).json()
    assert queue and all("suggested" in item["reasons"] for item in queue)
    listed = client.get(f"/api/editor/articles/{WILDFIRE}/questions", headers=ed).json()
    assert {q["review"] for q in listed} == {"pending"} and all(q["kind"] for q in listed)
    first, second = listed[0]["id"], listed[1]["id"]

    hidden = client.patch(f"/api/editor/articles/{WILDFIRE}/questions/{first}", json={"hidden": True}, headers=ed)
    assert hidden.status_code == 200 and hidden.json()["hidden"] and hidden.json()["review"] == "reviewed"
    kept = client.patch(f"/api/editor/articles/{WILDFIRE}/questions/{second}", json={"hidden": False}, headers=ed)
    assert not kept.json()["hidden"] and kept.json()["review"] == "reviewed"

    queue = {item["question_id"] for item in client.get("/api/editor/review", params={"article": WILDFIRE},
                                                        headers=ed).json()}
    assert first not in queue and second not in queue and queue  # the others still wait
    shown = [q["id"] for q in client.get(f"/api/articles/{WILDFIRE}").json()["questions"]]
    assert first not in shown and second in shown
    log = [e for e in svc.accounts.audit_log(20) if e.target.endswith(first)]
    assert log and log[0].action == "remove-question"


def test_regenerating_an_articles_answers_covers_questions_waiting_for_review(svc) -> None:  # noqa: ANN001
    """Hidden generated questions still in the review queue get a new answer
    too (an editor is about to read it); one an editor hid does not."""
    shown = {q.id for q in svc.answers.questions(ARTICLE_ID)}
    waiting = set(svc.editorial.pending_suggestions(ARTICLE_ID))
    assert len(waiting) >= 2 and not waiting & shown
    removed = sorted(waiting)[0]
    svc.editorial.remove_question(ARTICLE_ID, removed, "ana")
    before = {qid: len(svc.answers.versions(qid)) for qid in shown | waiting}
    result = svc.editorial.regenerate_article(ARTICLE_ID, "ana")
    regenerated = {qid for qid in before if len(svc.answers.versions(qid)) == before[qid] + 1}
    assert regenerated == shown | (waiting - {removed})
    assert len(result["versions"]) == len(regenerated)


def test_regenerate_questions_on_the_command_line_and_hide_show(svc, capsys, monkeypatch) -> None:  # noqa: ANN001
    from qa_service.cli.main import main
    from qa_service.settings import get_settings

    monkeypatch.setenv("QA_DATA_DIR", str(svc.settings.data_dir))
    get_settings.cache_clear()
    before = {q.id for q in svc.answers.questions(WILDFIRE, include_hidden=True)}
    assert main(["regenerate", "--article", WILDFIRE, "--questions", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)["questions"]
    assert result["suggester"] == "offline"
    new = set(result["added"])
    assert new and new.isdisjoint(before)
    for qid in new:  # the article already shows questions: new ones wait hidden
        q = svc.answers.get_question(qid)
        assert q.hidden and svc.answers.published(qid).answer.citations

    assert main(["review", "--article", WILDFIRE, "--json"]) == 0
    queue = json.loads(capsys.readouterr().out)
    assert new <= {item["question_id"] for item in queue if "suggested" in item["reasons"]}
    assert all(item["suggested_by"] == "offline" for item in queue if item["question_id"] in new)

    qid = sorted(new)[0]
    assert main(["show", "--article", WILDFIRE, "--question", qid, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["hidden"] is False
    assert qid in {q.id for q in svc.answers.questions(WILDFIRE)}
    assert qid not in svc.editorial.pending_suggestions(WILDFIRE)
    assert main(["hide", "--article", WILDFIRE, "--question", qid]) == 0
    assert "hidden:" in capsys.readouterr().out
    assert qid not in {q.id for q in svc.answers.questions(WILDFIRE)}
    assert main(["hide", "--article", WILDFIRE, "--question", "q-nope"]) == 2
    assert "no question" in capsys.readouterr().err
    get_settings.cache_clear()


def test_a_lighter_ingest_leaves_questions_to_a_later_pregenerate_pass(services, capsys, monkeypatch) -> None:  # noqa: ANN001
    """QA_SUGGEST_AT_INGEST=never: ingest stores takeaways only (the page says its
    answers are being prepared); `qa-service pregenerate` adds the questions later."""
    from qa_service.cli.main import main
    from qa_service.settings import get_settings

    monkeypatch.setenv("QA_DATA_DIR", str(services.settings.data_dir))
    monkeypatch.setenv("QA_SUGGEST_AT_INGEST", "never")
    get_settings.cache_clear()
    path = ROOT / "evals" / "corpora" / "newsroom" / f"{WILDFIRE}.md"
    assert main(["ingest", str(path), "--json"]) == 0
    capsys.readouterr()
    page = services.article_page(WILDFIRE)
    assert page.takeaways and not page.questions and not page.answers_ready
    takeaways_before = services.answers.takeaways_versions(WILDFIRE)
    assert main(["pregenerate", "--article", WILDFIRE, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["articles"] == 1 and out["answered"] >= 4
    page = services.article_page(WILDFIRE)
    assert page.answers_ready and len(page.questions) >= 4
    assert services.answers.takeaways_versions(WILDFIRE) == takeaways_before  # stored takeaways left alone
    assert main(["pregenerate", "--article", "nope"]) == 2
    get_settings.cache_clear()
