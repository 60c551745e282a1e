"""Reports of the suggestions-and-takeaways eval: a terminal table, the run
as JSON and a self-contained HTML page (no scripts or external assets;
every piece of text escaped) showing each article's takeaways and suggested
questions with their answers."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from qa_service.evaluation.report import HTML_FILE, RUN_FILE

# (label, summary key, target text) in the order the table shows them
HEADLINE = (
    ("articles with >= 4 cited questions shown", "share_with_4_shown_cited", ">= 0.90"),
    ("articles with >= 4 cited questions stored (hidden too)", "share_with_4_stored_cited", ""),
    ("articles showing no question", "share_with_no_shown_question", ""),
    ("cited questions shown per article", "shown_cited_per_article", ""),
    ("takeaways per article", "takeaways_per_article", "3-6"),
    ("takeaways that are boilerplate", "share_takeaways_boilerplate", "<= 0.02"),
    ("takeaways touching boilerplate", "share_takeaways_touching_boilerplate", ""),
    ("takeaways cited into the article", "share_takeaways_cited_article", ""),
    ("takeaways also cited into a source", "share_takeaways_cited_source", ""),
    ("key fact in takeaways", "key_fact_in_takeaways", ""),
    ("key fact in questions + answers", "key_fact_in_questions", ""),
    ("key fact in either", "key_fact_in_either", ""),
    ("duplicate question pairs", "duplicate_pairs", ""),
    ("pre-generation s/article p50", "seconds_per_article_p50", ""),
    ("pre-generation s/article p95", "seconds_per_article_p95", ""),
)
# Gate: summary key -> (bound, threshold); `eval suggestions --gate` exits 1 below them.
TARGETS = {"share_with_4_shown_cited": ("min", 0.90), "share_takeaways_boilerplate": ("max", 0.02)}


def _fmt(v: object) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def terminal_table(run: dict) -> str:
    s = run["summary"]
    width = max(len(label) for label, _, _ in HEADLINE)
    lines = [f"{run['config'].get('articles')} articles ({run['config'].get('labelled')} labelled)", ""]
    for label, key, target in HEADLINE:
        lines.append(f"{label:<{width}}  {_fmt(s.get(key)):>8}  {target}")
    kinds = s.get("question_kinds") or {}
    lines.append("")
    lines.append("kinds of cited questions shown: " + ", ".join(f"{k} {v}" for k, v in kinds.items()))
    return "\n".join(lines)


def gate(summary: dict) -> list[str]:
    """The targets missed (empty when all are met)."""
    failed = []
    for key, (bound, threshold) in TARGETS.items():
        value = summary.get(key)
        ok = value is not None and (value >= threshold if bound == "min" else value <= threshold)
        if not ok:
            failed.append(f"{key} = {_fmt(value)} (needs {'>=' if bound == 'min' else '<='} {threshold})")
    return failed


def write_report(run: dict, directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    run_path, html_path = directory / RUN_FILE, directory / HTML_FILE
    run_path.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    html_path.write_text(render_html(run), encoding="utf-8")
    return run_path, html_path


_STYLE = """body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:left}
.bad{background:#fde2e2}.ok{color:#176117}.miss{color:#9b1c1c}details{margin:.3rem 0}
.q{font-weight:600}.meta{color:#666;font-size:.85em}blockquote{margin:.3rem 0 .3rem 1rem;color:#444}"""


def render_html(run: dict) -> str:
    s = run["summary"]
    rows = "".join(f"<tr><td>{escape(label)}</td><td>{escape(_fmt(s.get(key)))}</td><td>{escape(target)}</td></tr>"
                   for label, key, target in HEADLINE)
    articles = "".join(_article(r) for r in run["records"])
    config = escape(json.dumps(run["config"], ensure_ascii=False))
    return (f"<!doctype html><html lang=en><meta charset=utf-8><title>Suggestions and takeaways eval</title>"
            f"<style>{_STYLE}</style><h1>Suggestions and takeaways</h1><p class=meta>{escape(run['created'])} "
            f"&middot; {config}</p><table><tr><th>metric</th><th>value</th><th>target</th></tr>{rows}</table>"
            f"{articles}</html>\n")


def _article(r: dict) -> str:
    fact = r.get("key_fact")
    found = []
    if fact:
        found.append(f"<span class={'ok' if r['key_fact_in_takeaways'] else 'miss'}>takeaways</span>")
        found.append(f"<span class={'ok' if r['key_fact_in_questions'] else 'miss'}>questions</span>")
    takeaways = "".join(
        f"<li{' class=bad' if t['boilerplate'] else ''}>{escape(t['text'])} <span class=meta>"
        f"{escape(', '.join(sorted({str(c['doc_id']) for c in t['citations']})) or 'uncited')}</span></li>"
        for t in r["takeaways"])
    questions = "".join(
        f"<details><summary class=q>{escape(q['text'])} <span class=meta>{escape(q['origin'])}"
        f"{' hidden' if q['hidden'] else ''} &middot; {escape(str(q['status']))} &middot; {q['citations']} "
        f"citation(s) &middot; {escape(q['kind'])}</span></summary><blockquote>{escape(q['answer'] or '')}"
        f"</blockquote></details>" for q in r["questions"])
    dups = "".join(f"<li>{escape(a)} / {escape(b)}</li>" for a, b in r["duplicates"])
    return (f"<h2>{escape(r['title'])}</h2><p class=meta>{escape(r['article_id'])} &middot; {r['seconds']} s"
            + (f" &middot; key fact <b>{escape(fact)}</b> in {' '.join(found)}" if fact else "")
            + f"</p><h3>Takeaways</h3><ul>{takeaways}</ul><h3>Questions ({r['shown_cited']} cited shown)</h3>"
            + questions + (f"<h3>Duplicates</h3><ul>{dups}</ul>" if dups else ""))
