"""Hardening of the front door, in the order a request meets it:

- ``ProxyHeaders``: the client's address (and scheme) come from
  X-Forwarded-For / X-Forwarded-Proto only when the peer is a proxy listed in
  QA_TRUSTED_PROXIES; otherwise the peer is the client. Rate limits key on it.
  (uvicorn's own proxy handling, which believes any local peer, is switched
  off in ``qa-service serve``.)
- ``BodyLimit``: a body over QA_MAX_BODY_BYTES gets 413 before it is read or
  parsed, whether it announces its length or streams.
- ``SecurityHeaders``: a strict Content-Security-Policy (scripts and styles
  only from our own files; no inline script anywhere), no framing, nosniff, a
  same-origin Referrer-Policy, and ``no-store`` on account and editor
  responses and on anything that sets a cookie.
- ``same_origin``: every cookie-authenticated change (and logging in or
  signing up, which has no cookie yet) must come from our own pages: its Origin
  (else its Referer) must be this site. A browser form with neither is
  refused; scripts using a bearer token are not browsers and skip the check.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Content types a cross-site <form> (or a no-CORS fetch) can send without a preflight.
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")

# Scripts, styles, images and connections from this site only; no inline
# script or style, no plugins, no <base>, forms post here, nobody frames us.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# Swagger UI (at /docs) sets inline styles from its own script; its script is still our file.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
# Responses about an account or for editors are never stored by a browser or a proxy.
NO_STORE_PREFIXES = ("/login", "/signup", "/logout", "/editor", "/api/login", "/api/signup", "/api/logout",
                     "/api/me", "/api/editor")


def _header(scope: Scope, name: bytes) -> str:
    values = [v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == name]
    return ",".join(values)


# ---------------------------------------------------------------- addresses
def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip().strip('"')
    if value.startswith("[") and "]" in value:  # "[::1]:8080"
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # "10.0.0.1:8080"
        value = value.split(":")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def resolve_client(peer: str, forwarded_for: str, trusted: Sequence[Any]) -> str:
    """The client's address: ``peer`` unless it is a trusted proxy, in which
    case the right-most address in X-Forwarded-For that is not itself a
    trusted proxy (addresses to its left are whatever the client wrote)."""

    def is_trusted(address: str) -> bool:
        ip = _ip(address)
        return ip is not None and any(ip in net for net in trusted)

    if not trusted or not is_trusted(peer):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop):
            ip = _ip(hop)
            return str(ip) if ip is not None else peer
    return hops[0] if hops else peer


class ProxyHeaders:
    def __init__(self, app: ASGIApp, trusted: Sequence[Any]) -> None:
        self.app = app
        self.trusted = list(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted and scope.get("client"):
            peer, port = scope["client"]
            client = resolve_client(peer, _header(scope, b"x-forwarded-for"), self.trusted)
            if client != peer:
                scope["client"] = (client, 0)
                proto = _header(scope, b"x-forwarded-proto").split(",")[-1].strip().lower()
                if proto in ("http", "https"):
                    scope["scheme"] = proto
        await self.app(scope, receive, send)


# ------------------------------------------------------------------- bodies
async def _json_error(send: Send, status: int, detail: str, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *headers]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """413 for bodies over ``limit`` bytes: at once when Content-Length says
    so, else as soon as the streamed body passes the limit. What is within it
    is read here and replayed to the app, so nothing downstream ever holds more."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    def _too_large(self) -> str:
        return f"The request body is too large (at most {self.limit} bytes)."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        if length:
            try:
                announced = int(length.split(",")[0])
            except ValueError:
                await _json_error(send, 400, "Content-Length is not a number.")
                return
            if announced > self.limit:
                await _json_error(send, 413, self._too_large())
                return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _json_error(send, 413, self._too_large())
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        await self.app(scope, _replay([{"type": "http.request", "body": b"".join(chunks), "more_body": False}],
                                      receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


# ------------------------------------------------------------------ headers
class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, docs_path: str = "/docs", docs_csp: str = DOCS_CSP) -> None:
        self.app = app
        self.docs_path = docs_path
        self.docs_csp = docs_csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                csp = self.docs_csp if path == self.docs_path else CSP
                extra = [(b"content-security-policy", csp.encode()), (b"x-content-type-options", b"nosniff"),
                         (b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin"),
                         (b"cross-origin-opener-policy", b"same-origin"),
                         (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()")]
                if https:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                headers += [(k, v) for k, v in extra if k not in names]
                if path.startswith(NO_STORE_PREFIXES) or b"set-cookie" in names:
                    headers = [(k, v) for k, v in headers if k.lower() not in (b"cache-control", b"pragma")]
                    headers += [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ------------------------------------------------------------------ origins
def _origin_of(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    port = parts.port
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def own_origins(request: Request, public: Sequence[str] = ()) -> set[str]:
    """This site's origins: the one the request was addressed to (its Host,
    with the scheme the trusted proxy saw), and QA_PUBLIC_ORIGINS."""
    host = request.headers.get("host", "")
    origins = {_origin_of(o) for o in public}
    if host:
        origins.add(_origin_of(f"{request.url.scheme}://{host}"))
    origins.discard("")
    return origins


def same_origin(request: Request) -> None:
    """FastAPI dependency: refuse (403) a change that did not come from our own
    pages. Bearer-token requests are scripts, not browsers, and skip it."""
    if request.method not in UNSAFE_METHODS:
        return
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return
    settings = getattr(request.app.state.services, "settings", None)
    ours = own_origins(request, settings.public_origin_list if settings is not None else ())
    origin = request.headers.get("origin")
    if origin is not None:
        if _origin_of(origin) not in ours:  # includes "null" (sandboxed frames, privacy redirects)
            raise HTTPException(status_code=403, detail="This request came from another site; it was refused.")
        return
    referer = request.headers.get("referer")
    if referer:
        if _origin_of(referer) not in ours:
            raise HTTPException(status_code=403, detail="This request came from another site; it was refused.")
        return
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in FORM_TYPES:
        # Browsers send Origin with every form post; one with neither header
        # cannot be told apart from a forged one.
        raise HTTPException(status_code=403, detail="This form was sent without an Origin or Referer header; "
                                                    "reload the page and try again.")
