"""Hand edits and diffs of answer versions. An edit is verified like
generated text: every sentence must name one of the base version's sources,
and that source must support it."""

from __future__ import annotations

import difflib

from qa_service.answering.citations import Span, VerifiedCitation, candidate_spans, citation_for, rewrite_claims
from qa_service.answering.generation import Passage
from qa_service.editor.errors import SentenceProblem
from qa_service.grounding.checker import GroundingChecker
from qa_service.models import Citation, RetrievedChunk
from qa_service.store.answers import AnswerVersion
from qa_service.store.corpus import CorpusStore
from qa_service.text import LIST_PREFIX, marker_numbers, sentences_keeping_markers, strip_markers, terms


def verify_edit(text: str, base: AnswerVersion, store: CorpusStore,
                checker: GroundingChecker) -> tuple[str, list[Citation], list[SentenceProblem]]:
    """An editor's text checked sentence by sentence: each sentence must cite
    ([n]) one of the base version's sources, and that source must support it
    (the quoted span, or another sentence of the same passage, which then
    becomes the quote). Returns the text with its markers renumbered, the new
    citations, and a problem for every sentence that failed."""
    pool = {c.n: c for c in base.answer.citations}
    spans_of: dict[int, list[Span]] = {}
    problems: list[SentenceProblem] = []
    numbers: dict[tuple[str, int, int], int] = {}
    chosen: list[tuple[Citation, Span, float]] = []

    def judge(raw: str, claim: str) -> str | None:
        cited = sorted(marker_numbers(raw))
        if not cited:
            problems.append(SentenceProblem(claim, "no citation: end the sentence with [n] naming the "
                                                   "source that says it"))
            return None
        unknown = [n for n in cited if n not in pool]
        if unknown:
            have = f"1-{len(pool)}" if pool else "none; regenerate first"
            problems.append(SentenceProblem(
                claim, f"[{unknown[0]}] is not one of this answer's sources (sources: {have})", unknown[0]))
            return None
        best: tuple[Citation, Span, float] | None = None
        best_score, best_n = -1.0, cited[0]
        for n in cited:
            for span in _spans_for(pool[n], spans_of, n, store):
                score = checker.score(claim, span.text)
                if score > best_score or (score == best_score and best and len(span.text) < len(best[1].text)):
                    best_score, best, best_n = score, (pool[n], span, score), n
        if best is None or best_score < checker.threshold:
            quote = pool[best_n].quote
            missing = sorted(set(terms(claim)) - set(terms(quote)))
            why = (f"source [{best_n}] does not support it (grounding {max(best_score, 0):.2f} < "
                   f"{checker.threshold:.2f})")
            if missing:
                why += f"; not in the source: {', '.join(missing[:6])}"
            problems.append(SentenceProblem(claim, why, best_n))
            return None
        cit, span, score = best
        key = (span.doc_id, span.start, span.end)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            chosen.append((cit, span, score))
        return f"{claim} [{numbers[key]}]"

    checked_text = rewrite_claims(text, judge)
    if not problems and not chosen:
        problems.append(SentenceProblem(text[:80], "the answer cites nothing: every claim needs a source"))
    citations = [citation_for(VerifiedCitation(i, span, score), store.get_document(span.doc_id))
                 for i, (_, span, score) in enumerate(chosen, 1)]
    return checked_text, citations, problems

def _spans_for(citation: Citation, cache: dict[int, list[Span]], n: int, store: CorpusStore) -> list[Span]:
    """The cited quote itself, then every sentence (and neighbouring pair) of
    the passage it came from."""
    if n in cache:
        return cache[n]
    spans = [Span(n, citation.doc_id, citation.chunk_id, citation.start, citation.end, citation.quote)]
    chunks = store.chunks([citation.chunk_id]) if citation.chunk_id else []
    for c in chunks:
        doc = store.get_document(c.doc_id)
        # Text addressed to a model is no source for an edit either.
        rc = RetrievedChunk(doc_id=c.doc_id, chunk_id=c.id, score=1.0, start=c.start, end=c.end, text=c.text,
                            heading=c.heading, flagged=doc.flagged_spans(c.start, c.end) if doc else [])
        spans.extend(candidate_spans([Passage(n, rc)]))
    cache[n] = spans
    return spans


def diff_versions(left: AnswerVersion, right: AnswerVersion) -> dict[str, object]:
    """Side-by-side rows of two versions, sentence by sentence."""
    a, b = answer_sentences(left.answer.answer), answer_sentences(right.answer.answer)
    rows: list[dict[str, object]] = []
    matcher = difflib.SequenceMatcher(a=[strip_markers(x) for x in a], b=[strip_markers(x) for x in b],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        span = max(i2 - i1, j2 - j1)
        for k in range(span):
            rows.append({"tag": tag,
                         "left": a[i1 + k] if i1 + k < i2 else None,
                         "right": b[j1 + k] if j1 + k < j2 else None})
    return {"left": left, "right": right, "rows": rows,
            "changed": sum(r["tag"] != "equal" for r in rows)}


def answer_sentences(text: str) -> list[str]:
    """An answer's sentences with their markers, list items keeping their bullet."""
    out: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        m = LIST_PREFIX.match(line)
        prefix = m.group(1) if m else ""
        body = line[len(prefix):]
        parts = [body[s:e].strip() for s, e in sentences_keeping_markers(body) if body[s:e].strip()]
        if parts and prefix:
            parts[0] = prefix.strip() + " " + parts[0]
        out.extend(parts)
    return out
