"""Abuse limits on accounts: failed logins per account and per address, with
delays that grow from a minute to an hour; new accounts per address; and at
most QA_PASSWORD_CHECKS bcrypt computations at once in each worker, so
password guessing (even for names that do not exist) cannot take every core.

The counts live in the shared ``Limiter`` (store.limits: the database, or
Redis with QA_REDIS_URL), so however many worker processes serve the site,
together they allow exactly the configured allowance. An attempt is counted
*before* its password is hashed (a reservation: ``Limiter.hit`` checks and
counts in one atomic step), and taken back (``Limiter.undo``) when it turns
out not to count: a login that succeeded, a sign-up that was refused. So
concurrent guesses in different workers cannot all pass a check that none of
them has counted yet.

A refusal is ``Throttled`` (the web layer answers 429 with Retry-After), and
it is decided before any password is hashed.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from qa_service.settings import Settings
from qa_service.store.limits import Limiter

HOUR = 3600.0
MINUTE = 60.0
ADDRESS_FACTOR = 4  # an address may be shared (an office, a NAT), so it gets more room than one account
HASH_WAIT = 10.0  # seconds a login waits for a free bcrypt slot before a 429


class Throttled(Exception):
    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = max(1, math.ceil(retry_after))


@dataclass(frozen=True)
class Rule:
    """At most ``limit`` counted attempts per key in ``seconds``."""

    name: str
    limit: int
    seconds: float

    def key(self, who: str) -> str:
        return f"{self.name}:{self.limit}/{int(self.seconds)}s:{who}"


@dataclass
class Reservation:
    """The hits one attempt counted, so they can be taken back."""

    limiter: Limiter
    hits: list[tuple[str, str]]  # (key, hit id)

    def cancel(self) -> None:
        for key, hit_id in self.hits:
            self.limiter.undo(key, hit_id)
        self.hits = []


class Limits:
    def __init__(self, settings: Settings, limiter: Limiter) -> None:
        self.limiter = limiter
        per_min, per_hour = settings.login_failures_per_minute, settings.login_failures_per_hour
        self._login_account = [Rule("login-account", per_min, MINUTE), Rule("login-account", per_hour, HOUR)]
        self._login_address = [Rule("login-address", per_min * ADDRESS_FACTOR, MINUTE),
                               Rule("login-address", per_hour * ADDRESS_FACTOR, HOUR)]
        self._signup_address = [Rule("signup-address", settings.signups_per_hour, HOUR)]
        self._hashing = threading.BoundedSemaphore(settings.password_checks)

    def _reserve(self, rules: list[tuple[Rule, str]], message: str) -> Reservation:
        """Count one attempt under every rule, or under none (Throttled) when
        any of them is full."""
        taken = Reservation(self.limiter, [])
        wait = 0.0
        for rule, who in rules:
            decision = self.limiter.hit(rule.key(who), rule.limit, rule.seconds)
            if decision.allowed:
                taken.hits.append((rule.key(who), decision.hit_id))
            else:
                wait = max(wait, decision.retry_after)
        if wait:
            taken.cancel()
            raise Throttled(message.format(wait=_human(math.ceil(wait))), wait)
        return taken

    # ------------------------------------------------------------- logins
    @contextmanager
    def login_attempt(self, name: str, address: str) -> Iterator[Reservation]:
        """Hold a login attempt's place in the account's and the address's
        allowance while its password is checked. Throttled, before any hashing,
        if either is spent. The attempt stays counted (a failure) unless the
        caller cancels the reservation (it succeeded), or something fails."""
        account = (name or "").strip().lower()
        rules = [(r, account) for r in self._login_account] + [(r, address) for r in self._login_address]
        reservation = self._reserve(rules, "Too many failed logins. Try again in {wait}.")
        try:
            yield reservation
        except BaseException:
            reservation.cancel()
            raise

    # ------------------------------------------------------------ sign-ups
    @contextmanager
    def signup_attempt(self, address: str) -> Iterator[Reservation]:
        """Hold a sign-up's place in the address's allowance; it is given back
        when the sign-up fails (a taken name, a short password)."""
        reservation = self._reserve([(r, address) for r in self._signup_address],
                                    "Too many new accounts from your address. Try again in {wait}.")
        try:
            yield reservation
        except BaseException:
            reservation.cancel()
            raise

    # ------------------------------------------------------------- hashing
    @contextmanager
    def password_hashing(self) -> Iterator[None]:
        """Hold one of this worker's QA_PASSWORD_CHECKS slots for a bcrypt computation."""
        if not self._hashing.acquire(timeout=HASH_WAIT):
            raise Throttled("Too many logins at once. Try again in a few seconds.", 5)
        try:
            yield
        finally:
            self._hashing.release()


def _human(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} s"
    minutes = -(-seconds // 60)
    return f"{minutes} minutes"
