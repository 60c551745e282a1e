"""Typed request and response bodies of the JSON API (they make /docs): the
reader API first, then the editor API. Names say the role: ``...In`` for a
request body, ``...Out`` for a response."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from qa_service.models import Answer, Citation

MAX_QUESTION_CHARS = 1000  # a cheap cap before tokenising; the token limit (QA_MAX_QUESTION_TOKENS) is finer


class ErrorOut(BaseModel):
    detail: str = Field(description="What went wrong, for a person to read.")


class ArticleMeta(BaseModel):
    id: str
    title: str
    label: str = ""
    publisher: str = ""
    published: str = ""
    url: str = ""


class ArticleSummary(ArticleMeta):
    questions: int = Field(0, description="How many suggested questions have a published answer.")


class SourceOut(BaseModel):
    id: str
    title: str
    publisher: str = ""
    published: str = ""
    url: str = ""


class TakeawayOut(BaseModel):
    text: str
    citations: list[Citation] = Field(default_factory=list)


class QuestionOut(BaseModel):
    id: str
    question: str
    answer: Answer | None = Field(None, description="The published answer (the `ask --json` contract); "
                                                    "null while it is being prepared.")


class VoteTally(BaseModel):
    yes: int = 0
    total: int = 0


class VotesOut(BaseModel):
    interesting: VoteTally = Field(default_factory=VoteTally)
    support: VoteTally = Field(default_factory=VoteTally)
    mine: dict[str, bool] = Field(default_factory=dict, description="The caller's own votes, when logged in.")


class ArticleDetail(ArticleMeta):
    """The same for every reader (cacheable: ETag, 304); votes and the rest
    that changes by the minute are at /api/articles/{id}/me."""

    takeaways: list[TakeawayOut] = Field(default_factory=list)
    questions: list[QuestionOut] = Field(default_factory=list)
    sources: list[SourceOut] = Field(default_factory=list)
    answers_ready: bool = Field(True, description="False while takeaways and answers are still being prepared.")


class QuestionIn(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, examples=["Who chairs the SIG?"])


class VoteIn(BaseModel):
    kind: Literal["interesting", "support"]
    value: bool


class FeedbackIn(BaseModel):
    helpful: bool


class FeedbackOut(BaseModel):
    helpful: int = 0
    unhelpful: int = 0
    mine: bool | None = None


class CommentIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class CommentOut(BaseModel):
    id: int
    article_id: str
    user_name: str
    text: str
    created_at: float


class CredentialsIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class UserOut(BaseModel):
    name: str
    role: str


class ReaderStateOut(BaseModel):
    """What an article page shows that differs by reader or changes by the
    minute: never cached, so the page itself can be."""

    user: UserOut | None = Field(None, description="The logged-in reader, or null.")
    votes: VotesOut
    feedback: dict[str, FeedbackOut] = Field(default_factory=dict, description="Helpful marks by question id.")
    comments: list[CommentOut] = Field(default_factory=list)


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    documents: int
    articles: int
    corpus_version: int


# ------------------------------------------------------------------ editor API
class VersionSummaryOut(BaseModel):
    id: str
    question_id: str
    status: Literal["draft", "published", "archived"]
    created_at: float
    author: str
    generator: str
    model: str
    prompt_version: str
    corpus_version: int
    grounding_score: float | None
    sources: list[str] = Field(description="ids of the documents the answer retrieved or cites")
    stale: bool
    note: str
    answer_status: str


class VersionOut(VersionSummaryOut):
    answer: Answer


class EditorQuestionOut(BaseModel):
    id: str
    article_id: str
    question: str
    position: int
    origin: str
    pinned: bool
    hidden: bool
    published_version: str | None = None


class AddedQuestionOut(BaseModel):
    question: EditorQuestionOut
    version: VersionOut | None


class NewQuestionIn(BaseModel):
    question: str = Field(min_length=1, max_length=300)
    pinned: bool = False


class QuestionPatch(BaseModel):
    pinned: bool | None = None
    hidden: bool | None = None


class OrderIn(BaseModel):
    order: list[str] = Field(min_length=1, max_length=500, description="question ids, first shown first")


class EditIn(BaseModel):
    text: str = Field(min_length=1, max_length=8000,
                      description="the new answer; every sentence ends with [n] naming one of the base version's sources")
    base_version: str | None = Field(None, description="version whose sources the [n] refer to (default: published)")
    publish: bool = False


class SentenceProblemOut(BaseModel):
    sentence: str
    reason: str
    citation: int | None


class EditRefusedOut(BaseModel):
    detail: str
    problems: list[SentenceProblemOut]


class RegenerateIn(BaseModel):
    what: Literal["answers", "takeaways", "questions", "all"] = "answers"


class RegenerateOneIn(BaseModel):
    generator: Literal["extractive", "openai"] | None = None


class JobOut(BaseModel):
    id: str
    kind: str
    article_id: str
    actor: str
    status: str
    done: int
    total: int
    created_at: float
    started_at: float | None
    finished_at: float | None
    result: dict[str, Any]
    error: str


class ReviewItemOut(BaseModel):
    article_id: str
    question_id: str
    question: str
    reasons: list[str]
    grounding_score: float | None
    published_version: str | None
    drafts: list[str]
    feedback: dict[str, int]


class AuditOut(BaseModel):
    id: int
    at: float
    actor: str
    action: str
    target: str
    detail: str


class TakeawaysVersionOut(BaseModel):
    id: str
    article_id: str
    status: str
    created_at: float
    author: str
    generator: str
    corpus_version: int
    grounding_score: float | None
    takeaways: list[dict[str, Any]]


class DiffRowOut(BaseModel):
    tag: str
    left: str | None
    right: str | None


class DiffOut(BaseModel):
    left: VersionSummaryOut
    right: VersionSummaryOut
    changed: int
    rows: list[DiffRowOut]
