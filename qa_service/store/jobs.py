"""Background jobs for long editor runs (regenerating every answer of an
article): a ``jobs`` table in the app's SQLite file records each job, its
progress and result, and one worker thread per process works through the queue.

A job left ``running`` by a process that died is marked ``interrupted`` when the
next JobStore opens the database: the work it did is safe (every version is
written in its own transaction), the rest can be resubmitted.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from qa_service.store.corpus import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    article_id TEXT NOT NULL DEFAULT '',
    params_json TEXT NOT NULL DEFAULT '{}',
    actor TEXT NOT NULL,
    status TEXT NOT NULL,                 -- queued | running | done | failed | interrupted
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    result_json TEXT NOT NULL DEFAULT '{}',
    error TEXT NOT NULL DEFAULT '',
    pid INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs(created_at);
"""

FINISHED = ("done", "failed", "interrupted")


@dataclass
class Job:
    id: str
    kind: str
    article_id: str
    params: dict[str, object]
    actor: str
    status: str
    done: int
    total: int
    created_at: float
    started_at: float | None
    finished_at: float | None
    result: dict[str, object] = field(default_factory=dict)
    error: str = ""

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


# A job's work: called with the job and a progress(done, total) callback; returns the result.
JobWork = Callable[[Job, Callable[[int, int], None]], dict[str, object]]


class JobStore:
    def __init__(self, path: Path) -> None:
        import os

        self._conn = connect(path)
        self._lock = threading.RLock()
        self._conn.executescript(SCHEMA)
        self._pid = os.getpid()
        self._recover()

    def close(self) -> None:
        self._conn.close()

    def _recover(self) -> None:
        """Jobs whose process is gone will never finish: say so. (A pid reused by
        an unrelated process only delays this until that process ends.)"""
        with self._lock:
            for row in self._conn.execute("SELECT id, pid FROM jobs WHERE status IN ('queued','running')").fetchall():
                if row["pid"] and _alive(row["pid"]):
                    continue
                self._conn.execute(
                    "UPDATE jobs SET status='interrupted', finished_at=?, error=? WHERE id=?",
                    (time.time(), "the process running this job stopped before it finished", row["id"]),
                )

    def create(self, kind: str, actor: str, *, article_id: str = "", params: dict[str, object] | None = None) -> Job:
        jid = uuid.uuid4().hex[:12]
        with self._lock:
            self._conn.execute(
                "INSERT INTO jobs (id, kind, article_id, params_json, actor, status, created_at, pid) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (jid, kind, article_id, json.dumps(params or {}), actor, "queued", time.time(), self._pid),
            )
        job = self.get(jid)
        assert job is not None
        return job

    def get(self, jid: str) -> Job | None:
        row = self._conn.execute("SELECT * FROM jobs WHERE id=?", (jid,)).fetchone()
        return _job(row) if row else None

    def recent(self, limit: int = 50) -> list[Job]:
        rows = self._conn.execute("SELECT * FROM jobs ORDER BY created_at DESC LIMIT ?", (limit,))
        return [_job(r) for r in rows]

    def start(self, jid: str) -> None:
        with self._lock:
            self._conn.execute("UPDATE jobs SET status='running', started_at=? WHERE id=?", (time.time(), jid))

    def progress(self, jid: str, done: int, total: int) -> None:
        with self._lock:
            self._conn.execute("UPDATE jobs SET done=?, total=? WHERE id=?", (done, total, jid))

    def finish(self, jid: str, result: dict[str, object]) -> None:
        with self._lock:
            self._conn.execute("UPDATE jobs SET status='done', finished_at=?, result_json=? WHERE id=?",
                               (time.time(), json.dumps(result), jid))

    def fail(self, jid: str, error: str) -> None:
        with self._lock:
            self._conn.execute("UPDATE jobs SET status='failed', finished_at=?, error=? WHERE id=?",
                               (time.time(), error, jid))


class JobRunner:
    """One worker thread that runs queued jobs in order. The thread exits when the
    queue is empty and is started again by the next submit, so an idle process
    holds no thread."""

    def __init__(self, store: JobStore) -> None:
        self.store = store
        self._queue: queue.Queue[tuple[str, JobWork]] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    def submit(self, kind: str, actor: str, work: JobWork, *, article_id: str = "",
               params: dict[str, object] | None = None) -> Job:
        job = self.store.create(kind, actor, article_id=article_id, params=params)
        with self._lock:
            self._idle.clear()
            self._queue.put((job.id, work))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="qa-jobs", daemon=True)
                self._thread.start()
        return job

    def _run(self) -> None:
        while True:
            with self._lock:
                try:
                    jid, work = self._queue.get_nowait()
                except queue.Empty:
                    self._thread = None
                    self._idle.set()
                    return
            job = self.store.get(jid)
            if job is None:
                continue
            self.store.start(jid)

            def progress(done: int, total: int, _jid: str = jid) -> None:
                self.store.progress(_jid, done, total)

            try:
                result = work(job, progress)
            except Exception as exc:  # noqa: BLE001 - a job's failure is recorded, never kills the worker
                self.store.fail(jid, f"{type(exc).__name__}: {exc}")
            else:
                self.store.finish(jid, result)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """For tests and shutdown: wait until every submitted job has finished."""
        return self._idle.wait(timeout)


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"], kind=row["kind"], article_id=row["article_id"], params=json.loads(row["params_json"]),
        actor=row["actor"], status=row["status"], done=row["done"], total=row["total"],
        created_at=row["created_at"], started_at=row["started_at"], finished_at=row["finished_at"],
        result=json.loads(row["result_json"]), error=row["error"],
    )
