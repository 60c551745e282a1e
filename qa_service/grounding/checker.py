"""Is this claim supported by this passage? The grounding checker seam and its
offline implementations. The LLM judge (evaluation/llm_judge.py) shares the
Protocol. Scores are in [0, 1]; ``threshold`` separates supported from not.

The default offline checker (``CrossEncoderChecker``) is a MiniLM-L6
cross-encoder fine-tuned on SummEdits' seven non-news domains plus synthetic
pairs from those domains' documents (training/grounding/), shipped as int8
ONNX with its model card in grounding/model/. This module never touches
onnxruntime: it takes any ``PairModel`` (adapters/onnx_crossencoder.py is the
real one; services.py builds it). For each sentence of the claim:

- a sentence found verbatim in the passage (case, spacing, accents and
  typographic quotes aside) scores 1.0 without the model: extractive answers
  always verify, at the cost of a substring test; so does a sentence quoted
  with its leading pronoun replaced by the phrase that opens the sentence
  before it (``alignment.is_resolved_quote``), and one saying who someone is
  in the words of the title or apposition a sentence gives them
  (``alignment.is_stated_identity``);
- otherwise the model reads the sentence against the passage sentences that
  align with it best (at most ``k``, ``alignment.select_evidence``: the same
  input it was trained on) and its sigmoid is the score;
- except when those sentences hold less of it (``alignment.coverage``: its
  content words, names and numbers) than ``coverage_floor``: then it scores
  0 without the model. SummEdits never pairs a summary with an unrelated
  passage, so the model never learned that an unrelated sentence is
  unsupported ("Mexico pays for the wall." scores 0.69 against a passage about
  a meeting); the floor is the 1st percentile of the coverage of supported
  training statements, so it costs about 1% of their recall there.

The claim's score is its weakest sentence's: one unsupported sentence makes the
claim unsupported. Each model call costs milliseconds, so callers that compare
many candidate spans shortlist them first (``alignment.shortlist``)."""

from __future__ import annotations

import json
import math
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from qa_service.grounding.alignment import (
    analyse,
    coverage,
    is_resolved_quote,
    is_stated_identity,
    is_verbatim,
    select_evidence,
    split_sentences,
)
from qa_service.text import STOPWORDS, numbers, stem, strip_markers, terms, words

MODEL_DIR = Path(__file__).resolve().parent / "model"
CHECKERS = ("crossencoder", "lexical")


class GroundingChecker(Protocol):
    name: str
    threshold: float

    def score(self, claim: str, passage: str) -> float: ...


class PairModel(Protocol):
    """The cross-encoder seam: one logit per (claim, evidence) pair, higher =
    better supported."""

    def logits(self, pairs: Sequence[tuple[str, str]]) -> list[float]: ...


# ---------------------------------------------------------------- the model card
@dataclass(frozen=True)
class CrossEncoderCard:
    """``model/checker.json``: the shipped model's file, hashes, input shape
    and thresholds, each with the rule that chose it on the training domains."""

    name: str
    file: str
    sha256: str
    tokenizer_sha256: str
    max_len: int
    k: int
    threshold: float  # answer time: unsupported-class precision target on training-domain held-out scores
    threshold_rule: str
    threshold_max_ba: float  # balanced judgement (evals): max balanced accuracy on the same scores
    threshold_max_ba_rule: str
    coverage_floor: float  # a sentence whose evidence holds less of it than this scores 0 (no model call)
    coverage_floor_rule: str
    meta: dict = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return MODEL_DIR / self.file

    @classmethod
    def from_dict(cls, data: dict) -> CrossEncoderCard:
        known = set(cls.__dataclass_fields__) - {"meta"}
        return cls(**{k: data[k] for k in known}, meta={k: v for k, v in data.items() if k not in known})


