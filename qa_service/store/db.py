"""SQLite plumbing every store shares: opening a connection, the write
transaction, and versioned schema migrations.

Each store owns its tables and lists its migrations (SQL scripts, oldest
first); ``migrate`` applies the ones a database has not seen yet, each in its
own ``BEGIN IMMEDIATE`` transaction, and records them in ``schema_migrations``.
Two processes opening one new database at once therefore apply each step once.
The first step of every store uses ``CREATE ... IF NOT EXISTS``, so databases
made before migrations were recorded are adopted as they are.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    component TEXT NOT NULL,
    version INTEGER NOT NULL,
    applied_at REAL NOT NULL,
    PRIMARY KEY (component, version)
)
"""


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL journal,
    foreign keys on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


@contextmanager
def immediate(conn: sqlite3.Connection, lock: threading.RLock) -> Iterator[sqlite3.Connection]:
    """One write transaction (BEGIN IMMEDIATE: the write lock is taken up front,
    so two writers queue instead of failing half-way); rolled back on any error,
    so a crash never leaves half a change."""
    with lock:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def migrate(conn: sqlite3.Connection, component: str, steps: Sequence[str]) -> list[int]:
    """Apply the steps of ``component`` this database has not applied yet;
    returns the versions applied now (1-based positions in ``steps``)."""
    conn.execute(_MIGRATIONS_TABLE)
    applied_now: list[int] = []
    for version, script in enumerate(steps, 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            done = conn.execute("SELECT 1 FROM schema_migrations WHERE component=? AND version=?",
                                (component, version)).fetchone()
            if not done:
                for statement in _statements(script):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations (component, version, applied_at) VALUES (?,?,?)",
                             (component, version, time.time()))
                applied_now.append(version)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return applied_now


def schema_versions(conn: sqlite3.Connection) -> dict[str, int]:
    """The newest applied version of each component."""
    conn.execute(_MIGRATIONS_TABLE)
    rows = conn.execute("SELECT component, MAX(version) AS v FROM schema_migrations GROUP BY component")
    return {r["component"]: int(r["v"]) for r in rows}


def _statements(script: str) -> list[str]:
    """The statements of a migration script (``executescript`` would commit the
    open transaction, so each statement runs on its own inside it)."""
    out: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                out.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        out.append(buffer.strip())
    return out
