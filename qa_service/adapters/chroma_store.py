"""Vectors in chromadb: an embedded PersistentClient by default, a Chroma server
(HttpClient) when QA_CHROMA_HOST is set. Only ids, vectors and the document id
are stored here; chunk text lives in SQLite."""

from __future__ import annotations

from collections.abc import Sequence

import chromadb
from chromadb.config import Settings as ChromaSettings

from qa_service.settings import Settings


class EmbedderMismatchError(RuntimeError):
    pass


def make_chroma_client(settings: Settings) -> chromadb.ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


class ChromaVectorStore:
    def __init__(self, client: chromadb.ClientAPI, name: str, embedder_name: str) -> None:
        self.client = client
        self.name = name
        self.embedder_name = embedder_name
        collection = client.get_or_create_collection(
            name, metadata={"hnsw:space": "cosine", "embedder": embedder_name}, embedding_function=None
        )
        built_with = (collection.metadata or {}).get("embedder")
        if built_with and built_with != embedder_name:
            raise EmbedderMismatchError(
                f"collection {name!r} was built with embedder {built_with!r}, but {embedder_name!r} is configured; "
                f"re-ingest into a new data dir or set QA_COLLECTION to a new name"
            )
        self.collection = collection

    def count(self) -> int:
        return self.collection.count()

    def all_ids(self) -> set[str]:
        """Every vector id in the collection (paged: a large collection is never fetched at once)."""
        found: set[str] = set()
        offset, page = 0, 5000
        while True:
            ids = self.collection.get(include=[], limit=page, offset=offset)["ids"]
            found.update(ids)
            if len(ids) < page:
                return found
            offset += page

    def existing(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for b in range(0, len(ids), 1000):
            found.update(self.collection.get(ids=list(ids[b : b + 1000]), include=[])["ids"])
        return found

    def add(self, ids: Sequence[str], embeddings: Sequence[Sequence[float]], doc_ids: Sequence[str]) -> None:
        for b in range(0, len(ids), 1000):
            self.collection.upsert(
                ids=list(ids[b : b + 1000]),
                embeddings=[list(e) for e in embeddings[b : b + 1000]],
                metadatas=[{"doc_id": d} for d in doc_ids[b : b + 1000]],
            )

    def delete(self, ids: Sequence[str]) -> None:
        for b in range(0, len(ids), 1000):
            self.collection.delete(ids=list(ids[b : b + 1000]))

    def query(self, embedding: Sequence[float], n: int, doc_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first, optionally within some documents.
        Chroma returns fewer than ``n`` when it holds fewer (counting first would
        cost more than the query: 10-15 ms at 100k vectors)."""
        where = None
        if doc_ids is not None:
            if not doc_ids:
                return []
            where = {"doc_id": {"$in": list(doc_ids)}} if len(doc_ids) > 1 else {"doc_id": doc_ids[0]}
        res = self.collection.query(
            query_embeddings=[list(embedding)], n_results=n, where=where, include=["distances"]
        )
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(res["ids"][0], res["distances"][0], strict=True)]
