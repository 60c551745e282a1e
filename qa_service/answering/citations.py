"""Citation verification: every answer sentence is aligned to the passage span
that best supports it. A citation survives only if it names a retrieved passage
and its quote is an exact document span that the grounding checker accepts;
model-written [n] markers are hints, never trusted. A sentence that reads as
an instruction to a model, or repeats text flagged at ingest as addressed to
one, is dropped whatever it cites (issue 13): a model that obeyed a poisoned
source must not get the injected claim verified against an innocent span."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from qa_service.answering.evidence import passage_sentences
from qa_service.answering.generation import Passage
from qa_service.grounding.alignment import is_pronoun_chain, is_verbatim, shortlist
from qa_service.grounding.checker import GroundingChecker
from qa_service.ingest.instructions import instruction_reason
from qa_service.models import Citation, Document
from qa_service.text import LIST_PREFIX, marker_numbers, sentences_keeping_markers, strip_markers, terms


@dataclass(frozen=True)
class Span:
    passage: int
    doc_id: str
    chunk_id: str
    start: int
    end: int
    text: str


@dataclass
class VerifiedCitation:
    n: int
    span: Span
    score: float


@dataclass
class Verified:
    text: str
    citations: list[VerifiedCitation] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    supported: int = 0  # sentences kept with a verified citation


def citation_for(verified: VerifiedCitation, doc: Document | None, n: int | None = None) -> Citation:
    """The Citation a reader sees for a verified span: its quote is exactly the
    document's text from ``start`` to ``end``, with the document's title,
    publisher, date and link. ``n`` renumbers it (default: as verified)."""
    span = verified.span
    return Citation(
        n=verified.n if n is None else n, doc_id=span.doc_id, chunk_id=span.chunk_id,
        title=doc.title if doc else "", url=doc.url if doc else "", publisher=doc.publisher if doc else "",
        published=doc.published if doc else "", quote=doc.text[span.start:span.end] if doc else span.text,
        start=span.start, end=span.end, score=round(verified.score, 4),
    )


def candidate_spans(passages: Sequence[Passage]) -> list[Span]:
    """Each sentence of each passage, and each pair of neighbouring sentences
    (a claim often joins two)."""
    spans: list[Span] = []
    chunk_of = {p.n: p.chunk.chunk_id for p in passages}
    chunk_of_n = {p.n: p.chunk for p in passages}
    text_of = {p.n: (p.chunk.start, p.chunk.text) for p in passages}
    sentences = passage_sentences(passages)
    for i, (n, doc_id, start, end, text) in enumerate(sentences):
        spans.append(Span(n, doc_id, chunk_of[n], start, end, text))
        if i + 1 < len(sentences) and sentences[i + 1][0] == n:
            base, chunk_text = text_of[n]
            nxt_end = sentences[i + 1][3]
            if chunk_of_n[n].is_flagged(start, nxt_end):
                continue  # the pair would straddle a sentence addressed to a model (issue 13)
            spans.append(Span(n, doc_id, chunk_of[n], start, nxt_end, chunk_text[start - base : nxt_end - base]))
            if i + 2 < len(sentences) and sentences[i + 2][0] == n and \
                    is_pronoun_chain(sentences[i + 1][4], sentences[i + 2][4]):
                # "The SIG ... Its first meetings ... They did not ...": a claim resolving
                # both pronouns quotes all three (grounding.alignment.is_resolved_quote)
                end3 = sentences[i + 2][3]
                if not chunk_of_n[n].is_flagged(start, end3):
                    spans.append(Span(n, doc_id, chunk_of[n], start, end3, chunk_text[start - base : end3 - base]))
    return spans


# Candidate spans the checker scores per sentence: a model call costs
# milliseconds and an answer has 100+ spans, so a lexical first stage
# (grounding.alignment.shortlist) keeps the few that hold most of the claim,
# overall and among the passages the sentence cites.
SHORTLIST = 3


def shortlisted(claim: str, spans: Sequence[Span], prefer: set[int], n: int = SHORTLIST) -> list[Span]:
    # a quote scores 1.0, which nothing beats: where there is one, no model call for the rest
    pool = [s for s in spans if is_verbatim(claim, s.text)] or spans
    preferred = [s for s in spans if s.passage in prefer]
    preferred = [s for s in preferred if is_verbatim(claim, s.text)] or preferred
    picked = [pool[i] for i in shortlist(claim, [s.text for s in pool], n)]
    picked += [preferred[i] for i in shortlist(claim, [s.text for s in preferred], n)]
    return list(dict.fromkeys(picked))


def best_span(
    claim: str, spans: Sequence[Span], checker: GroundingChecker, prefer: set[int]
) -> tuple[Span | None, float]:
    best: tuple[Span | None, float] = (None, 0.0)
    best_preferred: tuple[Span | None, float] = (None, 0.0)
    for span in shortlisted(claim, spans, prefer):
        score = checker.score(claim, span.text)
        # on ties the shorter span is the more exact quote
        if score > best[1] or (best[0] and score == best[1] and len(span.text) < len(best[0].text)):
            best = (span, score)
        if span.passage in prefer and (
            score > best_preferred[1]
            or (best_preferred[0] and score == best_preferred[1] and len(span.text) < len(best_preferred[0].text))
        ):
            best_preferred = (span, score)
    if best_preferred[0] is not None and best_preferred[1] >= checker.threshold:
        return best_preferred
    return best


def _is_connective(sentence: str) -> bool:
    """A lead-in such as "Participation includes:" makes no claim of its own."""
    return sentence.rstrip().endswith(":") and len(terms(sentence)) <= 5


def rewrite_claims(draft: str, judge: Callable[[str, str], str | None]) -> str:
    """Walk a draft's lines and sentences, keeping paragraphs and list prefixes.
    ``judge(raw_sentence, claim)`` returns the sentence to show (with its verified
    marker) or None to drop it; lead-ins such as "Measures include:" stay as they are."""
    out_lines: list[str] = []
    for line in draft.splitlines():
        if not line.strip():
            if out_lines and out_lines[-1] != "":
                out_lines.append("")
            continue
        m = LIST_PREFIX.match(line)
        prefix = m.group(1) if m else ""
        body = line[len(prefix):] if m else line.strip()
        body = body.lstrip("#").strip() if body.lstrip().startswith("#") else body
        kept: list[str] = []
        for s, e in sentences_keeping_markers(body):
            raw = body[s:e]
            claim = strip_markers(raw)
            if not claim:
                continue
            if _is_connective(claim):
                kept.append(claim)
                continue
            shown = judge(raw, claim)
            if shown is not None:
                kept.append(shown)
        if kept:
            out_lines.append(prefix + " ".join(kept))
    while out_lines and out_lines[-1] == "":
        out_lines.pop()
    # a trailing lead-in with nothing after it is noise
    if out_lines and _is_connective(out_lines[-1]):
        out_lines.pop()
    return "\n".join(out_lines)


def flagged_texts(passages: Sequence[Passage]) -> list[set[str]]:
    """The content terms of each span of the passages flagged at ingest as
    addressed to a model (what an LLM is shown redacted)."""
    out = []
    for p in passages:
        base, text = p.chunk.start, p.chunk.text
        for s, e in p.chunk.flagged:
            lo, hi = max(s, base), min(e, base + len(text))
            if lo < hi and (ts := set(terms(text[lo - base:hi - base]))):
                out.append(ts)
    return out


# Share of a sentence's content terms that, found in one flagged span, make it
# a repetition of that span: "The Security Implementation Group has been
# dissolved." from "... will be dissolved according to this note".
REPEATS_FLAGGED = 0.75


def repeats_injection(claim: str, flagged: Sequence[set[str]]) -> bool:
    """The sentence reads as an instruction to a model, or says what a flagged
    span says."""
    if instruction_reason(claim) is not None:
        return True
    mine = set(terms(claim))
    return bool(mine) and any(len(mine & f) >= REPEATS_FLAGGED * len(mine) for f in flagged)


class Verifier:
    """Verifies drafts against one answer's passages. A streamed answer is
    verified again each time a sentence completes, so the candidate spans and
    each claim's best span are worked out once per answer, not once per call."""

    def __init__(self, passages: Sequence[Passage], checker: GroundingChecker) -> None:
        self.checker = checker
        self.spans = candidate_spans(passages)
        self.flagged = flagged_texts(passages)
        self._judged: dict[tuple[str, frozenset[int]], tuple[Span | None, float] | None] = {}

    def _best(self, raw: str, claim: str) -> tuple[Span | None, float] | None:
        """The claim's best span and score, or None when it repeats an injection."""
        key = (claim, frozenset(marker_numbers(raw)))
        if key not in self._judged:
            if repeats_injection(claim, self.flagged):
                self._judged[key] = None
            else:
                self._judged[key] = best_span(claim, self.spans, self.checker, set(key[1]))
        return self._judged[key]

    def verify(self, draft: str) -> Verified:
        numbers: dict[tuple[str, int, int], int] = {}
        result = Verified(text="")

        def judge(raw: str, claim: str) -> str | None:
            best = self._best(raw, claim)
            if best is None or best[0] is None or best[1] < self.checker.threshold:
                result.dropped.append(claim)
                return None
            span, score = best
            key = (span.doc_id, span.start, span.end)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                result.citations.append(VerifiedCitation(numbers[key], span, score))
            result.supported += 1
            return f"{claim} [{numbers[key]}]"

        result.text = rewrite_claims(draft, judge)
        return result


def verify(draft: str, passages: Sequence[Passage], checker: GroundingChecker) -> Verified:
    return Verifier(passages, checker).verify(draft)
