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

from fastapi import FastAPI, Request
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
from qa_service.web.page_cache import PageCache, SharedPagesMiddleware
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
    )
    app.state.services = services
    app.state.pages = PageCache(services.answers.page_state, size=settings.page_cache_size,
                                recheck=settings.page_recheck_seconds, shared_max_age=settings.page_shared_max_age)
    if settings.access_log:
        configure_logging()
    # Added first, so it runs inside telemetry: cached pages are logged and counted too.
    app.add_middleware(SharedPagesMiddleware, pages=app.state.pages)
    app.add_middleware(TelemetryMiddleware, log_requests=settings.access_log, on_change=app.state.pages.forget)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=exc.status_code, headers=headers)
        return _error_page(request, exc.status_code, message, headers)

    @app.exception_handler(UnknownArticle)
    async def unknown_article(request: Request, exc: UnknownArticle) -> Response:
        return await http_error(request, StarletteHTTPException(status_code=404, detail=str(exc)))

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

    from qa_service.web import editor_api, editor_pages, reader

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
    """OpenAPI docs at /docs with Swagger UI's files from the swagger-ui-bundle-v2 package."""
    from fastapi.openapi.docs import get_swagger_ui_html

    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:  # pragma: no cover - a dependency; without it /docs falls back to the CDN page
        swagger_ui_path = None
    if swagger_ui_path is not None:
        app.mount("/static/swagger", StaticFiles(directory=str(swagger_ui_path)), name="swagger")
        js, css = "/static/swagger/swagger-ui-bundle.js", "/static/swagger/swagger-ui.css"
    else:
        js = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"
        css = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title="qa_service API",
                                   swagger_js_url=js, swagger_css_url=css, swagger_favicon_url="/favicon.ico")
