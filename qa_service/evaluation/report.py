"""Run reports: a terminal table, the run as JSON, and a self-contained HTML
page (no scripts, no external assets; every piece of text is escaped)."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

RUN_FILE = "run.json"
HTML_FILE = "report.html"

# (label, summary key) in the order tables and plots show them
HEADLINE = (
    ("hits@1", "retrieval.hits@1"),
    ("hits@5", "retrieval.hits@5"),
    ("hits@10", "retrieval.hits@10"),
    ("mrr", "retrieval.mrr"),
    ("faithfulness", "faithfulness"),
    ("citation precision", "citation_precision"),
    ("citation recall", "citation_recall"),
    ("citation validity", "citation_validity"),
    ("refusal accuracy", "refusal_accuracy"),
    ("correctness", "correctness"),
)
# How the answers read: the answer-shape metrics, shown per question type.
SHAPE = (
    ("lead", "lead_correct"),
    ("aspects", "aspect_recall"),
    ("gaps", "gap_honesty"),
    ("premise", "premise_handling"),
    ("refusal", "refusal_accuracy"),
    ("faithful", "faithfulness"),
    ("cit.recall", "citation_recall"),
    ("redundancy", "redundancy"),
    ("words", "words"),
)


def value(summary: dict, dotted: str) -> float | None:
    node: object = summary
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node if isinstance(node, int | float) and not isinstance(node, bool) else None


def _fmt(v: float | None, digits: int = 3) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def _table(groups: dict[str, dict], columns: tuple[tuple[str, str], ...], first: str) -> list[str]:
    cols = [(label, key) for label, key in columns if any(value(g, key) is not None for g in groups.values())]
    name_w = max(len(first), *(len(g) for g in groups))
    header = f"{first:<{name_w}}  {'n':>3}  " + "  ".join(f"{label:>{max(6, len(label))}}" for label, _ in cols)
    lines = [header, "-" * len(header)]
    for name, g in groups.items():
        row = f"{name:<{name_w}}  {g['n']:>3}  "
        row += "  ".join(f"{_fmt(value(g, key), 1 if key == 'words' else 3):>{max(6, len(label))}}"
                         for label, key in cols)
        lines.append(row)
    return lines


# ---------------------------------------------------------------- terminal
def terminal_table(run: dict) -> str:
    s = run["summary"]
    cfg = run["config"]
    lines = [
        f"eval: {s['n']} questions · generator {cfg.get('generator') or 'none (retrieval only)'} · "
        f"checker {cfg['checker']} (threshold {cfg['support_threshold']}) · {cfg['documents']} documents · "
        f"{run['wall_seconds']} s",
        "",
    ]
    lines += _table({"all": s, **run.get("by_dataset", {})}, HEADLINE, "dataset")
    if run.get("by_type") and "lead_correct" in s:
        lines += [""] + _table({"all": s, **run["by_type"]}, SHAPE, "type")
    if "latency_ms_p50" in s:
        lines += ["", f"latency p50 {_fmt(s['latency_ms_p50'], 0)} ms · p95 {_fmt(s['latency_ms_p95'], 0)} ms · "
                      f"tokens {s['tokens']['prompt']} prompt / {s['tokens']['completion']} completion · "
                      f"{s['sentences']} sentences, {s['citations']} citations · "
                      f"hallucinated {s['refusal']['hallucinated']}, missed {s['refusal']['missed']}, "
                      f"errors {s['errors']}"]
        worst = [r for r in run["records"] if not r.get("refusal_correct", True) or r.get("correctness", 1) < 1]
        if worst:
            lines += ["", "questions to look at:"]
            for r in worst[:15]:
                why = r.get("refusal_label") if not r.get("refusal_correct", True) else \
                    f"correctness {r['correctness']:.2f}"
                lines.append(f"  {r['id']:<28} {why:<18} {r['question'][:70]}")
            if len(worst) > 15:
                lines.append(f"  ... and {len(worst) - 15} more (see --report)")
    return "\n".join(lines)


# ---------------------------------------------------------------- files
def write_report(run: dict, directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    run_path = directory / RUN_FILE
    html_path = directory / HTML_FILE
    run_path.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    html_path.write_text(render_html(run), encoding="utf-8")
    return run_path, html_path


def load_run(path: Path) -> dict:
    """A run from its report directory or its JSON file."""
    file = path / RUN_FILE if path.is_dir() else path
    if not file.is_file():
        raise FileNotFoundError(f"no run at {path} (expected a report directory with {RUN_FILE}, or the file)")
    try:
        run = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{file}: not valid JSON ({exc.msg})") from None
    if not isinstance(run, dict) or "summary" not in run or "records" not in run:
        raise ValueError(f"{file}: not an eval run (no summary/records)")
    return run


# ---------------------------------------------------------------- SVG
def svg_bars(items: list[tuple[str, float | None]], title: str, width: int = 560) -> str:
    """Horizontal bars for values in [0, 1]."""
    row_h, pad = 22, 8
    label_w = max(90, 7 * max((len(label) for label, _ in items), default=0) + 12)
    width = max(width, label_w + 260)
    height = pad * 2 + 20 + row_h * len(items)
    bar_w = width - label_w - 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<text x="{pad}" y="{pad + 12}" class="t">{escape(title)}</text>']
    for i, (label, v) in enumerate(items):
        y = pad + 20 + i * row_h
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 8}" class="bg"/>')
        if v is not None:
            w = max(0.0, min(1.0, v)) * bar_w
            cls = "good" if v >= 0.9 else "mid" if v >= 0.7 else "bad"
            parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" class="{cls}"/>')
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 15}">{escape(_fmt(v))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def svg_histogram(values: list[float], title: str, bins: int = 12, width: int = 560) -> str:
    height, pad, base = 170, 30, 140
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - lo) / span * bins))] += 1
    top = max(counts)
    bw = (width - 2 * pad) / bins
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<text x="{pad}" y="16" class="t">{escape(title)}</text>']
    for i, c in enumerate(counts):
        h = (c / top) * (base - 30) if top else 0
        parts.append(f'<rect x="{pad + i * bw:.1f}" y="{base - h:.1f}" width="{bw - 2:.1f}" height="{h:.1f}" '
                     f'class="mid"><title>{c}</title></rect>')
    parts.append(f'<text x="{pad}" y="{base + 18}">{lo:.0f} ms</text>')
    parts.append(f'<text x="{width - pad}" y="{base + 18}" text-anchor="end">{hi:.0f} ms</text>')
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------- HTML
_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2733;max-width:1400px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #dde3ea;padding:6px 8px;
text-align:left;vertical-align:top}th{background:#f3f6f9;position:sticky;top:0}
.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1a7f37}.fail{color:#c62828;font-weight:600}
.unsupported{background:#ffe3e3;border-left:3px solid #c62828;padding:2px 4px;display:block;margin:2px 0}
.supported{display:block;margin:2px 0}.absence{background:#fff6d6;display:block;margin:2px 0}
.quote{color:#4a5868;font-size:13px;border-left:3px solid #b7c4d1;padding-left:6px;margin:3px 0}
.dropped{color:#c62828;font-size:13px}
.plots{display:flex;flex-wrap:wrap;gap:18px}
svg text{font:12px system-ui,sans-serif;fill:#1d2733}svg .t{font-weight:600}
svg .bg{fill:#eef2f6}svg .good{fill:#2e9e5b}svg .mid{fill:#e0a100}svg .bad{fill:#d64545}
.tag{display:inline-block;background:#eef2f6;border-radius:3px;padding:0 4px;margin:1px;font-size:12px}
"""


