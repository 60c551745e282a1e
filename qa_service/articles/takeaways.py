"""Key takeaways: 3 to 6 bullets under an article, each with a verified
citation into the article.

Curated ones from the front matter win (kept as written, each with its best
citation; one no span supports shows up uncited for review). Otherwise the LLM
writes them when one is configured, each kept only if a span of the article
supports it; else (or when the LLM fails or too few of its bullets verify) the
article's own lead sentences are used, which verify by construction."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from qa_service.answering.citations import Span, VerifiedCitation, citation_for
from qa_service.answering.generation import GenerationError, Passage
from qa_service.answering.llm import ChatModel, format_sources
from qa_service.answering.llm_calls import fit_passages
from qa_service.answering.prompts import load_prompt
from qa_service.articles.passages import document_passages
from qa_service.grounding.checker import GroundingChecker
from qa_service.models import Citation, Document
from qa_service.store.corpus import CorpusStore
from qa_service.text import is_heading_at, sentence_spans

MIN_TAKEAWAYS = 3
MAX_TAKEAWAYS = 6
EXTRACTIVE_TAKEAWAYS = 5  # one per paragraph lead; more reads like the article again
_NUMBERING = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)]|q\d*[:.)])\s*", re.IGNORECASE)


@dataclass
class Takeaway:
    text: str
    citation: Citation | None
    origin: str  # "curated" | "llm" | "extractive"
    generator: str

    def as_dict(self) -> dict[str, object]:
        # The shape stored with every takeaways version, and served to readers.
        return {"text": self.text, "citations": [self.citation.model_dump()] if self.citation else [],
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
    of the article, headings excluded: a takeaway often joins two or three."""
    out = []
    pos = 0
    for block in doc.text.split("\n\n"):
        spans = [s for s in sentence_spans(doc.text, pos, pos + len(block)) if not is_heading_at(doc.text, s[0])]
        for i in range(len(spans)):
            for j in range(i, min(i + max_sentences, len(spans))):
                # text addressed to a model is never what a takeaway cites (issue 13)
                if not doc.flagged_spans(spans[i][0], spans[j][1]):
                    out.append((spans[i][0], spans[j][1]))
        pos += len(block) + 2
    return out


def extractive_takeaway_texts(doc: Document, limit: int = MAX_TAKEAWAYS) -> list[str]:
    """The lead sentence of each paragraph (news puts the point first), then
    second sentences if that gives fewer than three."""
    firsts, seconds = [], []
    pos = 0
    for block in doc.text.split("\n\n"):
        spans = [s for s in sentence_spans(doc.text, pos, pos + len(block)) if not is_heading_at(doc.text, s[0])]
        # text addressed to a model is never a takeaway (issue 13)
        sentences = [doc.text[s:e] for s, e in spans
                     if len(doc.text[s:e].split()) >= 6 and not doc.flagged_spans(s, e)]
        if sentences:
            firsts.append(sentences[0])
            seconds.extend(sentences[1:2])
        pos += len(block) + 2
    picked = firsts[:limit]
    for s in seconds:
        if len(picked) >= MIN_TAKEAWAYS:
            break
        picked.append(s)
    return picked


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
                 context_tokens: int = 8192, max_answer_tokens: int = 512) -> None:
        self.store = store
        self.checker = checker
        self.chat = chat
        self.context_tokens = context_tokens
        self.max_answer_tokens = max_answer_tokens

    def cite_in_article(self, doc: Document, claim: str,
                        windows: Sequence[tuple[int, int]] | None = None) -> Citation | None:
        """The article span that best supports ``claim``, if the grounding
        checker accepts it."""
        best: tuple[float, int, int] | None = None
        for start, end in windows if windows is not None else article_windows(doc):
            score = self.checker.score(claim, doc.text[start:end])
            if best is None or score > best[0] or (score == best[0] and end - start < best[2] - best[1]):
                best = (score, start, end)
        if best is None or best[0] < self.checker.threshold:
            return None
        score, start, end = best
        chunk_id = next((c.id for c in self.store.chunks(self.store.chunk_ids(doc.id))
                         if c.start <= start and end <= c.end), "")
        span = Span(1, doc.id, chunk_id, start, end, doc.text[start:end])
        return citation_for(VerifiedCitation(1, span, score), doc)

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
        if doc.takeaways:
            # The editors' words, each with its best citation.
            # A curated takeaway that reads as an instruction to a model is left out (issue 13).
            curated = [t for i, t in enumerate(doc.takeaways) if not doc.flagged_field(f"takeaways[{i}]")]
            items = [Takeaway(t, self.cite_in_article(doc, t, windows), "curated", "curated")
                     for t in curated[:MAX_TAKEAWAYS]]
            notes = [f"left out a curated takeaway addressed to a model: {t}" for t in doc.takeaways if t not in curated]
            return Takeaways(article_id, "curated", items, notes)
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
            cited = {t.citation.start for t in items if t.citation}
            target = MIN_TAKEAWAYS if items else EXTRACTIVE_TAKEAWAYS
            for text in extractive_takeaway_texts(doc):
                if len(items) >= target:
                    break
                citation = self.cite_in_article(doc, text, windows)
                if citation is None or citation.start in cited:
                    continue
                cited.add(citation.start)
                items.append(Takeaway(text, citation, "extractive", "extractive"))
            if not any(t.origin == "llm" for t in items):
                generator = "extractive"
        return Takeaways(article_id, generator, items, notes)
