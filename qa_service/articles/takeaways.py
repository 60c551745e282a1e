"""Key takeaways: 3 to 6 bullets under an article, each with a verified
citation into the article, and into a source where one says the same.

Curated ones from the front matter win (kept as written, each with its best
citation; one no span supports shows up uncited for review). Otherwise the LLM
writes them when one is configured, each kept only if a span of the article
supports it; else (or when the LLM fails or too few of its bullets verify) the
article's most salient sentences are chosen (articles.reading: centrality,
headline, facts and sources, not position; furniture, questions, quotes and
empty sentences never), which verify by construction. Chosen sentences are
shown in the article's order."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from qa_service.answering.citations import SHORTLIST, Span, VerifiedCitation, citation_for
from qa_service.answering.generation import GenerationError, Passage
from qa_service.answering.llm import ChatModel, format_sources
from qa_service.answering.llm_calls import fit_passages
from qa_service.answering.prompts import load_prompt
from qa_service.articles.passages import document_passages
from qa_service.articles.reading import Reading, StorySentence, read_article
from qa_service.ingest.boilerplate import trim_furniture
from qa_service.grounding.alignment import shortlist
from qa_service.grounding.checker import GroundingChecker
from qa_service.language import Analyzer
from qa_service.models import Citation, Document
from qa_service.store.corpus import CorpusStore
from qa_service.text import is_heading_at, sentence_spans, terms

MIN_TAKEAWAYS = 3
MAX_TAKEAWAYS = 6
EXTRACTIVE_TAKEAWAYS = 5  # more reads like the article again
REDUNDANCY = 0.6  # how much a sentence's overlap with one already chosen costs it
READINGS_KEPT = 16  # articles whose reading is kept in memory
SOURCE_CANDIDATES = 12  # source windows checked per takeaway (the most overlapping ones)
_NUMBERING = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)]|q\d*[:.)])\s*", re.IGNORECASE)


@dataclass
class Takeaway:
    text: str
    citation: Citation | None  # into the article
    origin: str  # "curated" | "llm" | "extractive"
    generator: str
    source_citation: Citation | None = None  # into a source that says the same, when one does

    @property
    def citations(self) -> list[Citation]:
        return [c for c in (self.citation, self.source_citation) if c is not None]

    def as_dict(self) -> dict[str, object]:
        # The shape stored with every takeaways version, and served to readers.
        cites = [c.model_copy(update={"n": i}).model_dump() for i, c in enumerate(self.citations, 1)]
        return {"text": self.text, "citations": cites,
                "curated": self.origin == "curated", "origin": self.origin, "generator": self.generator}


@dataclass
class Takeaways:
    article_id: str
    generator: str
    items: list[Takeaway]
    notes: list[str] = field(default_factory=list)

    def as_dicts(self) -> list[dict[str, object]]:
        return [t.as_dict() for t in self.items]

    def as_dict(self) -> dict[str, object]:
        return {"article_id": self.article_id, "generator": self.generator, "takeaways": self.as_dicts(),
                "notes": self.notes}


def article_windows(doc: Document, max_sentences: int = 3) -> list[tuple[int, int]]:
    """Runs of 1 to ``max_sentences`` consecutive sentences within a paragraph
    of the article, headings and page furniture excluded (a dateline is
    trimmed off its lede): a takeaway often joins two or three."""
    out = []
    pos = 0
    for block in doc.text.split("\n\n"):
        spans = [(trim_furniture(doc.text, s, e, doc.boilerplate), e)
                 for s, e in sentence_spans(doc.text, pos, pos + len(block)) if not is_heading_at(doc.text, s)]
        spans = [(s, e) for s, e in spans if s < e]  # page furniture is never what a takeaway cites
        for i in range(len(spans)):
            for j in range(i, min(i + max_sentences, len(spans))):
                # text addressed to a model is never what a takeaway cites (issue 13)
                if not doc.flagged_spans(spans[i][0], spans[j][1]):
                    out.append((spans[i][0], spans[j][1]))
        pos += len(block) + 2
    return out


def choose_sentences(reading: Reading, limit: int | None = None) -> list[StorySentence]:
    """The article's takeaway sentences: the most salient first, each next one
    paying for what it repeats of those already chosen (maximal marginal
    relevance), with room for what happens next; returned in reading order.
    How many: about one per four story sentences, 4 to 6 (3 when the
    article has little to choose from; ``limit`` caps it)."""
    pool = [s for s in reading.sentences if not s.is_question and s.features.get("penalty", 0.0) < 0.5]
    if len(pool) < MIN_TAKEAWAYS:  # a short article: its usable sentences, best first
        pool = sorted((s for s in reading.sentences if not s.is_question), key=lambda s: -s.salience)
    want = max(MIN_TAKEAWAYS + 1, min(MAX_TAKEAWAYS, round(len(reading.sentences) / 4)))
    want = min(want, limit or MAX_TAKEAWAYS, len(pool))
    chosen: list[StorySentence] = []
    top = max((s.salience for s in pool), default=0.0)
    while pool and len(chosen) < want:
        has_next = any(c.future for c in chosen)

        def value(s: StorySentence, has_next: bool = has_next) -> float:
            overlap = max((_overlap(s, c, reading.weights, reading.title_terms) for c in chosen), default=0.0)
            bonus = 0.1 if not has_next and s.future and {"when", "how_much"} & s.entity_kinds() else 0.0
            return s.salience - REDUNDANCY * overlap + bonus

        best = max(pool, key=value)
        if len(chosen) >= MIN_TAKEAWAYS and value(best) < 0.15 * top:
            break  # what is left is weak: fewer, better takeaways
        chosen.append(best)
        pool.remove(best)
    return sorted(chosen, key=lambda s: s.start)


def _overlap(a: StorySentence, b: StorySentence, weights: dict[str, float], subject: frozenset[str]) -> float:
    """Weighted share of ``a``'s terms that ``b`` already says; the
    headline's terms (the story's subject, named in every takeaway) left out."""
    mine = a.terms - subject
    total = sum(weights.get(t, 0.0) for t in mine) or 1.0
    return sum(weights.get(t, 0.0) for t in mine & b.terms) / total


def parse_bullets(text: str) -> list[str]:
    """A model's bullet list as plain takeaway sentences."""
    out = []
    for line in text.splitlines():
        item = _NUMBERING.sub("", line).strip().strip("*").strip()
        if len(item.split()) >= 5 and not item.endswith(":") and item not in out:
            out.append(item)
    return out


