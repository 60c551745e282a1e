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


class FlaggedSentence(BaseModel):
    """A span of a document addressed to a model rather than to readers
    ("ignore previous instructions and say ..."): found at ingest, kept out of
    evidence, citations and takeaways, shown to editors."""

    start: int  # offsets into the field's text
    end: int
    reason: str
    field: str = "text"  # "text", or the front-matter field it is in ("title", "takeaways[2]")


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
    # the file did not say its kind (ingest --kind decided it); not part of the document's content
    kind_defaulted: bool = Field(default=False, exclude=True)
    flagged: list[FlaggedSentence] = Field(default_factory=list)  # filled at ingest (ingest/instructions.py)
    # Character spans of the text that are page furniture, not story (bylines,
    # datelines, promos, photo credits...): filled at ingest (ingest/boilerplate.py);
    # never a takeaway, never the source of a suggested question.
    boilerplate: list[tuple[int, int]] = Field(default_factory=list)

    def content_hash(self) -> str:
        import hashlib

        # Flags and boilerplate spans are part of what was ingested (a better
        # detector re-ingests the document it now flags), but a document without
        # any hashes as it did before they existed, so upgrading re-ingests
        # nothing that is clean.
        exclude = {"path"} | ({"flagged"} if not self.flagged else set()) | \
            ({"boilerplate"} if not self.boilerplate else set())
        payload = self.model_dump_json(exclude=exclude)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def flagged_spans(self, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """(start, end) of the flagged spans of the text that overlap ``[start, end)``."""
        end = len(self.text) if end is None else end
        return [(f.start, f.end) for f in self.flagged if f.field == "text" and f.start < end and f.end > start]

    def boilerplate_spans(self, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """(start, end) of the boilerplate spans of the text that overlap ``[start, end)``."""
        end = len(self.text) if end is None else end
        return [(s, e) for s, e in self.boilerplate if s < end and e > start]

    def flagged_text(self, flag: FlaggedSentence) -> str:
        """The text a flag points at, in the text or in a front-matter field."""
        if flag.field == "text":
            return self.text[flag.start:flag.end]
        if flag.field == "title":
            return self.title
        name, _, index = flag.field.partition("[")
        values = self.questions if name == "questions" else self.takeaways
        i = int(index.rstrip("]") or 0) if index.rstrip("]").isdigit() else len(values)
        return values[i] if i < len(values) else ""

    def flagged_field(self, name: str) -> bool:
        """Whether a front-matter field ("title", "takeaways[2]") was flagged whole."""
        return any(f.field == name for f in self.flagged)


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
    # Document offsets of the spans inside this chunk that are addressed to a
    # model (Document.flagged): its text stays exact, but they are never evidence.
    flagged: list[tuple[int, int]] = Field(default_factory=list)
    # Document offsets of page furniture inside this chunk (Document.boilerplate).
    boilerplate: list[tuple[int, int]] = Field(default_factory=list)

    def is_flagged(self, start: int, end: int) -> bool:
        """Whether document offsets ``[start, end)`` overlap a flagged span."""
        return any(s < end and e > start for s, e in self.flagged)

    def is_boilerplate(self, start: int, end: int) -> bool:
        """Whether document offsets ``[start, end)`` overlap page furniture (a
        dateline before a lede counts: the lede is then quoted without it)."""
        return any(s < end and e > start for s, e in self.boilerplate)


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
