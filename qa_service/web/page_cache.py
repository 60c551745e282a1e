"""Rendered article pages (HTML) and their JSON, kept per published state.

An article's state is a fingerprint from the database
(``AnswerStore.page_state``: corpus version, visible questions and their
published versions, published takeaways), so equal states mean equal bytes in
every worker. It doubles as the ETag: a browser or CDN that sends it back in
``If-None-Match`` gets a 304 without a body.

Each worker reads an article's state at most once per ``recheck`` seconds
(QA_PAGE_RECHECK_SECONDS) and renders a page once per state; in between, a
page view is a dictionary lookup on the event loop. What changes per reader
(login, votes, "mine", comments) is not in these pages: the page fetches it
from ``/api/articles/{id}/me``.

Database reads and rendering run on the thread pool, never on the event loop,
and concurrent requests for the same missing page or state wait for one
computation instead of each doing it.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from qa_service import metrics

T = TypeVar("T")


@dataclass(frozen=True)
class CachedPage:
    etag: str  # quoted, as sent in the ETag header
    body: bytes


class PageCache:
    def __init__(self, state: Callable[[str], str], *, size: int = 512, recheck: float = 1.0) -> None:
        self._state = state
        self.size = size
        self.recheck = recheck
        self._states: dict[str, tuple[str, float]] = {}  # article id -> (state, when read, monotonic)
        self._pages: OrderedDict[tuple[str, str, str], CachedPage] = OrderedDict()
        self._pending: dict[object, asyncio.Future[object]] = {}

    async def get(self, kind: str, article_id: str, render: Callable[[], bytes]) -> CachedPage:
        """The ``kind`` ('html' or 'json') of ``article_id`` for its current state,
        rendered with ``render`` (on the thread pool) when this worker has none."""
        state = await self.state(article_id)
        key = (kind, article_id, state)
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
            metrics.count_cache("article_page", "hit")
            return page
        metrics.count_cache("article_page", "miss")

        async def build() -> CachedPage:
            built = CachedPage(f'"{state}-{kind}"', await run_in_threadpool(render))
            self._pages[key] = built
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
            return built

        return await self._once(key, build)

    async def state(self, article_id: str) -> str:
        """The article's state, read again when this worker's copy is older than ``recheck``."""
        known = self._states.get(article_id)
        if known is not None and time.monotonic() - known[1] < self.recheck:
            return known[0]

        async def read() -> str:
            checked = time.monotonic()
            value = await run_in_threadpool(self._state, article_id)
            self._states[article_id] = (value, checked)
            if len(self._states) > 4 * self.size:  # forget articles nobody has asked for lately
                for stale in [a for a, (_, at) in self._states.items() if checked - at > self.recheck]:
                    del self._states[stale]
            return value

        return await self._once(("state", article_id), read)

    def forget(self, article_id: str) -> None:
        """Read this article's state again on its next view (this process changed it)."""
        self._states.pop(article_id, None)

    async def _once(self, key: object, compute: Callable[[], Awaitable[T]]) -> T:
        """Run ``compute`` once for every concurrent caller with this key."""
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)  # type: ignore[return-value]
        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            value = await compute()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: a failure with no other waiter is not "never retrieved"
            raise
        else:
            future.set_result(value)
            return value
        finally:
            del self._pending[key]


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag`` (weak comparison, as RFC 9110 asks for GET)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in if_none_match.split(","))
