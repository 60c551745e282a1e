"""Ingest and hybrid retrieval over one corpus: the database for text and the
lexical (BM25) index, chroma for vectors. The flow: documents -> chunks ->
vectors -> index. Nothing is built in process memory: a new worker searches
at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from qa_service.ingest.boilerplate import mark_boilerplate
from qa_service.ingest.chunking import chunk_document, doc_id_of
from qa_service.ingest.instructions import flag_document
from qa_service.models import Chunk, Document, FlaggedSentence, RetrievedChunk
from qa_service.retrieval.embeddings import Embedder
from qa_service.retrieval.lexical import TermWeights
from qa_service.store.corpus import CorpusStore
from qa_service.text import terms

Progress = Callable[[int], None]


@dataclass
class IngestSummary:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    chunks: int = 0  # chunks written (new or changed documents)
    embedded: int = 0  # chunks that needed a new vector
    tokens: int = 0
    # Per document id: spans addressed to a model (ingest/instructions.py), for
    # every document ingested, unchanged ones included, with their text.
    flagged: dict[str, list[tuple[FlaggedSentence, str]]] = field(default_factory=dict)
    repaired: dict[str, object] | None = None  # with prune: the vector/chunk reconciliation (Consistency)

    @property
    def changed(self) -> list[str]:
        return self.added + self.updated + self.removed

    def as_dict(self) -> dict[str, object]:
        return {
            "added": len(self.added), "updated": len(self.updated), "unchanged": len(self.unchanged),
            "removed": len(self.removed), "chunks": self.chunks, "embedded": self.embedded, "tokens": self.tokens,
            "flagged": {doc_id: [{**f.model_dump(), "text": text} for f, text in flags]
                        for doc_id, flags in self.flagged.items()},
            **({"repaired": self.repaired} if self.repaired is not None else {}),
        }


@dataclass
class Consistency:
    """How the two halves of the index agree: every SQLite chunk should have a
    vector in chroma, and every vector a chunk. They are written one after the
    other (vectors first), so a process killed in between leaves vectors no
    chunk owns; a lost chroma write leaves chunks no search can find densely."""

    chunks: int = 0
    vectors: int = 0
    orphan_vectors: list[str] = field(default_factory=list)  # in chroma, no SQLite chunk
    missing_vectors: list[str] = field(default_factory=list)  # SQLite chunks without a vector
    deleted: int = 0  # orphan vectors removed by a repair
    embedded: int = 0  # missing vectors embedded by a repair

    @property
    def ok(self) -> bool:
        return not self.orphan_vectors and not self.missing_vectors

    def as_dict(self) -> dict[str, object]:
        return {"chunks": self.chunks, "vectors": self.vectors, "orphan_vectors": len(self.orphan_vectors),
                "missing_vectors": len(self.missing_vectors), "deleted": self.deleted, "embedded": self.embedded,
                "ok": self.ok}


class VectorStore:  # the Protocol the index needs from chroma (or a fake)
    def all_ids(self) -> set[str]: ...
    def existing(self, ids: Sequence[str]) -> set[str]: ...
    def add(self, ids: Sequence[str], embeddings: Sequence[Sequence[float]], doc_ids: Sequence[str]) -> None: ...
    def delete(self, ids: Sequence[str]) -> None: ...
    def query(self, embedding: Sequence[float], n: int, doc_ids: Sequence[str] | None = None) -> list[tuple[str, float]]: ...


class CorpusIndex:
    def __init__(
        self,
        store: CorpusStore,
        vectors: VectorStore,
        embedder: Embedder,
        *,
        chunk_tokens: int = 256,
        chunk_overlap: int = 48,
        rrf_k: int = 60,
        candidates: int = 50,
    ) -> None:
        self.store = store
        self.vectors = vectors
        self.embedder = embedder
        self.chunk_tokens = chunk_tokens
        self.chunk_overlap = chunk_overlap
        self.rrf_k = rrf_k
        self.candidates = candidates
        self._weights = TermWeights(store)

    # ------------------------------------------------------------------ ingest
    def ingest(
        self,
        docs: Sequence[Document],
        *,
        prune: bool = False,
        progress: Progress | None = None,
        batch_docs: int = 32,
    ) -> IngestSummary:
        """Bring the index in line with ``docs``. Unchanged documents (same content
        hash) cost nothing; a changed one replaces its chunks, re-embedding only
        chunks whose text is new; ``prune`` removes documents not in ``docs``."""
        summary = IngestSummary()
        known = self.store.hashes()
        todo: list[tuple[Document, list[Chunk]]] = []
        # Text addressed to a model is flagged here, and page furniture marked,
        # whoever built the Document, so no path into the index skips the checks.
        docs = [mark_boilerplate(flag_document(doc)) for doc in docs]
        for doc in docs:
            if doc.flagged:
                summary.flagged[doc.id] = [(f, doc.flagged_text(f)) for f in doc.flagged]
            old = known.get(doc.id)
            if old == doc.content_hash():
                summary.unchanged.append(doc.id)
                if progress:
                    progress(1)
                continue
            (summary.updated if old else summary.added).append(doc.id)
            todo.append((doc, []))

        # Batch several documents per embedding call: small documents would
        # otherwise waste the batch.
        for b in range(0, len(todo), batch_docs):
            batch = todo[b : b + batch_docs]
            for i, (doc, _) in enumerate(batch):
                batch[i] = (doc, chunk_document(doc, self.chunk_tokens, self.chunk_overlap))
            all_chunks = [c for _, chunks in batch for c in chunks]
            have = self.vectors.existing([c.id for c in all_chunks])
            fresh = [c for c in all_chunks if c.id not in have]
            if fresh:
                vectors = self.embedder.embed([c.embed_text for c in fresh])
                self.vectors.add([c.id for c in fresh], vectors, [c.doc_id for c in fresh])
            summary.embedded += len(fresh)
            stale: set[str] = set()
            for doc, chunks in batch:
                stale |= set(self.store.chunk_ids(doc.id)) - {c.id for c in chunks}
            self.store.put_documents(batch)  # the whole batch in one transaction, or none of it
            if stale:
                self.vectors.delete(sorted(stale))
            for _, chunks in batch:
                summary.chunks += len(chunks)
                summary.tokens += sum(c.tokens for c in chunks)
                if progress:
                    progress(1)

        if prune:
            keep = {d.id for d in docs}
            for doc_id in self.store.document_ids():
                if doc_id not in keep:
                    self.remove(doc_id)
                    summary.removed.append(doc_id)
            # Pruning is a full reconciliation: vectors and chunks left unmatched
            # by an interrupted ingest are fixed too.
            summary.repaired = self.repair().as_dict()
        return summary

    def check(self) -> Consistency:
        """Compare the chunk ids in SQLite with the vector ids in chroma."""
        chunk_ids = self.store.all_chunk_ids()
        vector_ids = self.vectors.all_ids()
        return Consistency(chunks=len(chunk_ids), vectors=len(vector_ids),
                           orphan_vectors=sorted(vector_ids - chunk_ids), missing_vectors=sorted(chunk_ids - vector_ids))

    def repair(self, progress: Progress | None = None, batch: int = 64) -> Consistency:
        """Delete vectors no chunk owns and embed chunks that have none, then
        check again: afterwards both sides hold the same ids."""
        before = self.check()
        if before.orphan_vectors:
            self.vectors.delete(before.orphan_vectors)
        for b in range(0, len(before.missing_vectors), batch):
            chunks = self.store.chunks(before.missing_vectors[b : b + batch])
            if chunks:
                vectors = self.embedder.embed([c.embed_text for c in chunks])
                self.vectors.add([c.id for c in chunks], vectors, [c.doc_id for c in chunks])
            if progress:
                progress(len(chunks))
        after = self.check()
        after.deleted, after.embedded = len(before.orphan_vectors), len(before.missing_vectors)
        return after

    def remove(self, doc_id: str) -> None:
        ids = self.store.chunk_ids(doc_id)
        self.store.delete_document(doc_id)
        if ids:
            self.vectors.delete(ids)

    # --------------------------------------------------------------- retrieval
    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term over chunks (rare = high)."""
        return self._weights.idf(term)

    def search(self, query: str, *, k: int = 8, article_id: str | None = None) -> list[RetrievedChunk]:
        """Hybrid retrieval: dense chunks + BM25 chunks + BM25 documents, fused by
        reciprocal rank fusion, near-duplicates removed; scoped to an article and
        its sources when ``article_id`` is given."""
        scope = self.store.scope(article_id) if article_id else None
        n = max(self.candidates, k)

        dense = self.vectors.query(self.embedder.embed([query])[0], n, scope)
        lexical = self.store.search_chunks(query, n, scope)
        doc_rank = {d: r for r, (d, _) in enumerate(self.store.search_documents(query, n, scope))}

        fused: dict[str, float] = {}
        dense_rank: dict[str, int] = {}
        lexical_rank: dict[str, int] = {}
        chunk_doc = {cid: did for cid, did, _ in lexical}
        for rank, (cid, _) in enumerate(dense):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (self.rrf_k + rank + 1)
            dense_rank[cid] = rank + 1
        for rank, (cid, _, _) in enumerate(lexical):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (self.rrf_k + rank + 1)
            lexical_rank[cid] = rank + 1
        for cid in fused:
            did = chunk_doc.get(cid) or doc_id_of(cid)
            if did in doc_rank:
                fused[cid] += 0.5 / (self.rrf_k + doc_rank[did] + 1)

        ranked = sorted(fused.items(), key=lambda kv: -kv[1])
        chunks = {c.id: c for c in self.store.chunks([cid for cid, _ in ranked[: k * 3]])}
        titles = self.store.titles({c.doc_id for c in chunks.values()})
        spans = self.store.marked_spans({c.doc_id for c in chunks.values()})
        out: list[RetrievedChunk] = []
        kept_terms: list[set[str]] = []
        for cid, score in ranked:
            chunk = chunks.get(cid)
            if chunk is None:
                continue
            shingles = set(terms(chunk.text))
            if any(_overlap(shingles, other) > 0.8 for other in kept_terms):
                continue  # near-duplicate of a better-ranked chunk
            kept_terms.append(shingles)
            out.append(RetrievedChunk(
                doc_id=chunk.doc_id, chunk_id=cid, score=round(score, 6), start=chunk.start, end=chunk.end,
                text=chunk.text, heading=chunk.heading, title=titles.get(chunk.doc_id, chunk.doc_id),
                dense_rank=dense_rank.get(cid), lexical_rank=lexical_rank.get(cid),
                flagged=[(s, e) for s, e in spans.get(chunk.doc_id, ([], []))[0] if s < chunk.end and e > chunk.start],
                boilerplate=[(s, e) for s, e in spans.get(chunk.doc_id, ([], []))[1]
                             if s < chunk.end and e > chunk.start],
            ))
            if len(out) >= k:
                break
        return out


def _overlap(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
