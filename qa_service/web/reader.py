"""What readers see: the article list, the article page with its takeaways,
stored answers, typed questions (streamed), sources, votes, answer feedback and
comments; the matching JSON API; sign up / log in / log out.

A page view only reads stored data: no generator ever runs while a page renders.
The article page and its JSON are the same for every reader, so they are
rendered once per published state and cached (web.page_cache), with an ETag
and a Cache-Control a CDN can honour; what differs by reader (login, votes,
helpful marks, comments) comes from ``/api/articles/{id}/me``, and readers
without JavaScript get it server-rendered at ``/articles/{id}/discussion``.
Typed questions go through TypedAnswers (cache, single flight, rate limit), whose
CPU-bound work runs on its own worker thread, never on the event loop.

Routes that read the database are plain ``def`` (FastAPI runs them on its
thread pool); the few ``async def`` ones never call the database themselves.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse

from qa_service.answering.pipeline import AnswerEvent
from qa_service.answering.questions import normalise_question
from qa_service.answering.typed import RateLimited, TypedAnswers
from qa_service.articles.page import ArticlePage
from qa_service.models import Answer, Citation, Document
from qa_service.services import Services
from qa_service.store.accounts import AccountError, User
from qa_service.store.answers import StoredQuestion
from qa_service.web import schemas
from qa_service.web.auth import SESSION_COOKIE, login_response, logout_response
from qa_service.web.csrf import csrf_ok, csrf_token
from qa_service.web.deps import LoggedInDep, ServicesDep, TypedAnswersDep, UserDep, client_key
from qa_service.web.limits import Limits, Throttled
from qa_service.web.page_cache import PageCache
from qa_service.web.render import make_templates, render_answer, render_text

HERE = Path(__file__).resolve().parent


def _date(value: float | str | None) -> str:
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc).strftime("%d %b %Y, %H:%M UTC")
    return value or ""


templates = make_templates(date=_date)
router = APIRouter()

# ------------------------------------------------------------------ view data


@dataclass
class QuestionView:
    """A suggested question as the page shows it: its published answer rendered,
    and the readers' helpful marks."""

    id: str
    text: str
    answer: Answer | None
    html: str = ""
    feedback: dict[str, int] = field(default_factory=dict)
    my_feedback: bool | None = None


def question_views(page: ArticlePage, *, with_html: bool = False) -> list[QuestionView]:
    views = []
    for q in page.questions:
        view = QuestionView(q.id, q.text, q.answer)
        if with_html and q.answer is not None:
            view.html = render_answer(q.answer.answer, [c.n for c in q.answer.citations], q.id)
        views.append(view)
    return views


def _source_out(d: Document) -> schemas.SourceOut:
    return schemas.SourceOut(id=d.id, title=d.title, publisher=d.publisher, published=d.published, url=d.url)


def _votes(services: Services, article_id: str, user: User | None) -> schemas.VotesOut:
    counts = services.accounts.vote_counts(article_id)
    mine = services.accounts.user_votes(user.id, article_id) if user else {}
    return schemas.VotesOut(**{k: schemas.VoteTally(**v) for k, v in counts.items() if k in ("interesting", "support")},
                            mine=mine)


def _question_or_404(services: Services, article_id: str, qid: str) -> StoredQuestion:
    q = services.answers.get_question(qid)
    if q is None or q.article_id != article_id or q.hidden:
        raise HTTPException(status_code=404, detail=f"No question {qid!r} on article {article_id!r}.")
    return q


def _check_question(typed: TypedAnswers, article_id: str, question: str) -> tuple[str, Answer | None]:
    """The normalised question, and a ``rejected`` Answer when it cannot be
    asked for a reason the published schema cannot state (its token count);
    a 422 for what the schema does state (empty, too long, no letter or digit),
    so the API never refuses a request its schema calls valid."""
    if len(question) > schemas.MAX_QUESTION_CHARS:
        raise HTTPException(status_code=422,
                            detail=f"The question is too long (at most {schemas.MAX_QUESTION_CHARS} characters).")
    if not question.strip():
        raise HTTPException(status_code=422, detail="The question is empty.")
    if not schemas.QUESTION_HAS_WORDS.search(question):
        raise HTTPException(status_code=422, detail="The question has no words in it.")
    question = normalise_question(question)
    reason = typed.validate(question)
    if reason:
        return question, Answer(question=question, article_id=article_id, status="rejected", answer=reason,
                                message=reason, generator="none")
    return question, None


