"""Builds every client and domain object once, from Settings, and hands them
out typed. CLI commands and the web app both start here; tests build their
own (with ``embedder`` or ``generator`` overrides). The only place that picks
an adapter for a setting: stages receive what they use as constructor
arguments and never see Settings or this object."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from qa_service.answering.extractive import ExtractiveGenerator
from qa_service.answering.generation import Generator
from qa_service.answering.llm import ChatModel, LLMGenerator
from qa_service.answering.pipeline import Answerer
from qa_service.answering.prompts import load_prompt
from qa_service.answering.typed import TypedAnswers
from qa_service.articles.page import ArticlePage, article_page
from qa_service.articles.pregeneration import Pregenerator
from qa_service.articles.suggestions import QuestionSuggester
from qa_service.articles.takeaways import TakeawayWriter
from qa_service.editor.editorial import Editorial
from qa_service.grounding.checker import CrossEncoderChecker, GroundingChecker, LexicalGroundingChecker, load_card
from qa_service.language import Analyzer
from qa_service.retrieval.embeddings import Embedder, EmbeddingCache
from qa_service.retrieval.index import CorpusIndex, VectorStore
from qa_service.settings import Settings
from qa_service.store.accounts import AccountStore
from qa_service.store.answers import AnswerStore
from qa_service.store.corpus import CorpusStore
from qa_service.store.db import Database, open_database
from qa_service.store.jobs import JobStore
from qa_service.store.limits import DatabaseFlights, DatabaseLimiter, Flights, Limiter
from qa_service.store.reviews import SuggestionReviews

if TYPE_CHECKING:
    from qa_service.evaluation.llm_judge import LLMJudgeChecker

GENERATORS = ("extractive", "openai")


def make_embedder(settings: Settings) -> Embedder:
    """The configured embedder: local ONNX MiniLM by default, OpenAI when asked."""
    if settings.embedder == "openai":
        from qa_service.adapters.openai_embeddings import OpenAIEmbedder

        return OpenAIEmbedder(settings)
    if settings.embedder != "local":
        raise ValueError(f"QA_EMBEDDER must be 'local' or 'openai', not {settings.embedder!r}")
    from qa_service.adapters.onnx_minilm import OnnxMiniLMEmbedder

    return OnnxMiniLMEmbedder(batch_size=settings.embed_batch)


def make_checker(kind: str = "crossencoder", threshold: float | None = None, model: Path | None = None
                 ) -> GroundingChecker:
    """The named offline grounding checker: 'crossencoder' (the shipped
    model on onnxruntime) or 'lexical'. ``threshold`` None = the checker's own.
    ``model``: another ONNX file of the same recipe (a leave-one-domain-out
    fold model, for `eval calibrate --fold-models`); its sha256 is whatever it is."""
    if kind == "crossencoder":
        from qa_service.adapters.onnx_crossencoder import OnnxCrossEncoder

        card = load_card()
        path, digest = card.path, card.sha256
        if model is not None:
            path, digest = model, hashlib.sha256(model.read_bytes()).hexdigest()
        return CrossEncoderChecker(OnnxCrossEncoder(path, digest, card.tokenizer_sha256, max_len=card.max_len),
                                   threshold, card)
    if kind == "lexical":
        return LexicalGroundingChecker(threshold)
    raise ValueError(f"unknown checker {kind!r} (use 'crossencoder' or 'lexical')")


def make_chat_model(settings: Settings) -> ChatModel:
    """The OpenAI-compatible endpoint of the settings (QA_LLM_*)."""
    from qa_service.adapters.openai_chat import OpenAIChatClient

    return OpenAIChatClient(settings)


def make_llm_generator(settings: Settings, chat: ChatModel | None = None) -> LLMGenerator:
    """Answers written by the settings' LLM with the answer prompt."""
    return LLMGenerator(chat or make_chat_model(settings), load_prompt("answer"),
                        context_tokens=settings.llm_context_tokens, max_answer_tokens=settings.llm_max_answer_tokens)


def make_llm_judge(settings: Settings, threshold: float = 0.5) -> LLMJudgeChecker:
    from qa_service.evaluation.llm_judge import LLMJudgeChecker

    return LLMJudgeChecker(make_chat_model(settings), threshold, context_tokens=settings.llm_context_tokens)


