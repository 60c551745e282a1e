"""The index against a real Chroma server (`chroma run`) through HttpClient, as a
multi-machine deployment would use it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from qa_service.ingest.documents import load_paths
from qa_service.services import Services
from qa_service.settings import Settings

from .conftest import ARTICLE_ID, CORPUS

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path: Path):  # noqa: ANN201
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("the chroma CLI is not installed")
    port = _free_port()
    log = (tmp_path / "chroma.log").open("w")
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma server did not start: {(tmp_path / 'chroma.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_ingest_and_search_through_a_chroma_server(tmp_path: Path, chroma_server: int, embedder) -> None:  # noqa: ANN001
    settings = Settings(data_dir=tmp_path / "a", chroma_host="127.0.0.1", chroma_port=chroma_server)
    svc = Services(settings, embedder_override=embedder)
    docs, _ = load_paths([CORPUS])
    summary = svc.index.ingest(docs)
    assert summary.chunks > 0
    assert not (tmp_path / "a" / "chroma").exists()  # vectors went to the server, not to local disk
    assert svc.vectors.count() == summary.chunks

    hits = svc.index.search("eTrace ballistic identification 32 states", k=3, article_id=ARTICLE_ID)
    assert hits[0].doc_id == "sig-meetings-mission-firewall"
    answer = svc.answerer("extractive").ask("What is Mission Firewall?", ARTICLE_ID)
    assert answer.status == "answered" and answer.citations
