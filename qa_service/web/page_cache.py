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

``SharedPagesMiddleware`` answers a view of a page this worker already holds
(its state read within ``recheck`` seconds) before the request reaches
FastAPI's routing and dependencies: the same bytes and headers the routes
send, at a fraction of the cost. Anything else (a page not cached yet, a
state to read again) goes on to the routes in reader.py.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from qa_service import metrics

T = TypeVar("T")


MEDIA_TYPES = {"html": "text/html; charset=utf-8", "json": "application/json"}


@dataclass(frozen=True)
class CachedPage:
    etag: str  # quoted, as sent in the ETag header
    body: bytes
    kind: str  # html | json


class PageCache:
    def __init__(self, state: Callable[[str], str], *, size: int = 512, recheck: float = 1.0,
                 shared_max_age: int = 30) -> None:
        self._state = state
        self.size = size
        self.recheck = recheck
        # Browsers revalidate every time (a 304 costs no body); shared caches (a CDN) may keep it for max_age.
        self.cache_control = f"public, max-age=0, s-maxage={shared_max_age}" if shared_max_age else "public, no-cache"
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
            built = CachedPage(f'"{state}-{kind}"', await run_in_threadpool(render), kind)
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

    def fresh(self, kind: str, article_id: str) -> CachedPage | None:
        """The page, if this worker holds it for a state read within ``recheck``
        seconds (nothing to wait for); else None."""
        known = self._states.get(article_id)
        if known is None or time.monotonic() - known[1] >= self.recheck:
            return None
        page = self._pages.get((kind, article_id, known[0]))
        if page is not None:
            self._pages.move_to_end((kind, article_id, known[0]))
        return page

    def headers(self, page: CachedPage) -> dict[str, str]:
        return {"ETag": page.etag, "Cache-Control": self.cache_control}

    def response(self, page: CachedPage, if_none_match: str | None) -> Response:
        """The page, or 304 when the caller already holds it."""
        if etag_matches(if_none_match, page.etag):
            metrics.count_cache("article_page", "not_modified")
            return Response(status_code=304, headers=self.headers(page))
        return Response(page.body, media_type=MEDIA_TYPES[page.kind], headers=self.headers(page))

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


@dataclass(frozen=True)
class _Route:
    """What telemetry labels a request answered here with (FastAPI's route has the same path)."""

    path: str


SHARED_PAGES = (
    (re.compile(r"^/articles/([^/]+)$"), "html", _Route("/articles/{article_id}")),
    (re.compile(r"^/api/articles/([^/]+)$"), "json", _Route("/api/articles/{article_id}")),
)


class SharedPagesMiddleware:
    def __init__(self, app: Callable[..., Any], pages: PageCache) -> None:
        self.app = app
        self.pages = pages

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            for pattern, kind, route in SHARED_PAGES:
                match = pattern.match(scope["path"])
                if match is None:
                    continue
                page = self.pages.fresh(kind, match.group(1))
                if page is None:
                    break
                metrics.count_cache("article_page", "hit")
                scope["route"] = route
                if_none_match = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"if-none-match"), None)
                await self.pages.response(page, if_none_match)(scope, receive, send)
                return
        await self.app(scope, receive, send)
