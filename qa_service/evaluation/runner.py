"""Runs a dataset through the real pipeline (the index, an Answerer, a
grounding checker: the pieces Services builds over a data dir) and scores
every question. Nothing here is mocked: retrieval is the index's
hybrid search, answers come from ``Answerer.ask`` with the chosen generator,
and the citations are checked against the documents in the corpus store."""

from __future__ import annotations

import datetime as dt
import platform
import time
from collections.abc import Callable, Sequence

from qa_service.answering.pipeline import Answerer
from qa_service.evaluation.datasets import EvalItem
from qa_service.evaluation.metrics import (
    answer_shape,
    breakdown,
    fact_found,
    judge_sentence,
    ranked_documents,
    refusal_kind,
    refusal_outcome,
    retrieval_scores,
    split_answer,
    summarise,
)
from qa_service.grounding.checker import GroundingChecker
from qa_service.models import Answer
from qa_service.retrieval.index import CorpusIndex
from qa_service.store.corpus import CorpusStore

RUN_FORMAT = 1


def retrieval_record(index: CorpusIndex, item: EvalItem, k: int) -> dict:
    hits = index.search(item.question, k=k, article_id=item.article_id)
    ranked = ranked_documents(h.doc_id for h in hits)
    record: dict = {"expected": item.expected_doc_ids, "ranked": ranked[:10], "chunks": len(hits)}
    record.update(retrieval_scores(ranked, item.expected_doc_ids))
    return record


def answer_record(store: CorpusStore, item: EvalItem, answer: Answer, checker: GroundingChecker) -> dict:
    """Score one pipeline answer: sentences, citations, refusal, facts."""
    retrieved_ids = [r.chunk_id for r in answer.retrieved]
    passages = [c.text for c in store.chunks(retrieved_ids)]
    quotes = {c.n: c.quote for c in answer.citations}
    docs: dict[str, str | None] = {}
    citations = []
    for c in answer.citations:
        if c.doc_id not in docs:
            doc = store.get_document(c.doc_id)
            docs[c.doc_id] = doc.text if doc else None
        text = docs[c.doc_id]
        exact = text is not None and 0 <= c.start <= c.end <= len(text) and text[c.start:c.end] == c.quote
        citations.append({"n": c.n, "doc_id": c.doc_id, "chunk_id": c.chunk_id, "start": c.start, "end": c.end,
                          "quote": c.quote, "score": c.score, "valid": bool(exact and c.chunk_id in retrieved_ids),
                          "precise": None})
    by_n = {c["n"]: c for c in citations}

    sentences = []
    split = split_answer(answer.answer) if answer.status != "rejected" else []
    gap_statements = [g.statement for g in answer.gaps]
    for s in split:
        row = {"text": s.text, "markers": s.markers, "claim": s.claim, "absence": s.absence,
               "supported_by_citations": None, "supported_by_passages": None}
        if s.claim and not s.absence:
            judgement = judge_sentence(s, quotes, passages, checker)
            row["supported_by_citations"] = judgement.supported_by_citations
            row["supported_by_passages"] = judgement.supported_by_passages
            for n, ok in judgement.citation_support.items():
                # a citation shared by several sentences is precise if it supports any of them
                prev = by_n[n]["precise"]
                by_n[n]["precise"] = bool(prev) or ok
        sentences.append(row)

    kind = refusal_kind(answer.status, split if answer.status == "answered" else [])
    context_ok = all(r["supported_by_citations"] for r in sentences if r["claim"] and not r["absence"])
    correct, label = refusal_outcome(item.answerable, kind, context_ok)

    text = answer.answer if answer.status == "answered" else ""
    forbidden_hits = [f for f in item.forbidden if fact_found(f, answer.answer)]
    facts = [{"fact": f, "found": fact_found(f, text)} for f in item.expected_facts]
    if forbidden_hits:
        correctness = 0.0
        if not item.answerable:
            correct, label = False, "violated"
    elif facts:
        correctness = sum(f["found"] for f in facts) / len(facts)
    else:
        correctness = 1.0
    shape = answer_shape(item.type, item.answerable, item.expected_facts, item.lead_facts, item.gaps,
                         item.correction_facts, answer.status, answer.answer if answer.status != "rejected" else "",
                         split, gap_statements)
    return {
        **shape,
        "answer_gaps": [g.model_dump() for g in answer.gaps],
        "status": answer.status,
        "answer": answer.answer,
        "message": answer.message,
        "generator": answer.generator,
        "fallback_reason": answer.fallback_reason,
        "latency_ms": answer.latency_ms,
        "usage": answer.usage.model_dump() if answer.usage else None,
        "sentences": sentences,
        "dropped_sentences": answer.dropped_sentences,
        "citations": citations,
        "refusal_kind": kind,
        "refusal_correct": correct,
        "refusal_label": label,
        "facts": facts,
        "forbidden_hits": forbidden_hits,
        "correctness": round(correctness, 4),
        "passages": [{"chunk_id": r.chunk_id, "doc_id": r.doc_id} for r in answer.retrieved],
    }


def error_record(item: EvalItem, message: str) -> dict:
    return {"status": "error", "answer": "", "message": message, "generator": "", "fallback_reason": "",
            "latency_ms": 0.0, "usage": None, "sentences": [], "dropped_sentences": [], "citations": [],
            "refusal_kind": "", "refusal_correct": False, "refusal_label": "error", "facts": [],
            "forbidden_hits": [], "correctness": 0.0, "passages": []}


def run_eval(
    index: CorpusIndex,
    answerer: Answerer | None,
    checker: GroundingChecker,
    items: Sequence[EvalItem],
    *,
    k: int = 50,
    progress: Callable[[int], None] | None = None,
    config: dict | None = None,
) -> dict:
    """Score every item; returns the run (config, summary, breakdowns, records).
    ``answerer`` None: retrieval only."""
    retrieval_only = answerer is None
    started = time.perf_counter()
    records = []
    for item in items:
        base = item.model_dump(exclude={"forbidden"}) | {"forbidden": item.forbidden}
        try:
            base["retrieval"] = retrieval_record(index, item, k)
        except Exception as exc:  # noqa: BLE001 - one bad question must not end the run
            base["retrieval"] = {"expected": item.expected_doc_ids, "ranked": [], "chunks": 0,
                                 **retrieval_scores([], item.expected_doc_ids), "error": str(exc)}
        if answerer is not None:
            try:
                answer = answerer.ask(item.question, item.article_id)
                base.update(answer_record(index.store, item, answer, checker))
            except Exception as exc:  # noqa: BLE001 - recorded as an error, counted against the run
                base.update(error_record(item, f"{type(exc).__name__}: {exc}"))
        records.append(base)
        if progress:
            progress(1)
    run = {
        "format": RUN_FORMAT,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "config": {
            "generator": None if retrieval_only else (answerer.generator.name if answerer else None),
            "retrieval_only": retrieval_only,
            "k": k,
            "checker": checker.name,
            "support_threshold": checker.threshold,
            "documents": len(index.store.document_ids()),
            "python": platform.python_version(),
            **(config or {}),
        },
        "wall_seconds": round(time.perf_counter() - started, 2),
        "summary": summarise(records),
        "by_dataset": breakdown(records, "dataset"),
        "by_type": breakdown(records, "type"),
        "by_tag": breakdown(records, "tags"),
        "records": records,
    }
    return run
