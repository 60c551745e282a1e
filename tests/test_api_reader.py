"""The reader page and JSON API over real SQLite and chromadb (the seeded copy of
the seed corpus, with its pre-generated answers), through FastAPI's TestClient."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from qa_service.models import Answer, Document
from qa_service.web.app import create_app

from .conftest import ARTICLE_ID, SAME_SITE

pytestmark = pytest.mark.slow

NEW_QUESTION = "Which agencies take part in the Security Implementation Group?"


@pytest.fixture
def app_services(seeded):
    seeded.settings.bcrypt_rounds = 4  # the cheapest bcrypt cost: tests sign up many readers
    # Tests change the database behind the app's back: the page cache reads the
    # article's state on every view (the page itself is still cached per state).
    seeded.settings.page_recheck_seconds = 0
    return seeded


@pytest.fixture
def client(app_services) -> Iterator[TestClient]:
    app = create_app(services=app_services)
    with TestClient(app, headers=SAME_SITE) as c:
        yield c


def _typed(client: TestClient):
    return client.app.state.services.typed_answers


def _sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.split("\n\n"):
        kind, data = "message", []
        for line in block.splitlines():
            if line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                kind = value
            elif field == "data":
                data.append(value)
        if data:
            events.append((kind, json.loads("\n".join(data))))
    return events


class Tags(HTMLParser):
    """Every start tag with its attributes, to check what markup a page really contains."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def _form_token(html: str) -> str:
    """The CSRF token the page's forms carry (all forms carry the same one)."""
    tokens = {a.get("value") for t, a in _tags(html) if t == "input" and a.get("name") == "csrf"}
    assert len(tokens) == 1, tokens
    return str(tokens.pop())


def _assert_no_injection(html: str) -> None:
    tags = _tags(html)
    scripts = [a.get("src") for t, a in tags if t == "script"]
    assert scripts == ["/static/reader.js"], scripts
    assert not [t for t, _ in tags if t in ("img", "iframe", "object", "embed", "svg", "style")]
    for tag, attrs in tags:
        assert not [k for k in attrs if k.startswith("on")], (tag, attrs)
        for key in ("href", "src", "action"):
            value = (attrs.get(key) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)


def _check_contract(answer: dict, services) -> Answer:  # noqa: ANN001
    parsed = Answer.model_validate(answer)
    assert parsed.status in ("answered", "not_in_sources")
    for c in parsed.citations:
        doc = services.store.get_document(c.doc_id)
        assert doc is not None
        assert doc.text[c.start:c.end] == c.quote
    return parsed


# ------------------------------------------------------------------ reading


