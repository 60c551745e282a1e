"""Is this claim supported by this passage? The grounding checker seam and its
offline implementations. An LLM-judge implementation sits in
adapters/llm_judge.py and shares the Protocol. Scores are in [0, 1];
``threshold`` separates supported from not.

The default offline checker (``CalibratedGroundingChecker``) needs no model
download. For each sentence of the claim it finds the passage window (one to
three neighbouring sentences, plus at most one more window elsewhere when that
one holds a further part of the claim) that holds most of it, then looks for
what factual-consistency errors look like: names, numbers or dates the window
does not carry, a negation it does not share, a word whose opposite it holds
("increase" for "decline"), a different member of a closed class ("green" for
"yellow", "month" for "year", "CEO" for "founder") and qualifiers it never
states ("co-", "former", "only"). A logistic model whose weights
``evals/fit_grounding.py`` fits (leave-one-document-out on SummEdits, signs
constrained so that agreement never lowers the score and a mismatch never
raises it) turns those into a probability, shipped as package data. The score
is capped by coverage (the share of the claim's content words, names and
numbers the window holds), which SummEdits cannot teach and answer time needs.
Paraphrase is tolerated where it does not change those facts: accents are
folded (Ramón = Ramon), "U.S.-Mexico" is the U.S. and Mexico, "United States"
is "U.S.", inflections share a stem, and a claim word the window lacks costs
nothing by itself. A claim found verbatim in the passage scores 1.0, so
extractive answers always verify."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from qa_service.grounding.features import (
    FEATURES,
    analyse_claim,
    claim_sentences,
    pair_features,
    passage_index,
    support_windows,
)
from qa_service.text import STOPWORDS, numbers, stem, strip_markers, terms, words

_NEGATION = {"not", "no", "never", "none", "nor", "neither", "without", "n't", "cannot", "nothing", "unpublished"}
WEIGHTS_RESOURCE = "weights.json"


class GroundingChecker(Protocol):
    name: str
    threshold: float

    def score(self, claim: str, passage: str) -> float: ...


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
    # next to this module (package data; qa_service is a namespace package, so
    # importlib.resources cannot always resolve it)
    text = (Path(__file__).resolve().parent / WEIGHTS_RESOURCE).read_text(encoding="utf-8")
    return GroundingWeights.from_dict(json.loads(text))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class CalibratedGroundingChecker:
    """Offline checker with fitted weights (see module docstring). For a claim
    of several sentences the score is the weakest sentence's score: one
    unsupported sentence makes the whole claim unsupported."""

    name = "offline-calibrated"

    _CACHE_SIZE = 65536

    def __init__(self, threshold: float = 0.5, weights: GroundingWeights | None = None,
                 coverage_floor: float = 0.0) -> None:
        self.threshold = threshold
        self.weights = weights or load_weights()
        # Answer-time strictness: a window sharing no more than this share of the
        # claim's words supports nothing, and support rises linearly above it.
        # 0 = the fitted model as calibrated; the service uses
        # QA_SUPPORT_COVERAGE_FLOOR, so a model sentence that keeps the nouns
        # but swaps the predicate ("strengthen" for "cut off funding") fails.
        self.coverage_floor = coverage_floor
        # citations.verify scores each answer sentence against every candidate
        # span, and the eval harness scores the same pairs again
        self._scores: dict[tuple[str, str], float] = {}

    def sentence_features(self, sentence: str, passage: str) -> list[float] | None:
        """The features of one claim sentence against the passage, or None
        when the sentence is quoted verbatim (score 1.0)."""
        claim = analyse_claim(sentence)
        index = passage_index(passage)
        if claim.norm in index.whole.norm:
            return None
        return pair_features(claim, *support_windows(claim, index), index.whole)

    def sentence_score(self, sentence: str, passage: str) -> float:
        x = self.sentence_features(sentence, passage)
        if x is None:
            return 1.0
        # The fitted model judges contradiction; coverage gates support: a
        # window that holds less than half the claim cannot back it, however
        # little it contradicts it.
        f = self.coverage_floor
        gate = max(0.0, (x[0] - f) / (1.0 - f)) if f else x[0]
        return min(gate, _sigmoid(self.weights.logit(x)))

    def score(self, claim: str, passage: str) -> float:
        cached = self._scores.get((claim, passage))
        if cached is not None:
            return cached
        score = 0.0
        if passage.strip():
            sentences = claim_sentences(claim)
            if sentences:
                score = round(min(self.sentence_score(s, passage) for s in sentences), 4)
        if len(self._scores) >= self._CACHE_SIZE:
            self._scores.clear()
        self._scores[(claim, passage)] = score
        return score

    def supports(self, claim: str, passage: str) -> bool:
        return self.score(claim, passage) >= self.threshold


def make_checker(kind: str = "offline", threshold: float = 0.5, coverage_floor: float = 0.0) -> GroundingChecker:
    """The named offline checker: 'offline' (calibrated) or 'lexical'."""
    if kind in ("offline", "calibrated"):
        return CalibratedGroundingChecker(threshold, coverage_floor=coverage_floor)
    if kind == "lexical":
        return LexicalGroundingChecker(threshold)
    raise ValueError(f"unknown checker {kind!r} (use 'offline' or 'lexical')")
