"""Suggested follow-up questions: the article's curated ones first, then
generated ones, by the LLM when one is configured (from the article and its
sources) or offline from the documents' section headings. A generated
question is kept only if the answer pipeline answers it with verified
citations: a suggestion the sources cannot answer is never shown."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from qa_service.answering.generation import GenerationError, Passage
from qa_service.answering.llm import ChatModel, format_sources
from qa_service.answering.llm_calls import fit_passages
from qa_service.answering.pipeline import Answerer
from qa_service.answering.prompts import load_prompt
from qa_service.articles.passages import scope_passages
from qa_service.models import Answer, Document
from qa_service.store.corpus import CorpusStore
from qa_service.text import terms

DUPLICATE_OVERLAP = 0.6  # share of content terms two questions may have in common

_WH = ("what", "who", "how", "why", "when", "where", "which")
_AUX = ("is", "are", "was", "were", "does", "do", "did", "has", "have", "had", "can", "will", "would", "should")
GENERIC_QUESTION = "What do the sources say about"
_NUMBERING = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)]|q\d*[:.)])\s*", re.IGNORECASE)


# =============================================================== questions
@dataclass
class SuggestedQuestion:
    text: str
    origin: str  # "curated" | "generated"
    source: str  # "curated", "offline" or "openai:<model>"
    answer: Answer | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"text": self.text, "origin": self.origin, "source": self.source}
        if self.answer is not None:
            out["status"] = self.answer.status
            out["citations"] = len(self.answer.citations)
            out["generator"] = self.answer.generator
        return out


@dataclass
class QuestionSuggestions:
    article_id: str
    suggester: str
    curated: list[SuggestedQuestion] = field(default_factory=list)
    generated: list[SuggestedQuestion] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def questions(self) -> list[SuggestedQuestion]:
        return [*self.curated, *self.generated]

    def as_dict(self) -> dict[str, object]:
        return {"article_id": self.article_id, "suggester": self.suggester,
                "questions": [q.as_dict() for q in self.questions], "rejected": self.rejected, "notes": self.notes}


def _content_terms(text: str) -> set[str]:
    return set(terms(text)) - {"source", "say", "know"}


def is_near_duplicate(question: str, others: Sequence[str]) -> bool:
    mine = _content_terms(question)
    if not mine:
        return True
    for other in others:
        theirs = _content_terms(other)
        if theirs and len(mine & theirs) / len(mine | theirs) >= DUPLICATE_OVERLAP:
            return True
    return False


# ------------------------------------------------------- offline candidates
def question_from_heading(heading: str) -> str | None:
    """Turn a section heading into a reader's question, or None when no
    natural question comes out of it."""
    h = heading.strip().strip("#").strip().rstrip(".:")
    if not h or h.endswith("?"):
        return h or None
    words = h.split()
    first = words[0].lower()
    if ":" in h:  # "Mission Firewall: United Against Firearms Trafficking"
        name = h.split(":", 1)[0].strip()
        return f"What is {name}?" if name[:1].isupper() and len(name.split()) <= 5 else None
    if first in _WH:
        rest = words[1:]
        if not rest:
            return None
        if rest[0].lower() in _AUX or first == "who":
            return f"{h}?"  # "What has not been published" / "Who participates and who leads"
        aux_at = next((i for i, w in enumerate(rest) if w.lower() in _AUX), None)
        if aux_at is not None and aux_at > 0 and (aux_at + 1 >= len(rest) or rest[aux_at + 1].lower() not in
                                                  ("and", "or")):
            subject, aux, tail = rest[:aux_at], rest[aux_at], rest[aux_at + 1:]
            # "How security assistance for Mexico is funded" -> "How is ... funded?"
            return " ".join([words[0], aux, *subject, *tail]) + "?"
        return f"{GENERIC_QUESTION} {_lower_first(h)}?"
    if first == "no" and len(words) > 2:  # "No dedicated funding for the SIG"
        return f"Is there {' '.join(words[1:])}?"
    return f"{GENERIC_QUESTION} {_lower_first(h)}?"


def _lower_first(phrase: str) -> str:
    """Lowercase the heading's first word unless it starts a name ("Security
    Implementation Group meeting" keeps its capital)."""
    words = phrase.split()
    if len(words) > 1 and words[1][:1].isupper():
        return phrase
    if words[0].isupper() and len(words[0]) > 1:  # an acronym
        return phrase
    return words[0].lower() + phrase[len(words[0]):]


def _specific_enough(question: str) -> bool:
    """At least three content words, or a name: "What has not been published?"
    means nothing without its document."""
    content = _content_terms(question)
    has_name = any(w[:1].isupper() for w in question.split()[1:] if w.lower() not in _WH)
    return len(content) >= 3 or (has_name and len(content) >= 2)


def document_headings(doc: Document) -> list[str]:
    out = []
    for line in doc.text.splitlines():
        m = re.match(r"^(#{2,6})\s+(.+?)\s*#*\s*$", line)
        if m:
            out.append(m.group(2))
    return out


