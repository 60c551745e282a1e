"""Background jobs for long editor runs (regenerating every answer of an
article): a ``jobs`` table in the app's SQLite file records each job, its
progress and result (editor.jobs.JobRunner runs them).

A job left ``running`` by a process that died is marked ``interrupted`` when the
next JobStore opens the database: the work it did is safe (every version is
written in its own transaction), the rest can be resubmitted.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from qa_service.store.db import connect, migrate

# Versioned schema: append a step, never edit one that has shipped.
MIGRATIONS = ["""
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
"""]

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


class JobStore:
    def __init__(self, path: Path) -> None:
        import os

        self._conn = connect(path)
        self._lock = threading.RLock()
        migrate(self._conn, "jobs", MIGRATIONS)
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
