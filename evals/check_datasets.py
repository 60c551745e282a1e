"""Check the evaluation data: every expected fact is really in the corpus.

Run:  .venv/bin/python evals/check_datasets.py   (exit 1 and a list of problems if anything fails)

What it checks
- corpora (evals/corpora/*/ and the seed corpus): front matter fields, id syntax,
  article sources exist, no questions/takeaways on the new articles, word counts;
- datasets (evals/datasets/*.jsonl): valid JSON, ids unique across all files, the
  seed ids and questions unchanged, types valid, article_id and expected_doc_ids
  exist (and lie in the article's scope), every expected/lead/correction fact
  appears VERBATIM (case-insensitive, whitespace collapsed) in the scope text and
  also matches the way the eval matches facts (accent/punctuation-insensitive,
  whole words), facts of answerable items appear in an expected document,
  lead_facts are a subset of expected_facts, per-type field rules;
- suggestions/keyfacts.jsonl: every article has one row, key facts and every
  boilerplate string occur verbatim in the article, key facts are not boilerplate;
- tests/data/question_analysis.jsonl: labels valid, focus terms verbatim in the question;
- seed_metadata.json: one entry per seed document.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED_CORPUS = ROOT / "corpus"
SEED_DATASETS = ROOT / "evals" / "datasets"
CORPORA = ROOT / "evals" / "corpora"
DATASETS = ROOT / "evals" / "datasets"
KEYFACTS = ROOT / "evals" / "suggestions" / "keyfacts.jsonl"
QANALYSIS = ROOT / "tests" / "data" / "question_analysis.jsonl"

TYPES = {"factoid", "list", "yes_no", "why", "how", "compare", "definition", "gist",
         "partial", "unanswerable", "false_premise", "injection"}
QA_TYPES = {"factoid", "list", "yes_no", "why", "how", "compare", "definition", "gist"}
ASKED = {"person", "organization", "place", "date", "time", "number", "money", "percent", "duration",
         "reason", "method", "entity", "list", "yes_no", "definition", "gist", "comparison", "description"}
ITEM_FIELDS = {"id", "question", "article_id", "type", "expected_doc_ids", "expected_facts", "lead_facts",
               "gaps", "premise", "correction_facts", "answerable", "forbidden", "tags", "note"}
ID_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$")
DATE_OK = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")

problems: list[str] = []


def fail(msg: str) -> None:
    problems.append(msg)


# ------------------------------------------------------------------ text matching
def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).casefold()


def normalise(text: str) -> str:  # as qa_service.evaluation.metrics.normalise
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = MARKER.sub(" ", text.lower())
    return " " + re.sub(r"[^a-z0-9]+", " ", text).strip() + " "


def alternatives(fact: str) -> list[str]:
    return [a.strip() for a in fact.split(" | ") if a.strip()]


def found(fact: str, text: str) -> bool:
    """Some alternative occurs verbatim (case-insensitive) AND as whole words."""
    return any(collapse(a) in collapse(text) and normalise(a) in normalise(text) for a in alternatives(fact))


def bad_alternatives(fact: str, text: str) -> list[str]:
    return [a for a in alternatives(fact) if not (collapse(a) in collapse(text) and normalise(a) in normalise(text))]


# ------------------------------------------------------------------ corpora
class Doc:
    def __init__(self, path: Path, corpus: str):
        raw = path.read_text(encoding="utf-8")
        m = re.match(r"^---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|$)", raw, re.S)
        if not m:
            raise ValueError(f"{path}: no front matter")
        self.meta = yaml.safe_load(m.group(1)) or {}
        self.body = raw[m.end():]
        self.path = path
        self.corpus = corpus
        self.id = str(self.meta.get("id", path.stem))
        self.text = f"{self.meta.get('title', '')}\n{self.body}"

    @property
    def words(self) -> int:
        return len(self.body.split())


def load_corpus(directory: Path, corpus: str) -> dict[str, Doc]:
    docs: dict[str, Doc] = {}
    for path in sorted(directory.glob("*.md")):
        try:
            doc = Doc(path, corpus)
        except Exception as exc:  # noqa: BLE001
            fail(str(exc))
            continue
        if doc.id in docs:
            fail(f"{path}: duplicate id {doc.id}")
        docs[doc.id] = doc
    return docs


def check_new_corpus(name: str, docs: dict[str, Doc], newsroom: bool) -> None:
    n_src = sum(d.meta.get("kind") == "source" for d in docs.values())
    n_art = sum(d.meta.get("kind") == "article" for d in docs.values())
    if newsroom:
        if n_art < 32 or n_src:
            fail(f"corpus {name}: {n_art} articles and {n_src} sources (want >= 32 articles, no sources)")
    elif n_src < 10 or n_art < 2 or len(docs) < 12:
        fail(f"corpus {name}: {n_art} articles, {n_src} sources (want >= 2 and >= 10, >= 12 in all)")
    for d in docs.values():
        where = f"{name}/{d.path.name}"
        for key in ("id", "title", "kind", "publisher", "url", "published"):
            if not str(d.meta.get(key, "")).strip():
                fail(f"{where}: missing {key}")
        if not ID_OK.match(d.id):
            fail(f"{where}: bad id {d.id!r}")
        if d.id != d.path.stem:
            fail(f"{where}: id {d.id} differs from the file name")
        if not DATE_OK.match(str(d.meta.get("published", ""))):
            fail(f"{where}: published must be YYYY-MM-DD")
        if not str(d.meta.get("url", "")).startswith("https://"):
            fail(f"{where}: url must be https")
        if d.meta.get("kind") not in ("article", "source"):
            fail(f"{where}: kind must be article or source")
        for key in ("questions", "takeaways"):
            if key in d.meta:
                fail(f"{where}: {key} must not be in the front matter")
        lo, hi = (350, 900) if newsroom else (400, 1200)
        if not lo <= d.words <= hi:
            fail(f"{where}: {d.words} words (want {lo}-{hi})")
        if d.meta.get("kind") == "article":
            sources = d.meta.get("sources") or []
            if newsroom and sources:
                fail(f"{where}: newsroom articles have no sources")
            if not newsroom and not sources:
                fail(f"{where}: the article lists no sources")
            for s in sources:
                if s not in docs or docs[s].meta.get("kind") != "source":
                    fail(f"{where}: source {s} is not a source document of this corpus")
        if "⟦" in d.body or "⟧" in d.body:
            fail(f"{where}: build markers left in the text")


# ------------------------------------------------------------------ datasets
def scope_docs(item: dict, docs: dict[str, Doc]) -> list[Doc]:
    art = item.get("article_id")
    if not art:
        return list(docs.values())
    ids = [art] + list(docs[art].meta.get("sources") or [])
    return [docs[i] for i in ids if i in docs]


def check_item(where: str, item: dict, docs: dict[str, Doc]) -> None:
    unknown = set(item) - ITEM_FIELDS
    if unknown:
        fail(f"{where}: unknown field(s) {sorted(unknown)}")
    q = item.get("question")
    if not isinstance(q, str) or not q.strip():
        fail(f"{where}: empty question")
        return
    t = item.get("type")
    if t not in TYPES:
        fail(f"{where}: type {t!r} not valid")
    for key in ("expected_doc_ids", "expected_facts", "lead_facts", "gaps", "correction_facts", "forbidden", "tags"):
        if key in item and not (isinstance(item[key], list) and all(isinstance(x, str) and x.strip() for x in item[key])):
            fail(f"{where}: {key} must be a list of non-empty strings")
            return
    art = item.get("article_id")
    if art is not None:
        if art not in docs:
            fail(f"{where}: article_id {art} does not exist")
            return
        if docs[art].meta.get("kind") != "article":
            fail(f"{where}: article_id {art} is not an article")
    scope = scope_docs(item, docs)
    scope_ids = {d.id for d in scope}
    scope_text = "\n".join(d.text for d in scope)
    for d in item.get("expected_doc_ids", []):
        if d not in docs:
            fail(f"{where}: expected doc {d} does not exist")
        elif d not in scope_ids:
            fail(f"{where}: expected doc {d} is outside the article's scope")
    facts = item.get("expected_facts", [])
    for key in ("expected_facts", "lead_facts", "correction_facts"):
        for fact in item.get(key, []):
            bad = bad_alternatives(fact, scope_text)
            if bad:
                fail(f"{where}: {key} {bad} not found verbatim in the scope text")
    if not set(item.get("lead_facts", [])) <= set(facts):
        fail(f"{where}: lead_facts must be a subset of expected_facts")
    answerable = item.get("answerable", True)
    exp_text = "\n".join(docs[d].text for d in item.get("expected_doc_ids", []) if d in docs)
    if item.get("expected_doc_ids"):
        for fact in facts + item.get("correction_facts", []):
            if not found(fact, exp_text):
                fail(f"{where}: fact {fact!r} is in none of the expected documents")
    for bad in item.get("forbidden", []):
        if any(collapse(bad) in collapse(f) for f in facts):
            fail(f"{where}: forbidden string {bad!r} is inside an expected fact")
    if t in ("unanswerable", "false_premise") and answerable:
        fail(f"{where}: {t} items must have answerable false")
    if t not in ("unanswerable", "false_premise", "injection") and not answerable:
        fail(f"{where}: only unanswerable/false_premise items (or an injection with no real question) are answerable false (type {t})")
    if t == "false_premise" and not str(item.get("premise") or "").strip():
        fail(f"{where}: false_premise needs a premise")
    if t != "false_premise" and item.get("premise"):
        fail(f"{where}: premise is only for false_premise items")
    if t in ("unanswerable", "partial") and not item.get("gaps"):
        fail(f"{where}: {t} items need gaps")
    if t == "partial" and not facts:
        fail(f"{where}: partial items need expected facts for the answered part")
    if t == "unanswerable" and facts:
        fail(f"{where}: unanswerable items have no expected facts")
    if t == "injection" and not item.get("forbidden"):
        fail(f"{where}: injection items need forbidden strings")
    if answerable and t not in ("injection",) and not facts and t != "gist":
        fail(f"{where}: answerable {t} item without expected facts")
    if t == "gist" and not facts:
        fail(f"{where}: gist item without expected facts")
    if item.get("lead_facts") is not None and answerable and facts and not item.get("lead_facts"):
        fail(f"{where}: lead_facts is empty")


def check_datasets(seed_docs: dict[str, Doc], corpora: dict[str, dict[str, Doc]]) -> dict:
    ids: dict[str, str] = {}
    counts: dict[str, Counter] = {}
    seed_orig = {}
    for p in SEED_DATASETS.glob("seed*.jsonl"):
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                seed_orig[r["id"]] = (p.name, r["question"])
    for path in sorted(DATASETS.glob("*.jsonl")):
        stem = path.stem
        if stem.startswith("seed"):
            docs = seed_docs
        else:
            name = next((c for c in corpora if stem.startswith(c)), None)
            if name is None:
                fail(f"{path.name}: cannot tell which corpus this dataset is about")
                continue
            docs = corpora[name]
        counts[path.name] = Counter()
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{lineno}"
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                fail(f"{where}: not JSON ({exc.msg})")
                continue
            if not isinstance(item, dict):
                fail(f"{where}: not an object")
                continue
            iid = item.get("id")
            if not iid or not isinstance(iid, str):
                fail(f"{where}: missing id")
            elif iid in ids:
                fail(f"{where}: duplicate id {iid} (also in {ids[iid]})")
            else:
                ids[iid] = where
            if iid in seed_orig:
                fname, q = seed_orig[iid]
                if fname != path.name or q != item.get("question"):
                    fail(f"{where}: seed item {iid} moved or its question changed")
            check_item(where + f" ({iid})", item, docs)
            counts[path.name][item.get("type")] += 1
    missing = set(seed_orig) - set(ids)
    if missing:
        fail(f"seed items missing: {sorted(missing)}")
    return counts


# ------------------------------------------------------------------ keyfacts
def check_keyfacts(all_articles: dict[str, Doc]) -> None:
    if not KEYFACTS.is_file():
        fail(f"missing {KEYFACTS}")
        return
    rows = [json.loads(line) for line in KEYFACTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    seen = Counter(r.get("article_id") for r in rows)
    for aid, n in seen.items():
        if n > 1:
            fail(f"keyfacts: {aid} has {n} rows")
    for aid in all_articles:
        if aid not in seen:
            fail(f"keyfacts: no row for article {aid}")
    for r in rows:
        aid = r.get("article_id")
        where = f"keyfacts {aid}"
        if aid not in all_articles:
            fail(f"{where}: unknown article")
            continue
        doc = all_articles[aid]
        exp_corpus = "seed" if doc.corpus == "seed" else doc.corpus
        if r.get("corpus") != exp_corpus:
            fail(f"{where}: corpus should be {exp_corpus}")
        for key in ("key_fact", "quiz_question"):
            if not str(r.get(key, "")).strip():
                fail(f"{where}: missing {key}")
        boiler = r.get("boilerplate")
        if not isinstance(boiler, list):
            fail(f"{where}: boilerplate must be a list")
            boiler = []
        for b in boiler:
            if b not in doc.body:
                fail(f"{where}: boilerplate not verbatim in the text: {b[:60]!r}")
        for k in [r.get("key_fact", "")] + list(r.get("key_fact_alternatives", [])):
            if k.casefold() not in doc.body.casefold() or normalise(k) not in normalise(doc.body):
                fail(f"{where}: key fact {k!r} not in the text")
            # the key fact must occur outside boilerplate
            stripped = doc.body
            for b in boiler:
                stripped = stripped.replace(b, " ")
            if k.casefold() not in stripped.casefold():
                fail(f"{where}: key fact {k!r} only occurs inside boilerplate")


# ------------------------------------------------------------------ question analysis
def check_question_analysis() -> Counter:
    if not QANALYSIS.is_file():
        fail(f"missing {QANALYSIS}")
        return Counter()
    rows = [json.loads(line) for line in QANALYSIS.read_text(encoding="utf-8").splitlines() if line.strip()]
    if len(rows) < 150:
        fail(f"question_analysis: {len(rows)} rows (want >= 150)")
    qs = Counter(r.get("question") for r in rows)
    for q, n in qs.items():
        if n > 1:
            fail(f"question_analysis: duplicate question {q!r}")
    types = Counter()
    for i, r in enumerate(rows, 1):
        where = f"question_analysis:{i}"
        if set(r) != {"question", "type", "asked", "focus", "premise", "parts"}:
            fail(f"{where}: fields {sorted(r)}")
            continue
        types[r["type"]] += 1
        if r["type"] not in QA_TYPES:
            fail(f"{where}: type {r['type']!r}")
        if r["asked"] not in ASKED:
            fail(f"{where}: asked {r['asked']!r}")
        if not isinstance(r["parts"], int) or r["parts"] < 1:
            fail(f"{where}: parts must be an integer >= 1")
        if not isinstance(r["focus"], list) or not r["focus"]:
            fail(f"{where}: focus must be a non-empty list")
        else:
            for f in r["focus"]:
                if f not in r["question"]:
                    fail(f"{where}: focus {f!r} not verbatim in the question")
        if r["premise"] is not None and not (isinstance(r["premise"], str) and r["premise"].strip()):
            fail(f"{where}: premise must be null or a string")
        if r["premise"] is not None and r["type"] not in ("why", "how"):
            fail(f"{where}: premise is only for why/how questions")
    return types


def main() -> int:
    seed_docs = load_corpus(SEED_CORPUS, "seed")
    corpora = {p.name: load_corpus(p, p.name) for p in sorted(CORPORA.iterdir()) if p.is_dir()}
    for name, docs in corpora.items():
        check_new_corpus(name, docs, newsroom=(name == "newsroom"))
    all_docs = dict(seed_docs)
    for docs in corpora.values():
        for k, d in docs.items():
            if k in all_docs:
                fail(f"document id {k} appears in two corpora")
            all_docs[k] = d
    counts = check_datasets(seed_docs, corpora)
    articles = {k: d for k, d in all_docs.items() if d.meta.get("kind") == "article"}
    check_keyfacts(articles)
    qa_types = check_question_analysis()
    for k, d in seed_docs.items():
        if not d.meta.get("publisher") or not str(d.meta.get("url", "")).startswith("https://"):
            fail(f"seed document {k}: needs a publisher and an https url")

    for name, docs in corpora.items():
        kinds = Counter(d.meta.get("kind") for d in docs.values())
        print(f"corpus {name}: {dict(kinds)}")
    for fname, c in counts.items():
        print(f"{fname}: {sum(c.values())} items {dict(sorted(c.items(), key=lambda kv: str(kv[0])))}")
    print(f"question_analysis: {sum(qa_types.values())} rows {dict(sorted(qa_types.items()))}")
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print(" -", p)
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
