"""``qa-service serve``: the reader page, the JSON API and the editor pages
over the data dir, with uvicorn."""

from __future__ import annotations

import argparse
import sys

from qa_service.cli.common import UserError
from qa_service.settings import Settings


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from qa_service.web.app import create_app

    host = args.host or settings.host
    port = args.port or settings.port
    if not settings.sqlite_path.exists():
        raise UserError(f"no data in {settings.data_dir} yet: run `qa-service ingest` first")
    _check_port(host, port)
    app = create_app(settings)
    articles = app.state.services.store.documents(kind="article")
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    print(f"serving {len(articles)} article(s) from {settings.data_dir} on http://{shown}:{port}/ "
          f"(API docs: /docs)", file=sys.stderr)
    uvicorn.run(app, **server_options(host, port), log_level=args.log_level, access_log=args.access_log)
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
        description="Serve the reader pages (/ and /articles/ID), the JSON API (OpenAPI at /docs) and the "
                    "editor pages from the data dir. Answers are read from storage: run `qa-service ingest` "
                    "first, which pre-generates them.",
    )
    p.add_argument("--host", help="bind address (env QA_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (env QA_PORT, default 8000)")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"],
                   help="uvicorn log level (default info)")
    p.add_argument("--no-access-log", dest="access_log", action="store_false", help="do not log each request")
    p.set_defaults(func=cmd_serve)
