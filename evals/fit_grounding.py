"""Fit the offline grounding checker's weights on SummEdits (news) and write
qa_service/grounding_weights.json.

    .venv/bin/python evals/fit_grounding.py [--data ../shared/benchmarks/summedits-news/evaluation.jsonl]
        [--dry-run] [--errors] [--drop FEATURE ...]

The data is read in place, never copied into the project. The model is a
logistic regression over the features of qa_service.grounding.checker.FEATURES
(coverage, and counts of names, numbers, negation, opposites, class clashes
and qualifiers the support window does not back), fitted in numpy with:
- class-balanced weights (51 consistent vs 82 not), so 0.5 is the natural
  threshold and QA_SUPPORT_THRESHOLD keeps its meaning;
- sign constraints: coverage may only raise the score and every mismatch
  count may only lower it. Unconstrained, SummEdits teaches the opposite for
  coverage (its consistent summaries are paraphrases with many new words, its
  inconsistent ones change a single word), which would make the checker
  accept unrelated sentences at answer time;
- a coverage gate applied by the checker itself (not fitted): the score is
  at most the share of the claim's content words, names and numbers found in
  the window. SummEdits cannot teach how much of a claim a passage must cover
  (every summary there is about its document), and answer time needs exactly
  that: a sentence whose words mostly do not occur in the passage is not
  supported, however little it contradicts it;
- L2 regularisation.

Each summary is represented by its weakest sentence under the current model
(refitted three times), as the checker scores it (min over sentences).

Reported: leave-one-document-out cross-validated balanced accuracy (the
benchmark's 133 pairs come from 4 documents, so any other split leaks the
document), and the in-sample figure of the final model fitted on all pairs.
The CV guards the fitted weights only: the checker's word lists and feature
design were written by people who had read these pairs, so the CV figure is
optimistic for unseen data; evals/grounding_synthetic.py is a second check on
pairs nobody fitted to. ``--errors`` lists the pairs CV gets wrong;
``--drop`` fixes features at zero for ablations.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa_service.grounding.checker import (  # noqa: E402
    FEATURES,
    CalibratedGroundingChecker,
    GroundingWeights,
    claim_sentences,
)

DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "summedits-news" / "evaluation.jsonl"
OUT = ROOT / "qa_service" / "grounding" / "weights.json"
# +1: the feature may only raise the score; -1: only lower it.
SIGNS = np.array([+1] + [-1] * (len(FEATURES) - 1), dtype=float)
L2 = 1.0
_NO_MODEL = GroundingWeights(FEATURES, tuple(float(s) for s in SIGNS), 0.0, (0.0,) * len(FEATURES),
                             (1.0,) * len(FEATURES), {})


def load(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for r in rows:
        r["group"] = r["id"].rsplit("_", 1)[0]
    return rows


def sentence_vectors(summary: str, document: str) -> list[list[float]]:
    """The feature vector of each summary sentence against its support window
    (sentences quoted verbatim are left out: they score 1.0 whatever the model)."""
    checker = CalibratedGroundingChecker(0.5, _NO_MODEL)
    out = []
    for sentence in claim_sentences(summary):
        x = checker.sentence_features(sentence, document)
        if x is not None:
            out.append(x)
    return out


def features_of(vectors: list[list[float]], weights: GroundingWeights | None) -> np.ndarray:
    """The summary's weakest sentence, as the checker scores it (min over
    sentences); before there is a model, the one with most mismatches."""
    if not vectors:
        return np.array([1.0] + [0.0] * (len(FEATURES) - 1))
    key = (lambda v: weights.logit(v)) if weights else (lambda v: float(np.dot(SIGNS, v)))
    return np.array(min(vectors, key=key), dtype=float)


def fit(X: np.ndarray, y: np.ndarray, signs: np.ndarray = SIGNS) -> GroundingWeights:
    mean = X.mean(axis=0)
    scale = X.std(axis=0) + 1e-6
    Z = (X - mean) / scale
    w = np.zeros(Z.shape[1])
    b = 0.0
    cw = np.where(y == 1, 0.5 / (y == 1).sum(), 0.5 / (y == 0).sum())  # class-balanced, sums to 1
    lr = 0.5
    for _ in range(4000):
        p = 1 / (1 + np.exp(-(Z @ w + b)))
        g = (p - y) * cw
        w -= lr * (Z.T @ g + L2 * w / len(y))
        b -= lr * g.sum()
        w = np.where(w * signs < 0, 0.0, w)  # projected gradient: keep the signs
        w = np.where(signs == 0, 0.0, w)  # ablated features
    return GroundingWeights(FEATURES, tuple(float(v) for v in w), float(b), tuple(float(v) for v in mean),
                            tuple(float(v) for v in scale), {})


def design(rows: list[dict], weights: GroundingWeights | None) -> tuple[np.ndarray, np.ndarray]:
    X = [features_of(r["vectors"], weights) for r in rows]
    y = [int(r["consistent"]) for r in rows]
    return np.array(X), np.array(y, dtype=float)


def train(rows: list[dict], signs: np.ndarray = SIGNS) -> GroundingWeights:
    weights = None
    for _ in range(3):  # refit with the sentence the model itself finds weakest
        X, y = design(rows, weights)
        weights = fit(X, y, signs)
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
    parser.add_argument("--drop", action="append", default=[], choices=FEATURES,
                        help="fix this feature's weight at 0 (ablation; repeatable)")
    parser.add_argument("--errors", action="store_true", help="list the pairs cross-validation gets wrong")
    args = parser.parse_args()
    rows = load(args.data)
    for r in rows:
        r["vectors"] = sentence_vectors(r["summary"], r["document"])
    groups = sorted({r["group"] for r in rows})
    signs = np.array([0.0 if f in args.drop else s for f, s in zip(FEATURES, SIGNS, strict=True)])

    # leave-one-document-out cross-validation
    y_all, p_all = [], []
    for g in groups:
        train_rows = [r for r in rows if r["group"] != g]
        test_rows = [r for r in rows if r["group"] == g]
        checker = CalibratedGroundingChecker(0.5, train(train_rows, signs))
        for r in test_rows:
            y_all.append(int(r["consistent"]))
            score = checker.score(r["summary"], r["document"])
            p_all.append(int(score >= 0.5))
            if args.errors and p_all[-1] != y_all[-1]:
                x = features_of(r["vectors"], checker.weights)
                print(f"{r['id']} consistent={r['consistent']} score={score:.3f} "
                      f"{dict(zip(FEATURES, (round(v, 2) for v in x), strict=True))}\n    {r['summary']}",
                      file=sys.stderr)
    cv = metrics(np.array(y_all), np.array(p_all))

    final = train(rows, signs)
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
