"""State that every process of a deployment shares, so it holds whichever
worker a request reaches:

- ``Limiter``: at most ``limit`` hits per key in a sliding ``window`` of
  seconds, with the seconds to wait when the limit is reached (typed-question
  generations per client; login attempts per name or address).
- ``Flights``: which process generates the answer to a question many readers
  ask at once, and what came of it, so the others wait for it instead of
  generating it again.

Two backends of each: the database (``DatabaseLimiter``, ``DatabaseFlights``;
a row lock serialises the steps on one key, an advisory lock on PostgreSQL and
the single writer on SQLite), and Redis when ``QA_REDIS_URL`` is set
(store.redis_state). Times are the processes' wall clocks (kept in step by
NTP on real machines).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Literal, Protocol

from qa_service.store.db import Connection, Database, Step

MIGRATIONS = [Step(sqlite="""
CREATE TABLE IF NOT EXISTS rate_hits (
    key TEXT NOT NULL,
    at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_hits_key ON rate_hits(key, at);
CREATE INDEX IF NOT EXISTS rate_hits_expiry ON rate_hits(expires_at);
CREATE TABLE IF NOT EXISTS flights (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    lease_until REAL NOT NULL,
    outcome TEXT,
    expires_at REAL NOT NULL
);
""", postgres="""
CREATE TABLE IF NOT EXISTS rate_hits (
    key TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_hits_key ON rate_hits(key, at);
CREATE INDEX IF NOT EXISTS rate_hits_expiry ON rate_hits(expires_at);
CREATE TABLE IF NOT EXISTS flights (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    lease_until DOUBLE PRECISION NOT NULL,
    outcome TEXT,
    expires_at DOUBLE PRECISION NOT NULL
);
""")]

# Expired rows are swept every this many calls per process (they are also
# ignored when read, so sweeping is only about the table's size).
SWEEP_EVERY = 500


@dataclass(frozen=True)
class Decision:
    """What a limiter decided: ``allowed``; else ``retry_after`` seconds until
    the oldest hit in the window leaves it. ``count``: hits now in the window."""

    allowed: bool
    retry_after: float
    count: int
    hit_id: str = ""  # names the hit ``hit`` counted, for ``undo``; "" when nothing was counted


class Limiter(Protocol):
    def hit(self, key: str, limit: int, window: float) -> Decision:
        """Count a hit on ``key``, unless it already has ``limit`` hits in the
        last ``window`` seconds (then nothing is counted)."""
        ...

    def peek(self, key: str, limit: int, window: float) -> Decision:
        """What ``hit`` would decide now, without counting anything."""
        ...

    def reset(self, key: str) -> None:
        """Forget every hit on ``key`` (e.g. after a successful login)."""
        ...

    def undo(self, key: str, hit_id: str) -> None:
        """Take back one hit that ``hit`` counted (its ``Decision.hit_id``): a
        reservation that turned out not to count (a login that succeeded)."""
        ...


FlightStatus = Literal["free", "running", "done"]


@dataclass(frozen=True)
class FlightState:
    """``free``: nobody is generating (or its owner died); ``running``: some
    process is; ``done``: it finished, and ``outcome`` is what it left."""

    status: FlightStatus
    outcome: str | None = None


class Flights(Protocol):
    def claim(self, key: str, owner: str, lease: float) -> bool:
        """Become the one process generating ``key`` (True), unless another
        live owner holds it. A claim lasts ``lease`` seconds unless renewed."""
        ...

    def renew(self, key: str, owner: str, lease: float) -> bool:
        """Extend ``owner``'s claim; False when it no longer holds it."""
        ...

    def finish(self, key: str, owner: str, outcome: str, keep: float) -> None:
        """Leave the outcome (for ``keep`` seconds) for the processes waiting on it."""
        ...

    def release(self, key: str, owner: str) -> None:
        """Give up a claim without an outcome (the next caller generates)."""
        ...

    def state(self, key: str) -> FlightState:
        ...


class DatabaseLimiter:
    """A sliding-window limiter on the ``rate_hits`` table: one row per hit."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._calls = 0
        db.migrate("limits", MIGRATIONS)

    def hit(self, key: str, limit: int, window: float) -> Decision:
        now = time.time()
        with self.db.write(lock=f"rate:{key}") as conn:
            decision = self._decide(conn, key, limit, window, now)
            if not decision.allowed:
                return decision
            # A key's hits have distinct times (the lock orders them), so a time names one hit for undo.
            newest = conn.execute("SELECT MAX(at) FROM rate_hits WHERE key=?", (key,)).fetchone()[0]
            if newest is not None and now <= float(newest):
                now = math.nextafter(float(newest), math.inf)
            conn.execute("INSERT INTO rate_hits (key, at, expires_at) VALUES (?,?,?)", (key, now, now + window))
            self._calls += 1
            if self._calls % SWEEP_EVERY == 0:
                conn.execute("DELETE FROM rate_hits WHERE expires_at < ?", (now,))
        return Decision(True, 0.0, decision.count + 1, repr(now))

    def peek(self, key: str, limit: int, window: float) -> Decision:
        with self.db.read() as conn:
            return self._decide(conn, key, limit, window, time.time())

    @staticmethod
    def _decide(conn: Connection, key: str, limit: int, window: float, now: float) -> Decision:
        """Whether one more hit fits in the window (nothing is counted here)."""
        row = conn.execute("SELECT COUNT(*), MIN(at) FROM rate_hits WHERE key=? AND at > ?",
                           (key, now - window)).fetchone()
        hits, oldest = int(row[0]), row[1]
        if hits >= limit:
            return Decision(False, max(0.001, float(oldest) + window - now), hits)
        return Decision(True, 0.0, hits)

    def reset(self, key: str) -> None:
        self.db.execute("DELETE FROM rate_hits WHERE key=?", (key,), lock=f"rate:{key}")

    def undo(self, key: str, hit_id: str) -> None:
        if hit_id:
            self.db.execute("DELETE FROM rate_hits WHERE key=? AND at=?", (key, float(hit_id)), lock=f"rate:{key}")


class DatabaseFlights:
    """Flights in the ``flights`` table: one row per question being answered."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._calls = 0
        db.migrate("limits", MIGRATIONS)

    def claim(self, key: str, owner: str, lease: float) -> bool:
        now = time.time()
        with self.db.write(lock=f"flight:{key}") as conn:
            row = conn.execute("SELECT owner, lease_until, outcome FROM flights WHERE key=?", (key,)).fetchone()
            if row is not None and row["outcome"] is None and row["lease_until"] > now and row["owner"] != owner:
                return False
            conn.execute(
                "INSERT INTO flights (key, owner, lease_until, outcome, expires_at) VALUES (?,?,?,NULL,?) "
                "ON CONFLICT (key) DO UPDATE SET owner=excluded.owner, lease_until=excluded.lease_until, "
                "outcome=NULL, expires_at=excluded.expires_at", (key, owner, now + lease, now + lease))
            self._calls += 1
            if self._calls % SWEEP_EVERY == 0:
                conn.execute("DELETE FROM flights WHERE expires_at < ?", (now,))
        return True

    def renew(self, key: str, owner: str, lease: float) -> bool:
        until = time.time() + lease
        return self.db.execute(
            "UPDATE flights SET lease_until=?, expires_at=? WHERE key=? AND owner=? AND outcome IS NULL",
            (until, until, key, owner), lock=f"flight:{key}") > 0

    def finish(self, key: str, owner: str, outcome: str, keep: float) -> None:
        now = time.time()
        self.db.execute("UPDATE flights SET outcome=?, lease_until=?, expires_at=? WHERE key=? AND owner=?",
                        (outcome, now, now + keep, key, owner), lock=f"flight:{key}")

    def release(self, key: str, owner: str) -> None:
        self.db.execute("DELETE FROM flights WHERE key=? AND owner=? AND outcome IS NULL", (key, owner),
                        lock=f"flight:{key}")

    def state(self, key: str) -> FlightState:
        now = time.time()
        row = self.db.one("SELECT lease_until, outcome, expires_at FROM flights WHERE key=?", (key,))
        if row is None or row["expires_at"] < now:
            return FlightState("free")
        if row["outcome"] is not None:
            return FlightState("done", row["outcome"])
        return FlightState("running") if row["lease_until"] > now else FlightState("free")