def _rate_limited(exc: RateLimited) -> HTTPException:
    return HTTPException(status_code=429, detail=str(exc), headers={"Retry-After": str(exc.retry_after)})


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _answer_prefix(key: str) -> str:
    return "a-" + key[:10]


def answer_fragment(answer: Answer, prefix: str) -> str:
    """The server-rendered HTML of a typed answer (what the stream's 'done' event carries)."""
    html = render_answer(answer.answer, [c.n for c in answer.citations], prefix)
    return templates.get_template("_answer.html").module.answer_block(prefix, html, answer)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- HTML pages


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index_page(request: Request, services: ServicesDep, user: UserDep) -> HTMLResponse:
    articles = services.store.documents(kind="article")
    return templates.TemplateResponse(request, "index.html", {"articles": articles, "user": user})


def render_article_page(services: Services, article_id: str) -> bytes:
    """The article page as every reader gets it (nothing in it depends on who asks)."""
    page = services.article_page(article_id)
    path = f"/articles/{quote(article_id)}"
    body = render_text(page.doc.text, prefix="body", headings=True, skip_heading=page.doc.title)
    return templates.get_template("article.html").render({
        "view": page, "questions": question_views(page, with_html=True), "doc": page.doc, "body": body,
        "user": None, "shared": True, "next": path,
    }).encode()


# The two shared views are async and take only the request: no dependency to
# solve, no thread-pool hop; a cached page is served from the event loop.
@router.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
async def article_page(request: Request, article_id: str) -> Response:
    services: Services = request.app.state.services
    pages: PageCache = request.app.state.pages
    cached = await pages.get("html", article_id, lambda: render_article_page(services, article_id))
    return pages.response(cached, request.headers.get("if-none-match"))


@router.get("/articles/{article_id}/discussion", response_class=HTMLResponse, include_in_schema=False)
def discussion_page(request: Request, article_id: str, services: ServicesDep, user: UserDep) -> HTMLResponse:
    """Votes and comments rendered for this reader: the article page's per-reader
    parts for browsers without JavaScript. Never cached."""
    doc = services.store.article(article_id)
    response = templates.TemplateResponse(request, "discussion.html", {
        "doc": doc, "user": user, "votes": _votes(services, article_id, user),
        "comments": services.accounts.comments(article_id), "next": request.url.path,
    })
    response.headers["Cache-Control"] = "private, no-store"
    return response


@router.get("/articles/{article_id}/ask", response_class=HTMLResponse, include_in_schema=False)
def ask_page(request: Request, article_id: str, services: ServicesDep, typed: TypedAnswersDep, user: UserDep,
             question: Annotated[str, Query(max_length=schemas.MAX_QUESTION_CHARS)] = "") -> HTMLResponse:
    """Without JavaScript the ask box lands here: the answer, rendered on the server."""
    doc = services.store.article(article_id)
    question, answer = _check_question(typed, article_id, question)
    try:
        answer = answer or typed.answer(article_id, question, client_key(request, user))
    except RateLimited as exc:
        raise _rate_limited(exc) from None
    prefix = _answer_prefix(typed.key(article_id, question))
    return templates.TemplateResponse(request, "ask.html", {
        "doc": doc, "user": user, "answer": answer, "prefix": prefix,
        "html": render_answer(answer.answer, [c.n for c in answer.citations], prefix), "next": request.url.path,
    })


def _after_form(article_id: str, back: str, anchor: str) -> RedirectResponse:
    """Back where the form was: the discussion page (readers without JavaScript
    see their vote or comment there), else the article."""
    page = f"/articles/{quote(article_id)}" + ("/discussion" if back == "discussion" else "")
    return RedirectResponse(f"{page}#{quote(anchor)}", status_code=303)