def render_html(run: dict) -> str:
    s = run["summary"]
    cfg = run["config"]
    e = escape
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
           "<meta name='viewport' content='width=device-width,initial-scale=1'>",
           f"<title>Grounding eval · {e(str(run.get('created', '')))}</title><style>{_CSS}</style></head><body>",
           "<h1>Grounding eval</h1>",
           f"<p>{s['n']} questions · generator <b>{e(str(cfg.get('generator') or 'none (retrieval only)'))}</b>"
           f" · checker {e(str(cfg['checker']))} (threshold {e(str(cfg['support_threshold']))})"
           f" · {e(str(cfg['documents']))} documents · run {e(str(run.get('created', '')))}"
           f" · {e(str(run.get('wall_seconds', '')))} s</p>"]
    gate = run.get("gate")
    if gate:
        status = "<span class='ok'>passed</span>" if gate["passed"] else "<span class='fail'>failed</span>"
        out.append(f"<p>Gate ({e(gate['config'])}): {status}</p><ul>")
        for g in gate["results"]:
            cls = "ok" if g["passed"] else "fail"
            out.append(f"<li class='{cls}'>{e(g['text'])}</li>")
        out.append("</ul>")

    out.append("<div class='plots'>")
    out.append(svg_bars([(label, value(s, key)) for label, key in HEADLINE], "Summary"))
    by_ds = run.get("by_dataset", {})
    if by_ds and "refusal_accuracy" in s:
        out.append(svg_bars([(f"{name}: refusal", value(g, "refusal_accuracy")) for name, g in by_ds.items()]
                            + [(f"{name}: correct", value(g, "correctness")) for name, g in by_ds.items()],
                            "Refusals and correctness by dataset"))
    latencies = [r["latency_ms"] for r in run["records"] if r.get("status") not in (None, "error")]
    if latencies:
        out.append(svg_histogram(latencies, f"Answer latency (p50 {_fmt(s.get('latency_ms_p50'), 0)} ms)"))
    out.append("</div>")

    out.append("<h2>By dataset</h2>" + _summary_table(by_ds))
    if run.get("by_type"):
        out.append("<h2>By question type: how the answers read</h2>"
                   + _summary_table({"all": s, **run["by_type"]}, SHAPE))
    if run.get("by_tag"):
        out.append("<h2>By tag</h2>" + _summary_table(run["by_tag"]))

    out.append("<h2>Questions</h2><table><thead><tr><th>question</th><th>retrieval</th><th>outcome</th>"
               "<th>answer (unsupported sentences highlighted)</th><th>cited passages</th></tr></thead><tbody>")
    for r in run["records"]:
        out.append(_question_row(r))
    out.append("</tbody></table></body></html>")
    return "\n".join(out)


