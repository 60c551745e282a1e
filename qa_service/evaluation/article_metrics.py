"""Scoring what sits under one article (its takeaways and suggested questions
with their stored answers) against the article's labels, and aggregating a run.
Pure functions over plain data: the runner feeds them what was stored.

Definitions (see evals/README.md):
- a question is *cited* when its published answer is ``answered`` with at
  least one citation, or ``not_in_sources`` with a gap statement quoted from
  the sources and cited (the honest answer to "what is not yet known");
- *shown* questions are the ones a reader sees (not hidden) with a published
  answer; *stored* ones include hidden ones waiting for an editor;
- a takeaway is *boilerplate* when at least half of its text is labelled page
  furniture (the labels' ``boilerplate`` strings, not the service's detector),
  and *touches boilerplate* when any labelled string is in it;
- the *key fact* is found in a text when it (or an alternative) occurs in it,
  case-, accent- and punctuation-insensitively on whole words;
- two shown questions are *duplicates* when they share at least half of their
  content terms (Jaccard over stems), their answers open with the same cited
  passage, or their sentence embeddings (when the runner has an embedder: the
  service's MiniLM) have a cosine of at least 0.85 (paraphrases).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from qa_service.evaluation.metrics import fact_found, normalise
from qa_service.models import Answer, Document
from qa_service.text import terms

DUPLICATE_JACCARD = 0.5
DUPLICATE_COSINE = 0.85
BOILERPLATE_SHARE = 0.5
MIN_QUESTIONS = 4

KINDS = ("what_is", "next", "why", "how_much", "affected", "unknown", "other")


@dataclass
class QuestionRecord:
    text: str
    origin: str
    hidden: bool
    answer: Answer | None

    @property
    def cited(self) -> bool:
        a = self.answer
        if a is None or not a.citations:
            return False
        if a.status == "answered":
            return True
        return a.status == "not_in_sources" and any(g.cited for g in a.gaps)

    @property
    def shown(self) -> bool:
        return not self.hidden and self.answer is not None


@dataclass
class ArticleInput:
    doc: Document
    questions: list[QuestionRecord]
    takeaways: list[dict[str, object]]
    facts: list[str] = field(default_factory=list)  # the key fact and its alternatives
    boilerplate: list[str] = field(default_factory=list)  # labelled page furniture
    seconds: float = 0.0  # pre-generation time


def question_kind(text: str) -> str:
    """The kind of follow-up a question is, read off its wording (for the
    report's mix; the suggester's own kinds are not needed)."""
    low = " " + normalise(text).strip() + " "
    if any(p in low for p in (" not yet known ", " not known ", " unknown ", " unclear ", " not been ",
                              " yet to ", " still unknown ", " remains unclear ")):
        return "unknown"
    if low.startswith(" why "):
        return "why"
    if " how much " in low or " how many " in low or " how large " in low or " how big " in low or \
            low.startswith((" by what vote ", " by what score ", " by what margin ")):
        return "how_much"
    if any(p in low for p in (" who is affected ", " who will be affected ", " who are affected ", " who is hit ",
                              " who qualifies ", " who can ", " who will ", " who is eligible ", " affected by ")):
        return "affected"
    if any(p in low for p in (" what happens next ", " what comes next ", " when will ", " what is next ",
                              " next step", " when does ", " when is ", " what will happen ")) or \
            low.startswith((" when will ", " when would ", " what will ", " what would ", " when are ")):
        return "next"
    if low.startswith((" what is ", " what are ", " who is ", " who are ", " who leads ", " who runs ")):
        return "what_is"
    return "other"


def _share_boilerplate(text: str, labels: Sequence[str]) -> tuple[float, bool]:
    """(share of the text that is labelled furniture, whether any label is in it)."""
    t = normalise(text)
    if not t.strip():
        return 1.0, True
    covered = 0
    touched = False
    for label in labels:
        lab = normalise(label)
        if not lab.strip():
            continue
        if t in lab:
            return 1.0, True
        if lab in t:
            covered += len(lab.strip())
            touched = True
    return min(1.0, covered / max(1, len(t.strip()))), touched


Embed = Callable[[Sequence[str]], np.ndarray]


def _duplicates(questions: Sequence[QuestionRecord], embed: Embed | None = None) -> list[tuple[str, str]]:
    vectors = embed([q.text for q in questions]) if embed is not None and len(questions) > 1 else None
    pairs = []
    for i, a in enumerate(questions):
        ta = set(terms(a.text))
        lead_a = _lead(a.answer)
        for j in range(i + 1, len(questions)):
            b = questions[j]
            tb = set(terms(b.text))
            jaccard = len(ta & tb) / len(ta | tb) if ta | tb else 1.0
            close = vectors is not None and float(vectors[i] @ vectors[j]) >= DUPLICATE_COSINE
            if jaccard >= DUPLICATE_JACCARD or close or (lead_a is not None and lead_a == _lead(b.answer)):
                pairs.append((a.text, b.text))
    return pairs


def _lead(answer: Answer | None) -> tuple[str, int, int] | None:
    if answer is None or not answer.citations:
        return None
    c = answer.citations[0]
    return (c.doc_id, c.start, c.end)


def score_article(item: ArticleInput, embed: Embed | None = None) -> dict:
    """One article's record: what was shown and stored, and how it scores."""
    doc = item.doc
    shown = [q for q in item.questions if q.shown]
    shown_cited = [q for q in shown if q.cited]
    stored_cited = [q for q in item.questions if q.cited]
    takeaways = []
    for t in item.takeaways:
        text = str(t.get("text", ""))
        cites = list(t.get("citations") or [])  # type: ignore[call-overload]
        share, touched = _share_boilerplate(text, item.boilerplate)
        takeaways.append({
            "text": text,
            "boilerplate": share >= BOILERPLATE_SHARE,
            "touches_boilerplate": touched,
            "cited_article": any(c.get("doc_id") == doc.id for c in cites),
            "cited_source": any(c.get("doc_id") != doc.id for c in cites),
            "citations": [{k: c.get(k) for k in ("doc_id", "start", "end", "quote")} for c in cites],
        })
    fact = " | ".join(f for f in item.facts if f.strip())
    qa_text = " ".join(f"{q.text} {q.answer.answer if q.answer else ''}" for q in shown_cited)
    takeaway_text = " ".join(t["text"] for t in takeaways)
    return {
        "article_id": doc.id,
        "title": doc.title,
        "seconds": round(item.seconds, 3),
        "questions": [{"text": q.text, "origin": q.origin, "hidden": q.hidden, "cited": q.cited,
                       "kind": question_kind(q.text), "status": q.answer.status if q.answer else None,
                       "citations": len(q.answer.citations) if q.answer else 0,
                       "answer": q.answer.answer if q.answer else None} for q in item.questions],
        "shown": len(shown),
        "shown_cited": len(shown_cited),
        "stored_cited": len(stored_cited),
        "generated_shown_cited": sum(q.origin == "generated" for q in shown_cited),
        "takeaways": takeaways,
        "key_fact": fact or None,
        "key_fact_in_takeaways": bool(fact) and fact_found(fact, takeaway_text),
        "key_fact_in_questions": bool(fact) and fact_found(fact, qa_text),
        "duplicates": [list(p) for p in _duplicates(shown_cited, embed)],
    }


