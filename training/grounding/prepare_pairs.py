#!/usr/bin/env python3
"""Build sentence-level (claim, evidence, label) pairs from the SummEdits
non-news training domains, plus synthetic answer-style pairs from the same
training documents.

    python training/grounding/prepare_pairs.py [--work DIR]        # a few seconds, no model

Reads ../shared/benchmarks/summedits-other/train.jsonl in place (``--train``)
and writes regenerable caches under ``--work`` (default
training/grounding/.work/, git-ignored; never commit them: they hold
benchmark text):
  statements.jsonl  one row per unique (document, summary sentence):
                    evidence = top-3 aligned document sentences
                    (qa_service.grounding.alignment.select_evidence), label 1/0/null
  summaries.jsonl   one row per SummEdits pair: its statement ids and label
  synthetic.jsonl   synthetic pairs made from training documents

Sentence labels. SummEdits labels whole summaries. For one document, every
sentence of a consistent summary is supported (1). An inconsistent summary was
made by editing a seed summary; its sentences that also occur in a consistent
summary of the same document are supported, and when exactly one sentence is
new, that one carries the edit (0). When two or more are new we cannot tell
which is wrong: those sentences get label null (summary-level evaluation only).

Synthetic pairs (training documents only; the news split is never read), made
as minimal pairs: for each chosen document sentence, a supported claim (the
sentence verbatim, and light rewrites: leading connective dropped, trailing
clause dropped, leading pronoun replaced by a name from the previous sentence,
"United States" <-> "U.S.", contractions) and unsupported edits of the same
sentence, so the model must look at the edited word rather than at the topic:
a name swapped for another name of the same document, a number changed, a
month or year changed, a name from elsewhere in the document added as a new
detail ("... in Ottawa"), negation inserted or removed, a generic antonym
swapped in, and the sentence against evidence that does not hold it.

The project corpus (corpus/) is NOT used here: it is the held-out test of
supported recall on honest rewrites (training/grounding/evaluate.py).
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))
from qa_service.grounding.alignment import analyse, select_evidence, split_sentences  # noqa: E402

TRAIN = REPO.parent / "shared" / "benchmarks" / "summedits-other" / "train.jsonl"
WORK = HERE / ".work"

# Generic English antonyms, written from general knowledge (not from any
# benchmark pair). Used only to make synthetic unsupported pairs.
ANTONYMS_TEXT = """
increase decrease|increased decreased|increasing decreasing|increases decreases|rise fall|rose fell|rising falling
higher lower|high low|more less|most least|larger smaller|large small|bigger smaller|big small|strong weak
stronger weaker|good bad|better worse|best worst|positive negative|easy difficult|easier harder|agree disagree
agreed disagreed|accept reject|accepted rejected|like dislike|liked disliked|love hate|happy unhappy
possible impossible|able unable|likely unlikely|include exclude|included excluded|before after|early late
earlier later|first last|begin end|started stopped|start stop|open closed|opened closed|win lose|won lost
success failure|successful unsuccessful|profit loss|buy sell|bought sold|always never|many few|cheap expensive
old new|older newer|fast slow|faster slower|long short|longer shorter|up down|above below|inside outside
internal external|same different|similar different|true false|correct incorrect|available unavailable
interested uninterested|satisfied dissatisfied|clear unclear|important unimportant|simple complex|maximum minimum
add remove|added removed|allow prevent|allowed prevented|support oppose|supported opposed|confirm deny
confirmed denied|present absent|remember forget|arrive leave|arrived left|send receive|sent received|gain lose
gained lost|raise lower|raised lowered|expand reduce|expanded reduced|improve worsen|improved worsened
strength weakness|benefit harm|safe dangerous|private public|legal illegal|formal informal|major minor
majority minority|full empty|heavy light|hot cold|warm cool|wet dry|rich poor|young old|male female
north south|east west|morning evening|day night|buyer seller|lend borrow|win loss|ask answer|yes no
""".strip()


def _antonyms() -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in ANTONYMS_TEXT.replace("\n", "|").split("|"):
        a, b = pair.split()
        out.setdefault(a, b)
        out.setdefault(b, a)
    return out


ANTONYMS = _antonyms()
AUX = re.compile(r"\b(is|are|was|were|will|can|could|would|should|has|have|had|does|did|do|must|may)\b(?! not)")
NEG_REMOVE = (
    (re.compile(r"\b(is|are|was|were|will|can|could|would|should|has|have|had|does|did|do|must|may) not\b"), r"\1"),
    (re.compile(r"\b(is|are|was|were|could|would|should|has|have|had|does|did|do)n't\b"), r"\1"),
    (re.compile(r"\bcannot\b"), "can"),
    (re.compile(r"\bwon't\b"), "will"),
    (re.compile(r"\bnever\b"), "always"),
)
CONNECTIVES = re.compile(
    r"^(?:However|But|And|So|Also|In addition|Additionally|Furthermore|Moreover|Meanwhile|Still|Yet|Then|"
    r"Therefore|Thus|Overall|Well|Now|Indeed|In fact|Finally|First|Second|Instead)\b,?\s+"
)
PRONOUN = re.compile(r"^(He|She|It|They|This|That)\b")
NAME_SEQ = re.compile(r"\b(?:[A-Z][a-zA-Z&.-]+)(?:\s+(?:of\s+|the\s+|de\s+|la\s+)?[A-Z][a-zA-Z&.-]+)*")
NUM = re.compile(r"\$?\d[\d,]*(?:\.\d+)?%?")


def norm_sentence(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def load_rows(path: Path) -> list[dict]:
    with path.open() as fh:
        return [json.loads(line) for line in fh]


def build_statements(rows: list[dict], k: int) -> tuple[list[dict], list[dict]]:
    """Sentence-level statements with labels derived as the module docstring says."""
    docs: dict[str, int] = {}
    by_doc: dict[int, list[dict]] = collections.defaultdict(list)
    for r in rows:
        d = docs.setdefault(r["document"], len(docs))
        by_doc[d].append(r)
    statements: dict[tuple[int, str], dict] = {}
    summaries: list[dict] = []
    doc_sents: dict[int, list[str]] = {}
    for d, rs in by_doc.items():
        doc = rs[0]["document"]
        doc_sents[d] = split_sentences(doc)
        supported = {norm_sentence(s) for r in rs if r["consistent"] for s in split_sentences(r["summary"])}
        for r in rs:
            sents = [norm_sentence(s) for s in split_sentences(r["summary"])]
            new = [s for s in sents if s not in supported]
            sids = []
            for s in sents:
                key = (d, s)
                if key not in statements:
                    statements[key] = {"sid": len(statements), "domain": r["domain"], "doc": d, "claim": s,
                                       "evidence": select_evidence(s, doc_sents[d], k), "label": None,
                                       "votes": []}
                st = statements[key]
                if r["consistent"] or s in supported:
                    st["votes"].append(1)
                elif len(new) == 1:
                    st["votes"].append(0)
                sids.append(st["sid"])
            summaries.append({"id": r["id"], "domain": r["domain"], "doc": d, "consistent": bool(r["consistent"]),
                              "sids": sids, "edit_types": r.get("edit_types") or []})
    out = []
    for st in statements.values():
        votes = st.pop("votes")
        if votes:
            # supported wins: a sentence in any consistent summary is supported
            st["label"] = 1 if 1 in votes else 0
        out.append(st)
    return out, summaries, doc_sents


# --------------------------------------------------------------------------
# Synthetic pairs


def _swap_name(s: str, doc_names: list[str], rng: random.Random) -> str | None:
    names = [m.group() for m in NAME_SEQ.finditer(s) if m.start() > 0]
    if not names:
        return None
    target = rng.choice(names)
    pool = [n for n in doc_names if n not in s and n.lower() != target.lower()]
    if not pool:
        return None
    return s.replace(target, rng.choice(pool), 1)


def _swap_number(s: str, doc_numbers: list[str], rng: random.Random) -> str | None:
    nums = NUM.findall(s)
    if not nums:
        return None
    target = rng.choice(nums)
    pool = [n for n in doc_numbers if n not in s]
    if pool and rng.random() < 0.5:
        new = rng.choice(pool)
    else:
        digits = re.sub(r"[^\d.]", "", target)
        try:
            v = float(digits)
        except ValueError:
            return None
        nv = v * rng.choice([0.5, 0.8, 1.25, 1.5, 2, 3]) if v > 3 else v + rng.choice([1, 2, 3])
        text = f"{nv:.2f}".rstrip("0").rstrip(".") if "." in digits else str(int(round(nv)))
        new = target.replace(digits, text)
    if new == target:
        return None
    return s.replace(target, new, 1)


MONTHS = ("January February March April May June July August September October November December").split()
MONTH = re.compile(r"\b(" + "|".join(MONTHS) + r")\b")
YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def _swap_date(s: str, rng: random.Random) -> str | None:
    """Another month, or a year one to three off."""
    months = list(MONTH.finditer(s))
    years = list(YEAR.finditer(s))
    if months and (not years or rng.random() < 0.5):
        m = rng.choice(months)
        new = rng.choice([x for x in MONTHS if x != m.group()])
    elif years:
        m = rng.choice(years)
        new = str(int(m.group()) + rng.choice([-3, -2, -1, 1, 2, 3]))
    else:
        return None
    return s[: m.start()] + new + s[m.end():]


def _add_detail(s: str, far_names: list[str], rng: random.Random) -> str | None:
    """A name from elsewhere in the document added as a new detail: the
    invented fact a writer adds ("... in Ottawa", "... with the IMF")."""
    if not far_names or not s.endswith((".", "!", "?")):
        return None
    name = rng.choice(far_names)
    prep = rng.choice(["in", "with", "for", "by", "according to"])
    return f"{s[:-1]} {prep} {name}{s[-1]}"


def _negate(s: str, rng: random.Random) -> str | None:
    for pattern, repl in NEG_REMOVE:
        if pattern.search(s):
            return pattern.sub(repl, s, count=1)
    m = AUX.search(s)
    if m:
        return s[: m.end()] + " not" + s[m.end():]
    return None


def _antonym(s: str, rng: random.Random) -> str | None:
    words = list(re.finditer(r"[A-Za-z]+", s))
    cands = [m for m in words if m.group().lower() in ANTONYMS]
    if not cands:
        return None
    m = rng.choice(cands)
    rep = ANTONYMS[m.group().lower()]
    if m.group()[0].isupper():
        rep = rep.capitalize()
    return s[: m.start()] + rep + s[m.end():]


def _light_rewrites(s: str, prev: str | None) -> list[tuple[str, str, bool]]:
    """(kind, claim, needs_prev_in_evidence) rewrites that keep the meaning."""
    out = []
    m = CONNECTIVES.match(s)
    if m and len(s[m.end():].split()) >= 5:
        rest = s[m.end():]
        out.append(("syn-connective", rest[0].upper() + rest[1:], False))
    if "," in s:
        head = s[: s.rfind(",")]
        if len(head.split()) >= 6 and not re.search(r"\b(not|no|never|n't)\b", s[s.rfind(","):]):
            out.append(("syn-trailing", head.rstrip() + ".", False))
    pm = PRONOUN.match(s)
    if pm and prev:
        names = [n.group() for n in NAME_SEQ.finditer(prev) if n.start() > 0]
        if names:
            out.append(("syn-pronoun", names[0] + s[pm.end():], True))
    if "United States" in s:
        out.append(("syn-alias", s.replace("United States", "U.S.", 1), False))
    elif "U.S." in s:
        out.append(("syn-alias", s.replace("U.S.", "United States", 1), False))
    for a, b in (("do not", "don't"), ("does not", "doesn't"), ("did not", "didn't"), ("is not", "isn't"),
                 ("will not", "won't"), ("cannot", "can't")):
        if a in s:
            out.append(("syn-contraction", s.replace(a, b, 1), False))
            break
    return out


def build_synthetic(doc_sents: dict[int, list[str]], doc_domain: dict[int, str], per_doc: int, k: int,
                    seed: int) -> list[dict]:
    rng = random.Random(seed)
    out: list[dict] = []
    for d, sents in doc_sents.items():
        doc_names = sorted({m.group() for s in sents for m in NAME_SEQ.finditer(s) if m.start() > 0})
        doc_numbers = sorted({n for s in sents for n in NUM.findall(s)})
        idx = [i for i, s in enumerate(sents) if 8 <= len(s.split()) <= 45]
        rng.shuffle(idx)
        for i in idx[:per_doc]:
            s = norm_sentence(sents[i])
            prev = sents[i - 1] if i > 0 else None
            near = " ".join(sents[max(0, i - 1):i + 2])
            far_names = [n for n in doc_names if n not in near and len(n) > 2]
            pair = str(len(out))  # claims from one source sentence share a pair id

            def evidence(claim: str, need_prev: bool = False) -> list[str]:
                # half the time the answer-time span (1-2 neighbouring sentences),
                # half the time top-k alignment over the whole document
                if need_prev or rng.random() < 0.5:
                    lo = i - 1 if (need_prev or rng.random() < 0.3) and i > 0 else i
                    hi = i + 2 if rng.random() < 0.2 and i + 1 < len(sents) else i + 1
                    return sents[lo:hi]
                return select_evidence(claim, sents, k)

            def add(kind: str, claim: str | None, label: int, need_prev: bool = False) -> None:
                if claim and (claim != s or kind == "syn-verbatim"):
                    out.append({"domain": doc_domain[d], "doc": d, "pair": pair, "kind": kind, "claim": claim,
                                "evidence": evidence(claim, need_prev), "label": label})

            add("syn-verbatim", s, 1)
            for kind, claim, need_prev in _light_rewrites(s, prev):
                add(kind, claim, 1, need_prev)
            add("syn-name", _swap_name(s, doc_names, rng), 0)
            add("syn-number", _swap_number(s, doc_numbers, rng), 0)
            add("syn-date", _swap_date(s, rng), 0)
            add("syn-detail", _add_detail(s, far_names, rng) if rng.random() < 0.6 else None, 0)
            add("syn-negation", _negate(s, rng) if rng.random() < 0.6 else None, 0)
            add("syn-antonym", _antonym(s, rng), 0)
            # a sentence against evidence that does not hold it (a hallucinated fact)
            if rng.random() < 0.4:
                others = [x for j, x in enumerate(sents) if j != i and norm_sentence(x) != s]
                ev = select_evidence(s, others, rng.choice([1, 2, 3]))
                cover = analyse(" ".join(ev)).terms
                c_terms = analyse(s).terms
                if c_terms and len(c_terms & cover) / len(c_terms) < 0.5:
                    out.append({"domain": doc_domain[d], "doc": d, "pair": pair, "kind": "syn-unrelated",
                                "claim": s, "evidence": ev, "label": 0})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", type=Path, default=TRAIN, help="SummEdits non-news pairs (read in place)")
    ap.add_argument("--out", "--work", dest="out", type=Path, default=WORK,
                    help="cache directory (default training/grounding/.work/)")
    ap.add_argument("--k", type=int, default=3, help="evidence sentences per statement (default 3)")
    ap.add_argument("--synthetic-per-doc", type=int, default=14, help="source sentences per document (default 14)")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = load_rows(args.train)
    statements, summaries, doc_sents = build_statements(rows, args.k)
    doc_domain = {s["doc"]: s["domain"] for s in summaries}
    synthetic = build_synthetic(doc_sents, doc_domain, args.synthetic_per_doc, args.k, args.seed)
    for name, data in (("statements", statements), ("summaries", summaries), ("synthetic", synthetic)):
        with (args.out / f"{name}.jsonl").open("w") as fh:
            for row in data:
                fh.write(json.dumps(row) + "\n")
    labels = collections.Counter(str(s["label"]) for s in statements)
    print(f"statements {len(statements)} labels {dict(labels)}; summaries {len(summaries)}")
    print("synthetic", len(synthetic), dict(collections.Counter(s["kind"] for s in synthetic)))


if __name__ == "__main__":
    main()
