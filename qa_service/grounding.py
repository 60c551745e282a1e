"""Is this claim supported by this passage? The grounding checker seam and its
offline implementation (no model download: lexical, numeric, negation and
entity agreement). An LLM-judge implementation sits in adapters/ and shares the
Protocol. Scores are in [0, 1]; ``threshold`` separates supported from not."""

from __future__ import annotations

import re
from typing import Protocol

from .text import STOPWORDS, numbers, stem, terms, words

_NEGATION = {"not", "no", "never", "none", "nor", "neither", "without", "n't", "cannot", "nothing", "unpublished"}
_CITE = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")


class GroundingChecker(Protocol):
    name: str
    threshold: float

    def score(self, claim: str, passage: str) -> float: ...


def strip_markers(sentence: str) -> str:
    return _CITE.sub("", sentence).strip()


def _negated(text: str) -> bool:
    toks = set(words(text))
    return bool(toks & _NEGATION) or "n't" in text.lower() or "has not" in text.lower()


def _entities(text: str) -> set[str]:
    """Capitalised words not at a sentence start: names, places, agencies."""
    out = set()
    for i, w in enumerate(re.findall(r"[A-Za-z][\w.'-]*", text)):
        if i > 0 and w[0].isupper() and w.lower() not in STOPWORDS:
            out.add(stem(w.lower().replace(".", "")))
    return out


class LexicalGroundingChecker:
    """Offline checker: share of the claim's content terms found in the passage,
    with penalties for numbers, names or negation the passage does not carry."""

    name = "offline-lexical"

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold

    def score(self, claim: str, passage: str) -> float:
        claim = strip_markers(claim)
        claim_terms = set(terms(claim))
        if not claim_terms:
            return 0.0
        passage_terms = set(terms(passage))
        recall = len(claim_terms & passage_terms) / len(claim_terms)
        score = recall
        missing_numbers = numbers(claim) - numbers(passage)
        if missing_numbers:
            score *= 0.3
        missing_entities = _entities(claim) - passage_terms
        if missing_entities:
            score *= max(0.4, 1 - 0.25 * len(missing_entities))
        if _negated(claim) != _negated(passage):
            score *= 0.6
        return round(score, 4)

    def supports(self, claim: str, passage: str) -> bool:
        return self.score(claim, passage) >= self.threshold
