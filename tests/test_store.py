"""The stores on both databases: SQLite in a tmp dir and a real PostgreSQL
server (a fresh database per test). Two ``Database`` objects on one URL stand
for two worker processes: each has its own connections, as processes do."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from qa_service.models import Answer, Chunk, Document
from qa_service.retrieval.lexical import TermWeights
from qa_service.store.answers import AnswerStore
from qa_service.store.corpus import MIGRATIONS as CORPUS_MIGRATIONS
from qa_service.store.corpus import CorpusStore
from qa_service.store.db import Database, open_database
from qa_service.store.jobs import JobStore
from qa_service.store.lexical import index_terms
from qa_service.store.limits import DatabaseFlights, DatabaseLimiter


def _doc(doc_id: str, text: str, title: str = "") -> tuple[Document, list[Chunk]]:
    doc = Document(id=doc_id, title=title or doc_id, text=text, kind="source")
    chunk = Chunk(id=f"{doc_id}#0", doc_id=doc_id, ordinal=0, start=0, end=len(text), tokens=len(text.split()),
                  text=text)
    return doc, [chunk]


def _in_parallel(n: int, work: Callable[[int], object]) -> list[object]:
    results: list[object] = [None] * n
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        barrier.wait(timeout=30)
        try:
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - returned to the test, which asserts on it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


# ------------------------------------------------------------ corpus + lexical
def test_lexical_index_follows_every_document_write(database: Database) -> None:
    store = CorpusStore(database)
    store.put_document(*_doc("ports", "The port authority approved dredging of the harbour channel."))
    store.put_document(*_doc("rail", "Rail unions approved the new timetable for commuter trains."))
    assert [c for c, _, _ in store.search_chunks("harbour dredging", 10)] == ["ports#0"]
    assert [d for d, _ in store.search_documents("commuter timetable", 10)] == ["rail"]
    assert {d for _, d, _ in store.search_chunks("approved", 10)} == {"ports", "rail"}  # stems match 'approving'
    assert store.search_chunks("approving", 10, ["rail"])[0][1] == "rail"  # scoped to some documents

    # a changed document is found by its new words only
    store.put_document(*_doc("ports", "The port authority rejected the plan for a new container terminal."))
    assert store.search_chunks("harbour dredging", 10) == []
    assert [c for c, _, _ in store.search_chunks("container terminal", 10)] == ["ports#0"]
    # a removed one is not found at all
    store.delete_document("rail")
    assert store.search_documents("commuter timetable", 10) == []

    # IDF: a term in every chunk weighs less than a term in one
    store.put_document(*_doc("ferry", "The ferry authority rejected the fares."))
    rejected, ferry = index_terms("rejected ferry")
    df, n = store.chunk_frequencies([rejected, ferry, "nowhere"])
    assert n == 2 and df == {rejected: 2, ferry: 1}
    weights = TermWeights(store)
    assert weights.idf(rejected) < weights.idf(ferry) == weights.idf("nowhere")


def test_the_rare_terms_first_ranking_finds_the_full_rankings_best_rows(database: Database,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Common words in many rows, rare ones in few: every row of the full
    ranking's best that holds a rare word of the question is found, with its
    full BM25 score, on both engines; a search within documents is exact. (Rows
    holding only common words may be left out: on 100k generated news-like
    chunks 99% of the full ranking's best 10 were found, benchmarks/scale.py.)"""
    import random

    from qa_service.store import lexical

    rng = random.Random(5)
    common = [f"common{i}" for i in range(12)]
    rare = [f"rare{i}" for i in range(300)]
    store = CorpusStore(database)
    docs = []
    for i in range(400):  # each common word in about a third of the rows, 1-4 times; each rare one in about 4
        words = [w for w in common if rng.random() < 0.35 for _ in range(rng.randint(1, 4))]
        docs.append(_doc(f"d{i}", " ".join(words + rng.sample(rare, 3)) + "."))
    store.put_documents(docs)
    monkeypatch.setattr(lexical, "SELECTIVE_ROWS", {"sqlite": 15, "postgres": 15})  # small behaves like large
    index = store.lexical
    for _ in range(40):
        asked_rare = rng.sample(rare, 2)
        query = " ".join(asked_rare + rng.sample(common, 4))
        got = store.search_chunks(query, 10)
        with database.read() as conn:
            wanted = sorted(set(index_terms(query)))
            rows, avg = index.size(conn, "chunk")
            dfs = index.frequencies(conn, "chunk", wanted)
            weights = {t: index.idf(dfs[t], rows) for t in wanted if t in dfs}
            full = index._engine(conn, "chunk", list(weights), weights, avg, rows, None)
        exact = {h.key: h.score for h in full}
        for chunk_id, _, score in got:  # every score is the row's full BM25 score
            assert score == pytest.approx(exact[chunk_id], abs=1e-4)
        texts = {d.id + "#0": d.text for d, _ in docs}
        with_rare = {h.key for h in full[:10] if set(index_terms(" ".join(asked_rare))) & set(index_terms(texts[h.key]))}
        assert with_rare <= {c for c, _, _ in got}, query
        scope = sorted({f"d{i}" for i in rng.sample(range(400), 30)})
        within = store.search_chunks(query, 10, scope)
        best_within = [h for h in full if h.doc_id in scope][:10]
        assert [s for _, _, s in within] == pytest.approx([h.score for h in best_within], abs=1e-4)