def _check_form_csrf(request: Request, token: str) -> None:
    """A reader's form carries the token derived from their session cookie,
    which another site can neither read nor forge."""
    if not csrf_ok(request, token):
        raise HTTPException(status_code=403, detail="This form has expired; reload the page and try again.")


@router.post("/articles/{article_id}/votes", include_in_schema=False)
def vote_form(request: Request, article_id: str, services: ServicesDep, user: UserDep,
              kind: Annotated[str, Form()], value: Annotated[str, Form()], back: Annotated[str, Form()] = "",
              csrf: Annotated[str, Form()] = "") -> Response:
    services.store.article(article_id)
    if user is None:
        return RedirectResponse(f"/login?next=/articles/{quote(article_id)}", status_code=303)
    _check_form_csrf(request, csrf)
    try:
        services.accounts.set_vote(user.id, article_id, kind, value.lower() in ("1", "true", "yes"))
    except AccountError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    return _after_form(article_id, back, "votes")


@router.post("/articles/{article_id}/questions/{qid}/feedback", include_in_schema=False)
def feedback_form(request: Request, article_id: str, qid: str, services: ServicesDep, user: UserDep,
                  helpful: Annotated[str, Form()], csrf: Annotated[str, Form()] = "") -> Response:
    _question_or_404(services, article_id, qid)
    if user is None:
        return RedirectResponse(f"/login?next=/articles/{quote(article_id)}", status_code=303)
    _check_form_csrf(request, csrf)
    services.accounts.set_feedback(user.id, qid, helpful.lower() in ("1", "true", "yes"))
    return _after_form(article_id, "", qid)


@router.post("/articles/{article_id}/comments", include_in_schema=False)
def comment_form(request: Request, article_id: str, services: ServicesDep, user: UserDep,
                 text: Annotated[str, Form(max_length=4000)] = "", back: Annotated[str, Form()] = "",
                 csrf: Annotated[str, Form()] = "") -> Response:
    services.store.article(article_id)
    if user is None:
        return RedirectResponse(f"/login?next=/articles/{quote(article_id)}", status_code=303)
    _check_form_csrf(request, csrf)
    try:
        services.accounts.add_comment(user.id, article_id, text)
    except AccountError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    return _after_form(article_id, back, "comments")


def _account_page(request: Request, page: str, user: User | None, next_url: str, error: str = "",
                  name: str = "", status_code: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return templates.TemplateResponse(request, "account.html", {
        "page": page, "user": user, "next": _safe_next(next_url), "error": error, "name": name,
    }, status_code=status_code, headers=headers)


class NameTaken(AccountError):
    """Someone has this name already (409)."""


def _address(request: Request) -> str:
    # the peer, or the client a trusted proxy names (web/security.py ProxyHeaders)
    return request.client.host if request.client else "unknown"


def authenticate(request: Request, services: Services, name: str, password: str) -> User | None:
    """The user these credentials name, or None. Throttled, before any hashing,
    when this account or address has failed too often (counted across every
    worker); a failure counts against both; bcrypt runs in one of a bounded
    number of slots."""
    limits: Limits = request.app.state.limits
    with limits.login_attempt(name, _address(request)) as attempt, limits.password_hashing():
        user = services.accounts.authenticate(name, password)
        if user is not None:
            attempt.cancel()  # only failures count
    return user


def sign_up(request: Request, services: Services, name: str, password: str) -> User:
    """A new reader account; Throttled past QA_SIGNUPS_PER_HOUR per address
    (counted across every worker), NameTaken or AccountError (with the
    reason) when it cannot be made (and then it does not count)."""
    limits: Limits = request.app.state.limits
    with limits.signup_attempt(_address(request)):
        if services.accounts.get_user(name) is not None:  # before paying for a hash
            raise NameTaken(f"The name {name.strip()!r} is taken.")
        with limits.password_hashing():
            try:
                return services.accounts.create_user(name, password)
            except AccountError as exc:
                if services.accounts.get_user(name) is not None:  # taken meanwhile
                    raise NameTaken(str(exc)) from None
                raise


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, user: UserDep, next: str = "/") -> HTMLResponse:  # noqa: A002 - the URL's word
    return _account_page(request, "login", user, next)