class OfflineQuestionSuggester:
    """Questions from the section headings of the article and its sources, in
    turn across documents (so they cover different sources). No model."""

    name = "offline"

    def __init__(self, store: CorpusStore, article_id: str) -> None:
        self.store = store
        self.article_id = article_id

    def candidates(self) -> list[str]:
        per_doc = []
        for doc_id in self.store.scope(self.article_id):
            doc = self.store.get_document(doc_id)
            if doc is None:
                continue
            qs = [q for q in (question_from_heading(h) for h in document_headings(doc)) if q]
            per_doc.append([q for q in qs if _specific_enough(q)])
        out: list[str] = []
        for i in range(max((len(qs) for qs in per_doc), default=0)):
            out.extend(qs[i] for qs in per_doc if i < len(qs))
        # Questions a reader would phrase so ("How is ... funded?") before the
        # generic "What do the sources say about ...?" ones.
        out.sort(key=lambda q: q.startswith(GENERIC_QUESTION))
        return list(dict.fromkeys(out))

    def suggest(self, article_text: str, existing: list[str], count: int = 5) -> list[str]:  # noqa: ARG002
        """Same call as the LLM suggester (``article_text`` is not needed: the
        headings come from the store). Returns more than ``count`` candidates
        when it can: each still has to pass the answer check."""
        return [q for q in self.candidates() if not is_near_duplicate(q, existing)][: max(count * 3, count)]


# ----------------------------------------------------------- LLM candidates
def parse_questions(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        q = _NUMBERING.sub("", line).strip().strip('"').strip("*").strip()
        if q.endswith("?") and 4 <= len(q.split()) <= 30 and q not in out:
            out.append(q)
    return out


class LLMQuestionSuggester:
    """Questions written by the LLM from the article and its sources (as much
    of them as the context budget allows, article first)."""

    def __init__(self, store: CorpusStore, chat: ChatModel, article_id: str, *, context_tokens: int,
                 max_answer_tokens: int, temperature: float = 0.3) -> None:
        self.store = store
        self.chat = chat
        self.article_id = article_id
        self.name = chat.name
        self.prompt = load_prompt("suggest_questions")
        self.context_tokens = context_tokens
        self.max_answer_tokens = max_answer_tokens
        self.temperature = temperature

    def suggest(self, article_text: str, existing: list[str], count: int = 5) -> list[str]:  # noqa: ARG002
        asked = max(count * 2, count)
        listed = "\n".join(existing) or "(none)"

        def render(ps: Sequence[Passage]) -> list[dict[str, str]]:
            return self.prompt.render(article=format_sources(ps), existing=listed, count=str(asked))

        budget = fit_passages(scope_passages(self.store, self.article_id), render,
                              context_tokens=self.context_tokens, max_answer_tokens=self.max_answer_tokens)
        result = self.chat.complete(render(budget.passages), temperature=self.temperature)
        self.name = result.model
        return [q for q in parse_questions(result.text) if not is_near_duplicate(q, existing)]


class QuestionSuggester:
    """Curated questions, then up to ``count`` generated ones that the answer
    pipeline answers with verified citations. ``chat`` is the configured LLM,
    or None offline; if the LLM fails, the offline suggester takes over (and a
    note says why)."""

    def __init__(self, store: CorpusStore, answerer: Callable[[], Answerer], chat: ChatModel | None = None, *,
                 count: int = 5, context_tokens: int = 8192, max_answer_tokens: int = 512,
                 temperature: float = 0.0) -> None:
        self.store = store
        self.answerer = answerer
        self.chat = chat
        self.count = count
        self.context_tokens = context_tokens
        self.max_answer_tokens = max_answer_tokens
        self.temperature = temperature

    def _candidates_from(self, article_id: str, use_llm: bool) -> OfflineQuestionSuggester | LLMQuestionSuggester:
        if use_llm and self.chat is not None:
            return LLMQuestionSuggester(self.store, self.chat, article_id, context_tokens=self.context_tokens,
                                        max_answer_tokens=self.max_answer_tokens,
                                        temperature=max(0.3, self.temperature))
        return OfflineQuestionSuggester(self.store, article_id)

    def suggest(self, article_id: str, *, count: int | None = None, use_llm: bool | None = None,
                existing: Sequence[str] = (), progress: Callable[[int], None] | None = None) -> QuestionSuggestions:
        doc: Document = self.store.article(article_id)
        count = self.count if count is None else count
        source = self._candidates_from(article_id, self.chat is not None if use_llm is None else use_llm)
        result = QuestionSuggestions(article_id=article_id, suggester=source.name)
        result.curated = [SuggestedQuestion(q, "curated", "curated") for q in doc.questions]
        known = [*doc.questions, *existing]
        if count <= 0:
            return result
        try:
            candidates = source.suggest(doc.text, known, count)
        except GenerationError as exc:
            result.notes.append(f"{result.suggester} failed ({exc}); used the offline suggester")
            source = OfflineQuestionSuggester(self.store, article_id)
            candidates = source.suggest(doc.text, known, count)
        result.suggester = source.name
        answerer = self.answerer()
        for text in candidates:
            if len(result.generated) >= count:
                break
            if is_near_duplicate(text, [*known, *(q.text for q in result.generated)]):
                continue
            answer: Answer = answerer.ask(text, article_id, depth="full")
            if progress:
                progress(1)
            if answer.status != "answered" or not answer.citations:
                result.rejected.append({"text": text, "reason": answer.status if answer.status != "answered"
                                        else "no verified citation"})
                continue
            result.generated.append(SuggestedQuestion(text, "generated", result.suggester, answer))
        return result
