"""The OpenAI embeddings adapter against a real HTTP server on 127.0.0.1 that
speaks the /v1/embeddings protocol (vectors derived from word hashes)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from qa_service.ingest.documents import load_paths
from qa_service.services import Services
from qa_service.settings import Settings

from .conftest import CORPUS

DIM = 64


def _vector(text: str) -> list[float]:
    vec = [0.0] * DIM
    for word in text.lower().split():
        vec[int(hashlib.md5(word.strip(".,?\"'").encode()).hexdigest(), 16) % DIM] += 1.0
    norm = sum(v * v for v in vec) ** 0.5 or 1.0
    return [v / norm for v in vec]


class _Handler(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        data = [{"object": "embedding", "index": i, "embedding": _vector(t)} for i, t in enumerate(body["input"])]
        payload = json.dumps({"object": "list", "data": data, "model": body["model"],
                              "usage": {"prompt_tokens": 1, "total_tokens": 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def embeddings_server() -> Iterator[str]:
    _Handler.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_openai_embeddings_build_and_query_the_index(tmp_path, embeddings_server: str) -> None:  # noqa: ANN001
    settings = Settings(data_dir=tmp_path / "d", embedder="openai", openai_embedding_model="test-embed",
                        llm_base_url=embeddings_server, llm_api_key="sk-test", embed_batch=4)
    svc = Services(settings)
    assert svc.embedder.name == "openai:test-embed"
    docs, _ = load_paths([CORPUS])
    summary = svc.index.ingest(docs)
    assert summary.embedded == summary.chunks > 0
    calls = _Handler.requests
    assert all(c["path"] == "/v1/embeddings" and c["model"] == "test-embed" for c in calls)
    assert all(len(c["input"]) <= 4 for c in calls)  # batched as configured
    assert calls[0]["auth"] == "Bearer sk-test"
    hits = svc.index.search("Mission Firewall eTrace ballistic", k=3)
    assert hits[0].doc_id == "sig-meetings-mission-firewall"
    # The collection remembers its embedder: the local model is refused on it.
    from qa_service.adapters.chroma_store import EmbedderMismatchError

    with pytest.raises(EmbedderMismatchError):
        _ = Services(Settings(data_dir=tmp_path / "d")).vectors
