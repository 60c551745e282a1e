"""What changed between two runs: summary metrics (higher is better, except
latency) and the questions whose outcome got worse or better."""

from __future__ import annotations

from qa_service.evaluation.report import HEADLINE, value

LOWER_IS_BETTER = ("latency_ms_p50", "latency_ms_p95")
TOLERANCE = 1e-9


def compare_runs(a: dict, b: dict, tolerance: float = 0.0) -> dict:
    """Run B against run A (the baseline). A metric regresses when B is worse
    by more than ``tolerance`` (absolute; latency: relative, plus 20%)."""
    metrics = []
    keys = [key for _, key in HEADLINE] + list(LOWER_IS_BETTER)
    for key in keys:
        va, vb = value(a["summary"], key), value(b["summary"], key)
        if va is None and vb is None:
            continue
        if va is None or vb is None:
            status = "missing"
        elif key in LOWER_IS_BETTER:
            status = "regressed" if vb > va * 1.2 + tolerance else "improved" if vb < va / 1.2 else "same"
        else:
            delta = vb - va
            status = "regressed" if delta < -tolerance - TOLERANCE else \
                "improved" if delta > tolerance + TOLERANCE else "same"
        metrics.append({"metric": key, "a": va, "b": vb,
                        "delta": None if va is None or vb is None else round(vb - va, 4), "status": status})
    by_id_a = {r["id"]: r for r in a["records"]}
    questions = []
    for rb in b["records"]:
        ra = by_id_a.get(rb["id"])
        if ra is None:
            continue
        changes = []
        for key, label in (("refusal_correct", "refusal"), ("correctness", "correctness")):
            if key in ra and key in rb and ra[key] != rb[key]:
                worse = float(rb[key]) < float(ra[key])
                changes.append({"what": label, "a": ra[key], "b": rb[key], "worse": worse})
        ha = (ra.get("retrieval") or {}).get("mrr")
        hb = (rb.get("retrieval") or {}).get("mrr")
        if ha is not None and hb is not None and abs(ha - hb) > 1e-9:
            changes.append({"what": "mrr", "a": ha, "b": hb, "worse": hb < ha})
        ua = _unsupported(ra)
        ub = _unsupported(rb)
        if ua != ub and "sentences" in ra and "sentences" in rb:
            changes.append({"what": "unsupported sentences", "a": ua, "b": ub, "worse": ub > ua})
        if changes:
            questions.append({"id": rb["id"], "question": rb["question"], "changes": changes,
                              "regressed": any(c["worse"] for c in changes)})
    only_a = sorted(set(by_id_a) - {r["id"] for r in b["records"]})
    only_b = sorted({r["id"] for r in b["records"]} - set(by_id_a))
    return {
        "metrics": metrics,
        "questions": questions,
        "only_in_a": only_a,
        "only_in_b": only_b,
        "regressed": any(m["status"] == "regressed" for m in metrics) or any(q["regressed"] for q in questions),
    }


def _unsupported(record: dict) -> int:
    return sum(1 for s in record.get("sentences", []) if s["claim"] and not s["absence"]
               and not s["supported_by_citations"])


def render_comparison(result: dict, name_a: str, name_b: str) -> str:
    lines = [f"A = {name_a}", f"B = {name_b}", "",
             f"{'metric':<22} {'A':>8} {'B':>8} {'delta':>8}  status", "-" * 58]
    for m in result["metrics"]:
        fa = "-" if m["a"] is None else f"{m['a']:.3f}"
        fb = "-" if m["b"] is None else f"{m['b']:.3f}"
        fd = "" if m["delta"] is None else f"{m['delta']:+.3f}"
        mark = "REGRESSED" if m["status"] == "regressed" else m["status"]
        lines.append(f"{m['metric']:<22} {fa:>8} {fb:>8} {fd:>8}  {mark}")
    worse = [q for q in result["questions"] if q["regressed"]]
    better = [q for q in result["questions"] if not q["regressed"]]
    if worse:
        lines += ["", f"{len(worse)} question(s) got worse:"]
        for q in worse:
            what = "; ".join(f"{c['what']} {c['a']} -> {c['b']}" for c in q["changes"] if c["worse"])
            lines.append(f"  {q['id']:<28} {what}")
    if better:
        lines += ["", f"{len(better)} question(s) got better:"]
        for q in better:
            what = "; ".join(f"{c['what']} {c['a']} -> {c['b']}" for c in q["changes"])
            lines.append(f"  {q['id']:<28} {what}")
    if result["only_in_a"] or result["only_in_b"]:
        lines += ["", f"only in A: {len(result['only_in_a'])} question(s); only in B: {len(result['only_in_b'])}"]
    lines += ["", "regressions found" if result["regressed"] else "no regressions"]
    return "\n".join(lines)
