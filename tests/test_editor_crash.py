"""Safety of stored answers: concurrent regenerations of one answer, a process
killed (SIGKILL) in the middle of a regeneration, and one killed while it writes
versions as fast as it can. Nothing published may be lost, every committed
version must survive, and the database must pass PRAGMA integrity_check."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from qa_service.answering.generation import Draft, Passage
from qa_service.services import Services
from qa_service.settings import Settings
from qa_service.store.answers import AnswerStore
from qa_service.store.db import SqliteDatabase

from .conftest import ARTICLE_ID, CORPUS

pytestmark = pytest.mark.slow
QA_SERVICE = Path(sys.executable).with_name("qa-service")


def integrity(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


@contextmanager
def answer_store(path: Path) -> Iterator[AnswerStore]:
    """An AnswerStore over its own, fresh connection to the SQLite file."""
    db = SqliteDatabase(path)
    try:
        yield AnswerStore(db)
    finally:
        db.close()


def snapshot(path: Path, qid: str) -> dict[str, tuple[str, str]]:
    """version id -> (status, answer_json), read through a fresh connection."""
    with answer_store(path) as store:
        return {v.id: (v.status, v.answer.model_dump_json()) for v in store.versions(qid)}


# ------------------------------------------------------- concurrent regeneration
class BarrierGenerator:
    """Waits until every regeneration sharing the barrier is mid-generation, so
    their writes really race."""

    def __init__(self, extractive, barrier: threading.Barrier) -> None:  # noqa: ANN001
        self.extractive = extractive
        self.barrier = barrier
        self.name = "test-barrier"

    def generate(self, question: str, passages: Sequence[Passage], plan=None) -> Draft:  # noqa: ANN001
        self.barrier.wait(timeout=60)
        draft = self.extractive.generate(question, passages, plan)
        return Draft(text=draft.text, generator=self.name)

    def stream(self, question: str, passages: Sequence[Passage], plan=None) -> Iterator[str | Draft]:  # noqa: ANN001
        draft = self.generate(question, passages, plan)
        yield draft.text
        yield draft


@pytest.mark.parametrize("auto_publish", [False, True])
def test_two_regenerations_at_once_lose_nothing(seeded, embedder, auto_publish: bool) -> None:
    data = seeded.settings.data_dir
    qid = seeded.answers.questions(ARTICLE_ID)[0].id
    before = snapshot(seeded.settings.sqlite_path, qid)
    published_before = seeded.answers.published(qid).id
    barrier = threading.Barrier(2)
    # Two Services = two separate connections to the file, like two workers.
    workers = []
    for _ in range(2):
        svc = Services(Settings(data_dir=data, corpus_dir=CORPUS, auto_publish=auto_publish),
                       embedder_override=embedder)
        svc.generator_override = BarrierGenerator(svc.extractive, barrier)
        workers.append(svc.editorial)
    results: list[object] = [None, None]

    def run(i: int) -> None:
        try:
            results[i] = workers[i].regenerate_answer(ARTICLE_ID, qid, f"editor{i}")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert not any(isinstance(r, BaseException) for r in results), results

    after = snapshot(seeded.settings.sqlite_path, qid)
    new_ids = {r.id for r in results}  # type: ignore[union-attr]
    assert len(new_ids) == 2 and new_ids <= set(after)
    assert set(before) <= set(after) and len(after) == len(before) + 2
    for vid, (_, answer_json) in before.items():
        assert after[vid][1] == answer_json  # old versions untouched
    statuses = [s for s, _ in after.values()]
    assert statuses.count("published") == 1
    if auto_publish:
        assert statuses.count("draft") == 0
        assert after[published_before][0] == "archived"
        assert next(v for v, (s, _) in after.items() if s == "published") in new_ids
    else:
        assert statuses.count("draft") == 2
        assert after[published_before][0] == "published"
    assert integrity(seeded.settings.sqlite_path) == "ok"


# --------------------------------------------------- kill -9 mid-regeneration
class StallingLLM:
    """An OpenAI-protocol server on 127.0.0.1 that accepts a chat request and
    never answers it (until the test ends): the regeneration is stuck mid-way."""

    def __init__(self) -> None:
        self.request_seen = threading.Event()
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                body = json.dumps({"object": "list", "data": [{"id": "stall", "object": "model"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.request_seen.set()
                outer.release.wait(timeout=120)
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def stalling_llm() -> Iterator[StallingLLM]:
    server = StallingLLM()
    yield server
    server.stop()


def _env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_") and k != "OPENAI_API_KEY"}
    env.update({"QA_DATA_DIR": str(data), "QA_CORPUS_DIR": str(CORPUS), **extra})
    return env


@pytest.mark.integration
def test_kill_during_regeneration_keeps_the_published_answer(seeded, stalling_llm: StallingLLM, tmp_path: Path) -> None:
    path = seeded.settings.sqlite_path
    qid = seeded.answers.questions(ARTICLE_ID)[0].id
    before = snapshot(path, qid)
    published = seeded.answers.published(qid)
    assert published is not None
    env = _env(seeded.settings.data_dir, QA_LLM_BASE_URL=stalling_llm.base_url, QA_LLM_MODEL="stall",
               QA_LLM_TIMEOUT="300", QA_LLM_RETRIES="0")
    proc = subprocess.Popen([str(QA_SERVICE), "regenerate", "--article", ARTICLE_ID, "--question", qid],
                            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        reached = stalling_llm.request_seen.wait(timeout=180)
        alive = proc.poll() is None
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
    assert reached, f"the regeneration never reached the LLM: {err.decode()[-2000:]}"
    assert alive, "the process ended before it was killed"
    assert proc.returncode == -signal.SIGKILL

    assert integrity(path) == "ok"
    after = snapshot(path, qid)
    assert after == before  # no half-written version, nothing lost or changed
    with answer_store(path) as store:
        still = store.published(qid)
        assert still is not None and still.id == published.id
        assert still.answer.answer == published.answer.answer
    # and the service still works on that data dir: readers get the answer
    fresh = Services(Settings(data_dir=seeded.settings.data_dir, corpus_dir=CORPUS),
                     embedder_override=seeded.embedder)
    from fastapi.testclient import TestClient

    from qa_service.web.app import create_app

    with TestClient(create_app(services=fresh)) as client:
        detail = client.get(f"/api/articles/{ARTICLE_ID}").json()
    answer = next(q["answer"] for q in detail["questions"] if q["id"] == qid)
    assert answer["answer"] == published.answer.answer


# ------------------------------------------------------ kill -9 while writing
WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from qa_service.store.answers import AnswerStore
    from qa_service.store.db import SqliteDatabase

    store = AnswerStore(SqliteDatabase(Path(sys.argv[1])))
    qid = sys.argv[2]
    base = store.published(qid).answer
    made = []
    i = 0
    while True:
        i += 1
        answer = base.model_copy(update={"answer": base.answer + f" (rewrite {i})"})
        v = store.add_version(qid, answer, author=f"writer{i}", publish=(i % 2 == 0), note="storm")
        made.append(v.id)
        if i % 5 == 0:
            store.publish(made[len(made) // 2])   # a rollback now and then
        if i % 7 == 0:
            store.put_takeaways("art-storm", [{"text": f"t{i}", "citations": []}], i)
        print(v.id, flush=True)                    # printed only after its transaction committed
""")


def test_kill_while_writing_versions_loses_no_committed_version(seeded, tmp_path: Path) -> None:
    path = seeded.settings.sqlite_path
    qid = seeded.answers.questions(ARTICLE_ID)[1].id
    before = snapshot(path, qid)
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    proc = subprocess.Popen([sys.executable, str(script), str(path), qid], env=_env(seeded.settings.data_dir),
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    committed: list[str] = []
    try:
        assert proc.stdout is not None
        while len(committed) < 60:
            line = proc.stdout.readline()
            if not line:
                break
            committed.append(line.strip())
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
    assert len(committed) == 60, "the writer stopped early"
    assert proc.returncode == -signal.SIGKILL

    assert integrity(path) == "ok"
    after = snapshot(path, qid)
    assert set(committed) <= set(after)  # every version reported committed is there
    assert set(before) <= set(after)
    assert [s for s, _ in after.values()].count("published") == 1
    with answer_store(path) as store:
        assert store.published(qid) is not None
        assert [v.status for v in store.takeaways_versions("art-storm")].count("published") == 1
        assert store.get_takeaways("art-storm") is not None
