"""CSRF defences for cookie-authenticated changes. The token is derived from
the session cookie, which other sites cannot read, so a forged cross-site form
or fetch cannot carry it. Bearer tokens are never sent by a browser on its
own, so requests that use one need none."""

from __future__ import annotations

import hashlib
import hmac

from fastapi import HTTPException, Request

from qa_service.web.auth import SESSION_COOKIE, bearer_token

CSRF_HEADER = "X-CSRF-Token"


def csrf_token(request: Request) -> str:
    """Derived from the session cookie, which other sites cannot read, so they
    cannot forge a form post that carries it."""
    session = request.cookies.get(SESSION_COOKIE, "")
    return hashlib.sha256(f"qa-editor-csrf\x00{session}".encode()).hexdigest()[:32] if session else ""


def csrf_ok(request: Request, supplied: str | None) -> bool:
    expected = csrf_token(request)
    return bool(expected and supplied) and hmac.compare_digest(expected, supplied or "")


def api_csrf(request: Request) -> None:
    """Cookie-authenticated changes must carry the CSRF header; bearer tokens are
    never sent by a browser on its own, so they need none."""
    if request.method in ("GET", "HEAD", "OPTIONS") or bearer_token(request):
        return
    if not csrf_ok(request, request.headers.get(CSRF_HEADER)):
        raise HTTPException(status_code=403, detail=f"Missing or wrong {CSRF_HEADER} header (or use a bearer token).")
