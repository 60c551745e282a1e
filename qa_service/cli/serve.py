"""``qa-service serve``: the reader page, the JSON API and the editor pages
over the data dir, with uvicorn, in one or several worker processes;
``qa-service worker``: a process that runs the background job queue."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from qa_service.cli.common import UserError, open_services
from qa_service.settings import Settings


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    if not settings.uses_postgres and not settings.sqlite_path.exists():
        raise UserError(f"no data in {settings.data_dir} yet: run `qa-service ingest` first")
    if workers > 1 and not settings.chroma_host:
        print("warning: several workers share the embedded chroma index read-only; run a Chroma server "
              "(QA_CHROMA_HOST) to ingest while serving", file=sys.stderr)
    _check_port(host, port)
    # Each worker process builds its own app from the environment (create_app()
    # reads Settings from QA_*): say here what the command line chose.
    os.environ["QA_DATA_DIR"] = str(Path(settings.data_dir).resolve())
    os.environ["QA_ACCESS_LOG"] = "true" if args.access_log and settings.access_log else "false"
    metrics_dir = Path(tempfile.mkdtemp(prefix="qa-metrics-"))
    # Set before prometheus_client is imported anywhere: each worker writes its figures there.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    import uvicorn

    from qa_service.store.db import redact

    database = redact(settings.database_url) if settings.database_url else str(settings.sqlite_path)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    print(f"serving {settings.data_dir} ({database}) on http://{shown}:{port}/ with {workers} worker(s) "
          f"(API docs: /docs, metrics: /metrics)", file=sys.stderr)
    try:
        uvicorn.run("qa_service.web.app:create_app", factory=True, **server_options(host, port), workers=workers,
                    log_level=args.log_level, access_log=False, timeout_graceful_shutdown=10)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Claim and run background jobs until SIGTERM or Ctrl-C (the job in hand finishes first)."""
    from qa_service.web.telemetry import configure_logging

    configure_logging()
    services = open_services(settings)
    worker = services.editorial.job_worker(lease=settings.job_lease_seconds, poll=settings.job_poll_seconds)

    def stop(signum: int, frame: object) -> None:
        print(f"worker {worker.name}: stopping after the job in hand", file=sys.stderr)
        worker.stop_soon()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"worker {worker.name}: waiting for jobs ({services.db.description})", file=sys.stderr, flush=True)
    try:
        if args.once:
            job = worker.run_once()
            print(f"ran job {job.id}" if job else "no job waiting", file=sys.stderr)
        else:
            worker.run()
    finally:
        services.close()
    return 0


def server_options(host: str, port: int) -> dict[str, object]:
    """How uvicorn runs the app. Its own proxy handling is off: it believes
    X-Forwarded-For from any local peer; the app believes it only from
    QA_TRUSTED_PROXIES (qa_service.web.security.ProxyHeaders)."""
    return {"host": host, "port": port, "proxy_headers": False, "server_header": False}


def _check_port(host: str, port: int) -> None:
    """Fail with one clear line before loading anything when the address is taken."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UserError(f"cannot resolve host {host!r}: {exc.strerror}") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc} "
                            f"(pick another with --port or QA_PORT)") from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve", help="serve the article pages, the JSON API (/docs) and the editor pages",
        description="Serve the reader pages (/ and /articles/ID), the JSON API (OpenAPI at /docs), the "
                    "editor pages and /metrics from the data dir. Answers are read from storage: run "
                    "`qa-service ingest` first, which pre-generates them.",
    )
    p.add_argument("--host", help="bind address (env QA_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (env QA_PORT, default 8000)")
    p.add_argument("--workers", type=int, help="worker processes (env QA_WORKERS, default 1)")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"],
                   help="uvicorn log level (default info)")
    p.add_argument("--no-access-log", dest="access_log", action="store_false",
                   help="do not log each request (env QA_ACCESS_LOG=false)")
    p.set_defaults(func=cmd_serve)

    w = sub.add_parser(
        "worker", help="run background jobs (regenerations) from the queue",
        description="Claim queued jobs (editors' background regenerations) and run them, until SIGTERM or "
                    "Ctrl-C; the job in hand finishes first. Run as many as you like, on any machine that "
                    "reaches the database: each job runs once, and a job whose worker was killed is retried "
                    "after QA_JOB_LEASE_SECONDS.",
    )
    w.add_argument("--once", action="store_true", help="run one job if one is waiting, then exit")
    w.set_defaults(func=cmd_worker)
