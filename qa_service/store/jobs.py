"""The job queue for long editor runs (regenerating every answer of an
article): a ``jobs`` table records each job, its progress and result, and is
the queue workers claim from (editor.jobs.JobWorker runs them).

A job is described by data (its kind, article and parameters), never by code,
so any worker process on any machine can run it. Claiming is one statement:
``FOR UPDATE SKIP LOCKED`` on PostgreSQL (workers never wait on each other's
rows), the single ``BEGIN IMMEDIATE`` writer on SQLite. A claim is a lease:
the worker renews it while it works; a job whose lease ran out (its worker was
killed, or its machine went away) is claimed again by the next worker, up to
``max_attempts`` times, then fails with the reason. What a killed run already
did stays: every version is written in its own transaction.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from qa_service.store.db import Database, Step

# Versioned schema: append a step, never edit one that has shipped.
MIGRATIONS = [
    Step(sqlite="""
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
""", postgres="""
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    article_id TEXT NOT NULL DEFAULT '',
    params_json TEXT NOT NULL DEFAULT '{}',
    actor TEXT NOT NULL,
    status TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    created_at DOUBLE PRECISION NOT NULL,
    started_at DOUBLE PRECISION,
    finished_at DOUBLE PRECISION,
    result_json TEXT NOT NULL DEFAULT '{}',
    error TEXT NOT NULL DEFAULT '',
    pid INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs(created_at);
"""),
    # Claims: who holds a job, until when, and how many times it was started.
    # Jobs a process left running before leases existed are claimed again.
    Step(sqlite="""
ALTER TABLE jobs ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN lease_until REAL;
ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS jobs_queue ON jobs(status, created_at);
UPDATE jobs SET lease_until = 0 WHERE status = 'running';
""", postgres="""
ALTER TABLE jobs ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN lease_until DOUBLE PRECISION;
ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS jobs_queue ON jobs(status, created_at);
"""),
]

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
    claimed_by: str = ""
    attempts: int = 0

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


class JobStore:
    def __init__(self, db: Database, *, max_attempts: int = 3) -> None:
        self.db = db
        self.max_attempts = max_attempts
        db.migrate("jobs", MIGRATIONS)

    def create(self, kind: str, actor: str, *, article_id: str = "", params: dict[str, object] | None = None) -> Job:
        jid = uuid.uuid4().hex[:12]
        self.db.execute(
            "INSERT INTO jobs (id, kind, article_id, params_json, actor, status, created_at) VALUES (?,?,?,?,?,?,?)",
            (jid, kind, article_id, json.dumps(params or {}), actor, "queued", time.time()),
        )
        job = self.get(jid)
        assert job is not None
        return job

    def get(self, jid: str) -> Job | None:
        row = self.db.one("SELECT * FROM jobs WHERE id=?", (jid,))
        return _job(row) if row else None

    def recent(self, limit: int = 50) -> list[Job]:
        rows = self.db.query("SELECT * FROM jobs ORDER BY created_at DESC LIMIT ?", (limit,))
        return [_job(r) for r in rows]

    def depth(self) -> dict[str, int]:
        """Jobs waiting and jobs running (for /metrics)."""
        counts = {"queued": 0, "running": 0}
        for row in self.db.query("SELECT status, COUNT(*) AS n FROM jobs WHERE status IN ('queued','running') "
                                 "GROUP BY status"):
            counts[row["status"]] = int(row["n"])
        return counts

    def wait_idle(self, timeout: float = 60.0, poll: float = 0.1) -> bool:
        """Wait until no job is queued or running (for tests, and for tools that
        queue work and then wait for it); False when ``timeout`` ran out first."""
        deadline = time.monotonic() + timeout
        while sum(self.depth().values()):
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll)
        return True

    # -------------------------------------------------------------- claiming
    def claim(self, worker: str, lease: float) -> Job | None:
        """The oldest job waiting, or one whose worker's lease ran out, now held
        by ``worker`` for ``lease`` seconds; None when there is none."""
        now = time.time()
        # A read first: an idle worker asks every QA_JOB_POLL_SECONDS, and should
        # not take SQLite's write lock (or any row lock) each time to learn nothing.
        if self.db.one("SELECT 1 FROM jobs WHERE status='queued' OR (status='running' AND lease_until < ?) LIMIT 1",
                       (now,)) is None:
            return None
        skip_locked = " FOR UPDATE SKIP LOCKED" if self.db.dialect == "postgres" else ""
        with self.db.write() as conn:
            # Jobs whose every attempt died are not tried again: they fail, saying why.
            conn.execute(
                "UPDATE jobs SET status='failed', finished_at=?, error=? "
                "WHERE status='running' AND lease_until < ? AND attempts >= ?",
                (now, f"the worker running this job stopped {self.max_attempts} times before it finished",
                 now, self.max_attempts),
            )
            row = conn.execute(
                "UPDATE jobs SET status='running', claimed_by=?, lease_until=?, attempts=attempts+1, "
                "started_at=COALESCE(started_at, ?) WHERE id = (SELECT id FROM jobs WHERE status='queued' "
                f"OR (status='running' AND lease_until < ?) ORDER BY created_at LIMIT 1{skip_locked}) RETURNING *",
                (worker, now + lease, now, now),
            ).fetchone()
        return _job(row) if row else None

    def renew(self, jid: str, worker: str, lease: float) -> bool:
        """Extend ``worker``'s lease; False when the job is no longer its own."""
        return self.db.execute(
            "UPDATE jobs SET lease_until=? WHERE id=? AND claimed_by=? AND status='running'",
            (time.time() + lease, jid, worker),
        ) > 0

    def progress(self, jid: str, done: int, total: int) -> None:
        self.db.execute("UPDATE jobs SET done=?, total=? WHERE id=?", (done, total, jid))

    def finish(self, jid: str, worker: str, result: dict[str, object]) -> None:
        self.db.execute(
            "UPDATE jobs SET status='done', finished_at=?, result_json=?, lease_until=NULL "
            "WHERE id=? AND claimed_by=?", (time.time(), json.dumps(result), jid, worker))

    def fail(self, jid: str, worker: str, error: str) -> None:
        self.db.execute(
            "UPDATE jobs SET status='failed', finished_at=?, error=?, lease_until=NULL WHERE id=? AND claimed_by=?",
            (time.time(), error, jid, worker))

    def release(self, jid: str, worker: str) -> None:
        """Give a job back to the queue unfinished (a worker shutting down)."""
        self.db.execute(
            "UPDATE jobs SET status='queued', claimed_by='', lease_until=NULL, attempts=attempts-1 "
            "WHERE id=? AND claimed_by=? AND status='running'", (jid, worker))


def _job(row: Any) -> Job:
    return Job(
        id=row["id"], kind=row["kind"], article_id=row["article_id"], params=json.loads(row["params_json"]),
        actor=row["actor"], status=row["status"], done=row["done"], total=row["total"],
        created_at=row["created_at"], started_at=row["started_at"], finished_at=row["finished_at"],
        result=json.loads(row["result_json"]), error=row["error"], claimed_by=row["claimed_by"],
        attempts=int(row["attempts"]),
    )
