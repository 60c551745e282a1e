"""The editor workflow through the HTTP API (FastAPI TestClient over the seeded
copy of the seed corpus: real SQLite, chromadb and ONNX embedder): regenerate,
versions, publish / discard / rollback, hand edits with re-verified citations,
question curation, stale answers, the review queue, background jobs, the audit
log, and who may do any of it."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from qa_service.ingest.documents import load_paths
from qa_service.text import sentence_spans
from qa_service.web.app import create_app
from qa_service.web.auth import SESSION_COOKIE
from qa_service.web.csrf import CSRF_HEADER, csrf_token

from .conftest import ARTICLE_ID, CORPUS, SAME_SITE
from .editor_support import READER_PASSWORD, TrimmingGenerator, bearer, make_users

pytestmark = pytest.mark.slow

A = ARTICLE_ID
API = f"/api/editor/articles/{A}"


@pytest.fixture
def svc(seeded):
    seeded.settings.bcrypt_rounds = 4
    seeded.generator_override = TrimmingGenerator(seeded.extractive)
    return seeded


@pytest.fixture
def tokens(svc) -> dict[str, str]:
    return make_users(svc)


@pytest.fixture
def client(svc, tokens) -> Iterator[TestClient]:
    with TestClient(create_app(services=svc), headers=SAME_SITE) as c:
        yield c


@pytest.fixture
def ed(tokens) -> dict[str, str]:
    return bearer(tokens["editor"])


def first_question(client: TestClient, ed: dict[str, str]) -> dict:
    questions = client.get(f"{API}/questions", headers=ed).json()
    return questions[0]


def reader_answer(client: TestClient, qid: str) -> dict | None:
    """What a reader gets for this question from the public API (anonymous)."""
    detail = client.get(f"/api/articles/{A}").json()
    for q in detail["questions"]:
        if q["id"] == qid:
            return q["answer"]
    return None


# ------------------------------------------------------------------- done when
def test_done_when_regenerate_twice_publish_draft_readers_see_it(client, ed, tokens) -> None:
    q = first_question(client, ed)
    qid = q["id"]
    original = reader_answer(client, qid)
    assert original is not None and original["status"] == "answered"

    first = client.post(f"{API}/questions/{qid}/regenerate", headers=ed)
    second = client.post(f"{API}/questions/{qid}/regenerate", headers=ed)
    assert first.status_code == second.status_code == 201
    d1, d2 = first.json(), second.json()
    assert d1["status"] == d2["status"] == "draft"
    assert d1["answer"]["answer"] != original["answer"]  # the trimming generator made a new text
    assert reader_answer(client, qid)["answer"] == original["answer"]  # drafts are not shown to readers

    versions = client.get(f"{API}/questions/{qid}/versions", headers=ed).json()
    assert len(versions) == 3
    assert {v["id"] for v in versions} == {q["published_version"], d1["id"], d2["id"]}
    assert sorted(v["status"] for v in versions) == ["draft", "draft", "published"]
    for v in versions:
        assert set(v) >= {"id", "status", "created_at", "author", "generator", "grounding_score"}

    published = client.post(f"{API}/questions/{qid}/versions/{d1['id']}/publish", headers=ed)
    assert published.status_code == 200 and published.json()["status"] == "published"

    now = reader_answer(client, qid)
    assert now["answer"] == d1["answer"]["answer"] != original["answer"]
    page = client.get(f"/articles/{A}", headers={"accept": "text/html"})
    first_sentence = re.sub(r"\s*\[\d+\]", "", d1["answer"]["answer"].split("\n")[0]).split(". ")[0]
    assert first_sentence[:40] in page.text.replace("&#39;", "'").replace("&quot;", '"')

    # refused for anonymous callers and readers, and nothing changed by trying
    for headers in ({}, bearer(tokens["reader"])):
        r = client.post(f"{API}/questions/{qid}/regenerate", headers=headers)
        assert r.status_code == (401 if not headers else 403)
        r = client.post(f"{API}/questions/{qid}/versions/{d2['id']}/publish", headers=headers)
        assert r.status_code == (401 if not headers else 403)
    after = client.get(f"{API}/questions/{qid}/versions", headers=ed).json()
    assert {v["id"]: v["status"] for v in after} == {
        q["published_version"]: "archived", d1["id"]: "published", d2["id"]: "draft"}


def test_versions_record_who_when_what_and_grounding(client, ed, svc) -> None:
    qid = first_question(client, ed)["id"]
    v = client.post(f"{API}/questions/{qid}/regenerate", headers=ed).json()
    assert v["author"] == "edna"
    assert v["created_at"] > 0
    assert v["generator"] == "test-trimming"
    assert v["model"] and v["prompt_version"]  # filled (model: the ranking embedder; prompt: 'none')
    assert v["sources"], "retrieved sources recorded"
    assert set(v["sources"]) >= {c["doc_id"] for c in v["answer"]["citations"]}
    assert v["answer"]["retrieved"]
    scores = [c["score"] for c in v["answer"]["citations"]]
    assert v["grounding_score"] == pytest.approx(sum(scores) / len(scores), abs=1e-3)
    assert v["corpus_version"] == svc.store.version()
    full = client.get(f"{API}/questions/{qid}/versions/{v['id']}", headers=ed).json()
    assert full["answer"]["answer"] == v["answer"]["answer"]


def test_auto_publish_publishes_regenerations(client, ed, svc) -> None:
    svc.pregenerator.auto_publish = True
    qid = first_question(client, ed)["id"]
    v = client.post(f"{API}/questions/{qid}/regenerate", headers=ed).json()
    assert v["status"] == "published"
    assert reader_answer(client, qid)["answer"] == v["answer"]["answer"]
    statuses = [x["status"] for x in client.get(f"{API}/questions/{qid}/versions", headers=ed).json()]
    assert sorted(statuses) == ["archived", "published"]


# --------------------------------------------------------- publish / rollback
def test_discard_rollback_and_nothing_is_deleted(client, ed) -> None:
    q = first_question(client, ed)
    qid, original = q["id"], q["published_version"]
    d1 = client.post(f"{API}/questions/{qid}/regenerate", headers=ed).json()["id"]
    d2 = client.post(f"{API}/questions/{qid}/regenerate", headers=ed).json()["id"]

    r = client.post(f"{API}/questions/{qid}/versions/{d2}/discard", headers=ed)
    assert r.status_code == 200 and r.json()["status"] == "archived"
    r = client.post(f"{API}/questions/{qid}/versions/{original}/discard", headers=ed)
    assert r.status_code == 409 and "only drafts" in r.json()["detail"]

    assert client.post(f"{API}/questions/{qid}/versions/{d1}/publish", headers=ed).status_code == 200
    # rollback = publishing the older, archived version
    r = client.post(f"{API}/questions/{qid}/versions/{original}/publish", headers=ed)
    assert r.status_code == 200 and r.json()["status"] == "published"
    statuses = {v["id"]: v["status"] for v in client.get(f"{API}/questions/{qid}/versions", headers=ed).json()}
    assert statuses == {original: "published", d1: "archived", d2: "archived"}

    actions = [(e["action"], e["detail"]) for e in client.get("/api/editor/audit", headers=ed).json()]
    assert ("rollback", f"version {original}") in actions
    assert ("publish", f"version {d1}") in actions
    assert ("discard", f"version {d2}") in actions


def test_unknown_ids_are_404_and_versions_stay_with_their_question(client, ed) -> None:
    questions = client.get(f"{API}/questions", headers=ed).json()
    q1, q2 = questions[0], questions[1]
    assert client.get(f"{API}/questions/q-nope/versions", headers=ed).status_code == 404
    assert client.get("/api/editor/articles/nope/questions", headers=ed).status_code == 404
    r = client.post(f"{API}/questions/{q2['id']}/versions/{q1['published_version']}/publish", headers=ed)
    assert r.status_code == 404  # a version of another question
    r = client.post(f"{API}/questions/{q1['id']}/versions/deadbeef/publish", headers=ed)
    assert r.status_code == 404 and "no version" in r.json()["detail"]
    assert client.get("/api/editor/jobs/nope", headers=ed).status_code == 404


# ------------------------------------------------------------------ hand edit
def test_edit_keeps_verified_sentences_and_refuses_unsupported_ones(client, ed, svc) -> None:
    q = first_question(client, ed)
    qid = q["id"]
    published = client.get(f"{API}/questions/{qid}/versions/{q['published_version']}", headers=ed).json()
    first_line_sentences = re.findall(r"[^\n]+?\[\d+\]", published["answer"]["answer"].replace("\n", " "))
    assert len(first_line_sentences) >= 2
    # Keep two sentences, in swapped order: the citations must be renumbered.
    edited = f"{first_line_sentences[1].strip()} {first_line_sentences[0].strip()}"
    r = client.post(f"{API}/questions/{qid}/edit", headers=ed, json={"text": edited})
    assert r.status_code == 201, r.text
    v = r.json()
    assert v["status"] == "draft" and v["generator"] == "editor" and v["author"] == "edna"
    assert re.findall(r"\[(\d+)\]", v["answer"]["answer"]) == ["1", "2"]
    for c in v["answer"]["citations"]:
        doc = svc.store.get_document(c["doc_id"])
        assert doc.text[c["start"]:c["end"]] == c["quote"]
        assert c["score"] >= svc.checker.threshold
    assert v["grounding_score"] is not None

    before = len(client.get(f"{API}/questions/{qid}/versions", headers=ed).json())
    bad = {
        "The group is chaired by the Pope and meets on the Moon. [1]": "does not support it",
        "This sentence cites nothing.": "no citation",
        "The Security Implementation Group is bilateral. [42]": "not one of this answer's sources",
    }
    for text, reason in bad.items():
        r = client.post(f"{API}/questions/{qid}/edit", headers=ed, json={"text": f"{edited}\n\n{text}"})
        assert r.status_code == 422, text
        body = r.json()
        assert len(body["problems"]) == 1
        assert reason in body["problems"][0]["reason"]
        assert body["problems"][0]["sentence"] == re.sub(r"\s*\[\d+\]$", "", text)
    assert len(client.get(f"{API}/questions/{qid}/versions", headers=ed).json()) == before  # nothing stored

    r = client.post(f"{API}/questions/{qid}/edit", headers=ed, json={"text": edited, "publish": True})
    assert r.status_code == 201 and r.json()["status"] == "published"
    assert reader_answer(client, qid)["answer"] == r.json()["answer"]["answer"]


def test_edit_may_quote_another_sentence_of_a_cited_passage(client, ed, svc) -> None:
    q = first_question(client, ed)
    qid = q["id"]
    published = svc.answers.get_version(q["published_version"])
    c1 = published.answer.citations[0]
    chunk = svc.store.chunks([c1.chunk_id])[0]
    # a sentence of the same passage that the answer does not quote
    sentences = [chunk.text[s:e] for s, e in sentence_spans(chunk.text)]
    other = next(s for s in sentences if len(s.split()) > 6 and s not in c1.quote and s.endswith("."))
    r = client.post(f"{API}/questions/{qid}/edit", headers=ed, json={"text": f"{other} [1]"})
    assert r.status_code == 201, r.text
    cit = r.json()["answer"]["citations"][0]
    assert cit["doc_id"] == c1.doc_id and other.rstrip(".") in cit["quote"]


# ---------------------------------------------------------- question curation
def test_add_remove_reorder_and_pin_questions(client, ed) -> None:
    def reader_ids() -> list[str]:
        return [q["id"] for q in client.get(f"/api/articles/{A}").json()["questions"]]

    start = reader_ids()
    r = client.post(f"{API}/questions", headers=ed,
                    json={"question": "When will the Security Implementation Group meet?"})
    assert r.status_code == 201, r.text
    added = r.json()
    assert added["question"]["origin"] == "editor"
    assert added["version"]["status"] == "published"  # a new question's first answer is published
    new_id = added["question"]["id"]
    assert reader_ids() == [*start, new_id]
    dup = client.post(f"{API}/questions", headers=ed, json={"question": "when will the security implementation group meet?"})
    assert dup.status_code == 409
    assert client.post(f"{API}/questions", headers=ed, json={"question": "?!"}).status_code == 400

    # reorder: the new question first, then the rest reversed
    order = [new_id, *reversed(start)]
    r = client.put(f"{API}/questions/order", headers=ed, json={"order": order})
    assert r.status_code == 200
    assert reader_ids() == order
    assert client.put(f"{API}/questions/order", headers=ed, json={"order": ["q-unknown"]}).status_code == 404

    # pin the last one: it comes first
    r = client.patch(f"{API}/questions/{start[0]}", headers=ed, json={"pinned": True})
    assert r.status_code == 200 and r.json()["pinned"] is True
    assert reader_ids()[0] == start[0]

    # remove hides it from readers; editors still see it with every version
    r = client.delete(f"{API}/questions/{new_id}", headers=ed)
    assert r.status_code == 200 and r.json()["hidden"] is True
    assert new_id not in reader_ids()
    editor_view = {q["id"]: q for q in client.get(f"{API}/questions", headers=ed).json()}
    assert editor_view[new_id]["hidden"] is True
    assert len(client.get(f"{API}/questions/{new_id}/versions", headers=ed).json()) == 1
    assert client.patch(f"{API}/questions/{new_id}", headers=ed, json={"hidden": False}).json()["hidden"] is False
    assert new_id in reader_ids()


# ------------------------------------------------------ stale, review, jobs
def test_changed_source_marks_answers_stale_and_queues_them(client, ed, svc) -> None:
    assert client.get("/api/editor/stale", headers=ed).json() == []
    docs, _ = load_paths([CORPUS])
    source = next(d for d in docs if d.id == "sig-meetings-mission-firewall")
    changed = source.model_copy(update={"text": source.text + "\n\nA correction was appended to this source."})
    summary = svc.index.ingest([changed])
    assert summary.changed == ["sig-meetings-mission-firewall"] or "sig-meetings-mission-firewall" in summary.changed
    svc.pregenerator.after_ingest(summary.changed)

    stale = client.get("/api/editor/stale", headers=ed).json()
    assert stale and all("sig-meetings-mission-firewall" in v["sources"] for v in stale)
    review = client.get("/api/editor/review", headers=ed).json()
    stale_qids = {v["question_id"] for v in stale}
    assert {it["question_id"] for it in review if "stale" in it["reasons"]} == stale_qids

    # regenerating and publishing clears it from the queue
    qid = next(iter(stale_qids))
    v = client.post(f"{API}/questions/{qid}/regenerate", headers=ed).json()
    assert v["stale"] is False
    client.post(f"{API}/questions/{qid}/versions/{v['id']}/publish", headers=ed)
    review = client.get("/api/editor/review", headers=ed).json()
    assert not any(it["question_id"] == qid and "stale" in it["reasons"] for it in review)


def test_review_queue_lists_drafts_low_grounding_and_unhelpful(client, ed, svc) -> None:
    questions = client.get(f"{API}/questions", headers=ed).json()
    q_draft, q_unhelpful = questions[0]["id"], questions[1]["id"]
    client.post(f"{API}/questions/{q_draft}/regenerate", headers=ed)
    rita = svc.accounts.get_user("rita")
    svc.accounts.set_feedback(rita.id, q_unhelpful, False)
    svc.editorial.review_min_grounding = 1.01  # every answered question counts as low
    items = {it["question_id"]: it for it in client.get("/api/editor/review", headers=ed).json()}
    assert "draft" in items[q_draft]["reasons"] and len(items[q_draft]["drafts"]) == 1
    assert "unhelpful" in items[q_unhelpful]["reasons"]
    assert items[q_unhelpful]["feedback"] == {"helpful": 0, "unhelpful": 1}
    # a cited gap ("unanswered") is not held to the grounding floor of an answer
    assert all("low grounding" in it["reasons"] for it in items.values()
               if it["grounding_score"] is not None and "unanswered" not in it["reasons"])
    svc.editorial.review_min_grounding = 0.0
    items = {it["question_id"]: it for it in client.get("/api/editor/review", headers=ed).json()}
    assert not any("low grounding" in it["reasons"] for it in items.values())


def test_background_regeneration_job_reports_progress(client, ed, svc) -> None:
    n = len(client.get(f"{API}/questions", headers=ed).json())
    r = client.post(f"{API}/regenerate", headers=ed, json={"what": "all"})
    assert r.status_code == 202
    job = r.json()
    assert job["status"] in ("queued", "running", "done")
    assert client.app.state.services.editorial.jobs.wait_idle(timeout=300)
    job = client.get(f"/api/editor/jobs/{job['id']}", headers=ed).json()
    assert job["status"] == "done", job
    assert job["done"] == job["total"] == n
    assert len(job["result"]["answers"]["versions"]) == n
    assert job["result"]["answers"]["drafts"] == n
    assert job["result"]["takeaways"]
    assert any(j["id"] == job["id"] for j in client.get("/api/editor/jobs", headers=ed).json())
    bad = client.post(f"{API}/regenerate", headers=ed, json={"what": "everything"})
    assert bad.status_code == 422


def test_regenerating_questions_adds_hidden_suggestions(client, ed) -> None:
    before = {q["id"] for q in client.get(f"{API}/questions", headers=ed).json()}
    job = client.post(f"{API}/regenerate", headers=ed, json={"what": "questions"}).json()
    assert client.app.state.services.editorial.jobs.wait_idle(timeout=300)
    job = client.get(f"/api/editor/jobs/{job['id']}", headers=ed).json()
    assert job["status"] == "done", job
    added = job["result"]["questions"]["added"]
    assert added, job["result"]  # the offline suggester turns section headings into questions
    questions = {q["id"]: q for q in client.get(f"{API}/questions", headers=ed).json()}
    assert set(added) == set(questions) - before
    for qid in added:
        assert questions[qid]["hidden"] is True and questions[qid]["origin"] == "generated"
        versions = client.get(f"{API}/questions/{qid}/versions", headers=ed).json()
        assert versions[0]["status"] == "published" and versions[0]["author"] == "edna"
        assert versions[0]["grounding_score"] is not None  # kept only because its answer is cited
    reader_ids = {q["id"] for q in client.get(f"/api/articles/{A}").json()["questions"]}
    assert not reader_ids & set(added)
    client.patch(f"{API}/questions/{added[0]}", headers=ed, json={"hidden": False})
    assert added[0] in {q["id"] for q in client.get(f"/api/articles/{A}").json()["questions"]}


def test_takeaways_versions_publish_and_rollback(client, ed) -> None:
    before = client.get(f"{API}/takeaways/versions", headers=ed).json()
    assert [v["status"] for v in before] == ["published"]
    r = client.post(f"{API}/takeaways/regenerate", headers=ed)
    assert r.status_code == 201
    draft = r.json()
    assert draft["status"] == "draft" and draft["takeaways"] and draft["grounding_score"] is not None
    assert client.post(f"{API}/takeaways/versions/{draft['id']}/publish", headers=ed).json()["status"] == "published"
    reader = client.get(f"/api/articles/{A}").json()["takeaways"]
    assert [t["text"] for t in reader] == [t["text"] for t in draft["takeaways"]]
    back = client.post(f"{API}/takeaways/versions/{before[0]['id']}/publish", headers=ed)
    assert back.json()["status"] == "published"
    statuses = {v["id"]: v["status"] for v in client.get(f"{API}/takeaways/versions", headers=ed).json()}
    assert statuses == {before[0]["id"]: "published", draft["id"]: "archived"}


def test_diff_of_two_versions(client, ed) -> None:
    q = first_question(client, ed)
    v = client.post(f"{API}/questions/{q['id']}/regenerate", headers=ed).json()
    d = client.get(f"{API}/questions/{q['id']}/diff", headers=ed,
                   params={"a": q["published_version"], "b": v["id"]}).json()
    assert d["left"]["id"] == q["published_version"] and d["right"]["id"] == v["id"]
    assert d["changed"] >= 1  # the trimming generator dropped a sentence
    # the dropped sentence shows on the left with nothing beside it ("delete", or the extra line of a "replace")
    assert any(row["tag"] in ("delete", "replace") and row["left"] and row["right"] is None for row in d["rows"])
    assert any(row["tag"] == "equal" for row in d["rows"])


# ------------------------------------------------------------------ who may
def _editor_routes(client: TestClient) -> list[tuple[str, str]]:
    out = []
    for path, ops in client.app.openapi()["paths"].items():
        if path.startswith("/api/editor"):
            out.extend((method.upper(), path) for method in sorted(ops))
    return out


def _fill(path: str, qid: str, vid: str) -> str:
    return (path.replace("{article_id}", A).replace("{qid}", qid).replace("{vid}", vid)
            .replace("{job_id}", "nope"))


def test_every_editor_endpoint_refuses_anonymous_and_readers(client, ed, tokens, svc) -> None:
    q = first_question(client, ed)
    routes = _editor_routes(client)
    assert len(routes) >= 20
    versions_before = svc.db.scalar("SELECT COUNT(*) FROM answer_versions")
    audit_before = len(svc.accounts.audit_log(1000))

    # a reader logged in with a session cookie (and the CSRF header, so only the role is missing)
    client.post("/login", data={"name": "rita", "password": READER_PASSWORD, "next": "/"})
    reader_cookie = client.cookies.get(SESSION_COOKIE)
    assert reader_cookie
    client.cookies.clear()

    for method, path in routes:
        url = _fill(path, q["id"], q["published_version"])
        body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        anon = client.request(method, url, **body)
        assert anon.status_code == 401, (method, path, anon.status_code)
        by_token = client.request(method, url, headers=bearer(tokens["reader"]), **body)
        assert by_token.status_code == 403, (method, path, by_token.status_code)
        client.cookies.set(SESSION_COOKIE, reader_cookie)
        from hashlib import sha256

        csrf = sha256(f"qa-editor-csrf\x00{reader_cookie}".encode()).hexdigest()[:32]
        by_cookie = client.request(method, url, headers={CSRF_HEADER: csrf}, **body)
        assert by_cookie.status_code == 403, (method, path, by_cookie.status_code)
        client.cookies.clear()

    # editor pages: browsers are sent to log in; readers are refused
    for url in ("/editor", "/editor/audit", f"/editor/articles/{A}", f"/editor/articles/{A}/questions/{q['id']}"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
        client.cookies.set(SESSION_COOKIE, reader_cookie)
        assert client.get(url).status_code == 403
        client.cookies.clear()
    r = client.post(f"/editor/articles/{A}/questions/{q['id']}", data={"action": "regenerate"})
    assert r.status_code == 401

    assert svc.db.scalar("SELECT COUNT(*) FROM answer_versions") == versions_before
    assert len(svc.accounts.audit_log(1000)) == audit_before
    statuses = [v["status"] for v in client.get(f"{API}/questions/{q['id']}/versions", headers=ed).json()]
    assert statuses == ["published"]


def test_cookie_sessions_need_the_csrf_header_for_changes(client, ed) -> None:
    q = first_question(client, ed)
    r = client.post("/login", data={"name": "edna", "password": "editor-password", "next": "/editor"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert client.get(f"{API}/questions/{q['id']}/versions").status_code == 200  # reading needs no token
    url = f"{API}/questions/{q['id']}/regenerate"
    assert client.post(url).status_code == 403
    assert client.post(url, headers={CSRF_HEADER: "wrong"}).status_code == 403
    cookie = client.cookies.get(SESSION_COOKIE)
    token = __import__("hashlib").sha256(f"qa-editor-csrf\x00{cookie}".encode()).hexdigest()[:32]
    assert client.post(url, headers={CSRF_HEADER: token}).status_code == 201
    # the page embeds the same token in its forms
    page = client.get(f"/editor/articles/{A}/questions/{q['id']}")
    assert f'name="csrf" value="{token}"' in page.text
    # and a form post without it is refused
    assert client.post(f"/editor/articles/{A}/questions/{q['id']}", data={"action": "regenerate"}).status_code == 403


def test_editor_pages_escape_what_they_show(client, ed, svc) -> None:
    evil = "What does <script>alert(1)</script> the Security Implementation Group do?"
    r = client.post(f"{API}/questions", headers=ed, json={"question": evil})
    assert r.status_code == 201
    qid = r.json()["question"]["id"]
    client.post("/login", data={"name": "edna", "password": "editor-password", "next": "/editor"})
    for url in (f"/editor/articles/{A}", f"/editor/articles/{A}/questions/{qid}", "/editor/audit"):
        page = client.get(url)
        assert page.status_code == 200
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_html_workflow_regenerate_compare_publish(client, ed, svc) -> None:
    q = first_question(client, ed)
    qid = q["id"]
    client.post("/login", data={"name": "edna", "password": "editor-password", "next": "/editor"})
    token = csrf_token_for(client)
    url = f"/editor/articles/{A}/questions/{qid}"
    r = client.post(url, data={"action": "regenerate", "csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    drafts = [v for v in svc.answers.versions(qid) if v.status == "draft"]
    assert len(drafts) == 1
    diff = client.get(f"{url}/diff")
    assert diff.status_code == 200 and drafts[0].id in diff.text and q["published_version"] in diff.text
    r = client.post(url, data={"action": "publish", "version": drafts[0].id, "csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    assert svc.answers.published(qid).id == drafts[0].id
    assert reader_answer(client, qid)["answer"] == drafts[0].answer.answer
    # a refused edit shows the reasons and keeps the text
    r = client.post(url, data={"action": "edit", "version": drafts[0].id, "csrf": token,
                               "text": "Unsupported claim about penguins. [1]"})
    assert r.status_code == 422 and "penguins" in r.text and "does not support it" in r.text


def csrf_token_for(client: TestClient) -> str:
    cookie = client.cookies.get(SESSION_COOKIE)
    return __import__("hashlib").sha256(f"qa-editor-csrf\x00{cookie}".encode()).hexdigest()[:32]


def test_csrf_token_helper_matches_pages() -> None:
    from starlette.requests import Request

    scope = {"type": "http", "headers": [(b"cookie", f"{SESSION_COOKIE}=abc".encode())], "method": "GET",
             "path": "/", "query_string": b""}
    expected = __import__("hashlib").sha256(b"qa-editor-csrf\x00abc").hexdigest()[:32]
    assert csrf_token(Request(scope)) == expected


def test_db_is_consistent_after_the_workflow(client, ed, svc) -> None:
    q = first_question(client, ed)
    for _ in range(3):
        client.post(f"{API}/questions/{q['id']}/regenerate", headers=ed)
    path = svc.settings.sqlite_path
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    per_question = con.execute(
        "SELECT question_id, SUM(status='published') FROM answer_versions GROUP BY question_id").fetchall()
    assert all(n == 1 for _, n in per_question)
    con.close()


def test_review_queue_flags_gaps_and_low_answer_quality(client, ed, svc) -> None:
    """Beside the grounding score, the queue shows how well each published answer
    answers: the answers that state gaps are listed with them, and a quality floor
    above every score lists them all (and below every score, none)."""
    svc.editorial.review_min_grounding = 0.0
    svc.editorial.review_min_quality = 0.0
    published = [svc.answers.published(q.id) for q in svc.answers.questions(A)]
    with_gaps = {v.question_id for v in published if v is not None and v.answer.gaps
                 and v.answer.status == "answered"}
    items = {it["question_id"]: it for it in client.get("/api/editor/review", headers=ed).json()}
    assert with_gaps, "the seed article's suggested answers include some that state what is not known"
    for qid in with_gaps:
        assert "gaps" in items[qid]["reasons"] and items[qid]["gaps"]
    assert not any("low quality" in it["reasons"] for it in items.values())
    svc.editorial.review_min_quality = 1.01
    items = {it["question_id"]: it for it in client.get("/api/editor/review", headers=ed).json()}
    answered = [v for v in published if v is not None and v.answer.status == "answered"]
    assert answered and all("low quality" in items[v.question_id]["reasons"] for v in answered)
    assert all(items[v.question_id]["quality_score"] is not None for v in answered)


def test_a_regeneration_with_identical_text_says_so(client, ed) -> None:
    q = first_question(client, ed)
    url = f"{API}/questions/{q['id']}/regenerate"
    first = client.post(url, headers=ed, json={"generator": "extractive"}).json()
    second = client.post(url, headers=ed, json={"generator": "extractive"}).json()
    assert first["answer"]["answer"] == second["answer"]["answer"]
    assert second["note"] == f"regenerated: identical text to version {first['id']}"
    assert second["id"] != first["id"]  # still a version of its own: none is ever lost
    assert second["quality_score"] is not None
