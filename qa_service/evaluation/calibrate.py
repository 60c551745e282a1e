"""Measure a grounding checker on (document, summary, consistent) pairs:
balanced accuracy and precision/recall of the unsupported class."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from qa_service.grounding.checker import GroundingChecker


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


def calibrate(
    checker: GroundingChecker, rows: Sequence[dict], progress: Callable[[int], None] | None = None
) -> dict:
    scores: list[float] = []
    for row in rows:
        scores.append(checker.score(row["summary"], row["document"]))
        if progress:
            progress(1)
    labels = [bool(r["consistent"]) for r in rows]
    result = confusion_metrics(labels, [s >= checker.threshold for s in scores])
    result.update({"checker": checker.name, "threshold": checker.threshold})
    # Informational only: the best threshold on these very pairs (in-sample, optimistic).
    best = max(((confusion_metrics(labels, [s >= t for s in scores])["balanced_accuracy"], t)
                for t in sorted(set(scores))), default=(0.0, checker.threshold))
    result["best_threshold_in_sample"] = {"threshold": best[1], "balanced_accuracy": best[0]}
    meta = getattr(getattr(checker, "weights", None), "meta", None)
    if meta and meta.get("cv_metrics"):
        result["fitted"] = {"on": meta.get("fitted_on"), "cv": meta.get("cv"),
                            "cross_validated": meta["cv_metrics"], "in_sample": meta.get("in_sample_metrics")}
    return result
