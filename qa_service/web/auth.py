"""Who is calling: FastAPI dependencies that turn a session cookie or an
``Authorization: Bearer <api token>`` header into a User, and guards for
routes that need a reader or an editor.

The AccountStore is reached through ``request.app.state.services.accounts`` so
the app and the CLI share one construction path (qa_service.services).
"""

from __future__ import annotations

from fastapi import HTTPException, Request, Response

from qa_service.store.accounts import AccountStore, User

SESSION_COOKIE = "qa_session"


def accounts_for(request: Request) -> AccountStore:
    return request.app.state.services.accounts


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def current_user(request: Request) -> User | None:
    """The logged-in user, or None. A bearer token wins over the cookie, so a
    script's identity never depends on a browser cookie jar."""
    cached = getattr(request.state, "qa_user", False)
    if cached is not False:
        return cached
    accounts = accounts_for(request)
    token = bearer_token(request)
    user = accounts.user_for_api_token(token) if token else accounts.user_for_session(request.cookies.get(SESSION_COOKIE))
    request.state.qa_user = user
    return user


def require_user(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise HTTPException(status_code=401, detail="Log in first.", headers={"WWW-Authenticate": "Bearer"})
    return user


def require_editor(request: Request) -> User:
    user = require_user(request)
    if not user.is_editor:
        raise HTTPException(status_code=403, detail="Only editors can do this.")
    return user


def _is_https(request: Request | None) -> bool:
    return request is not None and request.url.scheme == "https"


def login_response(response: Response, token: str, request: Request | None = None, *,
                   max_age: int | None = None) -> Response:
    """Set the session cookie: HttpOnly (no script can read it), SameSite=Lax
    (not sent on cross-site POSTs), Secure when the request came over https (pass
    ``request``; plain-http tests and localhost still work). It lasts as long as
    the session (QA_SESSION_DAYS) unless ``max_age`` says otherwise."""
    if max_age is None:
        days = 30.0
        if request is not None:
            days = getattr(getattr(request.app.state.services, "settings", None), "session_days", days)
        max_age = int(days * 86400)
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax",
                        secure=_is_https(request), path="/")
    return response


def logout_response(response: Response, request: Request | None = None) -> Response:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_is_https(request))
    return response
