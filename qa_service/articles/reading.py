"""Reading an article for what matters in it, offline: its story sentences
(headings, page furniture and text addressed to a model left out, a dateline
trimmed off the lede), each parsed once through the ``Analyzer`` seam
(spaCy's en_core_web_sm, batched and cached, so the answerer later reuses the
parses), and how salient each sentence is across the article and its sources.
Takeaways (articles.takeaways) and offline suggested questions
(articles.question_writing) both start from a ``Reading``.

Salience, not position: a sentence matters when it shares the article's
weighty terms (TF-IDF against the corpus) with many other sentences of the
article (centrality) and with its sources, echoes the headline, and carries
facts (names, places, dates, amounts). Sentences that say little on their own
lose weight: questions, pure quotes, lines that lean on an earlier sentence
("It was ..."), vague ones with no fact ("All of that could change soon."),
and anecdotal or figurative ledes that share nothing with the headline.
Knows nothing of HTTP, storage engines or vendors."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from qa_service.ingest.boilerplate import trim_furniture
from qa_service.language import (
    DATE_LABELS,
    MONEY_LABELS,
    NUMBER_LABELS,
    ORG_LABELS,
    PERCENT_LABELS,
    PERSON_LABELS,
    PLACE_LABELS,
    Analyzer,
    Parse,
)
from qa_service.models import Document
from qa_service.text import is_heading_line, is_plain_subhead, quotation_open_at, quoted_share, sentence_spans, terms

MIN_WORDS = 6  # shorter sentences are rarely a fact that stands alone
_OPEN_QUOTE = "\"\u201c\u2018'"
# (after a short opening phrase too: "On Sunday night, that was enough to win ...")
_ANAPHORIC = re.compile(r"^(?:(?:On|In|At|By|Last|Early|Late|Later)\b[^,]{0,30},\s+)?"
                        r"(?:It|Its|They|Their|Them|This|These|That|Those|He|She|His|Her|Such|If (?:it|they|so|not))\b",
                        re.I)
_CONNECTIVE = re.compile(r"^(?:But|And|Yet|Still|So|Also|However|Meanwhile|Moreover|Instead|Indeed|Then|Now)\b,?\s")


def _leans_on_unseen(text: str) -> bool:
    """Does the sentence lean on one before it ("She said ...", "On Sunday night, that was
    enough ...", "Customers cut use by 24% that summer")?"""
    return bool(_ANAPHORIC.match(text)) or names_an_earlier_time(text)


def names_an_earlier_time(text: str) -> bool:
    """"Customers cut use by 24% that summer": which summer, the sentence before says."""
    return bool(_THAT_TIME.search(text))


# "that summer", "that year", "the same month": a time the sentence before set
_THAT_TIME = re.compile(r"\b(?:that|the same) (?:summer|winter|spring|fall|autumn|year|month|week|day|night|morning|"
                        r"season|time)\b(?!\s+(?:when|that|which|of)\b)", re.I)
_FUTURE = re.compile(r"\b(?:will|would|is expected to|are expected to|expects? to|expected|plans? to|planned|"
                     r"is scheduled|are scheduled|scheduled to|set to|due to (?:open|begin|start|close|end|vote|"
                     r"take|be|meet|launch|return)|next (?:week|month|year|step|phase)|later this|upcoming|deadline|"
                     r"by the end of|begins?|starts?|takes effect|goes into effect|to take effect|could|may|"
                     r"intends? to|aims? to|proposed|by (?:jan|feb|march|april|may|june|july|aug|sept?|oct|nov|dec)[a-z]*"
                     r"\.?(?: \d{1,2})?|by (?:mon|tues|wednes|thurs|fri|satur|sun)day)\b", re.I)
_SECOND_PERSON = re.compile(r"\b(?:you|your|imagine|picture this)\b", re.I)
_SAY_VERBS = frozenset({"say", "tell", "add", "note", "explain", "write", "recall", "ask", "argue", "insist",
                        "acknowledge", "declare", "state"})


@dataclass
class StorySentence:
    doc_id: str
    start: int  # document offsets: text == document.text[start:end]
    end: int
    text: str
    index: int  # order among the document's story sentences
    paragraph: int
    terms: frozenset[str]
    parse: Parse | None = None
    salience: float = 0.0
    features: dict[str, float] = field(default_factory=dict)
    context: str = field(default="", repr=False)  # the document's text (how words are written elsewhere in it)
    in_quote: bool = False  # it starts inside a quotation an earlier sentence of its paragraph opened

    @property
    def is_question(self) -> bool:
        return self.text.rstrip(_OPEN_QUOTE + "\u201d\u2019 )").endswith("?")

    def entity_kinds(self) -> set[str]:
        """Which kinds of fact the sentence names: who, organisation, where,
        when, how much."""
        out: set[str] = set()
        for e in self.parse.entities if self.parse else ():
            if e.label in PERSON_LABELS:
                out.add("who")
            elif e.label in ORG_LABELS:
                out.add("org")
            elif e.label in PLACE_LABELS:
                out.add("where")
            elif e.label in DATE_LABELS:
                out.add("when")
            elif e.label in MONEY_LABELS | PERCENT_LABELS | NUMBER_LABELS:
                out.add("how_much")
        return out

    @property
    def future(self) -> bool:
        return bool(_FUTURE.search(self.text))

    def quoted_share(self) -> float:
        """Share of the sentence's characters inside quotation marks."""
        return quoted_share(self.text, self.in_quote)

    def subject_is_pronoun(self) -> bool:
        """The main clause's subject is he, she, it or they: who, the reader
        cannot tell from this sentence alone."""
        if not self.parse:
            return False
        root = next((i for i, w in enumerate(self.parse.words) if w.dep == "ROOT"), None)
        return any(w.head == root and w.dep in ("nsubj", "nsubjpass") and w.tag == "PRP"
                   for w in self.parse.words) if root is not None else False

    def is_imperative(self) -> bool:
        """An order to the reader ("Call the Department of Labor at ...")."""
        if not self.parse:
            return False
        root = next((i for i, w in enumerate(self.parse.words) if w.dep == "ROOT"), None)
        if root is None or self.parse.words[root].tag != "VB":
            return False
        return not any(w.head == root and w.dep in ("nsubj", "nsubjpass", "expl", "aux") for w in self.parse.words)

    def main_verb_lemma(self) -> str:
        if not self.parse:
            return ""
        root = next((w for w in self.parse.words if w.dep == "ROOT"), None)
        return root.lemma.lower() if root else ""


def story_sentences(doc: Document, *, min_words: int = MIN_WORDS) -> list[StorySentence]:
    """The sentences of ``doc`` that tell the story, with exact offsets; a
    dateline or other furniture at a sentence's start is trimmed off it."""
    out: list[StorySentence] = []
    furniture = sorted(doc.boilerplate)
    flagged = doc.flagged_spans()
    title_terms = terms(doc.title)
    pos = 0
    paragraph = 0
    for line in doc.text.split("\n"):
        line_start, pos = pos, pos + len(line) + 1
        if not line.strip():
            continue
        paragraph += 1
        if is_heading_line(line.strip()) or is_plain_subhead(line) or terms(line) == title_terms:
            continue  # (a plain file's first line is its headline, already the page's title)
        for s, e in sentence_spans(doc.text, line_start, line_start + len(line)):
            s = trim_furniture(doc.text, s, e, furniture)
            if s >= e or any(a < e and b > s for a, b in flagged):
                continue
            text = doc.text[s:e]
            if len(text.split()) < min_words or not any(ch.isalpha() for ch in text):
                continue
            out.append(StorySentence(doc.id, s, e, text, len(out), paragraph, frozenset(terms(text)),
                                     context=doc.text, in_quote=quotation_open_at(doc.text, line_start, s)))
    return out


@dataclass
class Reading:
    doc: Document
    title: Parse | None
    sentences: list[StorySentence]  # the article's, in order
    source_sentences: list[StorySentence]  # its sources', in order (not parsed)
    weights: dict[str, float]  # salience weight of each term of the article

    @property
    def title_terms(self) -> frozenset[str]:
        return frozenset(terms(self.doc.title))

    def top(self, n: int) -> list[StorySentence]:
        return sorted(self.sentences, key=lambda s: -s.salience)[:n]


def read_article(doc: Document, sources: Sequence[Document], analyzer: Analyzer | None,
                 idf: Callable[[str], float] | None = None) -> Reading:
    """Parse the article's story sentences (one batch) and score their salience."""
    sentences = story_sentences(doc)
    source_sentences = [s for src in sources for s in story_sentences(src)]
    title = None
    if analyzer is not None:
        parses = analyzer.parse_many([doc.title] + [s.text for s in sentences])
        title = parses[0]
        for s, p in zip(sentences, parses[1:], strict=True):
            s.parse = p
    weights = _term_weights(doc, sentences, idf)
    reading = Reading(doc, title, sentences, source_sentences, weights)
    _score(reading)
    return reading


def _term_weights(doc: Document, sentences: Sequence[StorySentence],
                  idf: Callable[[str], float] | None) -> dict[str, float]:
    """TF-IDF of the article's terms (log tf; idf from the corpus when known,
    else from the article's own sentences), headline terms counted double."""
    tf = Counter(t for s in sentences for t in s.terms)
    title = set(terms(doc.title))
    n = len(sentences) or 1
    df = Counter(t for s in sentences for t in set(s.terms))
    out = {}
    for t, count in tf.items():
        weight = idf(t) if idf is not None else math.log((n + 1) / (df[t] + 0.5))
        out[t] = (1.0 + math.log(count)) * max(weight, 0.1) * (2.0 if t in title else 1.0)
    return out


def _vector(s: StorySentence, weights: dict[str, float]) -> dict[str, float]:
    return {t: weights.get(t, 0.0) for t in s.terms}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(t, 0.0) for t, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def _score(reading: Reading) -> None:
    """Salience of every sentence of the article, in [0, ~1.5]; the parts are
    kept in ``features`` for review and tests."""
    sentences, weights = reading.sentences, reading.weights
    if not sentences:
        return
    vectors = [_vector(s, weights) for s in sentences]
    centroid: Counter[str] = Counter()
    for v in vectors:
        centroid.update(v)
    source_vocab: Counter[str] = Counter(t for s in reading.source_sentences for t in s.terms)
    title = reading.title_terms
    title_weight = sum(weights.get(t, 0.0) for t in title) or 1.0
    for s, v in zip(sentences, vectors, strict=True):
        others = {t: w - v.get(t, 0.0) for t, w in centroid.items()}
        centrality = _cosine(v, others)
        headline = sum(weights.get(t, 0.0) for t in s.terms & title) / title_weight
        kinds = s.entity_kinds()
        facts = min(len(kinds), 4) / 4
        content = sum(weights.get(t, 0.0) for t in s.terms)
        sources = 0.0
        if source_vocab:
            sources = sum(weights.get(t, 0.0) for t in s.terms if t in source_vocab) / (content or 1.0)
        f = {"centrality": centrality, "headline": headline, "facts": facts, "sources": sources}
        penalty = 0.0
        if s.is_question:
            penalty += 1.0
        quoted = s.quoted_share()
        if quoted > 0.6:
            penalty += 0.5  # a quote says how someone felt; the takeaway is the fact
        elif quoted > 0.3:
            penalty += 0.15
        if _leans_on_unseen(s.text):
            penalty += 0.45  # leans on a sentence the reader will not see ("Customers cut use by 24% that summer")
        elif s.subject_is_pronoun():
            penalty += 0.2
        if s.is_imperative():
            penalty += 0.5  # service information for the reader, not a fact of the story
        if _CONNECTIVE.match(s.text):
            penalty += 0.1
        if not kinds and len([t for t in s.terms if weights.get(t, 0.0) >= 1.0]) < 4:
            penalty += 0.5  # says nothing checkable: "All of that could change soon."
        if s.index < 3 and headline < 0.15 and not kinds & {"how_much", "when"}:
            penalty += 0.3  # an anecdotal or figurative lede ("Every electric car battery eventually dies.")
        if _SECOND_PERSON.search(s.text) and quoted < 0.3:
            penalty += 0.3
        if s.main_verb_lemma() in _SAY_VERBS and not kinds - {"who"}:
            penalty += 0.1
        f["penalty"] = penalty
        s.features = {k: round(v, 4) for k, v in f.items()}
        s.salience = round(0.45 * centrality + 0.35 * headline + 0.25 * facts + 0.1 * sources - penalty, 4)
