"""Typed request and response bodies of the JSON API (they make /docs): the
reader API first, then the editor API. Names say the role: ``...In`` for a
request body, ``...Out`` for a response."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from qa_service.models import Answer, Citation
from qa_service.store.accounts import MAX_COMMENT, MAX_PASSWORD, MIN_PASSWORD

MAX_QUESTION_CHARS = 1000  # a cheap cap before tokenising; the token limit (QA_MAX_QUESTION_TOKENS) is finer
# A question needs a letter or digit (surrogates excluded: they are not characters).
QUESTION_PATTERN = r"[A-Za-z0-9\u00C0-\uD7FF\uE000-\uFFFF]"
QUESTION_HAS_WORDS = re.compile(QUESTION_PATTERN)
QUESTION_RULE = (f"1 to {MAX_QUESTION_CHARS} characters with at least one letter or digit. A question over "
                 "QA_MAX_QUESTION_TOKENS tokens (default 128, tiktoken cl100k) is answered with status "
                 "`rejected` and the reason in `message`.")
# Reader names (store.accounts.NAME_RE), written for JSON Schema (ECMA) and Python alike.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,31}$"
NAME_RULE = "2-32 characters: letters, digits, '.', '_' or '-', starting with a letter or digit."
# Logged-in routes accept a session cookie (browsers) or a bearer API token (scripts).
LOGGED_IN: dict[str, Any] = {"security": [{"bearerAuth": []}, {"cookieAuth": []}]}


class RequestBody(BaseModel):
    """Request bodies take JSON as the schema types it: 0 is not false, "1" is
    not 1 (the contract says boolean, so only true and false are)."""

    model_config = ConfigDict(strict=True)


# One server-sent event of the streamed answer; ``data`` is JSON (see the route's description).
SSE_EVENT: dict[str, Any] = {
    "type": "object", "required": ["data"],
    "properties": {"event": {"type": "string", "enum": ["retrieval", "delta", "citation", "done", "error"]},
                   "data": {"type": "string", "description": "a JSON object"}},
}


class FieldErrorOut(BaseModel):
    field: str = Field(description="The invalid field, dotted ('question', 'order.0'); empty for the whole body.")
    message: str


class ErrorOut(BaseModel):
    """Every error response: ``detail`` for a person; for 422, ``errors`` per field."""

    detail: str = Field(description="What went wrong, for a person to read.")
    errors: list[FieldErrorOut] = Field(default_factory=list, description="422 only: each invalid field.")


_ERROR_TEXT = {
    400: "Malformed request (a body that is not valid JSON, a bad Content-Length), or refused input",
    401: "Not logged in (a session cookie or `Authorization: Bearer <token>` is needed)",
    403: "Not allowed: not an editor, a missing CSRF token, or a change sent from another site",
    404: "Unknown article, question, version or job",
    409: "Conflicts with what exists (a taken name, a question already listed, nothing to compare)",
    413: "The request body is larger than QA_MAX_BODY_BYTES (refused before it is read)",
    422: "The body or a parameter breaks the schema; `errors` lists each field",
    429: "Too many requests (new questions, failed logins, sign-ups); wait `Retry-After` seconds",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, all in the ErrorOut shape."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        out[code] = {"model": ErrorOut, "description": _ERROR_TEXT[code]}
        if code == 429:
            out[code]["headers"] = RETRY_AFTER
    return out


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


class QuestionIn(RequestBody):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, examples=["Who chairs the SIG?"],
                          description=QUESTION_RULE, json_schema_extra={"pattern": QUESTION_PATTERN})


class VoteIn(RequestBody):
    kind: Literal["interesting", "support"]
    value: bool


class FeedbackIn(RequestBody):
    helpful: bool


class FeedbackOut(BaseModel):
    helpful: int = 0
    unhelpful: int = 0
    mine: bool | None = None


class CommentIn(RequestBody):
    text: str = Field(min_length=1, max_length=MAX_COMMENT, description="Not only spaces.",
                      json_schema_extra={"pattern": r"\S"})


class CommentOut(BaseModel):
    id: int
    article_id: str
    user_name: str
    text: str
    created_at: float


class CredentialsIn(RequestBody):
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD)


class SignupIn(RequestBody):
    name: str = Field(min_length=2, max_length=32, description=NAME_RULE, json_schema_extra={"pattern": NAME_PATTERN})
    password: str = Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD,
                          description=f"{MIN_PASSWORD} to {MAX_PASSWORD} characters.")

    @field_validator("name")
    @classmethod
    def _name_rule(cls, value: str) -> str:
        # re.fullmatch: Python's "$" would also accept a trailing newline, which JSON Schema's does not
        if not re.fullmatch(NAME_PATTERN.strip("^$"), value):
            raise ValueError(f"Names are {NAME_RULE}")
        return value


class UserOut(BaseModel):
    name: str
    role: str


class TokenOut(BaseModel):
    """An API token of the caller's, never its secret (only a hash is stored)."""

    id: str = Field(description="Names the token for revoking it.")
    created_at: float = Field(description="Seconds since the epoch.")
    last_used_at: float | None = Field(None, description="Written at most once a minute; null if never used.")
    expires_at: float | None = Field(None, description="Null: never expires.")
    expired: bool = Field(description="Expired tokens are refused (401); revoke them to tidy the list.")


