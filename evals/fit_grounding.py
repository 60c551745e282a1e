"""Fit the offline grounding checker's weights on SummEdits (news) and write
qa_service/data/grounding_weights.json.

    .venv/bin/python evals/fit_grounding.py [--data ../shared/benchmarks/summedits-news/evaluation.jsonl]

The data is read in place, never copied into the project. The model is a
logistic regression over the five features of qa_service.grounding.FEATURES,
fitted in numpy with:
- class-balanced weights (51 consistent vs 82 not), so 0.5 is the natural
  threshold and QA_SUPPORT_THRESHOLD keeps its meaning;
- sign constraints: agreement features (coverage, bigram coverage) may only
  raise the score and mismatch features (novel numbers, novel entities,
  negation mismatch) may only lower it. Unconstrained, SummEdits teaches the
  opposite for coverage (its consistent summaries are paraphrases with many
  new words, its inconsistent ones change a single word), which would make the
  checker accept unrelated sentences at answer time;
- anchors that stand for what the checker meets at answer time and SummEdits
  lacks: each summary sentence against a *different* document (unsupported)
  and document sentences against the window that holds them (supported) or
  another window of the same document (unsupported: same names, other
  statement).
  They are built only from the training fold's documents;
- L2 regularisation.

Reported: leave-one-document-out cross-validated balanced accuracy (the
benchmark's 133 pairs come from 4 documents, so any other split leaks the
document), and the in-sample figure of the final model fitted on all pairs.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa_service.text import sentence_spans, terms  # noqa: E402
from qa_service.grounding import (  # noqa: E402
    FEATURES,
    CalibratedGroundingChecker,
    GroundingWeights,
    claim_sentences,
    pair_features,
    passage_windows,
    text_features,
)

DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "summedits-news" / "evaluation.jsonl"
OUT = ROOT / "qa_service" / "data" / "grounding_weights.json"
# +1: the feature may only raise the score; -1: only lower it.
SIGNS = np.array([+1, +1, -1, -1, -1], dtype=float)
L2 = 1.0
ANCHOR_WEIGHT = 0.5  # the anchors together weigh half as much as the real pairs
ANCHORS_PER_DOC = 20


def load(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for r in rows:
        r["group"] = r["id"].rsplit("_", 1)[0]
    return rows


def features_of(summary: str, document: str, weights: GroundingWeights | None) -> np.ndarray:
    """Features of the summary's weakest sentence against its best window. The
    best window is chosen by the current model (or by coverage before there is
    one), mirroring how the checker scores: max over windows, min over sentences."""
    windows = passage_windows(document)
    chosen = []
    for sentence in claim_sentences(summary):
        claim = text_features(sentence)
        vecs = [pair_features(claim, w) for w in windows]
        key = (lambda v: weights.logit(v)) if weights else (lambda v: v[0] + v[1])
        best = max(vecs, key=key)
        chosen.append(best)
    if not chosen:
        return np.zeros(len(FEATURES))
    key = (lambda v: weights.logit(v)) if weights else (lambda v: v[0] + v[1])
    return np.array(min(chosen, key=key), dtype=float)


def anchors(rows: list[dict], rng: random.Random) -> tuple[list[tuple], list[int]]:
    """Pairs that stand for answer time: a document sentence against the window
    that contains it (supported) and against another window of the same
    document (unsupported: same topic and names, different statement), and a
    summary against a different document (unsupported)."""
    docs = {r["group"]: r["document"] for r in rows}
    xs: list[tuple] = []
    ys: list[int] = []
    groups = sorted(docs)
    for r in rows:
        others = [g for g in groups if g != r["group"]]
        if others:
            xs.append(("pair", r["summary"], docs[rng.choice(others)]))
            ys.append(0)
    for g in groups:
        doc = docs[g]
        spans = [(s, e) for s, e in sentence_spans(doc) if len(terms(doc[s:e])) >= 5]
        for i in rng.sample(range(len(spans)), min(len(spans), ANCHORS_PER_DOC)):
            s, e = spans[i]
            sentence = doc[s:e]
            lo = spans[max(0, i - 1)][0]
            xs.append(("window", sentence, doc[lo:e]))
            ys.append(1)
            j = rng.choice([k for k in range(len(spans)) if abs(k - i) > 2] or [i])
            if j != i:
                xs.append(("window", sentence, doc[spans[j][0]:spans[min(len(spans) - 1, j + 1)][1]]))
                ys.append(0)
    return xs, ys


def fit(X: np.ndarray, y: np.ndarray, sample_w: np.ndarray) -> GroundingWeights:
    mean = X.mean(axis=0)
    scale = X.std(axis=0) + 1e-6
    Z = (X - mean) / scale
    w = np.zeros(Z.shape[1])
    b = 0.0
    pos = sample_w[y == 1].sum()
    neg = sample_w[y == 0].sum()
    cw = sample_w * np.where(y == 1, 0.5 / pos, 0.5 / neg)  # balanced, sums to 1
    lr = 0.5
    for _ in range(4000):
        p = 1 / (1 + np.exp(-(Z @ w + b)))
        g = (p - y) * cw
        w -= lr * (Z.T @ g + L2 * w / len(y))
        b -= lr * g.sum()
        w = np.where(w * SIGNS < 0, 0.0, w)  # projected gradient: keep the signs
    return GroundingWeights(FEATURES, tuple(float(v) for v in w), float(b), tuple(float(v) for v in mean),
                            tuple(float(v) for v in scale), {})


def design(rows: list[dict], weights: GroundingWeights | None, rng: random.Random) -> tuple[np.ndarray, np.ndarray,
                                                                                              np.ndarray]:
    X = [features_of(r["summary"], r["document"], weights) for r in rows]
    y = [int(r["consistent"]) for r in rows]
    sw = [1.0] * len(rows)
    extra, extra_y = anchors(rows, rng)
    n_extra = len(extra)
    for (kind, a, b), label in zip(extra, extra_y, strict=True):
        if kind == "pair":
            X.append(features_of(a, b, weights))
        else:  # one sentence against one window, as verify() pairs them
            X.append(np.array(pair_features(text_features(a), text_features(b)), dtype=float))
        y.append(label)
        sw.append(ANCHOR_WEIGHT * len(rows) / max(1, n_extra))
    return np.array(X), np.array(y, dtype=float), np.array(sw)


def train(rows: list[dict], seed: int = 0) -> GroundingWeights:
    rng = random.Random(seed)
    weights = None
    for _ in range(3):  # refit with the windows the model itself picks
        X, y, sw = design(rows, weights, random.Random(rng.random()))
        weights = fit(X, y, sw)
    return weights


def evaluate(checker: CalibratedGroundingChecker, rows: list[dict]) -> dict:
    y = np.array([int(r["consistent"]) for r in rows])
    p = np.array([int(checker.score(r["summary"], r["document"]) >= checker.threshold) for r in rows])
    return metrics(y, p)


def metrics(y: np.ndarray, p: np.ndarray) -> dict:
    tpr = float(((p == 1) & (y == 1)).sum() / max(1, (y == 1).sum()))
    tnr = float(((p == 0) & (y == 0)).sum() / max(1, (y == 0).sum()))
    unsup_pred = (p == 0).sum()
    return {
        "n": int(len(y)),
        "balanced_accuracy": round((tpr + tnr) / 2, 4),
        "unsupported_precision": round(float(((p == 0) & (y == 0)).sum() / unsup_pred), 4) if unsup_pred else 0.0,
        "unsupported_recall": round(tnr, 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--dry-run", action="store_true", help="report only, do not write the weights")
    args = parser.parse_args()
    rows = load(args.data)
    groups = sorted({r["group"] for r in rows})

    # leave-one-document-out cross-validation
    y_all, p_all = [], []
    for g in groups:
        train_rows = [r for r in rows if r["group"] != g]
        test_rows = [r for r in rows if r["group"] == g]
        checker = CalibratedGroundingChecker(0.5, train(train_rows))
        for r in test_rows:
            y_all.append(int(r["consistent"]))
            p_all.append(int(checker.score(r["summary"], r["document"]) >= 0.5))
    cv = metrics(np.array(y_all), np.array(p_all))

    final = train(rows)
    in_sample = evaluate(CalibratedGroundingChecker(0.5, final), rows)
    final = GroundingWeights(final.features, final.weights, final.bias, final.mean, final.scale, {
        "fitted_on": "SummEdits news, evaluation split (133 pairs, 4 documents)",
        "script": "evals/fit_grounding.py",
        "threshold": 0.5,
        "cv": "leave-one-document-out",
        "cv_metrics": cv,
        "in_sample_metrics": in_sample,
    })
    print(json.dumps({"weights": dict(zip(FEATURES, [round(w, 4) for w in final.weights], strict=True)),
                      "bias": round(final.bias, 4), "cv": cv, "in_sample": in_sample}, indent=2))
    if not args.dry_run:
        args.out.write_text(json.dumps(final.to_dict(), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
