"""The answer pipeline: validate -> retrieve -> weigh evidence -> generate ->
verify citations -> Answer. Knows nothing of HTTP, CLI or vendors."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from qa_service.answering.citations import Verified, citation_for, verify
from qa_service.answering.evidence import rank_evidence
from qa_service.answering.generation import Draft, GenerationError, Generator, Passage
from qa_service.answering.questions import is_gist_request, normalise_question, question_for_retrieval, question_names
from qa_service.grounding.checker import GroundingChecker
from qa_service.models import Answer, Document, RetrievedChunk, RetrievedRef
from qa_service.retrieval.embeddings import EmbeddingCache
from qa_service.retrieval.index import CorpusIndex
from qa_service.store.corpus import CorpusStore
from qa_service.text import LEADING_MARKERS, sentence_spans, terms
from qa_service.tokens import count_tokens

NOT_IN_SOURCES = (
    "The sources for this article do not cover this question: none of them states an answer, "
    "so we cannot give one without guessing."
)
NOT_IN_CORPUS = "The available sources do not cover this question, so we cannot answer it without guessing."


@dataclass
class AnswerEvent:
    """One step of a streamed answer: retrieval, delta, citation, done or error."""

    kind: str
    data: dict[str, object]


class Answerer:
    def __init__(
        self,
        index: CorpusIndex,
        generator: Generator,
        checker: GroundingChecker,
        cache: EmbeddingCache,
        *,
        fallback: Generator | None = None,
        top_k: int = 8,
        relevance_threshold: float = 0.35,
        max_question_tokens: int = 128,
    ) -> None:
        self.index = index
        self.store: CorpusStore = index.store
        self.generator = generator
        self.fallback = fallback
        self.checker = checker
        self.cache = cache
        self.top_k = top_k
        self.relevance_threshold = relevance_threshold
        self.max_question_tokens = max_question_tokens

    # ---------------------------------------------------------------- helpers
    def check_article(self, article_id: str | None) -> None:
        """UnknownArticle when ``article_id`` names no article."""
        if article_id is not None:
            self.store.article(article_id)

    def validate(self, question: str) -> str | None:
        """A reason to reject the question, or None."""
        if not question.strip():
            return "The question is empty."
        tokens = count_tokens(question)
        if tokens > self.max_question_tokens:
            return f"The question is too long ({tokens} tokens; the limit is {self.max_question_tokens})."
        if not re.search(r"[A-Za-z0-9\u00c0-\uffff]", question):
            return "The question has no words in it."
        return None

    def retrieve(self, question: str, article_id: str | None) -> list[RetrievedChunk]:
        return self.index.search(question, k=self.top_k, article_id=article_id)

    def sufficient(self, question: str, passages: Sequence[Passage]) -> tuple[bool, float, str]:
        """Whether the passages can answer at all: some sentence must be relevant
        enough, and every name the question asks about must occur in them (a
        question about a person the sources never mention cannot be answered
        from them, however related the rest is)."""
        ranked = rank_evidence(question, passages, self.cache, self.index.idf)
        best = ranked[0].score if ranked else 0.0
        if best < self.relevance_threshold:
            return False, best, f"no passage is relevant enough (best evidence {best:.2f})"
        text = " ".join(f"{p.chunk.title} {p.chunk.text}" for p in passages).lower()
        present = set(terms(text.replace("-", " ")))
        missing = [name for name in question_names(question)
                   if name.lower() not in text and not set(terms(name.replace("-", " "))) <= present]
        if missing:
            return False, best, f"the sources never mention {', '.join(missing)}"
        return True, best, ""

    def _base(self, question: str, article_id: str | None) -> Answer:
        return Answer(question=question, article_id=article_id, status="answered", answer="")

    def _finish(
        self, answer: Answer, draft: Draft, verified: Verified, passages: Sequence[Passage], started: float
    ) -> Answer:
        docs: dict[str, Document | None] = {}
        citations = []
        for vc in verified.citations:
            if vc.span.doc_id not in docs:
                docs[vc.span.doc_id] = self.store.get_document(vc.span.doc_id)
            citations.append(citation_for(vc, docs[vc.span.doc_id]))
        answer.generator = draft.generator
        answer.usage = draft.usage
        answer.prompt_version = draft.prompt_version
        answer.fallback_reason = draft.fallback_reason
        answer.dropped_sentences = verified.dropped
        if verified.supported == 0:
            answer.status = "not_in_sources"
            answer.answer = NOT_IN_SOURCES if answer.article_id else NOT_IN_CORPUS
            answer.citations = []
        else:
            answer.answer = verified.text
            answer.citations = citations
        answer.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        return answer

    # ---------------------------------------------------------------- answer
    def ask(self, question: str, article_id: str | None = None) -> Answer:
        events = list(self.ask_stream(question, article_id))
        final = events[-1]
        return Answer.model_validate(final.data["answer"])

    def ask_stream(self, question: str, article_id: str | None = None) -> Iterator[AnswerEvent]:
        """The answer as events. Deltas carry only verified sentences: a model's
        text is checked sentence by sentence before any of it is sent on."""
        started = time.perf_counter()
        question = normalise_question(question)
        self.check_article(article_id)
        answer = self._base(question, article_id)
        reason = self.validate(question)
        if reason:
            answer.status, answer.answer, answer.message = "rejected", reason, reason
            answer.latency_ms = round((time.perf_counter() - started) * 1000, 1)
            yield AnswerEvent("done", {"answer": answer.model_dump()})
            return

        query = question_for_retrieval(question)
        if article_id and is_gist_request(query):
            # The gist of an article is what its headline announces.
            article = self.store.get_document(article_id)
            query = article.title if article else query
        retrieved = self.retrieve(query, article_id)
        answer.retrieved = [RetrievedRef(doc_id=r.doc_id, chunk_id=r.chunk_id, score=r.score) for r in retrieved]
        yield AnswerEvent("retrieval", {"retrieved": [r.model_dump() for r in answer.retrieved]})
        passages = [Passage(i + 1, chunk) for i, chunk in enumerate(retrieved)]
        ok, best, why = self.sufficient(query, passages) if passages else (False, 0.0, "nothing was retrieved")
        if not ok:
            answer.status = "not_in_sources"
            answer.answer = NOT_IN_SOURCES if article_id else NOT_IN_CORPUS
            answer.generator = "none"
            answer.message = why
            answer.latency_ms = round((time.perf_counter() - started) * 1000, 1)
            yield AnswerEvent("done", {"answer": answer.model_dump()})
            return

        draft = yield from self._draft(query, passages)
        verified = verify(draft.text, passages, self.checker)
        final = self._finish(answer, draft, verified, passages, started)
        # Send the verified text; the client replaces whatever it showed so far.
        for c in final.citations:
            yield AnswerEvent("citation", c.model_dump())
        yield AnswerEvent("done", {"answer": final.model_dump()})

    def _draft(self, question: str, passages: Sequence[Passage]) -> Iterator[AnswerEvent]:
        """Stream the generator's draft as verified sentences; fall back to the
        extractive generator if the configured one fails."""
        generator = self.generator
        try:
            draft = yield from self._stream_verified(generator, question, passages)
            return draft
        except GenerationError as exc:
            if self.fallback is None:
                raise
            yield AnswerEvent("error", {"message": f"{generator.name} failed ({exc}); using {self.fallback.name}",
                                        "recoverable": True})
            draft = yield from self._stream_verified(self.fallback, question, passages)
            draft.fallback_reason = str(exc)
            return draft

    def _stream_verified(self, generator: Generator, question: str, passages: Sequence[Passage]) -> Iterator[AnswerEvent]:
        buffer = ""
        shown = ""
        draft: Draft | None = None
        for item in generator.stream(question, passages):
            if isinstance(item, Draft):
                draft = item
                break
            buffer += item
            cut = _last_boundary(buffer)
            if cut:
                shown = yield from self._emit_verified(buffer[:cut], passages, shown)
        if draft is None:
            draft = Draft(text=buffer, generator=generator.name)
        yield from self._emit_verified(draft.text, passages, shown)
        return draft

    def _emit_verified(self, text: str, passages: Sequence[Passage], shown: str) -> Iterator[AnswerEvent]:
        """Send what verified beyond what was already shown (only if it extends it;
        otherwise wait: the final 'done' event carries the whole answer)."""
        checked = verify(text, passages, self.checker).text
        if len(checked) > len(shown) and checked.startswith(shown):
            yield AnswerEvent("delta", {"text": checked[len(shown):]})
            return checked
        return shown


def _last_boundary(text: str) -> int:
    """Where the complete sentences (with their citation markers) end; the final
    sentence may still be growing."""
    spans = sentence_spans(text)
    if len(spans) < 2:
        return 0
    start = spans[-1][0]
    lead = LEADING_MARKERS.match(text, start)
    if lead:  # "... border. [2] Next": the marker belongs to the sentence before
        return lead.end() if lead.end() < len(text) else 0
    return start