def _summary_table(groups: dict[str, dict], columns: tuple[tuple[str, str], ...] = HEADLINE) -> str:
    if not groups:
        return "<p>none</p>"
    cols = [(label, key) for label, key in columns if any(value(g, key) is not None for g in groups.values())]
    rows = ["<table><thead><tr><th>group</th><th class='num'>n</th>"
            + "".join(f"<th class='num'>{escape(label)}</th>" for label, _ in cols) + "</tr></thead><tbody>"]
    for name, g in groups.items():
        rows.append(f"<tr><td>{escape(name)}</td><td class='num'>{g['n']}</td>"
                    + "".join(f"<td class='num'>{_fmt(value(g, key), 1 if key == 'words' else 3)}</td>"
                              for _, key in cols) + "</tr>")
    rows.append("</tbody></table>")
    return "".join(rows)


def _question_row(r: dict) -> str:
    e = escape
    tags = "".join(f"<span class='tag'>{e(t)}</span>" for t in r.get("tags", []))
    q = (f"<b>{e(r['id'])}</b> <span class='tag'>{e(str(r.get('type') or ''))}</span><br>{e(r['question'])}<br>{tags}"
         f"<br><small>{'answerable' if r.get('answerable', True) else 'not answerable'}</small>")
    ret = r.get("retrieval") or {}
    ranked = ", ".join(ret.get("ranked", [])[:5])
    retrieval = (f"hits@1 {_fmt(ret.get('hits@1'), 0)} · rr {_fmt(ret.get('mrr'), 2)}"
                 f"<br><small>{e(ranked)}</small>") if ret.get("expected") else "<small>no expected documents</small>"
    if "status" not in r:
        return f"<tr><td>{q}</td><td>{retrieval}</td><td></td><td></td><td></td></tr>"
    ok = r.get("refusal_correct")
    outcome = f"<span class='{'ok' if ok else 'fail'}'>{e(r.get('refusal_label', ''))}</span><br>status {e(r['status'])}"
    if r.get("facts") or r.get("forbidden"):
        outcome += f"<br>correctness {_fmt(r.get('correctness'), 2)}"
    missing = [f["fact"] for f in r.get("facts", []) if not f["found"]]
    if missing:
        outcome += "<br><small>missing: " + e("; ".join(missing)) + "</small>"
    if r.get("forbidden_hits"):
        outcome += "<br><span class='fail'>forbidden: " + e("; ".join(r["forbidden_hits"])) + "</span>"
    for key, label in (("lead_correct", "lead"), ("aspect_recall", "aspects"), ("gap_honesty", "gaps"),
                       ("premise_handling", "premise")):
        if r.get(key) is not None:
            outcome += f"<br>{label} {_fmt(float(r[key]), 2)}"
    outcome += f"<br><small>{r.get('words', 0)} words · {r.get('latency_ms', 0):.0f} ms</small>"
    if not r.get("sentences"):
        answer = f"<i>{e(r.get('answer') or r.get('message') or '')}</i>"
    else:
        parts = []
        for sent in r.get("sentences", []):
            marks = "".join(f" [{n}]" for n in sent["markers"])
            text = e(sent["text"] + marks)
            if sent["absence"]:
                parts.append(f"<span class='absence' title='absence statement'>{text}</span>")
            elif sent["claim"] and not sent["supported_by_citations"]:
                why = "not supported by its citations" + (
                    "" if sent["supported_by_passages"] else " nor by any retrieved passage")
                parts.append(f"<span class='unsupported' title='{e(why)}'>{text}</span>")
            else:
                parts.append(f"<span class='supported'>{text}</span>")
        answer = "".join(parts)
    for g in r.get("answer_gaps", []):
        answer += f"<div class='absence'>gap ({e(g['aspect'])}): {e(g['statement'])}</div>"
    if r.get("dropped_sentences"):
        answer += "".join(f"<div class='dropped'>dropped by verification: {e(d)}</div>"
                          for d in r["dropped_sentences"])
    cites = "".join(
        f"<div class='quote'>[{c['n']}] <small>{e(c['doc_id'])} {c['start']}-{c['end']}"
        f"{'' if c['valid'] else ' · INVALID'}{'' if c.get('precise') in (None, True) else ' · imprecise'}"
        f"</small><br>{e(c['quote'])}</div>"
        for c in r.get("citations", []))
    return f"<tr><td>{q}</td><td>{retrieval}</td><td>{outcome}</td><td>{answer}</td><td>{cites}</td></tr>"
