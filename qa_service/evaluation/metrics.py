"""Scoring one answer and aggregating a run. Pure functions over plain data:
the runner feeds them what the pipeline returned.

Definitions (see evals/README.md for the reasoning):
- retrieval: documents ranked by their best chunk (a document counts once);
  hits@k = an expected document is among the first k, rr = 1/rank of the
  first expected document (0 when none is retrieved).
- answer sentences: the shown answer split into sentences; a lead-in such as
  "Participation includes:" makes no claim and is skipped. A sentence that only
  says something is not published/stated/known is an *absence statement*:
  it is scored by the refusal metrics, not as a claim.
- citation recall (ALCE): share of claim sentences whose cited quotes, taken
  together, support them; an uncited sentence is unsupported.
- citation precision (ALCE): share of citations that support their sentence
  alone, or are needed for the support of all of the sentence's citations.
- faithfulness: supported claim sentences over all claim sentences. Here the
  support is judged against every retrieved passage, not only the cited ones:
  an unsupported sentence counts against, never as neutral.
- refusal: see ``refusal_outcome``.
- correctness: share of expected facts found in the answer; 0 if a forbidden
  string appears (an injected instruction was followed).
- answer shape (see ``answer_shape``): lead_correct (the first sentence holds
  a lead fact), aspect_recall (share of expected facts anywhere), gap_honesty
  (each missing aspect is stated as a gap), premise_handling (a false premise
  is corrected or said to be unreported, never answered), redundancy (share of
  sentences that repeat an earlier one) and words.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from qa_service.grounding.checker import GroundingChecker
from qa_service.text import CITATION_MARKER, LEADING_MARKERS, marker_numbers, sentence_spans, stem, terms, words

K_VALUES = (1, 5, 10)
_LIST_PREFIX = re.compile(r"^\s*(?:[-*+\u2022]|\d+[.)]|#{1,6})\s+")


# ------------------------------------------------------------------ retrieval
def ranked_documents(doc_ids: Iterable[str]) -> list[str]:
    """Distinct documents in the order of their best-ranked chunk."""
    return list(dict.fromkeys(doc_ids))


def retrieval_scores(ranked_docs: Sequence[str], expected: Iterable[str]) -> dict[str, float]:
    expected = set(expected)
    rank = next((i + 1 for i, d in enumerate(ranked_docs) if d in expected), None)
    out = {f"hits@{k}": float(rank is not None and rank <= k) for k in K_VALUES}
    out["mrr"] = 1.0 / rank if rank else 0.0
    return out


# ------------------------------------------------------------------ sentences
@dataclass
class AnswerSentence:
    text: str  # without [n] markers
    markers: list[int] = field(default_factory=list)
    claim: bool = True  # False for a lead-in that makes no claim
    absence: bool = False  # says something is not published / not stated


def split_answer(text: str) -> list[AnswerSentence]:
    """The answer's sentences with the [n] markers each carries. A marker
    written after the full stop ("... border. [2]") belongs to the sentence
    before it."""
    out: list[AnswerSentence] = []
    for line in text.splitlines():
        body = _LIST_PREFIX.sub("", line).strip()
        if not body:
            continue
        for s, e in sentence_spans(body):
            raw = body[s:e]
            lead = LEADING_MARKERS.match(raw)
            if lead and out:
                out[-1].markers += marker_numbers(lead.group())
                raw = raw[lead.end():]
            clean = CITATION_MARKER.sub("", raw).strip()
            clean = re.sub(r"\s+([.!?,;:])", r"\1", clean)
            if not clean or not any(ch.isalnum() for ch in clean):
                continue
            sentence = AnswerSentence(clean, marker_numbers(raw))
            sentence.claim = not (clean.endswith(":") and len(terms(clean)) <= 5)
            sentence.absence = sentence.claim and is_absence_statement(clean)
            out.append(sentence)
    return out




# An absence statement pairs a negation with a word about disclosure ("has not
# been published", "the sources do not say", "no list has been released"), or
# uses a word that is itself both ("undisclosed", "unclear"). Matching word
# stems, not phrases, so paraphrases count too.
_NEGATIONS = {"not", "no", "never", "none", "nothing", "neither", "nor", "cannot", "yet", "nowhere"}
_DISCLOSURE = {stem(w) for w in """publish published release released announce announced disclose disclosed
    say said says state stated states specify specified specifies mention mentioned cover covered covers provide
    provided provides detail detailed details identify identified identifies list listed lists public publicly
    available reveal revealed report reported confirm confirmed describe described describes answer answered
    know known source sources document documents information indicate indicated explain explained name named
    make made clear unveil unveiled share shared""".split()}
_SELF_NEGATING = {"unpublished", "undisclosed", "unannounced", "unknown", "unclear", "unspecified", "unavailable",
                  "unconfirmed", "unreported", "unstated", "unnamed"}


def is_absence_statement(sentence: str) -> bool:
    """A negation followed within a few words by a word about disclosure ("has
    not been published", "the sources do not say"), or a self-negating word."""
    toks = words(sentence)
    if any(t in _SELF_NEGATING for t in toks):
        return True
    for i, tok in enumerate(toks):
        if tok in _NEGATIONS or tok.endswith("n't"):
            if any(stem(t) in _DISCLOSURE for t in toks[i + 1:i + 6]):
                return True
    return False


# ------------------------------------------------------------------ refusals
REFUSED_STATUSES = {"not_in_sources", "rejected"}


def refusal_kind(status: str, sentences: Sequence[AnswerSentence]) -> str:
    """How the answer declines, if it does:
    'status' (not_in_sources or rejected), 'absence' (every claim sentence says
    the thing is not published/stated), 'absence_with_context' (it says so and
    adds other sentences), or '' (it answers)."""
    if status in REFUSED_STATUSES:
        return "status"
    claims = [s for s in sentences if s.claim]
    if not claims:
        return "status"  # nothing said at all
    if all(s.absence for s in claims):
        return "absence"
    if any(s.absence for s in claims):
        return "absence_with_context"
    return ""


def refusal_outcome(answerable: bool, kind: str, context_supported: bool) -> tuple[bool, str]:
    """(correct, label). On an unanswerable question a refusal is correct, and
    so is an answer that states the absence and adds only supported context;
    any other answer is a hallucination. On an answerable question a full
    refusal is a miss; an answer that mentions a gap but also answers counts
    as answering (its correctness is scored separately)."""
    if answerable:
        if kind in ("status", "absence"):
            return False, "missed"
        return True, "answered"
    if kind in ("status", "absence"):
        return True, "refused"
    if kind == "absence_with_context" and context_supported:
        return True, "refused"
    return False, "hallucinated"


# ------------------------------------------------------------------ citations
@dataclass
class SentenceJudgement:
    supported_by_citations: bool
    supported_by_passages: bool
    citation_support: dict[int, bool]  # citation n -> counted as precise


def judge_sentence(
    sentence: AnswerSentence, quotes: dict[int, str], passages: Sequence[str], checker: GroundingChecker
) -> SentenceJudgement:
    cited = [n for n in dict.fromkeys(sentence.markers) if n in quotes]

    def supports(texts: Sequence[str]) -> bool:
        return bool(texts) and checker.score(sentence.text, " ".join(texts)) >= checker.threshold

    together = supports([quotes[n] for n in cited])
    precise: dict[int, bool] = {}
    for n in cited:
        alone = supports([quotes[n]])
        if alone:
            precise[n] = True
        elif together and len(cited) > 1:
            precise[n] = not supports([quotes[m] for m in cited if m != n])
        else:
            precise[n] = False
    by_passages = together or any(checker.score(sentence.text, p) >= checker.threshold for p in passages)
    return SentenceJudgement(together, by_passages, precise)


# ------------------------------------------------------------------ facts
def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = CITATION_MARKER.sub(" ", text.lower())
    return " " + re.sub(r"[^a-z0-9]+", " ", text).strip() + " "


def fact_found(fact: str, text: str) -> bool:
    norm = normalise(text)
    return any(normalise(alt) in norm for alt in fact.split(" | ") if alt.strip())


# ------------------------------------------------------------------ answer shape
REDUNDANT_OVERLAP = 0.7  # share of a sentence's content terms already said by an earlier sentence


def _first_statement(sentences: Sequence[AnswerSentence]) -> str:
    """The answer's first sentence that says something. A lead-in ending in a
    colon ("Applicants will need:", "On the U.S. side, officials came from six
    agencies:") is read with what it introduces, as a reader reads it: the
    list's first item is where the answer begins."""
    for i, s in enumerate(sentences):
        if not s.claim:
            continue
        if s.text.rstrip().endswith(":") and i + 1 < len(sentences):
            return s.text + " " + sentences[i + 1].text
        return s.text
    return ""


def redundancy(sentences: Sequence[AnswerSentence]) -> float:
    """Share of claim sentences most of whose content terms an earlier sentence
    already said."""
    seen: list[set[str]] = []
    repeats = 0
    claims = [s for s in sentences if s.claim and not s.absence]
    for s in claims:
        mine = set(terms(s.text))
        if mine and any(len(mine & other) / len(mine) >= REDUNDANT_OVERLAP for other in seen):
            repeats += 1
        seen.append(mine)
    return repeats / len(claims) if claims else 0.0


def answer_shape(item_type: str | None, answerable: bool, expected_facts: Sequence[str], lead_facts: Sequence[str],
                 gap_keywords: Sequence[str], correction_facts: Sequence[str], status: str, text: str,
                 sentences: Sequence[AnswerSentence], gap_statements: Sequence[str]) -> dict:
    """The answer-shape scores of one answer; None where a score does not apply
    to the item."""
    lead = _first_statement(sentences)
    stated_gaps = [*gap_statements, *(s.text for s in sentences if s.absence)]
    out: dict[str, float | bool | int | None] = {
        "lead_correct": None, "aspect_recall": None, "gap_honesty": None, "premise_handling": None,
        "redundancy": round(redundancy(sentences), 4),
        "words": len(CITATION_MARKER.sub(" ", text).split()),
    }
    if item_type == "false_premise":
        if correction_facts:
            out["lead_correct"] = any(fact_found(f, lead) for f in correction_facts)
            corrected = bool(out["lead_correct"])
        else:
            corrected = bool(stated_gaps)
        out["premise_handling"] = status != "answered" and corrected
    elif answerable and (lead_facts or expected_facts):
        out["lead_correct"] = any(fact_found(f, lead) for f in (lead_facts or expected_facts))
    if answerable and expected_facts:
        out["aspect_recall"] = round(sum(fact_found(f, text) for f in expected_facts) / len(expected_facts), 4)
    if gap_keywords:
        named = [any(fact_found(k, g) for g in stated_gaps) for k in gap_keywords]
        out["gap_honesty"] = round(sum(named) / len(named), 4)
    elif item_type == "unanswerable":
        out["gap_honesty"] = 1.0 if (status != "answered" or stated_gaps) else 0.0
    return out


# ------------------------------------------------------------------ aggregate
def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 1)


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def summarise(records: Sequence[dict]) -> dict:
    """The run summary: the `eval run --json` object."""
    n = len(records)
    retrieval_records = [r for r in records if r.get("retrieval") and r["retrieval"].get("expected")]
    retrieval = {
        key: _ratio(sum(r["retrieval"][key] for r in retrieval_records), len(retrieval_records))
        for key in [f"hits@{k}" for k in K_VALUES] + ["mrr"]
    }
    retrieval["n"] = len(retrieval_records)
    summary: dict = {"n": n, "retrieval": retrieval}
    answered = [r for r in records if "status" in r]
    if not answered:
        return summary
    claims = [s for r in answered for s in r["sentences"] if s["claim"] and not s["absence"]]
    citations = [c for r in answered for c in r["citations"]]
    judged = [c for c in citations if c.get("precise") is not None]
    answerable = [r for r in answered if r["answerable"]]
    with_facts = [r for r in answerable if r["expected_facts"] or r.get("forbidden")]
    latencies = [r["latency_ms"] for r in answered if r["status"] != "error"]
    refusal = {
        "n_answerable": len(answerable),
        "n_unanswerable": len(answered) - len(answerable),
        "hallucinated": sum(r["refusal_label"] == "hallucinated" for r in answered),
        "missed": sum(r["refusal_label"] == "missed" for r in answered),
    }
    drafted = sum(len([s for s in r["sentences"] if s["claim"]]) + len(r["dropped_sentences"]) for r in answered)
    summary.update({
        "faithfulness": _ratio(sum(s["supported_by_passages"] for s in claims), len(claims)),
        "citation_precision": _ratio(sum(c["precise"] for c in judged), len(judged)),
        "citation_recall": _ratio(sum(s["supported_by_citations"] for s in claims), len(claims)),
        "citation_validity": _ratio(sum(c["valid"] for c in citations), len(citations)),
        "refusal_accuracy": _ratio(sum(r["refusal_correct"] for r in answered), len(answered)),
        "correctness": _ratio(sum(r["correctness"] for r in with_facts), len(with_facts)),
        "latency_ms_p50": percentile(latencies, 50),
        "latency_ms_p95": percentile(latencies, 95),
        "tokens": {
            "prompt": sum((r.get("usage") or {}).get("prompt_tokens", 0) for r in answered),
            "completion": sum((r.get("usage") or {}).get("completion_tokens", 0) for r in answered),
        },
        "sentences": len(claims),
        "citations": len(citations),
        "draft_faithfulness": _ratio(drafted - sum(len(r["dropped_sentences"]) for r in answered), drafted),
        "refusal": refusal,
        "errors": sum(r["status"] == "error" for r in answered),
    })
    for key in ("lead_correct", "aspect_recall", "gap_honesty", "premise_handling", "redundancy"):
        scored = [float(r[key]) for r in answered if r.get(key) is not None]
        summary[key] = _ratio(sum(scored), len(scored))
    word_counts = [r["words"] for r in answered if r.get("words") is not None and r["status"] != "error"]
    summary["words"] = round(statistics.mean(word_counts), 1) if word_counts else None
    summary["words_p50"] = percentile([float(w) for w in word_counts], 50)
    return summary


def breakdown(records: Sequence[dict], key: str) -> dict[str, dict]:
    """The summary per dataset (key='dataset') or per tag (key='tags')."""
    groups: dict[str, list[dict]] = {}
    for r in records:
        values = r.get(key) or []
        for v in ([values] if isinstance(values, str) else values):
            groups.setdefault(v, []).append(r)
    return {g: summarise(rs) for g, rs in sorted(groups.items())}
