"""Builds the clients and domain objects once, from Settings, and hands them out.
CLI commands and the web app both start here; tests build their own."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from qa_service.store.accounts import AccountStore
from qa_service.store.answers import AnswerStore
from qa_service.answering.pipeline import Answerer
from qa_service.store.corpus import CorpusStore
from qa_service.retrieval.embeddings import Embedder, make_embedder
from qa_service.answering.evidence import EmbeddingCache
from qa_service.answering.extractive import ExtractiveGenerator
from qa_service.answering.generation import Generator
from qa_service.grounding.checker import CalibratedGroundingChecker, GroundingChecker
from qa_service.retrieval.index import CorpusIndex
from qa_service.settings import Settings


@dataclass
class Services:
    settings: Settings
    embedder_override: Embedder | None = None
    generator_override: Generator | None = None

    @cached_property
    def store(self) -> CorpusStore:
        return CorpusStore(self.settings.sqlite_path)

    @cached_property
    def answers(self) -> AnswerStore:
        return AnswerStore(self.settings.sqlite_path)

    @cached_property
    def accounts(self) -> AccountStore:
        s = self.settings
        return AccountStore(s.sqlite_path, bcrypt_rounds=s.bcrypt_rounds, session_ttl=s.session_days * 86400)

    @cached_property
    def embedder(self) -> Embedder:
        return self.embedder_override or make_embedder(self.settings)

    @cached_property
    def vectors(self):  # noqa: ANN201 - ChromaVectorStore, imported lazily (chromadb is slow to import)
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

    @cached_property
    def checker(self) -> GroundingChecker:
        return CalibratedGroundingChecker(self.settings.support_threshold,
                                          coverage_floor=self.settings.support_coverage_floor)

    @cached_property
    def extractive(self) -> ExtractiveGenerator:
        return ExtractiveGenerator(self.embedding_cache, self.index.idf, self.settings.max_answer_sentences,
                                   min_score=self.settings.relevance_threshold)

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
            return self._llm_generator()
        raise ValueError(f"unknown generator {name!r} (use 'extractive' or 'openai')")

    def _llm_generator(self) -> Generator:
        """One OpenAI-compatible generator (and so one HTTP client and its
        connection pool) per settings object, not one per question."""
        cached = self.__dict__.get("_llm_cache")
        if cached is None or cached[0] is not self.settings:
            from qa_service.adapters.openai_chat import OpenAIChatGenerator

            cached = self.__dict__["_llm_cache"] = (self.settings, OpenAIChatGenerator(self.settings))
        return cached[1]

    def answerer(self, generator: str | None = None) -> Answerer:
        gen = self.generator(generator)
        s = self.settings
        return Answerer(self.index, gen, self.checker, self.embedding_cache,
                        fallback=self.extractive if gen is not self.extractive else None,
                        top_k=s.top_k, relevance_threshold=s.relevance_threshold,
                        max_question_tokens=s.max_question_tokens)