@router.get("/signup", response_class=HTMLResponse, include_in_schema=False)
def signup_page(request: Request, user: UserDep, next: str = "/") -> HTMLResponse:  # noqa: A002
    return _account_page(request, "signup", user, next)


@router.post("/login", include_in_schema=False)
def login_form(request: Request, services: ServicesDep, name: Annotated[str, Form(max_length=64)] = "",
               password: Annotated[str, Form(max_length=200)] = "", next: Annotated[str, Form()] = "/") -> Response:  # noqa: A002
    try:
        user = authenticate(request, services, name, password)
    except Throttled as exc:
        return _account_page(request, "login", None, next, str(exc), name, status_code=429,
                             headers={"Retry-After": str(exc.retry_after)})
    if user is None:
        return _account_page(request, "login", None, next, "Wrong name or password.", name, status_code=401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    return login_response(response, services.accounts.create_session(user.id), request)


@router.post("/signup", include_in_schema=False)
def signup_form(request: Request, services: ServicesDep, name: Annotated[str, Form(max_length=64)] = "",
                password: Annotated[str, Form(max_length=200)] = "", next: Annotated[str, Form()] = "/") -> Response:  # noqa: A002
    try:
        user = sign_up(request, services, name, password)
    except Throttled as exc:
        return _account_page(request, "signup", None, next, str(exc), name, status_code=429,
                             headers={"Retry-After": str(exc.retry_after)})
    except AccountError as exc:
        return _account_page(request, "signup", None, next, str(exc), name,
                             status_code=409 if isinstance(exc, NameTaken) else 400)
    response = RedirectResponse(_safe_next(next), status_code=303)
    return login_response(response, services.accounts.create_session(user.id), request)


@router.post("/logout", include_in_schema=False)
def logout_form(request: Request, services: ServicesDep, next: Annotated[str, Form()] = "/",  # noqa: A002
                csrf: Annotated[str, Form()] = "") -> Response:
    if request.cookies.get(SESSION_COOKIE):
        _check_form_csrf(request, csrf)
    services.accounts.delete_session(request.cookies.get(SESSION_COOKIE))
    return logout_response(RedirectResponse(_safe_next(next), status_code=303), request)


# ------------------------------------------------------------------ JSON API

API_ERRORS = schemas.error_responses(404)

@router.get("/healthz", response_model=schemas.Health, tags=["meta"], summary="Health check")
def healthz(services: ServicesDep) -> schemas.Health:
    return schemas.Health(**services.store.counts(), corpus_version=services.store.version())


@router.get("/api/articles", response_model=list[schemas.ArticleSummary], tags=["articles"], summary="List articles")
def list_articles(services: ServicesDep) -> list[schemas.ArticleSummary]:
    out = []
    for d in services.store.documents(kind="article"):
        answered = sum(1 for q in services.answers.questions(d.id) if services.answers.published(q.id))
        out.append(schemas.ArticleSummary(id=d.id, title=d.title, label=d.label, publisher=d.publisher,
                                          published=d.published, url=d.url, questions=answered))
    return out


def render_article_json(services: Services, article_id: str) -> bytes:
    """The article's JSON as every reader gets it (schemas.ArticleDetail)."""
    view = services.article_page(article_id)
    d = view.doc
    detail = schemas.ArticleDetail(
        id=d.id, title=d.title, label=d.label, publisher=d.publisher, published=d.published, url=d.url,
        takeaways=[schemas.TakeawayOut(text=str(t["text"]), citations=[Citation.model_validate(c) for c in t["citations"]])  # type: ignore[union-attr]
                   for t in (view.takeaways or [])],
        questions=[schemas.QuestionOut(id=q.id, question=q.text, answer=q.answer) for q in view.questions],
        sources=[_source_out(s) for s in view.sources],
        answers_ready=view.answers_ready,
    )
    return detail.model_dump_json().encode()


@router.get("/api/articles/{article_id}", response_model=schemas.ArticleDetail, responses=API_ERRORS,
            tags=["articles"], summary="An article with takeaways and answered questions")
async def get_article(request: Request, article_id: str) -> Response:
    """The article's takeaways and suggested questions with their published answers (stored; never
    generated here). The same for every reader: sent with an ETag (If-None-Match gets a 304) and a
    Cache-Control a CDN can honour. Votes and comments are at `/api/articles/{id}/me`."""
    services: Services = request.app.state.services
    pages: PageCache = request.app.state.pages
    cached = await pages.get("json", article_id, lambda: render_article_json(services, article_id))
    return pages.response(cached, request.headers.get("if-none-match"))


@router.get("/api/articles/{article_id}/me", response_model=schemas.ReaderStateOut, responses=API_ERRORS,
            tags=["articles"], summary="What this reader sees that the shared page does not hold")
def reader_state(article_id: str, request: Request, response: Response, services: ServicesDep,
                 user: UserDep) -> schemas.ReaderStateOut:
    """Who is logged in, the vote counts with the reader's own votes, the helpful marks of each
    suggested question (with the reader's own) and the comments. Never cached."""
    services.store.article(article_id)
    response.headers["Cache-Control"] = "private, no-store"
    accounts = services.accounts
    qids = [q.id for q in services.answers.questions(article_id)]
    counts = accounts.feedback_counts_for(qids)
    mine = accounts.user_feedback_for(user.id, qids) if user else {}
    return schemas.ReaderStateOut(
        user=schemas.UserOut(name=user.name, role=user.role) if user else None,
        votes=_votes(services, article_id, user),
        feedback={qid: schemas.FeedbackOut(**counts[qid], mine=mine.get(qid)) for qid in qids},
        comments=[schemas.CommentOut(**c.__dict__) for c in accounts.comments(article_id)],
        csrf=csrf_token(request) if user else "",
    )


@router.post("/api/articles/{article_id}/questions", response_model=Answer, tags=["questions"], summary="Ask a question",
             responses=schemas.error_responses(404, 422, 429))
def ask(article_id: str, body: schemas.QuestionIn, request: Request, services: ServicesDep, typed: TypedAnswersDep,
        user: UserDep) -> Answer:
    """Answer a typed question (the `ask --json` contract). Repeated questions come from the cache.
    A question over the token limit (QA_MAX_QUESTION_TOKENS, counted with tiktoken cl100k; a JSON
    schema cannot count tokens) is answered with `status: "rejected"` and the reason in `message`."""
    services.store.article(article_id)
    question, rejected = _check_question(typed, article_id, body.question)
    if rejected is not None:
        return rejected
    try:
        return typed.answer(article_id, question, client_key(request, user))
    except RateLimited as exc:
        raise _rate_limited(exc) from None


def _sse(event: AnswerEvent, extra: dict[str, Any] | None = None) -> str:
    data = {**event.data, **(extra or {})}
    return f"event: {event.kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.get("/api/articles/{article_id}/questions/stream", tags=["questions"], summary="Ask a question, streamed (server-sent events)",
            response_class=StreamingResponse,
            responses={**schemas.error_responses(404, 422, 429),
                       200: {"content": {"text/event-stream": {"schema": schemas.SSE_EVENT}},
                             "description": "Server-sent events: retrieval, delta, citation, done | error"}})
