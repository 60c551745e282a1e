"""The database every store shares: SQLite by default (one file in the data
dir), PostgreSQL when ``QA_DATABASE_URL`` is a ``postgresql://`` URL.

Stores write SQL once, with ``?`` placeholders, and run it through
``Database``: ``query``/``one``/``execute`` for single statements, ``write()``
for a transaction of several. The differences between the two engines stay
here:

- SQLite: one connection per thread (never shared, so a read on one thread
  can never be upgraded to a write by another), WAL journal, and every write
  transaction begins with ``BEGIN IMMEDIATE``: it takes the write lock up front
  and waits for it (busy timeout), instead of failing half-way with
  "database is locked". Several processes on one data dir are safe.
- PostgreSQL: a connection pool (psycopg 3); ``?`` becomes ``%s``. A write may
  name a ``lock``: an advisory lock held until commit, so read-then-write steps
  on one key (publish a version, count a rate-limit hit) run one at a time
  across processes, as they do under SQLite's single writer.

Versioned migrations: each store lists its steps (oldest first); a step is SQL
for both engines, or a ``Step`` with one script per engine and optionally a
Python backfill. ``migrate`` applies the steps a database has not seen yet,
each in its own transaction under a lock, and records them in
``schema_migrations``, so several processes starting at once apply each step
once. The first step of every store uses ``CREATE ... IF NOT EXISTS``, so
databases made before migrations were recorded are adopted as they are.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

Params = Sequence[Any]

_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    component TEXT NOT NULL,
    version INTEGER NOT NULL,
    applied_at {real} NOT NULL,
    PRIMARY KEY (component, version)
)
"""


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """What stores use of a connection: sqlite3's API, which the PostgreSQL side imitates."""

    def execute(self, sql: str, params: Params = ()) -> Cursor: ...
    def executemany(self, sql: str, rows: Iterable[Params]) -> Any: ...


class DatabaseUnavailable(RuntimeError):
    """The configured database cannot be reached; the message says which and why."""


@dataclass(frozen=True)
class Step:
    """One migration step written per engine; ``python`` runs after the SQL, in
    the same transaction (for backfills SQL cannot express)."""

    sqlite: str = ""
    postgres: str = ""
    python: Callable[[Connection, str], None] | None = None


Migration = str | Step


class Database:
    """A database for every store of one service (see the module docstring)."""

    dialect: str = ""
    #: The column type of timestamps (seconds since the epoch, with fractions).
    real_type = "REAL"
    #: What a duplicate key raises on this engine.
    integrity_errors: tuple[type[BaseException], ...] = ()

    def __init__(self) -> None:
        self._local = threading.local()

    # --------------------------------------------------------------- engine
    def _connection(self) -> Iterator[Connection]:  # pragma: no cover - per engine
        raise NotImplementedError

    def _begin(self) -> Iterator[Connection]:  # pragma: no cover - per engine
        raise NotImplementedError

    def _lock(self, conn: Connection, key: str) -> None:
        """Hold a lock on ``key`` until the transaction ends (per engine)."""

    def close(self) -> None:
        raise NotImplementedError

    @property
    def description(self) -> str:
        """Where the data lives, without any password (for messages and /healthz)."""
        raise NotImplementedError

    # ----------------------------------------------------------- the API
    @contextmanager
    def write(self, lock: str | None = None) -> Iterator[Connection]:
        """One transaction; rolled back on any error, so a crash never leaves half
        a change. Nested calls on one thread join the outer transaction."""
        current = getattr(self._local, "tx", None)
        if current is not None:
            if lock:
                self._lock(current, lock)
            yield current
            return
        with self._begin() as conn:
            self._local.tx = conn
            try:
                if lock:
                    self._lock(conn, lock)
                yield conn
            finally:
                self._local.tx = None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads (inside a write on this thread: that transaction's)."""
        current = getattr(self._local, "tx", None)
        if current is not None:
            yield current
            return
        with self._connection() as conn:
            yield conn

    def query(self, sql: str, params: Params = ()) -> list[Any]:
        with self.read() as conn:
            return conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Params = ()) -> Any:
        with self.read() as conn:
            return conn.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Params = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def execute(self, sql: str, params: Params = (), *, lock: str | None = None) -> int:
        """One write statement in its own transaction; returns the rows it changed."""
        with self.write(lock) as conn:
            return int(conn.execute(sql, params).rowcount)

    # -------------------------------------------------------- migrations
    def migrate(self, component: str, steps: Sequence[Migration]) -> list[int]:
        """Apply the steps of ``component`` this database has not applied yet;
        returns the versions applied now (1-based positions in ``steps``)."""
        applied_now: list[int] = []
        try:  # the usual start: everything applied already, learnt with one read and no lock
            done = {int(r[0]) for r in self.query("SELECT version FROM schema_migrations WHERE component=?",
                                                  (component,))}
        except Exception:  # noqa: BLE001 - no schema_migrations table yet (a new database): the write below makes it
            done = set()
        for version, step in enumerate(steps, 1):
            if version in done:
                continue
            with self.write(lock="schema_migrations") as conn:
                conn.execute(_MIGRATIONS_TABLE.format(real=self.real_type))
                if conn.execute("SELECT 1 FROM schema_migrations WHERE component=? AND version=?",
                                (component, version)).fetchone():
                    continue  # another process applied it meanwhile
                script = step if isinstance(step, str) else getattr(step, self.dialect)
                for statement in self._statements(script):
                    conn.execute(statement)
                if isinstance(step, Step) and step.python is not None:
                    step.python(conn, self.dialect)
                conn.execute("INSERT INTO schema_migrations (component, version, applied_at) VALUES (?,?,?)",
                             (component, version, time.time()))
                applied_now.append(version)
        return applied_now

    def schema_versions(self) -> dict[str, int]:
        """The newest applied version of each component."""
        with self.write(lock="schema_migrations") as conn:
            conn.execute(_MIGRATIONS_TABLE.format(real=self.real_type))
            rows = conn.execute("SELECT component, MAX(version) AS v FROM schema_migrations GROUP BY component")
            return {r["component"]: int(r["v"]) for r in rows.fetchall()}

    def _statements(self, script: str) -> list[str]:
        return [script] if script.strip() else []


