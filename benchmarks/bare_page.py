"""The yardstick for benchmarks/reader_load.py: a bare FastAPI app that serves
one fixed page (the bytes of the real article page, read from the file named
by BARE_PAGE_FILE) and does nothing else. Served by the same uvicorn, with the
same worker count, it shows what the stack itself can do on this machine.

    BARE_PAGE_FILE=page.html uvicorn bare_page:create_app --factory --app-dir benchmarks --workers 2
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import Response


def create_app() -> FastAPI:
    body = Path(os.environ["BARE_PAGE_FILE"]).read_bytes()
    app = FastAPI()

    @app.get("/page")
    async def page() -> Response:
        return Response(body, media_type="text/html; charset=utf-8")

    return app
