"""Abuse limits on accounts: failed logins per account and per address, with
delays that grow from a minute to an hour; new accounts per address; and at
most QA_PASSWORD_CHECKS bcrypt computations at once, so password guessing
(even for names that do not exist) cannot take every core.

Every limit is a sliding window counted by ``_window`` (the in-process
RateLimiter of answering.typed today). That is the one place to swap for a
limiter shared by every worker process (issue 12); nothing else here knows how
hits are counted. A refusal is ``Throttled`` (the web layer answers 429 with
Retry-After), and it is decided before any password is hashed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from qa_service.answering.typed import RateLimited, RateLimiter
from qa_service.settings import Settings

HOUR = 3600.0
MINUTE = 60.0
ADDRESS_FACTOR = 4  # an address may be shared (an office, a NAT), so it gets more room than one account
HASH_WAIT = 10.0  # seconds a login waits for a free bcrypt slot before a 429


class Throttled(Exception):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class Limits:
    def __init__(self, settings: Settings) -> None:
        per_min, per_hour = settings.login_failures_per_minute, settings.login_failures_per_hour
        self._login_account = [(per_min, MINUTE), (per_hour, HOUR)]
        self._login_address = [(per_min * ADDRESS_FACTOR, MINUTE), (per_hour * ADDRESS_FACTOR, HOUR)]
        self._signup_address = [(settings.signups_per_hour, HOUR)]
        self._windows: dict[tuple[str, int, float], RateLimiter] = {}
        self._lock = threading.Lock()
        self._hashing = threading.BoundedSemaphore(settings.password_checks)

    def _window(self, name: str, limit: int, seconds: float) -> RateLimiter:
        """The counter of one rule (swap here for a shared one)."""
        with self._lock:
            key = (name, limit, seconds)
            if key not in self._windows:
                self._windows[key] = RateLimiter(limit, window=seconds)
            return self._windows[key]

    def _wait(self, name: str, rules: list[tuple[int, float]], key: str) -> int:
        return max((self._window(name, limit, seconds).retry_after(key) for limit, seconds in rules), default=0)

    def _count(self, name: str, rules: list[tuple[int, float]], key: str) -> None:
        for limit, seconds in rules:
            try:
                self._window(name, limit, seconds).hit(key)
            except RateLimited:
                pass  # already full: the next check refuses

    # ------------------------------------------------------------- logins
    def check_login(self, name: str, address: str) -> None:
        """Throttled if this account or this address failed too often lately."""
        account = (name or "").strip().lower()
        wait = max(self._wait("login-account", self._login_account, account),
                   self._wait("login-address", self._login_address, address))
        if wait:
            raise Throttled(f"Too many failed logins. Try again in {_human(wait)}.", wait)

    def login_failed(self, name: str, address: str) -> None:
        self._count("login-account", self._login_account, (name or "").strip().lower())
        self._count("login-address", self._login_address, address)

    # ------------------------------------------------------------ sign-ups
    def check_signup(self, address: str) -> None:
        wait = self._wait("signup-address", self._signup_address, address)
        if wait:
            raise Throttled(f"Too many new accounts from your address. Try again in {_human(wait)}.", wait)

    def signed_up(self, address: str) -> None:
        self._count("signup-address", self._signup_address, address)

    # ------------------------------------------------------------- hashing
    @contextmanager
    def password_hashing(self) -> Iterator[None]:
        """Hold one of the QA_PASSWORD_CHECKS slots for a bcrypt computation."""
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
