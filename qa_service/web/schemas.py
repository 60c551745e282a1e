"""Typed request and response bodies of the reader API (they make /docs)."""

from __future__ import annotations

from typing import Literal

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
    takeaways: list[TakeawayOut] = Field(default_factory=list)
    questions: list[QuestionOut] = Field(default_factory=list)
    sources: list[SourceOut] = Field(default_factory=list)
    votes: VotesOut = Field(default_factory=VotesOut)
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


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    documents: int
    articles: int
    corpus_version: int