def test_the_articles_a_changed_document_reaches(database: Database) -> None:
    """Which articles re-ingest must refresh: the article itself, every article
    listing it as a source, and the article a record names as its own (on both
    databases, without reading any document's text)."""
    store = CorpusStore(database)
    for doc_id, kind, extra in [("a1", "article", {"sources": ["s1"]}), ("a2", "article", {"sources": ["s1", "s2"]}),
                                ("a3", "article", {}), ("s1", "source", {}), ("s2", "source", {}),
                                ("r1", "source", {"article_id": "a3"})]:
        doc, chunks = _doc(doc_id, f"Text of {doc_id} about harbour works.")
        store.put_document(doc.model_copy(update={"kind": kind, **extra}), chunks)
    assert sorted(store.articles_drawing_on(["s1"])) == ["a1", "a2"]
    assert store.articles_drawing_on(["s2"]) == ["a2"]
    assert store.articles_drawing_on(["r1"]) == ["a3"]
    assert sorted(store.articles_drawing_on(["a1", "r1"])) == ["a1", "a3"]
    assert store.articles_drawing_on(["nothing"]) == [] and store.articles_drawing_on([]) == []


def test_a_failed_document_write_changes_nothing(database: Database) -> None:
    store = CorpusStore(database)
    store.put_document(*_doc("ports", "The harbour was dredged."))
    version = store.version()
    doc, chunks = _doc("ports", "Entirely new words about tramways.")
    with pytest.raises(database.integrity_errors):
        store.put_document(doc, chunks + chunks)  # the same chunk twice: refused half-way
    assert store.get_document("ports").text == "The harbour was dredged."
    assert [c for c, _, _ in store.search_chunks("harbour dredged", 5)] == ["ports#0"]
    assert store.search_chunks("tramways", 5) == []
    assert store.version() == version


def test_an_older_database_gets_its_lexical_index_on_upgrade(database: Database) -> None:
    # A corpus written before the lexical index existed: only the first step applied.
    database.migrate("corpus", CORPUS_MIGRATIONS[:1])
    with database.write() as conn:
        conn.execute("INSERT INTO documents (id, title, kind, text, content_hash, ingested_at) VALUES (?,?,?,?,?,?)",
                     ("old", "Old flood report", "source", "Flood barriers held on the river.", "h", 0.0))
        conn.execute('INSERT INTO chunks (id, doc_id, ordinal, start, "end", tokens, text) VALUES (?,?,?,?,?,?,?)',
                     ("old#0", "old", 0, 0, 34, 6, "Flood barriers held on the river."))
    store = CorpusStore(database)  # applies the rest, filling the index from the stored rows
    assert [c for c, _, _ in store.search_chunks("flood barrier", 5)] == ["old#0"]
    assert database.schema_versions()["corpus"] == len(CORPUS_MIGRATIONS)


# -------------------------------------------------------------------- answers
def _answer(text: str) -> Answer:
    return Answer(question="What happened?", status="answered", answer=text, generator="extractive")