@lru_cache(maxsize=1)
def load_card() -> CrossEncoderCard:
    # next to this module (package data; qa_service is a namespace package, so
    # importlib.resources cannot always resolve it)
    return CrossEncoderCard.from_dict(json.loads((MODEL_DIR / "checker.json").read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def training_results() -> dict:
    """What training measured on the training domains (model/training_results.json):
    held-out summary scores per domain, from which `eval calibrate` recomputes
    the leave-one-domain-out table and the thresholds. Numbers only."""
    return json.loads((MODEL_DIR / "training_results.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the checker
def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def claim_sentences(claim: str) -> list[str]:
    """The sentences of a claim that say something (markers off)."""
    return [s for s in split_sentences(strip_markers(claim)) if any(c.isalpha() or c.isdigit() for c in s)]


class CrossEncoderChecker:
    """The default offline checker (see the module docstring)."""

    _CACHE_SIZE = 65536

    def __init__(self, model: PairModel, threshold: float | None = None, card: CrossEncoderCard | None = None
                 ) -> None:
        self.card = card or load_card()
        self.model = model
        self.name = self.card.name
        self.threshold = self.card.threshold if threshold is None else threshold
        self.k = self.card.k
        # citations.verify, takeaways and the eval harness score the same
        # (claim, span) pairs more than once
        self._scores: OrderedDict[tuple[str, str], float] = OrderedDict()
        self.model_calls = 0

    def score(self, claim: str, passage: str) -> float:
        key = (claim, passage)
        cached = self._scores.get(key)
        if cached is not None:
            self._scores.move_to_end(key)
            return cached
        score = self._score(claim, passage)
        self._scores[key] = score
        if len(self._scores) > self._CACHE_SIZE:
            self._scores.popitem(last=False)
        return score

    def _score(self, claim: str, passage: str) -> float:
        if not passage.strip():
            return 0.0
        sentences = claim_sentences(claim)
        if not sentences:
            return 0.0
        if is_verbatim(strip_markers(claim), passage):
            return 1.0
        passage_sentences = split_sentences(passage)
        todo = [s for s in sentences if not is_verbatim(s, passage) and not is_resolved_quote(s, passage_sentences)
                and not is_stated_identity(s, passage_sentences)]
        if not todo:
            return 1.0
        pairs = []
        for s in todo:
            evidence = " ".join(select_evidence(s, passage_sentences, self.k))
            if coverage(analyse(s), analyse(evidence)) < self.card.coverage_floor:
                return 0.0  # the passage holds too little of this sentence to support it
            pairs.append((s, evidence))
        self.model_calls += len(pairs)
        return round(min(_sigmoid(z) for z in self.model.logits(pairs)), 4)

    def supports(self, claim: str, passage: str) -> bool:
        return self.score(claim, passage) >= self.threshold


# ---------------------------------------------------------------- lexical baseline
_NEGATION = {"not", "no", "never", "none", "nor", "neither", "without", "n't", "cannot", "nothing"}


def _negated(text: str) -> bool:
    toks = set(words(text))
    low = text.lower()
    return bool(toks & _NEGATION) or "n't" in low or "n\u2019t" in low


def _entities(text: str) -> set[str]:
    """Capitalised words not at a sentence start: names, places, agencies."""
    out = set()
    for i, w in enumerate(re.findall(r"[A-Za-z][\w.'-]*", text)):
        if i > 0 and w[0].isupper() and w.lower() not in STOPWORDS:
            out.add(stem(w.lower().replace(".", "")))
    return out


class LexicalGroundingChecker:
    """The first offline checker, kept as a model-free baseline (``QA_CHECKER=
    lexical``, ``eval calibrate --checker lexical``): share of the claim's
    content terms found in the passage, with hand-set penalties (not fitted on
    any data) for numbers, names or negation the passage does not carry."""

    name = "offline-lexical"

    def __init__(self, threshold: float | None = None) -> None:
        self.threshold = 0.5 if threshold is None else threshold

    def score(self, claim: str, passage: str) -> float:
        claim = strip_markers(claim)
        claim_terms = set(terms(claim))
        if not claim_terms:
            return 0.0
        if passage.strip() and is_verbatim(claim, passage):
            return 1.0
        passage_terms = set(terms(passage))
        recall = len(claim_terms & passage_terms) / len(claim_terms)
        score = recall
        if numbers(claim) - numbers(passage):
            score *= 0.3
        missing_entities = _entities(claim) - passage_terms
        if missing_entities:
            score *= max(0.4, 1 - 0.25 * len(missing_entities))
        if _negated(claim) != _negated(passage):
            score *= 0.6
        return round(score, 4)

    def supports(self, claim: str, passage: str) -> bool:
        return self.score(claim, passage) >= self.threshold
