"""The editors' pages under /editor: the same work as the editor API, as
server-rendered forms. Anonymous browsers are sent to /login, readers get
403; every form carries the CSRF token."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from qa_service.editor.editorial import REGENERATE_WHAT, Editorial
from qa_service.editor.errors import Conflict, EditRefused
from qa_service.store.accounts import User
from qa_service.web.auth import current_user
from qa_service.web.csrf import csrf_ok, csrf_token
from qa_service.web.deps import EditorialDep
from qa_service.web.render import make_templates, render_answer


# ---------------------------------------------------------------------- pages
def _ts(value: float | None) -> str:
    if value is None:
        return ""
    return datetime.fromtimestamp(value, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


templates = make_templates(ts=_ts, score=_score)
router = APIRouter(prefix="/editor", include_in_schema=False)


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
    if not csrf_ok(request, token):
        raise HTTPException(status_code=403, detail="This form has expired; reload the page and try again.")


def _back(url: str, flash: str = "") -> RedirectResponse:
    return RedirectResponse(url + (("?" + urlencode({"flash": flash})) if flash else ""), status_code=303)


def _q_url(article_id: str, qid: str) -> str:
    return f"/editor/articles/{quote(article_id, safe='')}/questions/{quote(qid, safe='')}"


@router.get("", response_class=HTMLResponse)
def review_page(request: Request, ed: EditorialDep) -> Response:
    gate = _gate(request)
    if isinstance(gate, Response):
        return gate
    articles = ed.store.documents(kind="article")
    return _render(request, "editor/review.html", gate, items=ed.review_queue(), articles=articles,
                   jobs=ed.jobs.recent(10), flagged=ed.flagged_passages())


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, ed: EditorialDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> Response:
    gate = _gate(request)
    if isinstance(gate, Response):
        return gate
    return _render(request, "editor/audit.html", gate, entries=ed.accounts.audit_log(limit))


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str, ed: EditorialDep) -> Response:
    gate = _gate(request)
    if isinstance(gate, Response):
        return gate
    job = ed.jobs.get(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail=f"No job {job_id!r}.")
    return _render(request, "editor/job.html", gate, job=job)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: str, ed: EditorialDep) -> Response:
    gate = _gate(request)
    if isinstance(gate, Response):
        return gate
    doc = ed.article(article_id)
    rows = [(q, ed.answers.published(q.id), sum(v.status == "draft" for v in ed.answers.versions(q.id)))
            for q in ed.answers.questions(article_id, include_hidden=True)]
    return _render(request, "editor/article.html", gate, doc=doc, rows=rows, pending=ed.pending_suggestions(article_id),
                   takeaways=ed.answers.takeaways_versions(article_id), what=REGENERATE_WHAT,
                   flagged=ed.flagged_passages(article_id))


@router.post("/articles/{article_id}")
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


@router.get("/articles/{article_id}/questions/{qid}", response_class=HTMLResponse)
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


@router.post("/articles/{article_id}/questions/{qid}")
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


@router.get("/articles/{article_id}/questions/{qid}/diff", response_class=HTMLResponse)
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


