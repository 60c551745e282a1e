"""Measure a grounding checker on (document, summary, consistent) pairs:
balanced accuracy (with a bootstrap 95% interval) and precision/recall of the
unsupported class at the checker's thresholds; and recompute, from the
held-out scores training committed (grounding/model/training_results.json),
the leave-one-domain-out table and the thresholds the model card states.

Thresholds are only ever chosen on training-domain scores; pairs measured here
(e.g. SummEdits news) only ever get measured."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from qa_service.grounding.checker import GroundingChecker

BOOTSTRAP = 2000
MIN_FLAGGED = 20  # a precision from fewer flags is too noisy to choose a threshold by


def confusion_metrics(labels: Sequence[bool], predicted: Sequence[bool]) -> dict:
    """``labels``/``predicted``: True = consistent (supported)."""
    tp = sum(1 for y, p in zip(labels, predicted, strict=True) if y and p)
    tn = sum(1 for y, p in zip(labels, predicted, strict=True) if not y and not p)
    fp = sum(1 for y, p in zip(labels, predicted, strict=True) if not y and p)
    fn = sum(1 for y, p in zip(labels, predicted, strict=True) if y and not p)
    pos, neg = tp + fn, tn + fp
    tpr = tp / pos if pos else 0.0
    tnr = tn / neg if neg else 0.0
    return {
        "n": len(labels),
        "balanced_accuracy": round((tpr + tnr) / 2, 4),
        "accuracy": round((tp + tn) / len(labels), 4) if labels else 0.0,
        "unsupported_precision": round(tn / (tn + fn), 4) if tn + fn else 0.0,
        "unsupported_recall": round(tnr, 4),
        "supported_precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "supported_recall": round(tpr, 4),
        "confusion": {"supported_as_supported": tp, "unsupported_as_unsupported": tn,
                      "unsupported_as_supported": fp, "supported_as_unsupported": fn},
    }


def balanced_accuracy(labels: Sequence[bool], scores: Sequence[float], threshold: float) -> float:
    pos = [s >= threshold for y, s in zip(labels, scores, strict=True) if y]
    neg = [s < threshold for y, s in zip(labels, scores, strict=True) if not y]
    if not pos or not neg:
        return float("nan")
    return 0.5 * (sum(pos) / len(pos) + sum(neg) / len(neg))


def auc(labels: Sequence[bool], scores: Sequence[float]) -> float:
    """ROC-AUC (ties count half): the chance a supported pair outscores an unsupported one."""
    ranked = sorted(zip(scores, labels, strict=True))
    rank_sum, n_pos, i = 0.0, 0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mid = (i + j + 1) / 2  # average 1-based rank of the tie block
        for _, y in ranked[i:j]:
            if y:
                rank_sum += mid
                n_pos += 1
        i = j
    n_neg = len(ranked) - n_pos
    if not n_pos or not n_neg:
        return float("nan")
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def max_ba_threshold(labels: Sequence[bool], scores: Sequence[float]) -> float:
    """The threshold (one of the scores) with the highest balanced accuracy;
    the lowest such on ties."""
    best_t, best = 0.5, -1.0
    for t in sorted(set(scores)):
        ba = balanced_accuracy(labels, scores, t)
        if ba > best:
            best, best_t = ba, t
    return best_t


def precision_threshold(labels: Sequence[bool], scores: Sequence[float], precision: float
                        ) -> tuple[float, float, float]:
    """The largest t such that flagging score < t as unsupported has
    unsupported-class precision >= ``precision`` with at least MIN_FLAGGED
    flags: as much recall as that precision allows. (t, precision, recall)."""
    best = (min(scores), 1.0, 0.0)
    n_neg = sum(1 for y in labels if not y)
    for t in sorted(set(scores)):
        flagged = [y for y, s in zip(labels, scores, strict=True) if s < t]
        if len(flagged) < MIN_FLAGGED:
            continue
        p = sum(1 for y in flagged if not y) / len(flagged)
        if p >= precision:
            best = (t, p, sum(1 for y in flagged if not y) / n_neg if n_neg else 0.0)
    return best


def bootstrap_ba(labels: Sequence[bool], scores: Sequence[float], threshold: float, n: int = BOOTSTRAP,
                 seed: int = 0) -> tuple[float, float]:
    """95% percentile interval of balanced accuracy over ``n`` resamples of the pairs."""
    rng = random.Random(seed)
    size = len(labels)
    values = []
    for _ in range(n):
        idx = [rng.randrange(size) for _ in range(size)]
        ys = [labels[i] for i in idx]
        if all(ys) or not any(ys):
            continue
        values.append(balanced_accuracy(ys, [scores[i] for i in idx], threshold))
    values.sort()
    if not values:
        return float("nan"), float("nan")
    return values[int(0.025 * (len(values) - 1))], values[int(0.975 * (len(values) - 1))]


def at_threshold(labels: Sequence[bool], scores: Sequence[float], threshold: float, bootstrap: int = BOOTSTRAP
                 ) -> dict:
    result = confusion_metrics(labels, [s >= threshold for s in scores])
    result["threshold"] = threshold
    if bootstrap:
        lo, hi = bootstrap_ba(labels, scores, threshold, bootstrap)
        result["balanced_accuracy_ci95"] = [round(lo, 4), round(hi, 4)]
    return result


def lodo_table(results: dict) -> dict:
    """Leave-one-domain-out, from training's held-out scores: each domain's
    summaries were scored by a model that never saw that domain; its threshold
    maximises balanced accuracy on the other domains' held-out scores."""
    domains = results["lodo"]["domains"]
    table = {}
    for held, d in domains.items():
        others_y = [y for name, o in domains.items() if name != held for y in o["labels"]]
        others_s = [s for name, o in domains.items() if name != held for s in o["scores"]]
        t = max_ba_threshold(others_y, others_s)
        table[held] = {"n": len(d["labels"]), "balanced_accuracy": round(balanced_accuracy(d["labels"], d["scores"], t), 4),
                       "auc": round(auc(d["labels"], d["scores"]), 4), "threshold": round(t, 4)}
    if table:
        table["mean"] = {"n": sum(v["n"] for v in table.values()),
                         "balanced_accuracy": round(sum(v["balanced_accuracy"] for v in table.values()) / len(table), 4),
                         "auc": round(sum(v["auc"] for v in table.values()) / len(table), 4)}
    return table


