"""The index against a real Chroma server (`chroma run`) through HttpClient, as a
multi-machine deployment would use it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from qa_service.ingest.documents import load_paths
from qa_service.services import Services
from qa_service.settings import Settings

from .conftest import ARTICLE_ID, CORPUS

pytestmark = pytest.mark.integration


def test_ingest_and_search_through_a_chroma_server(tmp_path: Path, chroma_server: int, embedder) -> None:  # noqa: ANN001
    settings = Settings(data_dir=tmp_path / "a", chroma_host="127.0.0.1", chroma_port=chroma_server,
                        collection=f"c{uuid.uuid4().hex[:12]}")
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