def test_health_and_article_list(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["articles"] == 1 and health["documents"] == 6
    articles = client.get("/api/articles").json()
    assert [a["id"] for a in articles] == [ARTICLE_ID]
    assert articles[0]["label"] == "Important News" and articles[0]["questions"] == 6
    page = client.get("/", headers={"accept": "text/html"})
    assert page.status_code == 200 and f'href="/articles/{ARTICLE_ID}"' in page.text


def test_article_json_has_takeaways_questions_and_sources(client: TestClient, app_services) -> None:
    body = client.get(f"/api/articles/{ARTICLE_ID}").json()
    assert body["title"].startswith("U.S. and Mexico agree") and body["label"] == "Important News"
    assert body["answers_ready"] is True
    assert len(body["takeaways"]) == 5
    assert all(t["citations"] for t in body["takeaways"]), "curated takeaways are supported by the article"
    for t in body["takeaways"]:
        for c in t["citations"]:
            assert app_services.store.get_document(c["doc_id"]).text[c["start"]:c["end"]] == c["quote"]
    assert len(body["questions"]) == 6
    for q in body["questions"]:
        assert set(q) == {"id", "question", "answer"}
        answer = _check_contract(q["answer"], app_services)
        assert answer.question == q["question"] and answer.article_id == ARTICLE_ID
    assert sum(1 for q in body["questions"] if q["answer"]["status"] == "answered") >= 5
    assert len(body["sources"]) == 5 and all(s["title"] for s in body["sources"])
    assert "votes" not in body, "the shared JSON holds nothing that changes by reader or by the minute"
    me = client.get(f"/api/articles/{ARTICLE_ID}/me").json()
    assert me["user"] is None and me["votes"]["interesting"] == {"yes": 0, "total": 0}
    assert set(me["feedback"]) == {q["id"] for q in body["questions"]} and me["comments"] == []


def test_article_page_renders_stored_answers_with_citation_links(client: TestClient, app_services) -> None:
    response = client.get(f"/articles/{ARTICLE_ID}", headers={"accept": "text/html"})
    assert response.status_code == 200
    html = response.text
    assert "Important News" in html and 'data-me="/api/articles/' in html
    assert "Log in to vote" in html and "Follow-up questions" in html and "Key takeaways" in html
    tags = _tags(html)
    details = [a["id"] for t, a in tags if t == "details"]
    questions = app_services.answers.questions(ARTICLE_ID)
    assert details == [q.id for q in questions]
    # every [n] of every answer links to a note that quotes the passage
    note_ids = {a["id"] for t, a in tags if t == "li" and a.get("class") == "note"}
    for q in questions:
        answer = app_services.answers.published(q.id).answer
        for c in answer.citations:
            anchor = f"{q.id}-c{c.n}"
            assert f'href="#{anchor}"' in html and anchor in note_ids
    assert "Answers are being prepared" not in html
    for source in app_services.store.scope(ARTICLE_ID)[1:]:
        title = app_services.store.get_document(source).title
        assert title.replace("'", "&#39;") in html
    _assert_no_injection(html)


def test_article_page_and_json_are_shared_cached_and_revalidated(client: TestClient, app_services) -> None:
    url = f"/articles/{ARTICLE_ID}"
    first = client.get(url, headers={"accept": "text/html"})
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public, max-age=0, s-maxage=")
    # A logged-in reader gets the very same bytes: nothing in the page depends on who asks.
    client.post("/api/signup", json={"name": "dora", "password": "correct horse"})
    again = client.get(url, headers={"accept": "text/html"})
    assert again.content == first.content and again.headers["etag"] == etag
    # A browser or CDN holding it revalidates for free.
    not_modified = client.get(url, headers={"accept": "text/html", "if-none-match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == etag and "public" in not_modified.headers["cache-control"]
    detail = client.get(f"/api/articles/{ARTICLE_ID}")
    assert detail.headers["etag"] != etag and detail.headers["content-type"] == "application/json"
    assert client.get(f"/api/articles/{ARTICLE_ID}", headers={"if-none-match": detail.headers["etag"]}).status_code == 304
    # When what readers see changes (here a question is hidden), so do the page and its tag.
    hidden = app_services.answers.questions(ARTICLE_ID)[0]
    app_services.answers.update_question(hidden.id, hidden=True)
    changed = client.get(url, headers={"accept": "text/html", "if-none-match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert f'id="{hidden.id}"' not in changed.text and f'id="{hidden.id}"' in first.text
    assert hidden.id not in {q["id"] for q in client.get(f"/api/articles/{ARTICLE_ID}").json()["questions"]}


def test_a_held_page_is_served_the_same_before_routing(app_services) -> None:
    """With the state fresh, a view never reaches the routes: same bytes, same
    headers, 304 on revalidation, counted and logged like any request."""
    app_services.settings.page_recheck_seconds = 3600
    with TestClient(create_app(services=app_services)) as c:
        for url in (f"/articles/{ARTICLE_ID}", f"/api/articles/{ARTICLE_ID}"):
            c.app.state.services = app_services
            first = c.get(url)  # through the route: read, rendered, cached
            c.app.state.services = None  # the routes would fail now: a 200 below never reached them
            again = c.get(url)
            assert again.content == first.content and again.status_code == 200
            for header in ("etag", "cache-control", "content-type", "content-length"):
                assert again.headers[header] == first.headers[header], header
            assert again.headers["x-request-id"] != first.headers["x-request-id"]
            revalidated = c.get(url, headers={"If-None-Match": first.headers["etag"]})
            assert revalidated.status_code == 304 and revalidated.headers["etag"] == first.headers["etag"]
        c.app.state.services = app_services
        assert c.get("/articles/no-such-article").status_code == 404


def test_a_change_through_this_worker_shows_at_once(app_services) -> None:
    """Other workers see an editor's change within QA_PAGE_RECHECK_SECONDS; the
    worker that made it, on the next view."""
    app_services.settings.page_recheck_seconds = 3600
    app_services.accounts.create_user("edie", "long enough", role="editor")
    editor = {"Authorization": f"Bearer {app_services.accounts.create_api_token('edie')}"}
    with TestClient(create_app(services=app_services)) as c:
        url = f"/articles/{ARTICLE_ID}"
        qid = app_services.answers.questions(ARTICLE_ID)[0].id
        assert f'id="{qid}"' in c.get(url).text
        r = c.patch(f"/api/editor/articles/{ARTICLE_ID}/questions/{qid}", headers=editor, json={"hidden": True})
        assert r.status_code == 200, r.text
        assert f'id="{qid}"' not in c.get(url).text


def test_page_view_never_generates(app_services) -> None:
    """Stored answers only: a page view and the article API work with every generator broken."""

    class Broken:
        def __getattr__(self, name):  # noqa: ANN001, ANN204
            raise AssertionError(f"a page view must not generate (called Answerer.{name})")

    app = create_app(services=app_services)
    with TestClient(app, headers=SAME_SITE) as c:
        app_services.answerer = lambda *a, **k: Broken()  # type: ignore[method-assign]
        c.app.state.services.typed_answers._answerer_instance = Broken()
        assert c.get(f"/articles/{ARTICLE_ID}", headers={"accept": "text/html"}).status_code == 200
        assert c.get(f"/api/articles/{ARTICLE_ID}").status_code == 200
        # An article whose answers are not stored yet says so instead of generating.
        app_services.db.execute("DELETE FROM answer_versions")
        app_services.db.execute("DELETE FROM takeaways")
        html = c.get(f"/articles/{ARTICLE_ID}", headers={"accept": "text/html"}).text
        assert "This answer is being prepared" in html and "Takeaways are being prepared" in html
        assert c.get(f"/api/articles/{ARTICLE_ID}").json()["answers_ready"] is False


# ---------------------------------------------------------- typed questions


def test_typed_question_is_answered_cited_and_cached(client: TestClient, app_services) -> None:
    first = client.post(f"/api/articles/{ARTICLE_ID}/questions", json={"question": NEW_QUESTION})
    assert first.status_code == 200
    answer = _check_contract(first.json(), app_services)
    assert answer.status == "answered" and answer.citations
    assert _typed(client).generations == 1
    # Same question, different spacing, case and final punctuation: the stored answer, no generation.
    again = client.post(f"/api/articles/{ARTICLE_ID}/questions",
                        json={"question": "  which agencies TAKE part in the security implementation group "})
    assert again.status_code == 200 and again.json()["answer"] == answer.answer
    assert _typed(client).generations == 1
    # A suggested question gets its published answer.
    suggested = app_services.answers.questions(ARTICLE_ID)[0]
    stored = client.post(f"/api/articles/{ARTICLE_ID}/questions", json={"question": suggested.text}).json()
    assert stored["answer"] == app_services.answers.published(suggested.id).answer.answer
    assert _typed(client).generations == 1


def test_stream_emits_retrieval_deltas_citations_and_done(client: TestClient, app_services) -> None:
    with client.stream("GET", f"/api/articles/{ARTICLE_ID}/questions/stream", params={"question": NEW_QUESTION}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = _sse(r.read().decode())
    kinds = [k for k, _ in events]
    assert kinds[0] == "retrieval" and kinds[-1] == "done"
    assert "delta" in kinds and "citation" in kinds
    assert kinds.index("citation") > kinds.index("delta")
    done = events[-1][1]
    answer = _check_contract(done["answer"], app_services)
    assert answer.status == "answered"
    assert [e[1]["n"] for e in events if e[0] == "citation"] == [c.n for c in answer.citations]
    for c in answer.citations:  # the rendered answer links each [n] to its quoted passage
        assert 'data-note="a-' in done["html"] and f">[{c.n}]</a>" in done["html"]
    # Asked again: replayed from the cache, marked as such, same answer, no new generation.
    with client.stream("GET", f"/api/articles/{ARTICLE_ID}/questions/stream", params={"question": NEW_QUESTION}) as r:
        replay = _sse(r.read().decode())
    assert replay[-1][1]["cached"] is True and replay[-1][1]["answer"]["answer"] == answer.answer
    assert _typed(client).generations == 1


def test_concurrent_identical_questions_generate_once(client: TestClient, app_services) -> None:
    """Single flight: four readers ask at once; one generation, four identical answers."""
    real = app_services.answerer()
    release = threading.Event()

    class Gated:
        def validate(self, question):  # noqa: ANN001, ANN202
            return real.validate(question)

        def ask_stream(self, question, article_id):  # noqa: ANN001, ANN202
            assert release.wait(60), "test never released the generation"
            yield from real.ask_stream(question, article_id)

    typed = _typed(client)
    typed._answerer_instance = Gated()  # noqa: SLF001 - the seam for holding a generation open
    results: list[dict] = []

    def ask() -> None:
        r = client.post(f"/api/articles/{ARTICLE_ID}/questions", json={"question": NEW_QUESTION})
        results.append({"http": r.status_code, **r.json()})

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    key = typed.key(ARTICLE_ID, NEW_QUESTION)
    for _ in range(600):  # until all four follow the same flight (bounded: 60 s)
        flight = typed._flights.get(key)  # noqa: SLF001
        if flight is not None and flight.followers == 4:
            break
        threading.Event().wait(0.1)
    else:
        release.set()
        pytest.fail("the four requests did not share one flight")
    # While the generation is held open, the server still answers other requests.
    assert client.get("/healthz").status_code == 200
    release.set()
    for t in threads:
        t.join(120)
    assert len(results) == 4 and all(r["http"] == 200 for r in results)
    assert len({r["answer"] for r in results}) == 1
    assert typed.generations == 1


def test_rate_limit_applies_to_new_questions_only(app_services) -> None:
    app_services.settings.rate_limit_per_minute = 2
    app = create_app(services=app_services)
    with TestClient(app, headers=SAME_SITE) as c:
        url = f"/api/articles/{ARTICLE_ID}/questions"
        assert c.post(url, json={"question": "Who chairs the Security Implementation Group?"}).status_code == 200
        assert c.post(url, json={"question": "What is Mission Firewall?"}).status_code == 200
        limited = c.post(url, json={"question": "Which accounts fund security assistance for Mexico?"})
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1 and "Too many new questions" in limited.json()["detail"]
        stream = c.get(f"{url}/stream", params={"question": "Which accounts fund security assistance?"})
        assert stream.status_code == 429 and "retry-after" in stream.headers
        # Cached and suggested questions cost nothing and still work.
        assert c.post(url, json={"question": "what is mission firewall"}).status_code == 200
        suggested = app_services.answers.questions(ARTICLE_ID)[0].text
        assert c.post(url, json={"question": suggested}).status_code == 200
        # Another reader (a logged-in one) has their own allowance.
        c.post("/api/signup", json={"name": "rita", "password": "long enough pw"})
        assert c.post(url, json={"question": "Which accounts fund security assistance for Mexico?"}).status_code == 200


@pytest.mark.parametrize("payload, needle", [
    ({"question": ""}, "question"),
    ({"question": "   "}, "empty"),
    ({"question": "?!?"}, "no words"),
    ({"question": "x" * 5000}, "question"),
    ({"text": "no question field"}, "question"),
    ({"question": 42}, "question"),
])
def test_bad_questions_get_a_4xx_json_message(client: TestClient, payload, needle) -> None:  # noqa: ANN001
    r = client.post(f"/api/articles/{ARTICLE_ID}/questions", json=payload)
    assert r.status_code == 422 and needle in r.json()["detail"].lower()


def test_a_question_over_the_token_limit_is_answered_rejected(client: TestClient) -> None:
    """The schema states characters, not tokens: a schema-valid question over
    QA_MAX_QUESTION_TOKENS is answered, with status rejected and the reason."""
    r = client.post(f"/api/articles/{ARTICLE_ID}/questions", json={"question": "word " * 150})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "rejected" and "too long" in body["message"] and body["citations"] == []


def test_bad_requests_never_500(client: TestClient) -> None:
    cases = [
        client.post(f"/api/articles/{ARTICLE_ID}/questions", content=b"not json",
                    headers={"content-type": "application/json"}),
        client.get(f"/api/articles/{ARTICLE_ID}/questions/stream"),
        client.get(f"/api/articles/{ARTICLE_ID}/questions/stream", params={"question": "y" * 1001}),
        client.get("/api/articles/no-such-article"),
        client.get("/api/articles/no-such-article/questions/stream", params={"question": "Who?"}),
        client.post("/api/articles/no-such-article/questions", json={"question": "Who chairs it?"}),
        client.post(f"/api/articles/{ARTICLE_ID}/votes", json={"kind": "love", "value": True}),
        client.post(f"/api/articles/{ARTICLE_ID}/votes", json={"kind": "support", "value": True}),
        client.post(f"/api/articles/{ARTICLE_ID}/questions/q-nope/feedback", json={"helpful": True}),
        client.get("/articles/no-such-article", headers={"accept": "text/html"}),
        client.get(f"/articles/{ARTICLE_ID}/ask", params={"question": ""}, headers={"accept": "text/html"}),
    ]
    statuses = [r.status_code for r in cases]
    assert statuses == [422, 422, 422, 404, 404, 404, 401, 401, 401, 404, 422]
    for r in cases:
        if r.headers["content-type"].startswith("application/json"):
            assert isinstance(r.json()["detail"], str) and r.json()["detail"]
    assert "no article with id" in cases[3].json()["detail"]
    assert "no article with id" in cases[9].text and cases[9].headers["content-type"].startswith("text/html")


# --------------------------------------------------------------- injection


def test_malicious_question_cannot_inject_markup(client: TestClient) -> None:
    question = '<script>alert(1)</script> Who chairs the <img src=x onerror=alert(2)> Security Implementation Group?'
    with client.stream("GET", f"/api/articles/{ARTICLE_ID}/questions/stream", params={"question": question}) as r:
        events = _sse(r.read().decode())
    html = events[-1][1]["html"]
    assert "<script" not in html and "<img" not in html
    page = client.get(f"/articles/{ARTICLE_ID}/ask", params={"question": question}, headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    _assert_no_injection(page.text)


def test_malicious_document_cannot_inject_markup(app_services) -> None:

    evil = "<script>alert('doc')</script>"
    article = Document(
        id="evil-article", kind="article", title=f"Council news {evil}", label="<b onmouseover=alert(1)>Hot</b>",
        url="javascript:alert(3)", publisher='<img src=x onerror=alert(4)>', published="2026-02-01",
        sources=["evil-source"],
        questions=["<img src=x onerror=alert(5)> Who chairs the Harbour Council?"],
        takeaways=["The Harbour Council is chaired by Ana Ruiz <script>alert(6)</script>."],
        text=(f"# Council news {evil}\n\nThe Harbour Council is chaired by Ana Ruiz {evil}. "
              "It meets every spring in the old customs house.\n\n- [1] <a href=javascript:alert(7)>click</a>"),
    )
    source = Document(
        id="evil-source", kind="source", title='Minutes "><svg onload=alert(8)>', url="javascript:alert(9)",
        publisher="<iframe src=//evil>",
        text=("The Harbour Council is chaired by Ana Ruiz, who was elected in 2024 <script>alert(10)</script>. "
              "Ana Ruiz chairs every meeting of the Harbour Council."),
    )
    summary = app_services.index.ingest([article, source])
    app_services.pregenerator.after_ingest(summary.changed)
    app = create_app(services=app_services)
    with TestClient(app, headers=SAME_SITE) as c:
        page = c.get("/articles/evil-article", headers={"accept": "text/html"})
        assert page.status_code == 200
        html = page.text
        assert "Ana Ruiz" in html and "&lt;script&gt;" in html
        _assert_no_injection(html)
        index = c.get("/", headers={"accept": "text/html"}).text
        _assert_no_injection(index)
        # the stored answer to the malicious suggested question quotes the document, escaped
        q = app_services.answers.questions("evil-article")[0]
        assert app_services.answers.published(q.id).answer.status == "answered"
        with c.stream("GET", "/api/articles/evil-article/questions/stream",
                      params={"question": "When is Ana Ruiz elected to the Harbour Council?"}) as r:
            events = _sse(r.read().decode())
        done = events[-1][1]
        assert "<script" not in done["html"] and "<svg" not in done["html"] and "javascript:" not in done["html"]


# ------------------------------------------------- accounts, votes, feedback


def test_signup_login_vote_feedback_comment_api(client: TestClient) -> None:
    votes_url = f"/api/articles/{ARTICLE_ID}/votes"
    assert client.post(votes_url, json={"kind": "interesting", "value": True}).status_code == 401
    r = client.post("/api/signup", json={"name": "ana", "password": "correct horse"})
    assert r.status_code == 201 and r.json() == {"name": "ana", "role": "reader"}
    cookie = r.headers["set-cookie"].lower()
    assert "qa_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert client.get("/api/me").json()["name"] == "ana"
    dup = client.post("/api/signup", json={"name": "ana", "password": "another one"})
    assert dup.status_code == 409 and "taken" in dup.json()["detail"]

    v = client.post(votes_url, json={"kind": "interesting", "value": True}).json()
    assert v["interesting"] == {"yes": 1, "total": 1} and v["mine"] == {"interesting": True}
    v = client.post(votes_url, json={"kind": "interesting", "value": False}).json()
    assert v["interesting"] == {"yes": 0, "total": 1}, "a second vote changes the first"
    v = client.post(votes_url, json={"kind": "support", "value": True}).json()
    assert v["support"] == {"yes": 1, "total": 1}
    bad = client.post(votes_url, json={"kind": "love", "value": True})
    assert bad.status_code == 422 and "kind" in bad.json()["detail"]

    qid = client.get(f"/api/articles/{ARTICLE_ID}").json()["questions"][0]["id"]
    fb = client.post(f"/api/articles/{ARTICLE_ID}/questions/{qid}/feedback", json={"helpful": False}).json()
    assert fb == {"helpful": 0, "unhelpful": 1, "mine": False}

    comment = client.post(f"/api/articles/{ARTICLE_ID}/comments", json={"text": "Useful <b>context</b>"})
    assert comment.status_code == 201 and comment.json()["user_name"] == "ana"
    assert client.post(f"/api/articles/{ARTICLE_ID}/comments", json={"text": ""}).status_code == 422

    assert client.post("/api/logout").status_code == 204
    assert client.get("/api/me").status_code == 401
    assert client.post(votes_url, json={"kind": "support", "value": True}).status_code == 401
    assert client.post(f"/api/articles/{ARTICLE_ID}/comments", json={"text": "anon"}).status_code == 401
    assert [c["text"] for c in client.get(f"/api/articles/{ARTICLE_ID}/comments").json()] == ["Useful <b>context</b>"]
    assert client.post("/api/login", json={"name": "ana", "password": "wrong password"}).status_code == 401
    assert client.post("/api/login", json={"name": "ana", "password": "correct horse"}).status_code == 200

    # A second reader's votes add up; the page's reader part shows the counts, theirs and the comments.
    client.cookies.clear()
    client.post("/api/signup", json={"name": "ben", "password": "correct horse"})
    client.post(votes_url, json={"kind": "interesting", "value": True})
    me = client.get(f"/api/articles/{ARTICLE_ID}/me")
    assert me.headers["cache-control"] == "private, no-store"
    me = me.json()
    assert me["user"] == {"name": "ben", "role": "reader"}
    assert me["votes"]["interesting"] == {"yes": 1, "total": 2} and me["votes"]["support"] == {"yes": 1, "total": 1}
    assert me["votes"]["mine"] == {"interesting": True}
    assert me["feedback"][qid] == {"helpful": 0, "unhelpful": 1, "mine": None}
    assert [c["text"] for c in me["comments"]] == ["Useful <b>context</b>"]
    # Without JavaScript, the discussion page renders the same on the server.
    html = client.get(f"/articles/{ARTICLE_ID}/discussion", headers={"accept": "text/html"}).text
    assert 'Interesting: <strong class="count">1/2</strong>' in html
    assert 'Support: <strong class="count">1/1</strong>' in html
    assert "Useful &lt;b&gt;context&lt;/b&gt;" in html and "Log in to vote" not in html
    _assert_no_injection(html)


def test_html_forms_work_without_javascript(client: TestClient) -> None:
    page = f"/articles/{ARTICLE_ID}"
    r = client.post("/signup", data={"name": "cleo", "password": "short", "next": page}, follow_redirects=False)
    assert r.status_code == 400 and "at least 8 characters" in r.text
    r = client.post("/signup", data={"name": "cleo", "password": "long enough", "next": page}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == page
    # The shared page links readers without JavaScript to the discussion page,
    # whose forms bring them back to it with their vote and comment shown.
    assert f'href="{page}/discussion"' in client.get(page, headers={"accept": "text/html"}).text
    discussion = f"{page}/discussion"
    token = _form_token(client.get(discussion).text)  # what the page's forms carry
    r = client.post(f"{page}/votes", data={"kind": "support", "value": "true", "back": "discussion", "csrf": token},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{discussion}#votes"
    html = client.get(discussion, headers={"accept": "text/html"}).text
    assert 'Support: <strong class="count">1/1</strong>' in html and "Signed in as" in html
    assert 'aria-pressed="true"' in html
    r = client.post(f"{page}/comments", data={"text": "First!", "back": "discussion", "csrf": token},
                    follow_redirects=False)
    assert r.status_code == 303 and "First!" in client.get(discussion).text
    r = client.post("/logout", data={"next": discussion, "csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    assert "Log in to vote" in client.get(discussion, headers={"accept": "text/html"}).text
    r = client.post("/login", data={"name": "cleo", "password": "nope nope", "next": page}, follow_redirects=False)
    assert r.status_code == 401 and "Wrong name or password" in r.text
    # never an open redirect
    r = client.post("/login", data={"name": "cleo", "password": "long enough", "next": "//evil.example/x"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    # the ask box without JavaScript: a server-rendered, cited answer
    r = client.get(f"{page}/ask", params={"question": NEW_QUESTION}, headers={"accept": "text/html"})
    assert r.status_code == 200 and 'class="cite"' in r.text and 'class="note"' in r.text


def test_openapi_docs_are_served_offline(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/articles", "/api/articles/{article_id}", "/api/articles/{article_id}/questions",
                 "/api/articles/{article_id}/questions/stream", "/api/articles/{article_id}/votes", "/healthz"):
        assert path in spec["paths"], path
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
