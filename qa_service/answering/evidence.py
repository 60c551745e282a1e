"""Sentence-level evidence: which sentences of the retrieved passages bear on the
question, and how strongly. Drives the "not in sources" decision and the
extractive generator."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qa_service.answering.generation import Passage
from qa_service.retrieval.embeddings import EmbeddingCache
from qa_service.text import is_heading_at, sentence_spans, terms

# Sentences that lean on the one before them for their subject.
ANAPHORA = re.compile(r"^(?:It|Its|They|Their|Them|This|These|That|Those|He|She|His|Her|Such|At them|The group)\b")


@dataclass
class EvidenceSentence:
    passage: int  # Passage.n
    doc_id: str
    start: int  # offsets into the document text
    end: int
    text: str
    score: float
    similarity: float
    coverage: float


def passage_sentences(passages: Sequence[Passage]) -> list[tuple[int, str, int, int, str]]:
    """(passage n, doc id, start, end, text) for every sentence, offsets into the document."""
    out = []
    for p in passages:
        base = p.chunk.start
        for s, e in sentence_spans(p.chunk.text):
            if is_heading_at(p.chunk.text, s):
                continue  # headings are context, not claims to quote
            if p.chunk.is_flagged(base + s, base + e):
                continue  # addressed to a model (flagged at ingest): material, never evidence (issue 13)
            out.append((p.n, p.chunk.doc_id, base + s, base + e, p.chunk.text[s:e]))
    return out


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# What kind of phrase answers the question: a date for "when", a number for "how many".
_DAY = rf"\b(?:{_MONTHS})\s+\d{{1,2}}\b|\b\d{{1,2}}\s+(?:{_MONTHS})\b|\b\d{{4}}-\d\d-\d\d\b"
_ANSWER_TYPES = [
    # "On what exact date ...": a day, not just a month
    (re.compile(r"^\s*(?:on\s+)?(?:what|which)\s+(?:exact\s+|specific\s+)?(?:date|day)\b", re.I), re.compile(_DAY)),
    (re.compile(r"^\s*(?:when|(?:in\s+)?what\s+(?:year|month|time))\b", re.I),
     re.compile(rf"\b(?:1[89]|20)\d\d\b|\b(?:{_MONTHS})\b")),
    (re.compile(r"^\s*how (?:many|much)\b", re.I),
     re.compile(r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|"
                r"thousands?|millions?|billions?)\b", re.I)),
]
# Dates are not quantities: "in February 2026" does not answer "how many".
_DATES = re.compile(_DAY + rf"|\b(?:1[89]|20)\d\d\b|\b(?:{_MONTHS})\b")


# A sentence that says something has not been made public: the honest answer
# to a question about it ("No detailed protocol has been published").
GAP = re.compile(
    r"\b(?:not|no|never|nor|without|yet to)\b[^.;]*?\b(?:publish|announc|disclos|releas|specif|list|describ|identif|"
    r"detail|report|public|made|say|said|mention|set out|spell|creat)", re.I)


def _quantity_of(text: str, number: re.Pattern[str], head: str) -> bool:
    """A number within a few words before the thing counted ("six agencies",
    "32 Mexican states"); without a head noun, any number that is not a date."""
    tokens = [w for w in _DATES.sub(" ", text).split() if w]
    for i, tok in enumerate(tokens):
        if number.fullmatch(tok.strip(".,;:()\"'$%")) or re.match(r"^\$?\d", tok):
            if not head or head in terms(" ".join(tokens[i + 1 : i + 5])):
                return True
    return False


def answer_type(question: str) -> Callable[[str], bool] | None:
    """A test for sentences of the kind that can answer the question (a date for
    "when", a quantity for "how many"), or None for open questions."""
    for i, (asks, answers) in enumerate(_ANSWER_TYPES):
        if asks.search(question):
            if i == len(_ANSWER_TYPES) - 1:
                # A quantity of the thing asked about ("how many agencies" -> "six
                # agencies"), looking past dates: "two governments" does not say
                # how many people died.
                rest = terms(question[asks.search(question).end():])
                head = rest[0] if rest else ""
                return lambda text, answers=answers, head=head: _quantity_of(text, answers, head)
            return lambda text, answers=answers: bool(answers.search(text))
    return None


def rank_evidence(
    question: str,
    passages: Sequence[Passage],
    cache: EmbeddingCache,
    idf: Callable[[str], float] | None = None,
) -> list[EvidenceSentence]:
    """Every sentence of the passages scored against the question, best first.
    Score = 0.55 * cosine similarity + 0.45 * IDF²-weighted share of the question's
    content terms found in the sentence or its section heading."""
    sentences = passage_sentences(passages)
    if not sentences:
        return []
    q_terms = list(dict.fromkeys(terms(question)))
    # Squared IDF: the question's rare words ('chairs', 'eTrace') carry its focus.
    weights = {t: (idf(t) ** 2 if idf else 1.0) for t in q_terms}
    total = sum(weights.values()) or 1.0
    headings = {p.n: set(terms(p.chunk.heading)) for p in passages}
    wants = answer_type(question)
    vecs = cache.embed([question] + [s[4] for s in sentences])
    sims = vecs[1:] @ vecs[0]
    out = []
    seen: set[tuple[str, int, int]] = set()
    prev_terms: set[str] = set()
    prev_n = -1
    for (n, doc_id, start, end, text), sim in zip(sentences, sims, strict=True):
        own_terms = set(terms(text))
        # "It was created in 2025": the pronoun's antecedent is in the sentence before.
        context = prev_terms if (n == prev_n and ANAPHORA.match(text)) else set()
        prev_terms, prev_n = own_terms, n
        key = (doc_id, start, end)
        if key in seen:  # overlapping chunks repeat sentences
            continue
        seen.add(key)
        s_terms = own_terms | context
        covered = sum(w for t, w in weights.items() if t in s_terms)
        covered += 0.5 * sum(w for t, w in weights.items() if t not in s_terms and t in headings[n])
        coverage = covered / total if q_terms else 0.0
        score = 0.55 * float(sim) + 0.45 * coverage
        if wants is not None and wants(text):
            score += 0.1
        out.append(EvidenceSentence(n, doc_id, start, end, text, round(score, 4), round(float(sim), 4),
                                    round(coverage, 4)))
    out.sort(key=lambda e: -e.score)
    return out
