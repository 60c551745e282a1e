"""Editors' pages and JSON API: the review queue, every version of every answer
with publish / discard / rollback, regeneration (synchronous for one answer,
background jobs with progress for a whole article), hand edits whose citations
are verified again, curation of suggested questions, diffs and the audit log.

Only editors get in: the API answers 401 to anonymous callers and 403 to
readers; pages send anonymous browsers to /login. Browsers authenticate with
the session cookie (state-changing requests also need the CSRF token the pages
embed); scripts use ``Authorization: Bearer <token>`` from `qa-service tokens create`.
The domain work is in qa_service.editor.editorial; this module only translates.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from qa_service.store.accounts import User
from qa_service.store.answers import AnswerVersion, StoredQuestion, TakeawaysVersion
from qa_service.editor.editorial import (
    REGENERATE_WHAT,
    Conflict,
    Editorial,
    EditorialError,
    EditRefused,
    NotFound,
    ReviewItem,
    summarize_version,
)
from qa_service.store.jobs import Job
from qa_service.models import Answer
from qa_service.web.auth import SESSION_COOKIE, bearer_token, current_user, require_editor
from qa_service.web.render import make_templates, render_answer

HERE = Path(__file__).resolve().parent
CSRF_HEADER = "X-CSRF-Token"
_editorial_lock = threading.Lock()


# ------------------------------------------------------------------- plumbing
def editorial_for(request: Request) -> Editorial:
    """One Editorial (and so one job worker) per app."""
    state = request.app.state
    with _editorial_lock:
        ed = getattr(state, "editorial", None)
        if ed is None:
            ed = state.editorial = Editorial(state.services)
    return ed


def csrf_token(request: Request) -> str:
    """Derived from the session cookie, which other sites cannot read, so they
    cannot forge a form post that carries it."""
    session = request.cookies.get(SESSION_COOKIE, "")
    return hashlib.sha256(f"qa-editor-csrf\x00{session}".encode()).hexdigest()[:32] if session else ""


def _csrf_ok(request: Request, supplied: str | None) -> bool:
    expected = csrf_token(request)
    return bool(expected and supplied) and hmac.compare_digest(expected, supplied or "")


def api_csrf(request: Request) -> None:
    """Cookie-authenticated changes must carry the CSRF header; bearer tokens are
    never sent by a browser on its own, so they need none."""
    if request.method in ("GET", "HEAD", "OPTIONS") or bearer_token(request):
        return
    if not _csrf_ok(request, request.headers.get(CSRF_HEADER)):
        raise HTTPException(status_code=403, detail=f"Missing or wrong {CSRF_HEADER} header (or use a bearer token).")


EditorDep = Annotated[User, Depends(require_editor)]
EditorialDep = Annotated[Editorial, Depends(editorial_for)]


def to_http_exception(exc: EditorialError) -> HTTPException:
    """How an editorial refusal reads over HTTP; the app registers this for every
    route, so handlers just call the domain."""
    if isinstance(exc, NotFound):
        return HTTPException(status_code=404, detail=str(exc))
    if isinstance(exc, Conflict):
        return HTTPException(status_code=409, detail=str(exc))
    return HTTPException(status_code=400, detail=str(exc))


# -------------------------------------------------------------------- schemas
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


class QuestionOut(BaseModel):
    id: str
    article_id: str
    question: str
    position: int
    origin: str
    pinned: bool
    hidden: bool
    published_version: str | None = None


class AddedQuestionOut(BaseModel):
    question: QuestionOut
    version: VersionOut | None


class QuestionIn(BaseModel):
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


def _summary(v: AnswerVersion) -> VersionSummaryOut:
    return VersionSummaryOut(**summarize_version(v))  # type: ignore[arg-type]


def _full(v: AnswerVersion) -> VersionOut:
    return VersionOut(**summarize_version(v), answer=v.answer)  # type: ignore[arg-type]


def _question_out(ed: Editorial, q: StoredQuestion) -> QuestionOut:
    published = ed.answers.published(q.id)
    return QuestionOut(id=q.id, article_id=q.article_id, question=q.text, position=q.position, origin=q.origin,
                       pinned=q.pinned, hidden=q.hidden, published_version=published.id if published else None)


def _job_out(job: Job) -> JobOut:
    return JobOut(id=job.id, kind=job.kind, article_id=job.article_id, actor=job.actor, status=job.status,
                  done=job.done, total=job.total, created_at=job.created_at, started_at=job.started_at,
                  finished_at=job.finished_at, result=job.result, error=job.error)


def _review_out(it: ReviewItem) -> ReviewItemOut:
    return ReviewItemOut(article_id=it.article_id, question_id=it.question_id, question=it.question,
                         reasons=it.reasons, grounding_score=it.grounding_score,
                         published_version=it.published.id if it.published else None,
                         drafts=[d.id for d in it.drafts], feedback=it.feedback)


def _takeaways_out(v: TakeawaysVersion) -> TakeawaysVersionOut:
    return TakeawaysVersionOut(**v.__dict__)


# ------------------------------------------------------------------ JSON API
ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "not logged in"},
                                           403: {"description": "not an editor (or missing CSRF header)"},
                                           404: {"description": "unknown article, question or version"}}
api = APIRouter(prefix="/api/editor", tags=["editor"], responses=ERRORS,
                dependencies=[Depends(require_editor), Depends(api_csrf)])


@api.get("/review", response_model=list[ReviewItemOut], summary="The review queue")
def api_review(ed: EditorialDep, article: str | None = None) -> list[ReviewItemOut]:
    """Questions needing an editor: stale, drafts waiting, low grounding score,
    unanswered from the sources, or marked unhelpful by readers."""
    return [_review_out(it) for it in ed.review_queue(article)]


@api.get("/stale", response_model=list[VersionSummaryOut], summary="Answers that cite a changed source")
def api_stale(ed: EditorialDep) -> list[VersionSummaryOut]:
    return [_summary(v) for v in ed.stale_answers()]


@api.get("/audit", response_model=list[AuditOut], summary="Editor actions, newest first")
def api_audit(ed: EditorialDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[AuditOut]:
    return [AuditOut(**e.__dict__) for e in ed.accounts.audit_log(limit)]


@api.get("/jobs", response_model=list[JobOut], summary="Recent background jobs")
def api_jobs(ed: EditorialDep) -> list[JobOut]:
    return [_job_out(j) for j in ed.jobs.store.recent()]


@api.get("/jobs/{job_id}", response_model=JobOut, summary="One job's status and progress")
def api_job(job_id: str, ed: EditorialDep) -> JobOut:
    job = ed.jobs.store.get(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail=f"no job {job_id!r}")
    return _job_out(job)


@api.post("/articles/{article_id}/regenerate", response_model=JobOut, status_code=202,
          summary="Regenerate an article's answers, takeaways or questions in the background")
def api_regenerate_article(article_id: str, body: RegenerateIn, ed: EditorialDep, user: EditorDep) -> JobOut:
    return _job_out(ed.submit_regeneration(article_id, body.what, user.name))


@api.get("/articles/{article_id}/questions", response_model=list[QuestionOut],
         summary="All suggested questions, hidden ones included, in reader order")
def api_questions(article_id: str, ed: EditorialDep) -> list[QuestionOut]:
    ed.article(article_id)
    return [_question_out(ed, q) for q in ed.answers.questions(article_id, include_hidden=True)]


@api.post("/articles/{article_id}/questions", response_model=AddedQuestionOut, status_code=201,
          summary="Add a suggested question (its first answer is generated and published)")
def api_add_question(article_id: str, body: QuestionIn, ed: EditorialDep, user: EditorDep) -> AddedQuestionOut:
    q, v = ed.add_question(article_id, body.question, user.name, pinned=body.pinned)
    return AddedQuestionOut(question=_question_out(ed, q), version=_full(v) if v else None)


@api.put("/articles/{article_id}/questions/order", response_model=list[QuestionOut],
         summary="Reorder suggested questions (pinned ones still come first)")
def api_reorder(article_id: str, body: OrderIn, ed: EditorialDep, user: EditorDep) -> list[QuestionOut]:
    return [_question_out(ed, q) for q in ed.reorder_questions(article_id, body.order, user.name)]


@api.patch("/articles/{article_id}/questions/{qid}", response_model=QuestionOut, summary="Pin or hide a question")
def api_patch_question(article_id: str, qid: str, body: QuestionPatch, ed: EditorialDep,
                       user: EditorDep) -> QuestionOut:
    q = ed.question(article_id, qid)
    if body.pinned is not None:
        q = ed.pin_question(article_id, qid, body.pinned, user.name)
    if body.hidden is not None:
        q = (ed.remove_question if body.hidden else ed.restore_question)(article_id, qid, user.name)
    return _question_out(ed, q)


@api.delete("/articles/{article_id}/questions/{qid}", response_model=QuestionOut,
            summary="Remove a question from the page (it is hidden; its versions are kept)")
def api_remove_question(article_id: str, qid: str, ed: EditorialDep, user: EditorDep) -> QuestionOut:
    return _question_out(ed, ed.remove_question(article_id, qid, user.name))


@api.post("/articles/{article_id}/questions/{qid}/regenerate", response_model=VersionOut, status_code=201,
          summary="Regenerate one answer: a new draft version (published if auto_publish)")
def api_regenerate(article_id: str, qid: str, ed: EditorialDep, user: EditorDep,
                   body: RegenerateOneIn | None = None) -> VersionOut:
    return _full(ed.regenerate_answer(article_id, qid, user.name, generator=body.generator if body else None))


@api.get("/articles/{article_id}/questions/{qid}/versions", response_model=list[VersionSummaryOut],
         summary="Every version of an answer, newest first")
def api_versions(article_id: str, qid: str, ed: EditorialDep) -> list[VersionSummaryOut]:
    ed.question(article_id, qid)
    return [_summary(v) for v in ed.answers.versions(qid)]


@api.get("/articles/{article_id}/questions/{qid}/versions/{vid}", response_model=VersionOut,
         summary="One version with its answer and citations")
def api_version(article_id: str, qid: str, vid: str, ed: EditorialDep) -> VersionOut:
    return _full(ed.version(article_id, qid, vid))


@api.post("/articles/{article_id}/questions/{qid}/versions/{vid}/publish", response_model=VersionOut,
          summary="Publish a version (the published one is archived); publishing an archived one is a rollback")
def api_publish(article_id: str, qid: str, vid: str, ed: EditorialDep, user: EditorDep) -> VersionOut:
    return _full(ed.publish(article_id, qid, vid, user.name))


@api.post("/articles/{article_id}/questions/{qid}/versions/{vid}/discard", response_model=VersionOut,
          summary="Discard a draft (it is archived, never deleted)")
def api_discard(article_id: str, qid: str, vid: str, ed: EditorialDep, user: EditorDep) -> VersionOut:
    return _full(ed.discard(article_id, qid, vid, user.name))


@api.post("/articles/{article_id}/questions/{qid}/edit", response_model=VersionOut, status_code=201,
          responses={422: {"model": EditRefusedOut, "description": "a sentence's citation does not verify"}},
          summary="Save an edited answer as a new version; every citation is verified again")
def api_edit(article_id: str, qid: str, body: EditIn, ed: EditorialDep, user: EditorDep) -> Response | VersionOut:
    try:
        return _full(ed.edit_answer(article_id, qid, body.text, user.name, base_version=body.base_version,
                                    publish=body.publish))
    except EditRefused as exc:
        return JSONResponse(status_code=422, content={"detail": str(exc),
                                                      "problems": [p.as_dict() for p in exc.problems]})


@api.get("/articles/{article_id}/questions/{qid}/diff", response_model=DiffOut,
         summary="Sentence-by-sentence diff of two versions")
def api_diff(article_id: str, qid: str, ed: EditorialDep, a: str, b: str) -> DiffOut:
    d = ed.diff(article_id, qid, a, b)
    return DiffOut(left=_summary(d["left"]), right=_summary(d["right"]), changed=d["changed"],  # type: ignore[arg-type]
                   rows=[DiffRowOut(**r) for r in d["rows"]])  # type: ignore[union-attr]


@api.get("/articles/{article_id}/takeaways/versions", response_model=list[TakeawaysVersionOut],
         summary="Every version of an article's takeaways")
def api_takeaways_versions(article_id: str, ed: EditorialDep) -> list[TakeawaysVersionOut]:
    ed.article(article_id)
    return [_takeaways_out(v) for v in ed.answers.takeaways_versions(article_id)]


@api.post("/articles/{article_id}/takeaways/regenerate", response_model=TakeawaysVersionOut, status_code=201,
          summary="Regenerate the takeaways as a new (draft) version")
def api_takeaways_regenerate(article_id: str, ed: EditorialDep, user: EditorDep) -> TakeawaysVersionOut:
    return _takeaways_out(ed.regenerate_takeaways(article_id, user.name))


@api.post("/articles/{article_id}/takeaways/versions/{vid}/publish", response_model=TakeawaysVersionOut,
          summary="Publish a takeaways version (or roll back to an older one)")
def api_takeaways_publish(article_id: str, vid: str, ed: EditorialDep, user: EditorDep) -> TakeawaysVersionOut:
    return _takeaways_out(ed.publish_takeaways(article_id, vid, user.name))


@api.post("/articles/{article_id}/takeaways/versions/{vid}/discard", response_model=TakeawaysVersionOut,
          summary="Discard a takeaways draft (archived, never deleted)")
def api_takeaways_discard(article_id: str, vid: str, ed: EditorialDep, user: EditorDep) -> TakeawaysVersionOut:
    return _takeaways_out(ed.discard_takeaways(article_id, vid, user.name))


# ---------------------------------------------------------------------- pages
def _ts(value: float | None) -> str:
    if value is None:
        return ""
    return datetime.fromtimestamp(value, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


templates = make_templates(ts=_ts, score=_score)
pages = APIRouter(prefix="/editor", include_in_schema=False)


def _gate(request: Request) -> User | Response:
    """Anonymous browsers go to the login page; readers get a 403 page."""
    user = current_user(request)
    if user is None:
        if request.method == "GET":
            return RedirectResponse("/login?" + urlencode({"next": str(request.url.path)}), status_code=303)
        raise HTTPException(status_code=401, detail="Log in first.")
    if not user.is_editor:
        raise HTTPException(status_code=403, detail="Only editors can see this page.")
    return user


def _render(request: Request, name: str, user: User, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("flash", request.query_params.get("flash", ""))
    return templates.TemplateResponse(request, name, {"user": user, "csrf": csrf_token(request),
                                                      "next": str(request.url.path), **context},
                                      status_code=status_code)


def _check_form_csrf(request: Request, token: str) -> None:
    if not _csrf_ok(request, token):
        raise HTTPException(status_code=403, detail="This form has expired; reload the page and try again.")


def _back(url: str, flash: str = "") -> RedirectResponse:
    return RedirectResponse(url + (("?" + urlencode({"flash": flash})) if flash else ""), status_code=303)


def _q_url(article_id: str, qid: str) -> str:
    return f"/editor/articles/{quote(article_id, safe='')}/questions/{quote(qid, safe='')}"


@pages.get("", response_class=HTMLResponse)
def review_page(request: Request, ed: EditorialDep) -> Response:
    gate = _gate(request)
    if isinstance(gate, Response):
        return gate
    articles = ed.services.store.documents(kind="article")
    return _render(request, "editor/review.html", gate, items=ed.review_queue(), articles=articles,
                   jobs=ed.jobs.store.recent(10))


@pages.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, ed: EditorialDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> Response:
    gate = _gate(request)
    if isinstance(gate, Response):
        return gate
    return _render(request, "editor/audit.html", gate, entries=ed.accounts.audit_log(limit))


@pages.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str, ed: EditorialDep) -> Response:
    gate = _gate(request)
    if isinstance(gate, Response):
        return gate
    job = ed.jobs.store.get(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail=f"No job {job_id!r}.")
    return _render(request, "editor/job.html", gate, job=job)


@pages.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: str, ed: EditorialDep) -> Response:
    gate = _gate(request)
    if isinstance(gate, Response):
        return gate
    doc = ed.article(article_id)
    rows = [(q, ed.answers.published(q.id), sum(v.status == "draft" for v in ed.answers.versions(q.id)))
            for q in ed.answers.questions(article_id, include_hidden=True)]
    return _render(request, "editor/article.html", gate, doc=doc, rows=rows,
                   takeaways=ed.answers.takeaways_versions(article_id), what=REGENERATE_WHAT)


@pages.post("/articles/{article_id}")
def article_action(request: Request, article_id: str, ed: EditorialDep,
                   action: Annotated[str, Form()], csrf: Annotated[str, Form()] = "",
                   question: Annotated[str, Form(max_length=300)] = "", what: Annotated[str, Form()] = "answers",
                   version: Annotated[str, Form()] = "") -> Response:
    gate = _gate(request)
    if isinstance(gate, Response):
        return gate
    _check_form_csrf(request, csrf)
    url = f"/editor/articles/{quote(article_id, safe='')}"
    if action == "add-question":
        q, _v = ed.add_question(article_id, question, gate.name)
        return _back(url, f"Added: {q.text}")
    if action == "regenerate":
        job = ed.submit_regeneration(article_id, what, gate.name)
        return _back(f"/editor/jobs/{job.id}")
    if action in ("publish-takeaways", "discard-takeaways"):
        fn = ed.publish_takeaways if action == "publish-takeaways" else ed.discard_takeaways
        fn(article_id, version, gate.name)
        return _back(url, f"Takeaways version {version}: {action.split('-')[0]}ed")
    raise HTTPException(status_code=400, detail=f"Unknown action {action!r}.")


@pages.get("/articles/{article_id}/questions/{qid}", response_class=HTMLResponse)
def question_page(request: Request, article_id: str, qid: str, ed: EditorialDep) -> Response:
    gate = _gate(request)
    if isinstance(gate, Response):
        return gate
    return _question_page(request, ed, gate, article_id, qid)


def _question_page(request: Request, ed: Editorial, user: User, article_id: str, qid: str, *,
                   edit_text: str | None = None, problems: list[Any] | None = None,
                   base_version: str = "", status_code: int = 200) -> HTMLResponse:
    doc = ed.article(article_id)
    q = ed.question(article_id, qid)
    versions = ed.answers.versions(qid)
    published = next((v for v in versions if v.status == "published"), None)
    base = ed.answers.get_version(base_version) if base_version else None
    base = base or published or (versions[0] if versions else None)
    if edit_text is None:
        edit_text = base.answer.answer if base else ""
    return _render(request, "editor/question.html", user, status_code=status_code, doc=doc, q=q, versions=versions,
                   published=published, base=base, edit_text=edit_text, problems=problems or [],
                   feedback=ed.accounts.feedback_counts(qid),
                   html_of={v.id: render_answer(v.answer.answer, [c.n for c in v.answer.citations], f"v{v.id}")
                            for v in versions})


@pages.post("/articles/{article_id}/questions/{qid}")
def question_action(request: Request, article_id: str, qid: str, ed: EditorialDep,
                    action: Annotated[str, Form()], csrf: Annotated[str, Form()] = "",
                    version: Annotated[str, Form()] = "", text: Annotated[str, Form(max_length=8000)] = "") -> Response:
    gate = _gate(request)
    if isinstance(gate, Response):
        return gate
    _check_form_csrf(request, csrf)
    url = _q_url(article_id, qid)
    article_url = f"/editor/articles/{quote(article_id, safe='')}"
    name = gate.name
    if action == "regenerate":
        v = ed.regenerate_answer(article_id, qid, name)
        return _back(url, f"New version {v.id} ({v.status}).")
    if action in ("publish", "rollback"):
        v = ed.publish(article_id, qid, version, name)
        return _back(url, f"Version {v.id} is published.")
    if action == "discard":
        v = ed.discard(article_id, qid, version, name)
        return _back(url, f"Draft {v.id} discarded (kept as archived).")
    if action == "edit":
        try:
            v = ed.edit_answer(article_id, qid, text, name, base_version=version or None)
        except EditRefused as exc:
            return _question_page(request, ed, gate, article_id, qid, edit_text=text, problems=exc.problems,
                                  base_version=version, status_code=422)
        return _back(url, f"Your edit is saved as draft {v.id}.")
    if action in ("hide", "show"):
        (ed.remove_question if action == "hide" else ed.restore_question)(article_id, qid, name)
        return _back(article_url, f"Question {'hidden' if action == 'hide' else 'shown'}.")
    if action in ("pin", "unpin"):
        ed.pin_question(article_id, qid, action == "pin", name)
        return _back(article_url, f"Question {action}ned.")
    if action in ("up", "down"):
        ed.move_question(article_id, qid, -1 if action == "up" else 1, name)
        return _back(article_url)
    raise HTTPException(status_code=400, detail=f"Unknown action {action!r}.")


@pages.get("/articles/{article_id}/questions/{qid}/diff", response_class=HTMLResponse)
def diff_page(request: Request, article_id: str, qid: str, ed: EditorialDep, a: str = "", b: str = "") -> Response:
    gate = _gate(request)
    if isinstance(gate, Response):
        return gate
    q = ed.question(article_id, qid)
    versions = ed.answers.versions(qid)
    if not a or not b:
        # default: the published version against the newest other one
        published = next((v for v in versions if v.status == "published"), None)
        others = [v for v in versions if published is None or v.id != published.id]
        left = published or (versions[1] if len(versions) > 1 else None)
        right = others[0] if others else None
        if left is None or right is None or left.id == right.id:
            raise Conflict("there is only one version: nothing to compare")
        a, b = left.id, right.id
    d = ed.diff(article_id, qid, a, b)
    left, right = d["left"], d["right"]
    return _render(request, "editor/diff.html", gate, doc=ed.article(article_id), q=q, d=d, left=left, right=right,
                   versions=versions,
                   left_html=render_answer(left.answer.answer, [c.n for c in left.answer.citations], "l"),
                   right_html=render_answer(right.answer.answer, [c.n for c in right.answer.citations], "r"))


router = APIRouter()
router.include_router(api)
router.include_router(pages)
