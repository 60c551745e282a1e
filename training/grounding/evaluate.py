#!/usr/bin/env python3
"""Turn training's held-out sentence scores into the figures the package
ships: qa_service/grounding/model/training_results.json (summary-level
held-out scores per training domain, numbers only) and the thresholds of
model/checker.json. `qa-service eval calibrate` recomputes the
leave-one-domain-out table and the thresholds from that file.

    python training/grounding/evaluate.py --lodo .work/folds --thresholds-on lodo --write
    python training/grounding/evaluate.py --lodo .work/folds --dev .work/final_v2/dev_scores.jsonl \
        --thresholds-on dev --model .work/final_v2/crossencoder.onnx --write

A summary scores the minimum over its sentences (a sentence found verbatim in
the document scores 1.0), as CrossEncoderChecker scores a summary against its
document, without the checker's coverage floor: thresholds and the
leave-one-domain-out table describe the model; the floor (chosen here too, see
grounding/checker.py) is a separate rule, measured with the whole checker by
`eval calibrate`. The news split is never read here: news is measured by
`qa-service eval calibrate --dataset ../shared/benchmarks/summedits-news/evaluation.jsonl`
after everything here is fixed. Runs in seconds (no model).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))
from qa_service.evaluation.calibrate import lodo_table, training_thresholds  # noqa: E402
from qa_service.grounding.alignment import analyse, coverage, is_verbatim  # noqa: E402

TRAIN = REPO.parent / "shared" / "benchmarks" / "summedits-other" / "train.jsonl"
MODEL_DIR = REPO / "qa_service" / "grounding" / "model"


def load_jsonl(path: Path) -> list[dict]:
    with path.open() as fh:
        return [json.loads(line) for line in fh]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=HERE / ".work", help="statements.jsonl, summaries.jsonl")
    ap.add_argument("--train", type=Path, default=TRAIN)
    ap.add_argument("--lodo", type=Path, action="append", default=[],
                    help="a directory of oof_<domain>.jsonl (repeatable; a later one wins per domain)")
    ap.add_argument("--lodo-recipe", default="", help="how the fold models were trained (recorded)")
    ap.add_argument("--dev", type=Path, help="dev_scores.jsonl of a final model (its held-out documents)")
    ap.add_argument("--thresholds-on", choices=("lodo", "dev"), required=True)
    ap.add_argument("--precision", type=float, default=0.90, help="unsupported-class precision target")
    ap.add_argument("--model", type=Path, help="the ONNX file the thresholds belong to (its sha256 is recorded)")
    ap.add_argument("--write", action="store_true", help="write training_results.json and checker.json thresholds")
    args = ap.parse_args()

    statements = {s["sid"]: s for s in load_jsonl(args.work / "statements.jsonl")}
    # The coverage floor: the 1st percentile of how much of a supported
    # labelled training statement its evidence holds (see grounding/checker.py).
    cover = {sid: coverage(analyse(s["claim"]), analyse(" ".join(s["evidence"]))) for sid, s in statements.items()}
    supported = sorted(cover[sid] for sid, s in statements.items() if s["label"] == 1)
    floor = supported[int(0.01 * (len(supported) - 1))]
    print(f"coverage floor {floor:.4f} (1st percentile of {len(supported)} supported training statements)")
    summaries = load_jsonl(args.work / "summaries.jsonl")
    documents: dict[str, int] = {}
    for row in load_jsonl(args.train):
        documents.setdefault(row["document"], len(documents))
    text_of = {i: d for d, i in documents.items()}

    def summary_scores(sent: dict[int, float], rows: list[dict]) -> tuple[list[bool], list[float], list[str]]:
        labels, scores, domains = [], [], []
        for m in rows:
            # the model's own scores: the coverage floor is a separate rule,
            # measured with the whole checker by `eval calibrate`
            vals = [1.0 if is_verbatim(statements[sid]["claim"], text_of[m["doc"]]) else sent[sid]
                    for sid in m["sids"]]
            labels.append(bool(m["consistent"]))
            scores.append(round(min(vals), 6))
            domains.append(m["domain"])
        return labels, scores, domains

    oof: dict[str, Path] = {}
    for d in args.lodo:
        for p in sorted(d.glob("oof_*.jsonl")):
            oof[p.stem.removeprefix("oof_")] = p
    lodo = {}
    for domain, path in sorted(oof.items()):
        sent = {r["sid"]: r["score"] for r in load_jsonl(path)}
        rows = [m for m in summaries if m["domain"] == domain]
        labels, scores, _ = summary_scores(sent, rows)
        lodo[domain] = {"labels": labels, "scores": scores, "from": str(path.parent.name)}
    results: dict = {"unit": "SummEdits (document, summary) pair; a summary scores its weakest sentence",
                     "lodo": {"recipe": args.lodo_recipe, "domains": lodo}}
    if args.dev:
        sent = {r["sid"]: r["score"] for r in load_jsonl(args.dev)}
        dev_docs = {statements[sid]["doc"] for sid in sent}
        rows = [m for m in summaries if m["doc"] in dev_docs and all(s in sent for s in m["sids"])]
        labels, scores, domains = summary_scores(sent, rows)
        results["dev"] = {"labels": labels, "scores": scores, "domains": domains,
                          "about": "documents of every training domain held out of the final model's training"}
    if args.thresholds_on == "lodo":
        labels = [y for d in lodo.values() for y in d["labels"]]
        scores = [s for d in lodo.values() for s in d["scores"]]
        on = f"leave-one-domain-out scores of {', '.join(lodo)}"
    else:
        labels, scores = results["dev"]["labels"], results["dev"]["scores"]
        on = "held-out documents of all seven training domains (dev split of the final model)"
    results["thresholds"] = {"on": on, "precision_target": args.precision, "labels": labels, "scores": scores}

    table = lodo_table(results)
    print(f"{'domain':12s} {'n':>5s} {'BA':>6s} {'AUC':>6s} {'thr':>6s}")
    for domain, row in table.items():
        print(f"{domain:12s} {row['n']:5d} {row['balanced_accuracy']:6.3f} {row['auc']:6.3f} "
              f"{row.get('threshold', float('nan')):6.3f}")
    th = training_thresholds(results)
    print(json.dumps(th, indent=1))
    if args.write:
        (MODEL_DIR / "training_results.json").write_text(json.dumps(results, separators=(",", ":")) + "\n")
        card = json.loads((MODEL_DIR / "checker.json").read_text())
        card["threshold"] = th["answer_threshold"]
        card["threshold_rule"] = (f"largest t with unsupported-class precision >= {args.precision:.2f} (at least 20 "
                                  f"flagged) on {on}; there: precision {th['train_unsupported_precision']:.3f}, "
                                  f"recall {th['train_unsupported_recall']:.3f}")
        card["threshold_max_ba"] = th["max_ba_threshold"]
        card["threshold_max_ba_rule"] = f"maximises balanced accuracy on {on}"
        card["coverage_floor"] = round(floor, 4)
        card["coverage_floor_rule"] = (f"1st percentile of the coverage of the {len(supported)} supported labelled "
                                       "training statements by their evidence")
        if args.model:
            card["sha256"] = hashlib.sha256(args.model.read_bytes()).hexdigest()
        (MODEL_DIR / "checker.json").write_text(json.dumps(card, indent=1) + "\n")
        print(f"wrote {MODEL_DIR / 'training_results.json'} and the thresholds of checker.json")


if __name__ == "__main__":
    main()
