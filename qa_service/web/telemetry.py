"""Every request gets a request id, a structured log line and a latency
figure: one ASGI middleware (plain ASGI, so it costs microseconds, not a task
per request).

- The request id is the caller's ``X-Request-ID`` when it is a sane token
  (a proxy or CDN in front sets one), else a new one; it is sent back in
  ``X-Request-ID`` and carried by every log record made while the request runs.
- The log line is one JSON object on stderr (``qa_service.access``): time,
  request id, worker pid, method, path, route template, status, milliseconds.
- ``qa_http_request_duration_seconds`` is labelled with the route template
  (``/articles/{article_id}``), never the raw path, so its size is bounded.
- A change (POST, PUT, PATCH, DELETE) to an article through this worker makes
  the worker's page cache read that article's state again at once; other
  workers see it within QA_PAGE_RECHECK_SECONDS.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from qa_service import metrics

Scope = dict[str, Any]
ASGIApp = Callable[..., Any]

REQUEST_ID_HEADER = b"x-request-id"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
access_log = logging.getLogger("qa_service.access")


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every log record (empty outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: what log collectors parse without rules."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": round(record.created, 3), "level": record.levelname.lower(), "logger": record.name,
            "pid": record.process, "request_id": getattr(record, "request_id", ""),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: str = "info") -> None:
    """JSON lines on stderr for the service's loggers (once per process)."""
    root = logging.getLogger("qa_service")
    if any(getattr(h, "_qa_json", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler._qa_json = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    root.propagate = False


class TelemetryMiddleware:
    def __init__(self, app: ASGIApp, *, log_requests: bool = True,
                 on_change: Callable[[str], None] | None = None) -> None:
        self.app = app
        self.log_requests = log_requests
        self.on_change = on_change

    async def __call__(self, scope: Scope, receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = ""
        for name, value in scope.get("headers", ()):
            if name == REQUEST_ID_HEADER:
                candidate = value.decode("latin-1")
                rid = candidate if _SANE_ID.match(candidate) else ""
                break
        rid = rid or uuid.uuid4().hex[:16]
        # Not reset when the request ends: each request runs in its own task (its
        # own context), and the app's 500 handler, which runs outside this
        # middleware, still logs with the id.
        request_id.set(rid)
        status = 500

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (REQUEST_ID_HEADER, rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            metrics.observe_request(method, template, status, seconds)
            if self.on_change is not None and method not in ("GET", "HEAD", "OPTIONS") and status < 400:
                article_id = (scope.get("path_params") or {}).get("article_id")
                if article_id:
                    self.on_change(str(article_id))
            if self.log_requests:
                client = scope.get("client")
                access_log.info("request", extra={"fields": {
                    "message": "request", "method": method, "path": scope.get("path", ""), "route": template,
                    "status": status, "ms": round(seconds * 1000, 2), "client": client[0] if client else "",
                }})
