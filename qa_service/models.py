"""Typed domain objects: documents, chunks, retrieval hits, answers and citations.

These are the shapes the whole pipeline passes around and the JSON contract of
``ask --json`` and the API. They know nothing of HTTP or vendors.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

DocKind = Literal["article", "source"]


class UnknownArticle(LookupError):
    """No article has this id. The web layer answers 404, the CLI exits 2."""

    def __init__(self, article_id: str) -> None:
        super().__init__(f"no article with id {article_id!r}")
        self.article_id = article_id
AnswerStatus = Literal["answered", "not_in_sources", "rejected"]


class Document(BaseModel):
    id: str
    title: str
    text: str
    kind: DocKind = "source"
    publisher: str = ""
    url: str = ""
    published: str = ""
    label: str = ""
    sources: list[str] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)
    takeaways: list[str] = Field(default_factory=list)
    article_id: str = ""  # for JSONL records: the article this source belongs to
    path: str = ""

    def content_hash(self) -> str:
        import hashlib

        payload = self.model_dump_json(exclude={"path"})
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class Chunk(BaseModel):
    id: str
    doc_id: str
    ordinal: int
    start: int  # character offset into Document.text
    end: int
    text: str  # exactly Document.text[start:end]
    heading: str = ""  # section heading path, kept as retrieval context
    tokens: int = 0

    @property
    def embed_text(self) -> str:
        return f"{self.heading}\n{self.text}" if self.heading else self.text


class RetrievedChunk(BaseModel):
    doc_id: str
    chunk_id: str
    score: float
    start: int = 0
    end: int = 0
    text: str = ""
    heading: str = ""
    title: str = ""
    dense_rank: int | None = None
    lexical_rank: int | None = None


class Citation(BaseModel):
    n: int
    doc_id: str
    chunk_id: str = ""
    title: str = ""
    url: str = ""
    publisher: str = ""
    published: str = ""
    quote: str
    start: int
    end: int
    score: float = 0.0  # grounding score of the cited sentence against the quote


class RetrievedRef(BaseModel):
    doc_id: str
    chunk_id: str
    score: float


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class Gap(BaseModel):
    """Something the question asks that the sources do not give, said plainly.
    ``statement`` is the service's own sentence ("The sources do not say who
    will chair the February ministerial."), shown as such and never cited;
    when a source itself says the thing has not been published, that sentence
    is quoted and cited in the answer instead, and ``cited`` is true."""

    aspect: str
    statement: str
    cited: bool = False


class AnswerQuality(BaseModel):
    """How well the answer answers, judged without gold facts (editors' review
    uses it beside the grounding score): does the first sentence carry the
    asked element, how many of the question's parts are answered."""

    lead: bool = False
    parts: int = 1
    parts_answered: int = 0
    score: float = 0.0


class Answer(BaseModel):
    """The `ask --json` contract."""

    question: str
    article_id: str | None = None
    status: AnswerStatus
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    retrieved: list[RetrievedRef] = Field(default_factory=list)
    generator: str = ""
    latency_ms: float = 0.0
    message: str = ""
    usage: Usage | None = None
    prompt_version: str = ""
    fallback_reason: str = ""
    dropped_sentences: list[str] = Field(default_factory=list)
    gaps: list[Gap] = Field(default_factory=list)
    quality: AnswerQuality | None = None