@dataclass
class Services:
    settings: Settings
    embedder_override: Embedder | None = None
    generator_override: Generator | None = None

    # ------------------------------------------------------------- storage
    @cached_property
    def db(self) -> Database:
        """PostgreSQL when QA_DATABASE_URL names one, else SQLite in the data dir."""
        s = self.settings
        return open_database(s.database_url, sqlite_path=s.sqlite_path, pool_size=s.database_pool_size)

    @cached_property
    def store(self) -> CorpusStore:
        return CorpusStore(self.db)

    @cached_property
    def answers(self) -> AnswerStore:
        return AnswerStore(self.db)

    @cached_property
    def accounts(self) -> AccountStore:
        s = self.settings
        return AccountStore(self.db, bcrypt_rounds=s.bcrypt_rounds, session_ttl=s.session_days * 86400,
                            token_ttl=s.token_ttl_days * 86400)

    @cached_property
    def jobs(self) -> JobStore:
        return JobStore(self.db, max_attempts=self.settings.job_max_attempts)

    # --------------------------------------------- state shared by workers
    @cached_property
    def _redis(self):  # noqa: ANN202 - a redis.Redis, typed in store.redis_state
        from qa_service.store.redis_state import connect

        return connect(self.settings.redis_url)

    @cached_property
    def limiter(self) -> Limiter:
        """Rate limits every worker process shares: Redis when QA_REDIS_URL is set, else the database."""
        if self.settings.redis_url:
            from qa_service.store.redis_state import RedisLimiter

            return RedisLimiter(self._redis)
        return DatabaseLimiter(self.db)

    @cached_property
    def flights(self) -> Flights:
        """Which process generates an answer many readers ask for at once."""
        if self.settings.redis_url:
            from qa_service.store.redis_state import RedisFlights

            return RedisFlights(self._redis)
        return DatabaseFlights(self.db)

    @cached_property
    def reviews(self) -> SuggestionReviews:
        return SuggestionReviews(self.db)

    # ----------------------------------------------------------- retrieval
    @cached_property
    def embedder(self) -> Embedder:
        return self.embedder_override or make_embedder(self.settings)

    @cached_property
    def vectors(self) -> VectorStore:
        # imported here: chromadb is slow to import, and commands that never
        # search should not pay for it
        from qa_service.adapters.chroma_store import ChromaVectorStore, make_chroma_client

        return ChromaVectorStore(make_chroma_client(self.settings), self.settings.collection, self.embedder.name)

    @cached_property
    def index(self) -> CorpusIndex:
        s = self.settings
        return CorpusIndex(self.store, self.vectors, self.embedder, chunk_tokens=s.chunk_tokens,
                           chunk_overlap=s.chunk_overlap, rrf_k=s.rrf_k, candidates=s.candidates)

    @cached_property
    def embedding_cache(self) -> EmbeddingCache:
        return EmbeddingCache(self.embedder)

    # ----------------------------------------------------------- answering
    @cached_property
    def checker(self) -> GroundingChecker:
        return make_checker(self.settings.checker, self.settings.support_threshold)

    @cached_property
    def analyzer(self) -> Analyzer:
        from qa_service.adapters.spacy_nlp import SpacyAnalyzer

        return SpacyAnalyzer()

    @cached_property
    def extractive(self) -> ExtractiveGenerator:
        return ExtractiveGenerator(self.checker)

    @cached_property
    def chat(self) -> ChatModel | None:
        """The configured LLM (one client and connection pool per process), or
        None when none is configured."""
        return make_chat_model(self.settings) if self.settings.llm_configured else None

    @cached_property
    def llm_generator(self) -> LLMGenerator:
        return make_llm_generator(self.settings, self.chat or make_chat_model(self.settings))

    def generator(self, name: str | None = None) -> Generator:
        """The named generator ('extractive' or 'openai'); by default the LLM when
        one is configured, else the extractive one."""
        if self.generator_override is not None and name is None:
            return self.generator_override
        if name is None:
            name = "openai" if self.settings.llm_configured else "extractive"
        if name == "extractive":
            return self.extractive
        if name == "openai":
            return self.llm_generator
        raise ValueError(f"unknown generator {name!r} (use {' or '.join(GENERATORS)})")

    def answerer(self, generator: str | None = None) -> Answerer:
        gen = self.generator(generator)
        s = self.settings
        return Answerer(self.index, gen, self.checker, self.embedding_cache, analyzer=self.analyzer,
                        fallback=self.extractive if gen is not self.extractive else None, extractive=self.extractive,
                        top_k=s.top_k, relevance_threshold=s.relevance_threshold,
                        max_question_tokens=s.max_question_tokens)

    @cached_property
    def typed_answers(self) -> TypedAnswers:
        return TypedAnswers(self.answers, self.answerer, self.store.version, limiter=self.limiter,
                            flights=self.flights, rate_limit_per_minute=self.settings.rate_limit_per_minute)

    # ------------------------------------------------------------ articles
    @cached_property
    def takeaways(self) -> TakeawayWriter:
        s = self.settings
        return TakeawayWriter(self.store, self.checker, self.chat, analyzer=self.analyzer, idf=self.index.idf,
                              context_tokens=s.llm_context_tokens, max_answer_tokens=s.llm_max_answer_tokens)

    @cached_property
    def suggester(self) -> QuestionSuggester:
        s = self.settings
        return QuestionSuggester(self.store, self.answerer, self.chat, read=self.takeaways.read, count=s.llm_suggestions,
                                 context_tokens=s.llm_context_tokens, max_answer_tokens=s.llm_max_answer_tokens,
                                 temperature=s.llm_temperature)

    @cached_property
    def pregenerator(self) -> Pregenerator:
        return Pregenerator(self.store, self.answers, self.answerer, self.takeaways, self.suggester,
                            embedder_name=self.embedder.name, auto_publish=self.settings.auto_publish,
                            suggest_at_ingest=self.settings.suggest_at_ingest, reviews=self.reviews)

    def article_page(self, article_id: str) -> ArticlePage:
        return article_page(self.store, self.answers, article_id)

    # -------------------------------------------------------------- editor
    @cached_property
    def editorial(self) -> Editorial:
        answerer: Callable[[str | None], Answerer] = self.answerer
        return Editorial(self.store, self.answers, self.accounts, self.jobs, answerer, self.checker,
                         self.pregenerator, review_min_grounding=self.settings.review_min_grounding,
                         review_min_quality=self.settings.review_min_quality)

    def close(self) -> None:
        """Close what was opened (only that: nothing is built to be closed)."""
        typed = self.__dict__.get("typed_answers")
        if typed is not None:
            typed.close()
        redis_client = self.__dict__.get("_redis")
        if redis_client is not None:
            redis_client.close()
        db = self.__dict__.get("db")
        if db is not None:
            db.close()