class TakeawayWriter:
    """Builds an article's takeaways (see the module docstring). ``chat`` is
    the configured LLM, or None offline."""

    def __init__(self, store: CorpusStore, checker: GroundingChecker, chat: ChatModel | None = None, *,
                 analyzer: Analyzer | None = None, idf: Callable[[str], float] | None = None,
                 context_tokens: int = 8192, max_answer_tokens: int = 512) -> None:
        self.store = store
        self.checker = checker
        self.chat = chat
        self.analyzer = analyzer
        self.idf = idf
        self.context_tokens = context_tokens
        self.max_answer_tokens = max_answer_tokens
        self._readings: OrderedDict[tuple[str, str, tuple[str, ...]], Reading] = OrderedDict()
        self._readings_lock = threading.Lock()

    def read(self, doc: Document) -> Reading:
        """The article read for salience, with its sources (kept for the few
        articles read last: takeaways and suggestions read the same one)."""
        sources = [d for d in (self.store.get_document(i) for i in self.store.scope(doc.id) if i != doc.id) if d]
        key = (doc.id, doc.content_hash(), tuple(d.content_hash() for d in sources))
        with self._readings_lock:
            if key in self._readings:
                self._readings.move_to_end(key)
                return self._readings[key]
        reading = read_article(doc, sources, self.analyzer, self.idf)
        with self._readings_lock:
            self._readings[key] = reading
            while len(self._readings) > READINGS_KEPT:
                self._readings.popitem(last=False)
        return reading

    def cite_in_article(self, doc: Document, claim: str,
                        windows: Sequence[tuple[int, int]] | None = None) -> Citation | None:
        """The article span that best supports ``claim``, if the grounding
        checker accepts it."""
        best: tuple[float, int, int] | None = None
        windows = list(windows if windows is not None else article_windows(doc))
        # the checker on the few windows that hold most of the claim only
        for start, end in (windows[i] for i in shortlist(claim, [doc.text[s:e] for s, e in windows], SHORTLIST)):
            score = self.checker.score(claim, doc.text[start:end])
            if best is None or score > best[0] or (score == best[0] and end - start < best[2] - best[1]):
                best = (score, start, end)
        if best is None or best[0] < self.checker.threshold:
            return None
        score, start, end = best
        return self._citation(doc, start, end, score, 1)

    def _citation(self, doc: Document, start: int, end: int, score: float, n: int) -> Citation:
        chunk_id = next((c.id for c in self.store.chunks(self.store.chunk_ids(doc.id))
                         if c.start <= start and end <= c.end), "")
        span = Span(n, doc.id, chunk_id, start, end, doc.text[start:end])
        return citation_for(VerifiedCitation(n, span, score), doc)

    def cite_in_sources(self, claim: str, reading: Reading) -> Citation | None:
        """The span of one of the article's sources that best supports
        ``claim`` (a sentence or two neighbours), if the grounding checker
        accepts it. Only the windows sharing most of the claim's terms are
        checked."""
        mine = set(terms(claim))
        if not mine or not reading.source_sentences:
            return None
        windows: list[tuple[float, StorySentence, StorySentence]] = []
        sents = reading.source_sentences
        for i, s in enumerate(sents):
            for j in (i, i + 1):
                if j >= len(sents) or sents[j].doc_id != s.doc_id or sents[j].paragraph != s.paragraph:
                    continue
                shared = len(mine & (s.terms | sents[j].terms)) / len(mine)
                if shared >= 0.5:
                    windows.append((shared, s, sents[j]))
        windows.sort(key=lambda w: -w[0])
        best: tuple[float, StorySentence, StorySentence] | None = None
        for _, a, b in windows[:SOURCE_CANDIDATES]:
            doc_text = self._source_text(a.doc_id)
            score = self.checker.score(claim, doc_text[a.start:b.end])
            if score >= self.checker.threshold and (best is None or score > best[0]):
                best = (score, a, b)
        if best is None:
            return None
        score, a, b = best
        source = self.store.get_document(a.doc_id)
        return self._citation(source, a.start, b.end, score, 2) if source else None

    def _source_text(self, doc_id: str) -> str:
        doc = self.store.get_document(doc_id)
        return doc.text if doc else ""

    def _with_sources(self, items: list[Takeaway], reading: Reading) -> list[Takeaway]:
        for item in items:
            item.source_citation = self.cite_in_sources(item.text, reading)
        return items

    def llm_texts(self, doc: Document) -> tuple[list[str], str]:
        """The LLM's bullets for the article, and the model that wrote them."""
        if self.chat is None:
            raise GenerationError("no LLM is configured")
        prompt = load_prompt("takeaways")

        def render(ps: Sequence[Passage]) -> list[dict[str, str]]:
            return prompt.render(article=format_sources(ps))

        budget = fit_passages(document_passages(self.store, doc.id), render, context_tokens=self.context_tokens,
                              max_answer_tokens=self.max_answer_tokens)
        result = self.chat.complete(render(budget.passages))
        return parse_bullets(result.text), result.model

    def build(self, article_id: str, *, use_llm: bool | None = None) -> Takeaways:
        doc = self.store.article(article_id)
        windows = article_windows(doc)
        reading = self.read(doc)
        if doc.takeaways:
            # The editors' words, each with its best citation.
            # A curated takeaway that reads as an instruction to a model is left out (issue 13).
            curated = [t for i, t in enumerate(doc.takeaways) if not doc.flagged_field(f"takeaways[{i}]")]
            items = [Takeaway(t, self.cite_in_article(doc, t, windows), "curated", "curated")
                     for t in curated[:MAX_TAKEAWAYS]]
            notes = [f"left out a curated takeaway addressed to a model: {t}" for t in doc.takeaways if t not in curated]
            return Takeaways(article_id, "curated", self._with_sources(items, reading), notes)
        notes: list[str] = []
        items: list[Takeaway] = []
        generator = "extractive"
        if self.chat is not None if use_llm is None else use_llm:
            try:
                texts, model = self.llm_texts(doc)
                for text in texts:
                    citation = self.cite_in_article(doc, text, windows)
                    if citation is None:
                        notes.append(f"dropped an unsupported takeaway: {text}")
                        continue
                    if any(t.citation and t.citation.start == citation.start for t in items):
                        continue  # two bullets on the same passage: keep the first
                    items.append(Takeaway(text, citation, "llm", model))
                    if len(items) >= MAX_TAKEAWAYS:
                        break
                generator = model
            except GenerationError as exc:
                notes.append(f"LLM takeaways failed ({exc}); used extractive ones")
        if len(items) < MIN_TAKEAWAYS:
            if items:
                notes.append(f"only {len(items)} LLM takeaway(s) verified; topped up with extractive ones")
            topping_up = bool(items)
            for sentence in choose_sentences(reading):
                if topping_up and len(items) >= MIN_TAKEAWAYS:
                    break
                if any(t.citation and t.citation.start < sentence.end and sentence.start < t.citation.end
                       for t in items):
                    continue  # the model already said this passage
                score = self.checker.score(sentence.text, doc.text[sentence.start:sentence.end])
                if score < self.checker.threshold:
                    continue
                items.append(Takeaway(sentence.text, self._citation(doc, sentence.start, sentence.end, score, 1),
                                      "extractive", "extractive"))
            if any(t.origin == "llm" for t in items):
                items.sort(key=lambda t: (t.origin != "llm", t.citation.start if t.citation else 0))
            else:
                generator = "extractive"
        return Takeaways(article_id, generator, self._with_sources(items, reading), notes)