def test_concurrent_first_answers_publish_exactly_one(database_url: str) -> None:
    """Two processes storing a question's first answer at once: one is published,
    the other is a draft, on both engines."""
    dbs = [open_database(database_url) for _ in range(2)]
    try:
        stores = [AnswerStore(db) for db in dbs]
        q = stores[0].ensure_question("art", "What happened?")
        results = _in_parallel(8, lambda i: stores[i % 2].add_version(q.id, _answer(f"Answer {i}.")))
        assert not [r for r in results if isinstance(r, BaseException)], results
        statuses = [v.status for v in stores[1].versions(q.id)]
        assert statuses.count("published") == 1 and statuses.count("draft") == 7
    finally:
        for db in dbs:
            db.close()


def test_page_state_changes_with_what_readers_see_only(database: Database) -> None:
    corpus, answers = CorpusStore(database), AnswerStore(database)
    corpus.put_document(*_doc("art", "An article."))
    q = answers.ensure_question("art", "What happened?")
    answers.add_version(q.id, _answer("First."))
    state = answers.page_state("art")
    assert answers.page_state("art") == state  # stable
    draft = answers.add_version(q.id, _answer("A draft."), publish=False)
    assert answers.page_state("art") == state, "a draft is not on the page"
    answers.publish(draft.id)
    published = answers.page_state("art")
    assert published != state
    answers.update_question(q.id, hidden=True)
    assert answers.page_state("art") != published
    answers.update_question(q.id, hidden=False)
    answers.put_takeaways("art", [{"text": "T.", "citations": []}], corpus.version())
    with_takeaways = answers.page_state("art")
    assert with_takeaways != published
    corpus.put_document(*_doc("src", "A new source."))
    assert answers.page_state("art") != with_takeaways, "a corpus change may change sources and quotes"


# ----------------------------------------------------------------------- jobs
def test_each_queued_job_is_claimed_by_exactly_one_worker(database_url: str) -> None:
    dbs = [open_database(database_url) for _ in range(3)]
    try:
        queues = [JobStore(db) for db in dbs]
        made = {queues[0].create("regenerate-answers", "edna", article_id=f"a{i}").id for i in range(12)}

        def drain(i: int) -> list[str]:
            got = []
            while (job := queues[i % 3].claim(f"worker{i}", lease=30)) is not None:
                got.append(job.id)
                queues[i % 3].finish(job.id, f"worker{i}", {"ok": i})
            return got

        results = _in_parallel(6, drain)
        claimed = [jid for r in results for jid in r]  # type: ignore[union-attr]
        assert sorted(claimed) == sorted(made), results  # every job once, none twice
        assert all(j.status == "done" and j.attempts == 1 for j in queues[1].recent())
    finally:
        for db in dbs:
            db.close()


def test_a_job_whose_lease_ran_out_is_claimed_again_then_failed(database: Database) -> None:
    queue = JobStore(database, max_attempts=2)
    job = queue.create("regenerate-answers", "edna", article_id="a")
    first = queue.claim("dead-worker", lease=0.2)
    assert first is not None and first.id == job.id and first.attempts == 1
    assert queue.claim("other", lease=30) is None  # held
    time.sleep(0.3)
    second = queue.claim("other", lease=0.2)
    assert second is not None and second.id == job.id and second.attempts == 2 and second.claimed_by == "other"
    # the first worker wakes up: it no longer holds the job, and cannot finish it
    assert not queue.renew(job.id, "dead-worker", 30)
    queue.finish(job.id, "dead-worker", {"late": True})
    assert queue.get(job.id).status == "running"
    time.sleep(0.3)
    assert queue.claim("third", lease=30) is None  # both attempts died: it is failed, not run again
    failed = queue.get(job.id)
    assert failed.status == "failed" and "stopped 2 times" in failed.error
    assert queue.depth() == {"queued": 0, "running": 0}


