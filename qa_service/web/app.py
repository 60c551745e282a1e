"""The FastAPI application: builds Services once, mounts the reader and editor
routers and the static files, and turns every error into a clear 4xx (JSON for
the API, a small page for browsers), never a stack trace.

``create_app()`` with no arguments reads the settings from the environment,
which is how ``serve --workers N`` starts each worker process
(``uvicorn qa_service.web.app:create_app --factory``). Each worker also runs a
job worker thread (unless QA_WEB_RUNS_JOBS=false), serves ``/metrics`` and
logs one JSON line per request (web.telemetry)."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from qa_service import metrics
from qa_service.editor.errors import Conflict, EditorialError, NotFound
from qa_service.models import UnknownArticle
from qa_service.services import Services
from qa_service.settings import Settings, get_settings
from qa_service.web.limits import Limits, Throttled
from qa_service.web.page_cache import PageCache, SharedPagesMiddleware
from qa_service.web.security import BodyLimit, ProxyHeaders, SecurityHeaders, same_origin
from qa_service.web.telemetry import TelemetryMiddleware, configure_logging

HERE = Path(__file__).resolve().parent
log = logging.getLogger("qa_service.web")


def _wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path == "/healthz":
        return True
    return "text/html" not in request.headers.get("accept", "")


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
        errors.append({"field": ".".join(loc), "message": str(err.get("msg", "invalid"))})
    text = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return text or "Invalid request.", errors


def _allowed_methods(app: FastAPI, request: Request) -> str:
    """Every method some route offers at this path. Starlette names only the
    first route it tried, but GET and POST of one path are separate routes."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in app.router.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def _error_page(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    from qa_service.web.reader import templates

    # Only a user this request already looked up: error handlers run on the
    # event loop, where no database call may block.
    user = getattr(request.state, "qa_user", None) or None
    return templates.TemplateResponse(request, "error.html", {"status": status, "message": message, "user": user},
                                      status_code=status, headers=headers)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The app over ``services`` (tests pass their own) or Services(settings)."""
    owned = services is None
    if services is None:
        services = Services(settings or get_settings())
    settings = services.settings
    typed = services.typed_answers

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Load the index and embedder before the first reader arrives, off the event loop.
        await run_in_threadpool(typed.validate, "warm up")
        from qa_service.web.reader import templates

        for name in ("article.html", "index.html", "_answer.html"):  # compile once, before the first view
            templates.get_template(name)
        # What start-up made (models, clients, compiled templates) lives as long as
        # the process: the cycle collector need not walk it again, so no request
        # waits on a full collection of hundreds of MB of objects.
        gc.collect()
        gc.freeze()
        worker = None
        if settings.web_runs_jobs:
            worker = services.editorial.job_worker(lease=settings.job_lease_seconds, poll=settings.job_poll_seconds)
            worker.start()
        yield
        if worker is not None:
            # A job still running when the process stops is retried by the next worker once its lease ends.
            await run_in_threadpool(worker.stop, 5.0)
        typed.close()
        if owned:
            services.close()

    app = FastAPI(
        title="qa_service",
        summary="Cited follow-up answers for news articles.",
        description="Takeaways, suggested questions with stored, cited answers, typed questions (JSON or "
                    "server-sent events), votes, feedback and comments. Answers follow the `ask --json` contract.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served below from local Swagger UI files: the default page loads them from a CDN
        redoc_url=None,
        # every change must come from our own pages (or carry a bearer token): web/security.py
        dependencies=[Depends(same_origin)],
    )
    app.state.services = services
    app.state.pages = PageCache(services.answers.page_state, size=settings.page_cache_size,
                                recheck=settings.page_recheck_seconds, shared_max_age=settings.page_shared_max_age)
    app.state.limits = Limits(services.settings, services.limiter)
    if settings.access_log:
        configure_logging()
    # Innermost first. No body is read past its cap; cached pages (GET, no
    # body) are answered next, inside telemetry, so they are logged and
    # counted too, and inside the security headers, so they carry them (a 413
    # too); outermost, the client's address is settled before anything keys on it.
    app.add_middleware(BodyLimit, limit=services.settings.max_body_bytes)
    app.add_middleware(SharedPagesMiddleware, pages=app.state.pages)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(TelemetryMiddleware, log_requests=settings.access_log, on_change=app.state.pages.forget)
    app.add_middleware(ProxyHeaders, trusted=services.settings.trusted_proxy_networks)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(app, request)
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=exc.status_code, headers=headers)
        return _error_page(request, exc.status_code, message, headers)

    @app.exception_handler(UnknownArticle)
    async def unknown_article(request: Request, exc: UnknownArticle) -> Response:
        return await http_error(request, StarletteHTTPException(status_code=404, detail=str(exc)))

    @app.exception_handler(Throttled)
    async def throttled(request: Request, exc: Throttled) -> Response:
        return await http_error(request, StarletteHTTPException(status_code=429, detail=str(exc),
                                                                headers={"Retry-After": str(exc.retry_after)}))

    @app.exception_handler(EditorialError)
    async def editorial_error(request: Request, exc: EditorialError) -> Response:
        # refusals an editor can fix: a missing thing, a conflict, or a bad request
        status = 404 if isinstance(exc, NotFound) else 409 if isinstance(exc, Conflict) else 400
        return await http_error(request, StarletteHTTPException(status_code=status, detail=str(exc)))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        message, errors = _validation_message(exc)
        if _wants_json(request):
            return JSONResponse({"detail": message, "errors": errors}, status_code=422)
        return _error_page(request, 422, message)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        message = "Something went wrong on our side; it has been logged."
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=500)
        return _error_page(request, 500, message)

    from qa_service.web import editor_api, editor_pages, openapi, reader

    openapi.install(app)
    app.include_router(reader.router)
    app.include_router(editor_api.router)
    app.include_router(editor_pages.router)
    _mount_docs(app)  # before /static: its /static/swagger mount must match first
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics() -> Response:
        """Prometheus text format: requests, answers, tokens, caches, job queue (all workers)."""
        return Response(metrics.exposition(services.jobs.depth), media_type=metrics.CONTENT_TYPE)

    return app


def _mount_docs(app: FastAPI) -> None:
    """OpenAPI docs at /docs with Swagger UI's files from the swagger-ui-bundle-v2
    package (served here: no CDN, which the CSP would not allow anyway)."""
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/static/swagger", StaticFiles(directory=str(swagger_ui_path)), name="swagger")
    openapi_url = app.openapi_url or "/openapi.json"
    # Swagger UI's own page starts it with an inline script; this one starts it
    # from /static/swagger-init.js, so /docs runs under a CSP without inline script.
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>qa_service API</title><link rel="stylesheet" href="/static/swagger/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi="{openapi_url}"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script><script src="/static/swagger-init.js"></script>
</body></html>"""

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(page)
