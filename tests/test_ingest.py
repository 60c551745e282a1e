from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from qa_service.adapters.chroma_store import ChromaVectorStore, EmbedderMismatchError, make_chroma_client
from qa_service.ingest.documents import load_paths
from qa_service.services import Services
from qa_service.settings import Settings

from .conftest import CORPUS


class CountingEmbedder:
    """Wraps the real embedder and counts what it is asked to embed."""

    def __init__(self, inner) -> None:  # noqa: ANN001
        self.inner = inner
        self.name = inner.name
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(len(texts))
        return self.inner.embed(texts)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


def _ingest(svc: Services, path: Path, prune: bool = False):  # noqa: ANN202
    docs, problems = load_paths([path])
    assert not problems
    return svc.index.ingest(docs, prune=prune)


def test_reingest_is_idempotent_and_costs_nothing(settings: Settings, embedder, corpus_copy: Path) -> None:  # noqa: ANN001
    counting = CountingEmbedder(embedder)
    svc = Services(settings, embedder_override=counting)
    first = _ingest(svc, corpus_copy)
    assert len(first.added) == 6 and first.chunks > 6
    chunk_count = svc.vectors.count()
    embedded_before = sum(counting.calls)
    version = svc.store.version()

    again = _ingest(svc, corpus_copy)
    assert (len(again.added), len(again.updated), len(again.unchanged), again.chunks) == (0, 0, 6, 0)
    assert sum(counting.calls) == embedded_before  # nothing embedded again
    assert svc.vectors.count() == chunk_count
    assert svc.store.version() == version


def test_changed_document_replaces_its_chunks_and_embeds_only_new_text(
    settings: Settings, embedder, corpus_copy: Path  # noqa: ANN001
) -> None:
    counting = CountingEmbedder(embedder)
    svc = Services(settings, embedder_override=counting)
    _ingest(svc, corpus_copy)
    path = corpus_copy / "sig-meetings-mission-firewall.md"
    old_ids = set(svc.store.chunk_ids("sig-meetings-mission-firewall"))
    path.write_text(path.read_text() + "\n## Update\n\nA new paragraph about a zebra crossing inspection.\n")
    counting.calls.clear()

    summary = _ingest(svc, corpus_copy)
    assert summary.updated == ["sig-meetings-mission-firewall"]
    new_ids = set(svc.store.chunk_ids("sig-meetings-mission-firewall"))
    assert new_ids != old_ids
    assert summary.embedded == len(new_ids - old_ids) < len(new_ids)  # unchanged chunks kept their vectors
    assert svc.vectors.existing(sorted(old_ids - new_ids)) == set()  # stale vectors gone
    hits = svc.index.search("zebra crossing inspection", k=1)
    assert hits[0].doc_id == "sig-meetings-mission-firewall" and "zebra" in hits[0].text


def test_prune_removes_documents_that_are_gone(settings: Settings, embedder, corpus_copy: Path) -> None:  # noqa: ANN001
    svc = Services(settings, embedder_override=embedder)
    _ingest(svc, corpus_copy)
    gone_chunks = svc.store.chunk_ids("crs-mexico-security-funding")
    (corpus_copy / "crs-mexico-security-funding.md").unlink()
    kept = _ingest(svc, corpus_copy)
    assert kept.removed == []  # without --prune nothing is removed
    pruned = _ingest(svc, corpus_copy, prune=True)
    assert pruned.removed == ["crs-mexico-security-funding"]
    assert svc.store.get_document("crs-mexico-security-funding") is None
    assert svc.vectors.existing(gone_chunks) == set()


def test_collection_refuses_a_different_embedder(settings: Settings) -> None:
    client = make_chroma_client(settings)
    ChromaVectorStore(client, "chunks", "local:model-a")
    with pytest.raises(EmbedderMismatchError, match="model-a"):
        ChromaVectorStore(client, "chunks", "openai:model-b")