# --------------------------------------------------------- limits and flights
@pytest.fixture(params=["database", "redis"])
def shared(request: pytest.FixtureRequest, database_url: str):  # noqa: ANN201
    """(make_limiter, make_flights): each call stands for another process."""
    if request.param == "redis":
        if database_url.startswith("postgres"):
            pytest.skip("Redis does not depend on the database: run once")
        from qa_service.store.redis_state import RedisFlights, RedisLimiter, connect

        url = request.getfixturevalue("redis_url")
        clients = []

        def client():  # noqa: ANN202
            clients.append(connect(url))
            return clients[-1]

        yield (lambda: RedisLimiter(client())), (lambda: RedisFlights(client()))
        for c in clients:
            c.close()
        return
    dbs: list[Database] = []

    def db() -> Database:
        dbs.append(open_database(database_url))
        return dbs[-1]

    yield (lambda: DatabaseLimiter(db())), (lambda: DatabaseFlights(db()))
    for d in dbs:
        d.close()


def test_a_limit_holds_across_processes_and_says_when_to_retry(shared) -> None:  # noqa: ANN001
    make_limiter, _ = shared
    a, b = make_limiter(), make_limiter()
    decisions = _in_parallel(10, lambda i: (a if i % 2 else b).hit("typed:ip:1.2.3.4", 4, 60))
    assert sum(d.allowed for d in decisions) == 4  # type: ignore[union-attr]
    refused = b.hit("typed:ip:1.2.3.4", 4, 60)
    assert not refused.allowed and 0 < refused.retry_after <= 60
    assert a.peek("typed:ip:1.2.3.4", 4, 60).allowed is False
    assert a.hit("typed:ip:5.6.7.8", 4, 60).allowed, "keys are independent"
    a.reset("typed:ip:1.2.3.4")
    assert b.hit("typed:ip:1.2.3.4", 4, 60).allowed


def test_a_hit_taken_back_frees_exactly_one_place(shared) -> None:  # noqa: ANN001
    """Reservations (web/limits.py): a login counts before its password is
    checked and is taken back when it succeeds; in another process, and only
    that one hit."""
    make_limiter, _ = shared
    a, b = make_limiter(), make_limiter()
    held = _in_parallel(6, lambda i: (a if i % 2 else b).hit("login-account:ana", 3, 60))
    allowed = [d for d in held if d.allowed]  # type: ignore[union-attr]
    assert len(allowed) == 3 and len({d.hit_id for d in allowed}) == 3 and all(d.hit_id for d in allowed)
    assert all(not d.hit_id for d in held if not d.allowed)  # type: ignore[union-attr]
    b.undo("login-account:ana", allowed[0].hit_id)
    b.undo("login-account:ana", allowed[0].hit_id)  # twice is once
    assert a.peek("login-account:ana", 3, 60).count == 2
    assert a.hit("login-account:ana", 3, 60).allowed and not b.hit("login-account:ana", 3, 60).allowed
    a.undo("login-account:ana", "")  # nothing counted, nothing taken back
    assert a.peek("login-account:ana", 3, 60).count == 3


def test_a_window_slides(shared) -> None:  # noqa: ANN001
    limiter = shared[0]()
    assert limiter.hit("login:ana", 2, 0.5).allowed and limiter.hit("login:ana", 2, 0.5).allowed
    refused = limiter.hit("login:ana", 2, 0.5)
    assert not refused.allowed and refused.retry_after <= 0.5
    time.sleep(refused.retry_after + 0.1)
    assert limiter.hit("login:ana", 2, 0.5).allowed


def test_one_process_generates_and_the_others_read_its_outcome(shared) -> None:  # noqa: ANN001
    _, make_flights = shared
    a, b = make_flights(), make_flights()
    wins = _in_parallel(6, lambda i: (a if i % 2 else b).claim("q1", f"owner{i}", 30))
    assert wins.count(True) == 1
    owner = f"owner{wins.index(True)}"
    assert b.state("q1").status == "running"
    assert not a.claim("q1", "late", 30)
    a.finish("q1", owner, '{"answer": 1}', keep=30)
    done = b.state("q1")
    assert done.status == "done" and done.outcome == '{"answer": 1}'
    # an owner that dies lets its claim lapse: the next caller takes over
    assert a.claim("q2", "dies", 0.3)
    time.sleep(0.5)
    assert b.state("q2").status == "free" and b.claim("q2", "next", 30)
    # a released claim (e.g. the caller was rate limited) frees the question at once
    b.release("q2", "next")
    assert a.state("q2").status == "free"
