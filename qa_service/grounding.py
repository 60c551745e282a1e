"""Is this claim supported by this passage? The grounding checker seam and its
offline implementations. An LLM-judge implementation sits in
adapters/llm_judge.py and shares the Protocol. Scores are in [0, 1];
``threshold`` separates supported from not.

The default offline checker (``CalibratedGroundingChecker``) needs no model
download: it measures lexical, bigram, numeric, entity and negation agreement
between each claim sentence and the best-matching window of the passage, and
combines them with a logistic model whose weights are fitted by
``evals/fit_grounding.py`` (cross-validated on SummEdits, signs constrained so
that more agreement can never lower the score) and shipped as package data.
A claim found verbatim in the passage scores 1.0 without any arithmetic, so
extractive answers always verify."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Protocol

from .text import STOPWORDS, numbers, sentence_spans, stem, terms, words

_NEGATION = {"not", "no", "never", "none", "nor", "neither", "without", "n't", "cannot", "nothing", "unpublished"}
_CITE = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")
WEIGHTS_RESOURCE = "grounding_weights.json"


class GroundingChecker(Protocol):
    name: str
    threshold: float

    def score(self, claim: str, passage: str) -> float: ...


def strip_markers(sentence: str) -> str:
    return _CITE.sub("", sentence).strip()


def _negated(text: str) -> bool:
    toks = set(words(text))
    low = text.lower()
    return bool(toks & _NEGATION) or "n't" in low or "n’t" in low


def _entities(text: str) -> set[str]:
    """Capitalised words not at a sentence start: names, places, agencies."""
    out = set()
    for i, w in enumerate(re.findall(r"[A-Za-z][\w.'-]*", text)):
        if i > 0 and w[0].isupper() and w.lower() not in STOPWORDS:
            out.add(stem(w.lower().replace(".", "")))
    return out


class LexicalGroundingChecker:
    """The first offline checker, kept for comparison (``eval calibrate
    --checker lexical``): share of the claim's content terms found in the
    passage, with hand-set penalties for numbers, names or negation the passage
    does not carry."""

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


# --------------------------------------------------------------------------
# Calibrated offline checker

# Number words count as numbers: "third quarter" must not be supported by
# "fourth quarter", nor "five" by "seven".
_NUMBER_WORDS = {
    w: str(i) for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split())
} | {
    w: f"{i + 1}th" for i, w in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())
} | {"thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "thousand": "1000",
     "million": "1000000", "billion": "1000000000", "dozen": "12", "half": "0.5"}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b", re.I)
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b", re.I)
_NORM = re.compile(r"[^a-z0-9]+")

FEATURES = ("coverage", "bigram_coverage", "novel_numbers", "novel_entities", "negation_mismatch")


def _number_set(text: str) -> frozenset[str]:
    out = set(numbers(text))
    out |= {f"{m}th" for m in _ORDINAL.findall(text)}
    out |= {_NUMBER_WORDS[m.lower()] for m in _NUMBER_WORD.findall(text)}
    return frozenset(out)


@dataclass(frozen=True)
class TextFeatures:
    """What the checker needs to know about one text, computed once."""

    norm: str  # lowercased, punctuation collapsed: for the verbatim test
    terms: frozenset[str]
    term_list: tuple[str, ...]
    bigrams: frozenset[tuple[str, str]]
    numbers: frozenset[str]
    entities: frozenset[str]
    negated: bool


@lru_cache(maxsize=32768)
def text_features(text: str) -> TextFeatures:
    term_list = tuple(terms(text))
    return TextFeatures(
        norm=" " + _NORM.sub(" ", text.lower()).strip() + " ",
        terms=frozenset(term_list),
        term_list=term_list,
        bigrams=frozenset(zip(term_list, term_list[1:], strict=False)),
        numbers=_number_set(text),
        entities=frozenset(_entities(text)),
        negated=_negated(text),
    )


def pair_features(claim: TextFeatures, window: TextFeatures) -> list[float]:
    """The feature vector of one claim sentence against one passage window, in
    the order of FEATURES. Counts are capped at 2: a third mismatch tells
    little more than the second."""
    unique = set(claim.term_list)
    coverage = len(unique & window.terms) / len(unique) if unique else 0.0
    bigram_coverage = len(claim.bigrams & window.bigrams) / len(claim.bigrams) if claim.bigrams else coverage
    novel_numbers = min(2, len(claim.numbers - window.numbers))
    novel_entities = min(2, len(claim.entities - window.terms - window.entities))
    negation_mismatch = float(claim.negated != window.negated)
    return [coverage, bigram_coverage, float(novel_numbers), float(novel_entities), negation_mismatch]


def claim_sentences(claim: str) -> list[str]:
    claim = strip_markers(claim)
    out = [claim[s:e] for s, e in sentence_spans(claim)]
    return [s for s in out if terms(s)]


@lru_cache(maxsize=4096)
def passage_windows(passage: str, max_sentences: int = 3) -> tuple[TextFeatures, ...]:
    """A short passage is one window; a long document is every run of one to
    ``max_sentences`` neighbouring sentences (a claim sentence usually rests on
    one or two source sentences, and whole-document overlap would accept any
    mix of its words)."""
    spans = sentence_spans(passage)
    if len(spans) <= max_sentences:
        return (text_features(passage),)
    out = []
    for i in range(len(spans)):
        for width in range(1, max_sentences + 1):
            if i + width <= len(spans):
                out.append(text_features(passage[spans[i][0]:spans[i + width - 1][1]]))
    return tuple(out)


@dataclass(frozen=True)
class GroundingWeights:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    meta: dict

    def logit(self, x: Sequence[float]) -> float:
        return self.bias + sum(w * (v - m) / s for w, v, m, s in zip(self.weights, x, self.mean, self.scale,
                                                                          strict=True))

    @classmethod
    def from_dict(cls, data: dict) -> GroundingWeights:
        feats = tuple(data["features"])
        if feats != FEATURES:
            raise ValueError(f"grounding weights are for features {feats}, the checker computes {FEATURES}")
        return cls(feats, tuple(data["weights"]), float(data["bias"]), tuple(data["mean"]), tuple(data["scale"]),
                   dict(data.get("meta", {})))

    def to_dict(self) -> dict:
        return {"features": list(self.features), "weights": list(self.weights), "bias": self.bias,
                "mean": list(self.mean), "scale": list(self.scale), "meta": self.meta}


@lru_cache(maxsize=1)
def load_weights() -> GroundingWeights:
    text = resources.files("qa_service.data").joinpath(WEIGHTS_RESOURCE).read_text(encoding="utf-8")
    return GroundingWeights.from_dict(json.loads(text))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class CalibratedGroundingChecker:
    """Offline checker with fitted weights (see module docstring). For a claim
    of several sentences the score is the weakest sentence's score, each
    sentence scored against its best-matching passage window: one unsupported
    sentence makes the whole claim unsupported."""

    name = "offline-calibrated"

    def __init__(self, threshold: float = 0.5, weights: GroundingWeights | None = None) -> None:
        self.threshold = threshold
        self.weights = weights or load_weights()

    def sentence_score(self, sentence: str, windows: Sequence[TextFeatures]) -> float:
        claim = text_features(sentence)
        if not claim.terms:
            return 0.0
        best = -math.inf
        for window in windows:
            if claim.norm in window.norm:
                return 1.0  # quoted verbatim
            best = max(best, self.weights.logit(pair_features(claim, window)))
        return _sigmoid(best)

    def score(self, claim: str, passage: str) -> float:
        sentences = claim_sentences(claim)
        if not sentences or not passage.strip():
            return 0.0
        windows = passage_windows(passage)
        return round(min(self.sentence_score(s, windows) for s in sentences), 4)

    def supports(self, claim: str, passage: str) -> bool:
        return self.score(claim, passage) >= self.threshold


def make_checker(kind: str = "offline", threshold: float = 0.5) -> GroundingChecker:
    """The named offline checker: 'offline' (calibrated) or 'lexical'."""
    if kind in ("offline", "calibrated"):
        return CalibratedGroundingChecker(threshold)
    if kind == "lexical":
        return LexicalGroundingChecker(threshold)
    raise ValueError(f"unknown checker {kind!r} (use 'offline' or 'lexical')")