# ------------------------------------------------------------------ SQLite


class SqliteDatabase(Database):
    dialect = "sqlite"
    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, path: Path, *, busy_timeout: float = 30.0) -> None:
        super().__init__()
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._closed = False
        with self._connection() as conn:  # WAL is a property of the file: set it once, before any reader
            conn.execute("PRAGMA journal_mode=WAL")

    @property
    def description(self) -> str:
        return f"sqlite:{self.path}"

    def _thread_connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise sqlite3.ProgrammingError("the database is closed")
            # Autocommit (isolation_level=None): every transaction is explicit,
            # so none is ever left open by a read.
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=self.busy_timeout,
                                   isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        yield self._thread_connection()

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        conn = self._thread_connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        self._closed = True
        with self._all_lock:
            conns, self._all = self._all, []
        for conn in conns:
            try:
                conn.close()
            except sqlite3.ProgrammingError:  # used by a thread right now; it closes with the process
                pass
        self._local = threading.local()

    def _statements(self, script: str) -> list[str]:
        """The statements of a script (``executescript`` would commit the open
        transaction, so each statement runs on its own inside it)."""
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


# -------------------------------------------------------------- PostgreSQL


class Row:
    """A result row readable by column name (``row["id"]``) and by position, as
    sqlite3.Row is."""

    __slots__ = ("_values", "_index")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        return self._values[key if isinstance(key, int) else self._index[key]]

    def keys(self) -> list[str]:
        return list(self._index)

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)


def _row_factory(cursor: Any) -> Callable[[Sequence[Any]], Row]:
    index = {col.name: i for i, col in enumerate(cursor.description or ())}
    return lambda values: Row(values, index)


@lru_cache(maxsize=2048)
def postgres_sql(sql: str) -> str:
    """``?`` placeholders as ``%s`` (and a literal ``%`` as ``%%``), outside quotes."""
    out = []
    quote = ""
    for ch in sql:
        if quote:
            out.append("%%" if ch == "%" else ch)
            if ch == quote:
                quote = ""
        elif ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


class _PgConnection:
    """A psycopg connection speaking the ``?`` dialect the stores write."""

    def __init__(self, conn: Any) -> None:
        self.raw = conn

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        if not params:  # sent as written: psycopg reads placeholders only when given parameters
            return self.raw.execute(sql)
        return self.raw.execute(postgres_sql(sql), params)

    def executemany(self, sql: str, rows: Iterable[Params]) -> Any:
        with self.raw.cursor() as cur:
            cur.executemany(postgres_sql(sql), list(rows))
            return cur


def lock_id(key: str) -> int:
    """A stable signed 64-bit number for an advisory lock on ``key``."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


class PostgresDatabase(Database):
    dialect = "postgres"
    real_type = "DOUBLE PRECISION"

    def __init__(self, url: str, *, pool_size: int = 10, connect_timeout: float = 10.0) -> None:
        super().__init__()
        import psycopg
        from psycopg_pool import ConnectionPool, PoolTimeout

        self.integrity_errors = (psycopg.errors.IntegrityError,)
        self.url = url
        self._pool = ConnectionPool(url, min_size=1, max_size=pool_size, open=False, name="qa_service",
                                    kwargs={"autocommit": True, "row_factory": _row_factory})
        try:
            self._pool.open(wait=True, timeout=connect_timeout)
        except PoolTimeout:
            self._pool.close()
            raise DatabaseUnavailable(f"cannot connect to PostgreSQL at {self.description} "
                                      f"within {connect_timeout:.0f} s (is it running? is QA_DATABASE_URL right?)") from None

    @property
    def description(self) -> str:
        return redact(self.url)

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        with self._pool.connection() as conn:
            yield _PgConnection(conn)

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        with self._pool.connection() as conn, conn.transaction():
            yield _PgConnection(conn)

    def _lock(self, conn: Connection, key: str) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(?)", (lock_id(key),))

    def close(self) -> None:
        self._pool.close()


# ------------------------------------------------------------------ opening


def redact(url: str) -> str:
    """The URL without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}" if user else netloc))


def is_postgres_url(url: str) -> bool:
    return url.split(":", 1)[0].lower() in ("postgres", "postgresql")


def open_database(url: str = "", *, sqlite_path: Path | None = None, pool_size: int = 10) -> Database:
    """PostgreSQL for a ``postgresql://`` URL; SQLite for ``sqlite:///path`` or an
    empty URL (then at ``sqlite_path``)."""
    if is_postgres_url(url):
        return PostgresDatabase(url, pool_size=pool_size)
    if url.startswith("sqlite:///"):
        return SqliteDatabase(Path(url[len("sqlite:///"):]))
    if url:
        raise ValueError(f"QA_DATABASE_URL must be postgresql://... or sqlite:///PATH, not {redact(url)!r}")
    if sqlite_path is None:
        raise ValueError("no database: give a URL or a SQLite path")
    return SqliteDatabase(sqlite_path)


def in_batches(values: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """``values`` in slices small enough for one ``IN (?, ...)`` list."""
    for b in range(0, len(values), size):
        yield values[b : b + size]


def marks(n: int) -> str:
    """``?,?,...`` for an ``IN`` list of ``n`` values."""
    return ",".join("?" * n)