def ask_stream(article_id: str, request: Request, services: ServicesDep, typed: TypedAnswersDep, user: UserDep,
               question: Annotated[str, Query(min_length=1, max_length=schemas.MAX_QUESTION_CHARS,
                                              json_schema_extra={"pattern": schemas.QUESTION_PATTERN},
                                              description=schemas.QUESTION_RULE)]) -> StreamingResponse:
    """Stream a typed question's answer as server-sent events. `delta` events carry
    verified text as it is produced; `done` carries the final answer (the `ask --json`
    contract, under `answer`) plus `html`, its rendered form, which replaces the
    streamed text. Close the EventSource on `done` or `error`."""
    services.store.article(article_id)
    question, rejected = _check_question(typed, article_id, question)
    try:
        events = (iter([AnswerEvent("done", {"answer": rejected.model_dump()})]) if rejected is not None
                  else typed.stream(article_id, question, client_key(request, user)))
    except RateLimited as exc:
        raise _rate_limited(exc) from None
    prefix = _answer_prefix(typed.key(article_id, question))

    def body() -> Iterator[str]:
        # A sync iterator: Starlette pulls each item on a worker thread, so waiting
        # for the generation never blocks the event loop.
        yield ": answering\n\n"
        for event in events:
            extra = None
            if event.kind == "done":
                answer = Answer.model_validate(event.data["answer"])
                extra = {"html": answer_fragment(answer, prefix)}
            yield _sse(event, extra)

    return StreamingResponse(body(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/api/articles/{article_id}/votes", response_model=schemas.VotesOut, responses=API_ERRORS, tags=["votes"], summary="Vote counts")
def get_votes(article_id: str, services: ServicesDep, user: UserDep) -> schemas.VotesOut:
    services.store.article(article_id)
    return _votes(services, article_id, user)


@router.post("/api/articles/{article_id}/votes", response_model=schemas.VotesOut, tags=["votes"], summary="Vote Interesting / Support (logged in)",
             responses=schemas.error_responses(401, 404, 422), openapi_extra=schemas.LOGGED_IN)
def vote(article_id: str, body: schemas.VoteIn, services: ServicesDep, user: LoggedInDep) -> schemas.VotesOut:
    """One vote per reader per kind; voting again changes the earlier vote."""
    services.store.article(article_id)
    services.accounts.set_vote(user.id, article_id, body.kind, body.value)
    return _votes(services, article_id, user)


@router.post("/api/articles/{article_id}/questions/{qid}/feedback", response_model=schemas.FeedbackOut,
             tags=["questions"], summary="Mark an answer helpful or not (logged in)",
             responses=schemas.error_responses(401, 404, 422), openapi_extra=schemas.LOGGED_IN)
def feedback(article_id: str, qid: str, body: schemas.FeedbackIn, services: ServicesDep,
             user: LoggedInDep) -> schemas.FeedbackOut:
    """Mark a suggested question's answer helpful or not (one mark per reader; a second one replaces it)."""
    _question_or_404(services, article_id, qid)
    services.accounts.set_feedback(user.id, qid, body.helpful)
    return schemas.FeedbackOut(**services.accounts.feedback_counts(qid), mine=body.helpful)


@router.get("/api/articles/{article_id}/comments", response_model=list[schemas.CommentOut], tags=["comments"], summary="List comments",
            responses=API_ERRORS)
def list_comments(article_id: str, services: ServicesDep) -> list[schemas.CommentOut]:
    services.store.article(article_id)
    return [schemas.CommentOut(**c.__dict__) for c in services.accounts.comments(article_id)]


@router.post("/api/articles/{article_id}/comments", response_model=schemas.CommentOut, status_code=201,
             tags=["comments"], summary="Post a comment (logged in)",
             responses=schemas.error_responses(401, 404, 422), openapi_extra=schemas.LOGGED_IN)
def post_comment(article_id: str, body: schemas.CommentIn, services: ServicesDep,
                 user: LoggedInDep) -> schemas.CommentOut:
    services.store.article(article_id)
    try:
        comment = services.accounts.add_comment(user.id, article_id, body.text)
    except AccountError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return schemas.CommentOut(**comment.__dict__)


@router.post("/api/signup", response_model=schemas.UserOut, status_code=201, tags=["accounts"], summary="Sign up as a reader",
             responses=schemas.error_responses(400, 409, 422, 429))
def api_signup(body: schemas.SignupIn, request: Request, response: Response,
               services: ServicesDep) -> schemas.UserOut:
    """Create a reader account and log it in (sets the session cookie). At most
    QA_SIGNUPS_PER_HOUR new accounts per address an hour (then 429)."""
    try:
        user = sign_up(request, services, body.name, body.password)
    except NameTaken as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    except AccountError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    login_response(response, services.accounts.create_session(user.id), request)
    return schemas.UserOut(name=user.name, role=user.role)


@router.post("/api/login", response_model=schemas.UserOut, tags=["accounts"], summary="Log in",
             responses=schemas.error_responses(401, 422, 429))
def api_login(body: schemas.CredentialsIn, request: Request, response: Response,
              services: ServicesDep) -> schemas.UserOut:
    """Log in (sets the session cookie). After QA_LOGIN_FAILURES_PER_MINUTE failures for
    an account (4x for an address) logins wait, growing to an hour: 429 with Retry-After."""
    user = authenticate(request, services, body.name, body.password)
    if user is None:
        raise HTTPException(status_code=401, detail="Wrong name or password.")
    login_response(response, services.accounts.create_session(user.id), request)
    return schemas.UserOut(name=user.name, role=user.role)


@router.post("/api/logout", status_code=204, tags=["accounts"], summary="Log out")
def api_logout(request: Request, services: ServicesDep) -> Response:
    services.accounts.delete_session(request.cookies.get(SESSION_COOKIE))
    return logout_response(Response(status_code=204), request)


@router.get("/api/me", response_model=schemas.UserOut, tags=["accounts"], summary="Who am I",
            responses=schemas.error_responses(401), openapi_extra=schemas.LOGGED_IN)
def me(user: LoggedInDep) -> schemas.UserOut:
    return schemas.UserOut(name=user.name, role=user.role)


@router.get("/api/me/tokens", response_model=list[schemas.TokenOut], tags=["accounts"],
            summary="My API tokens", responses=schemas.error_responses(401), openapi_extra=schemas.LOGGED_IN)
def my_tokens(services: ServicesDep, user: LoggedInDep) -> list[schemas.TokenOut]:
    """The caller's API tokens (made by an operator with `qa-service tokens create`), expired ones
    included; never their secrets."""
    return [schemas.TokenOut(id=t.id, created_at=t.created_at, last_used_at=t.last_used_at,
                             expires_at=t.expires_at, expired=t.expired())
            for t in services.accounts.api_tokens(user.name)]


@router.delete("/api/me/tokens/{token_id}", status_code=204, tags=["accounts"], summary="Revoke one of my API tokens",
               responses=schemas.error_responses(401, 404), openapi_extra=schemas.LOGGED_IN)
def revoke_my_token(token_id: str, services: ServicesDep, user: LoggedInDep) -> Response:
    """From the next request on, every worker refuses the token (401). A token
    of someone else's is as unknown as one that does not exist (404)."""
    try:
        token = services.accounts.revoke_api_token(token_id, user_id=user.id)
    except AccountError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    services.accounts.audit(user.name, "revoke-token", user.name, f"token {token.id}")
    return Response(status_code=204)


@router.post("/api/me/password", response_model=schemas.SessionsEndedOut, tags=["accounts"],
             summary="Change my password", responses=schemas.error_responses(401, 403, 422, 429),
             openapi_extra=schemas.LOGGED_IN)
def change_password(body: schemas.PasswordChangeIn, request: Request, services: ServicesDep,
                    user: LoggedInDep) -> schemas.SessionsEndedOut:
    """Needs the current password (403 if wrong; wrong ones count as failed logins, so 429 after
    QA_LOGIN_FAILURES_PER_MINUTE). Every other session of the caller ends; the calling one stays.
    API tokens are kept (revoke them at /api/me/tokens)."""
    if authenticate(request, services, user.name, body.current_password) is None:
        raise HTTPException(status_code=403, detail="The current password is wrong.")
    limits: Limits = request.app.state.limits
    try:
        with limits.password_hashing():
            change = services.accounts.set_password(user.name, body.new_password,
                                                    keep_session=request.cookies.get(SESSION_COOKIE))
    except AccountError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    services.accounts.audit(user.name, "set-password", user.name, f"sessions revoked: {change.sessions_revoked}")
    return schemas.SessionsEndedOut(sessions_ended=change.sessions_revoked)


@router.post("/api/me/sessions/revoke", response_model=schemas.SessionsEndedOut, tags=["accounts"],
             summary="Log out everywhere else", responses=schemas.error_responses(401),
             openapi_extra=schemas.LOGGED_IN)
def revoke_my_sessions(request: Request, services: ServicesDep, user: LoggedInDep) -> schemas.SessionsEndedOut:
    """End every login session of the caller except the one making this request (with a bearer
    token: all of them). Their cookies get 401 at once, whichever worker they reach."""
    ended = services.accounts.revoke_sessions(user.name, keep=request.cookies.get(SESSION_COOKIE))
    return schemas.SessionsEndedOut(sessions_ended=ended)