def training_thresholds(results: dict) -> dict:
    """The thresholds recomputed from the scores training chose them on."""
    scores = results["thresholds"]
    labels, values = scores["labels"], scores["scores"]
    target = scores["precision_target"]
    t, p, r = precision_threshold(labels, values, target)
    return {"on": scores["on"], "n": len(labels), "precision_target": target,
            "answer_threshold": round(t, 4), "train_unsupported_precision": round(p, 4),
            "train_unsupported_recall": round(r, 4), "max_ba_threshold": round(max_ba_threshold(labels, values), 4)}


def calibrate(
    checker: GroundingChecker, rows: Sequence[dict], progress: Callable[[int], None] | None = None,
    thresholds: dict[str, float] | None = None, bootstrap: int = BOOTSTRAP, keep_scores: bool = False,
) -> dict:
    """Score every (document, summary) pair and measure the checker at its own
    threshold and at each of ``thresholds`` (name -> value, fixed beforehand).
    ``keep_scores`` adds the pairs' scores, in order."""
    scores: list[float] = []
    for row in rows:
        scores.append(checker.score(row["summary"], row["document"]))
        if progress:
            progress(1)
    labels = [bool(r["consistent"]) for r in rows]
    result = at_threshold(labels, scores, checker.threshold, bootstrap)
    result.update({"checker": checker.name, "auc": round(auc(labels, scores), 4)})
    result["at"] = {name: at_threshold(labels, scores, t, bootstrap) for name, t in (thresholds or {}).items()}
    # Informational only: the best threshold on these very pairs (in-sample, optimistic).
    best = max_ba_threshold(labels, scores)
    result["best_threshold_in_sample"] = {"threshold": best,
                                          "balanced_accuracy": round(balanced_accuracy(labels, scores, best), 4)}
    if keep_scores:
        result["scores"] = scores
    return result