def _share(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def summarise(records: Sequence[dict]) -> dict:
    """The run's headline figures."""
    n = len(records)
    takeaways = [t for r in records for t in r["takeaways"]]
    labelled = [r for r in records if r["key_fact"]]
    shown_cited = [q for r in records for q in r["questions"] if q["cited"] and not q["hidden"]]
    kinds = {k: sum(q["kind"] == k for q in shown_cited) for k in KINDS}
    seconds = [r["seconds"] for r in records]
    return {
        "articles": n,
        "share_with_4_shown_cited": _share([r["shown_cited"] >= MIN_QUESTIONS for r in records]),
        "share_with_4_stored_cited": _share([r["stored_cited"] >= MIN_QUESTIONS for r in records]),
        "share_with_no_shown_question": _share([r["shown"] == 0 for r in records]),
        "shown_cited_per_article": round(statistics.mean(r["shown_cited"] for r in records), 2) if n else None,
        "generated_shown_cited": sum(r["generated_shown_cited"] for r in records),
        "takeaways": len(takeaways),
        "takeaways_per_article": round(len(takeaways) / n, 2) if n else None,
        "share_takeaways_boilerplate": _share([t["boilerplate"] for t in takeaways]),
        "share_takeaways_touching_boilerplate": _share([t["touches_boilerplate"] for t in takeaways]),
        "share_takeaways_cited_article": _share([t["cited_article"] for t in takeaways]),
        "share_takeaways_cited_source": _share([t["cited_source"] for t in takeaways]),
        "labelled_articles": len(labelled),
        "key_fact_in_takeaways": _share([r["key_fact_in_takeaways"] for r in labelled]),
        "key_fact_in_questions": _share([r["key_fact_in_questions"] for r in labelled]),
        "key_fact_in_either": _share([r["key_fact_in_takeaways"] or r["key_fact_in_questions"] for r in labelled]),
        "duplicate_pairs": sum(len(r["duplicates"]) for r in records),
        "articles_with_duplicates": sum(bool(r["duplicates"]) for r in records),
        "question_kinds": kinds,
        "seconds_per_article_p50": _quantile(seconds, 50),
        "seconds_per_article_p95": _quantile(seconds, 95),
        "seconds_total": round(sum(seconds), 2),
    }


def _quantile(values: Sequence[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 3)
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 3)
