"""Whole documents as numbered passages: takeaways cite the article itself,
and an LLM writing suggestions reads the article and then its sources."""

from __future__ import annotations

from qa_service.answering.generation import Passage
from qa_service.models import RetrievedChunk
from qa_service.store.corpus import CorpusStore


def document_passages(store: CorpusStore, doc_id: str, first: int = 1) -> list[Passage]:
    """Every chunk of the document, in order, numbered from ``first``."""
    doc = store.get_document(doc_id)
    chunks = store.chunks(store.chunk_ids(doc_id))
    return [
        Passage(first + i, RetrievedChunk(doc_id=c.doc_id, chunk_id=c.id, score=1.0, start=c.start, end=c.end,
                                          text=c.text, heading=c.heading, title=doc.title if doc else "",
                                          flagged=doc.flagged_spans(c.start, c.end) if doc else [],
                                          boilerplate=doc.boilerplate_spans(c.start, c.end) if doc else []))
        for i, c in enumerate(chunks)
    ]


def scope_passages(store: CorpusStore, article_id: str) -> list[Passage]:
    """The article's chunks first, then its sources', numbered across all."""
    passages: list[Passage] = []
    for doc_id in store.scope(article_id):
        passages.extend(document_passages(store, doc_id, first=len(passages) + 1))
    return passages