class PasswordChangeIn(RequestBody):
    current_password: str = Field(min_length=1, max_length=MAX_PASSWORD)
    new_password: str = Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD,
                              description=f"{MIN_PASSWORD} to {MAX_PASSWORD} characters.")


class SessionsEndedOut(BaseModel):
    sessions_ended: int = Field(description="The caller's other login sessions that were ended.")


class ReaderStateOut(BaseModel):
    """What an article page shows that differs by reader or changes by the
    minute: never cached, so the page itself can be."""

    user: UserOut | None = Field(None, description="The logged-in reader, or null.")
    votes: VotesOut
    feedback: dict[str, FeedbackOut] = Field(default_factory=dict, description="Helpful marks by question id.")
    comments: list[CommentOut] = Field(default_factory=list)
    csrf: str = Field("", description="The token the page's forms carry (the `csrf` field) for this "
                                      "session; empty when not logged in.")


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
    note: str = Field(description="how the version came to be; says when a regeneration gave identical text")
    answer_status: str
    quality_score: float | None = Field(None, description="how well the answer answers: its lead and the "
                                        "question's parts answered (0-1), beside the grounding score")
    gaps: list[str] = Field(default_factory=list, description="what the answer says the sources do not say")


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
    review: Literal["pending", "reviewed"] | None = Field(
        None, description="generated questions: pending until an editor shows, hides, pins or publishes it")
    kind: str = Field("", description="generated questions: what_is, next, why, how_much, affected, unknown, detail, "
                                      "llm or heading")


class AddedQuestionOut(BaseModel):
    question: EditorQuestionOut
    version: VersionOut | None


class NewQuestionIn(RequestBody):
    question: str = Field(min_length=1, max_length=300, json_schema_extra={"pattern": QUESTION_PATTERN},
                          description="1 to 300 characters with at least one letter or digit.")
    pinned: bool = False


class QuestionPatch(RequestBody):
    pinned: bool | None = None
    hidden: bool | None = None


class OrderIn(RequestBody):
    order: list[str] = Field(min_length=1, max_length=500, description="question ids, first shown first, each once",
                             json_schema_extra={"uniqueItems": True})

    @field_validator("order")
    @classmethod
    def _each_once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a question is listed twice")
        return value


class EditIn(RequestBody):
    text: str = Field(min_length=1, max_length=8000,
                      description="the new answer; every sentence ends with [n] naming one of the base version's sources")
    base_version: str | None = Field(None, description="version whose sources the [n] refer to (default: published)")
    publish: bool = False


class SentenceProblemOut(BaseModel):
    sentence: str
    reason: str
    citation: int | None


class EditRefusedOut(ErrorOut):
    problems: list[SentenceProblemOut] = Field(default_factory=list,
                                               description="each sentence whose citation does not verify")


class RegenerateIn(RequestBody):
    what: Literal["answers", "takeaways", "questions", "all"] = "answers"


class RegenerateOneIn(RequestBody):
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
    reasons: list[str] = Field(description="stale, unhelpful, low grounding, unanswered, low quality, gaps, draft, "
                                           "suggested (a generated question no editor has looked at)")
    grounding_score: float | None
    quality_score: float | None = None
    gaps: list[str] = Field(default_factory=list)
    published_version: str | None
    drafts: list[str]
    feedback: dict[str, int]


class FlaggedPassageOut(BaseModel):
    doc_id: str
    title: str
    field: str = Field(description="'text', or the front-matter field the passage is ('title', 'takeaways[0]')")
    start: int = Field(description="offset into the field's text")
    end: int
    reason: str = Field(description="why it reads as addressed to a model")
    text: str


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
