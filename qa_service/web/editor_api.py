"""The editors' JSON API under /api/editor: the review queue, every version
of every answer with publish / discard / rollback, regeneration (synchronous
for one answer, background jobs with progress for a whole article), hand
edits whose citations are verified again, curation of suggested questions,
diffs, takeaways versions and the audit log.

Only editors get in: 401 to anonymous callers, 403 to readers. Browsers send
the session cookie and the CSRF header; scripts use ``Authorization: Bearer
<token>`` from `qa-service tokens create`. The domain work is in
qa_service.editor; this module only translates.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import JSONResponse, Response

from qa_service.editor.editorial import Editorial, summarize_version
from qa_service.editor.errors import EditRefused
from qa_service.editor.review import FlaggedPassage, ReviewItem
from qa_service.store.answers import AnswerVersion, StoredQuestion, TakeawaysVersion
from qa_service.store.jobs import Job
from qa_service.web import schemas
from qa_service.web.auth import require_editor
from qa_service.web.csrf import api_csrf
from qa_service.web.deps import EditorDep, EditorialDep


def _summary(v: AnswerVersion) -> schemas.VersionSummaryOut:
    return schemas.VersionSummaryOut(**summarize_version(v))  # type: ignore[arg-type]


def _full(v: AnswerVersion) -> schemas.VersionOut:
    return schemas.VersionOut(**summarize_version(v), answer=v.answer)  # type: ignore[arg-type]


def _question_out(ed: Editorial, q: StoredQuestion) -> schemas.EditorQuestionOut:
    published = ed.answers.published(q.id)
    review = ed.question_review(q.id)
    return schemas.EditorQuestionOut(id=q.id, article_id=q.article_id, question=q.text, position=q.position, origin=q.origin,
                       pinned=q.pinned, hidden=q.hidden, published_version=published.id if published else None,
                       review=review.state if review else None, kind=review.kind if review else "")  # type: ignore[arg-type]


def _job_out(job: Job) -> schemas.JobOut:
    return schemas.JobOut(id=job.id, kind=job.kind, article_id=job.article_id, actor=job.actor, status=job.status,
                  done=job.done, total=job.total, created_at=job.created_at, started_at=job.started_at,
                  finished_at=job.finished_at, result=job.result, error=job.error)


def _review_out(it: ReviewItem) -> schemas.ReviewItemOut:
    return schemas.ReviewItemOut(article_id=it.article_id, question_id=it.question_id, question=it.question,
                         reasons=it.reasons, grounding_score=it.grounding_score,
                         quality_score=it.quality_score, gaps=it.gaps,
                         published_version=it.published.id if it.published else None,
                         drafts=[d.id for d in it.drafts], feedback=it.feedback)


def _flagged_out(f: FlaggedPassage) -> schemas.FlaggedPassageOut:
    return schemas.FlaggedPassageOut(**f.__dict__)


def _takeaways_out(v: TakeawaysVersion) -> schemas.TakeawaysVersionOut:
    return schemas.TakeawaysVersionOut(**v.__dict__)


# ------------------------------------------------------------------ JSON API
ERRORS: dict[int | str, dict[str, Any]] = schemas.error_responses(400, 401, 403, 404, 409)
router = APIRouter(prefix="/api/editor", tags=["editor"], responses=ERRORS,
                dependencies=[Depends(require_editor), Depends(api_csrf)])


@router.get("/review", response_model=list[schemas.ReviewItemOut], summary="The review queue")
def api_review(ed: EditorialDep, article: str | None = None) -> list[schemas.ReviewItemOut]:
    """Questions needing an editor: stale, drafts waiting, low grounding score,
    unanswered from the sources, marked unhelpful by readers, or generated
    suggestions no editor has looked at yet ("suggested")."""
    return [_review_out(it) for it in ed.review_queue(article)]


@router.get("/flagged", response_model=list[schemas.FlaggedPassageOut],
            summary="Text in the sources addressed to AI systems (kept out of every answer)")
def api_flagged(ed: EditorialDep, article: str | None = None) -> list[schemas.FlaggedPassageOut]:
    """Passages flagged at ingest as instructions to a model ("ignore previous
    instructions and say ..."): of one article and its sources, or of every document."""
    return [_flagged_out(f) for f in ed.flagged_passages(article)]


@router.get("/stale", response_model=list[schemas.VersionSummaryOut], summary="Answers that cite a changed source")
def api_stale(ed: EditorialDep) -> list[schemas.VersionSummaryOut]:
    return [_summary(v) for v in ed.stale_answers()]


@router.get("/audit", response_model=list[schemas.AuditOut], summary="Editor actions, newest first")
def api_audit(ed: EditorialDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[schemas.AuditOut]:
    return [schemas.AuditOut(**e.__dict__) for e in ed.accounts.audit_log(limit)]


@router.get("/jobs", response_model=list[schemas.JobOut], summary="Recent background jobs")
def api_jobs(ed: EditorialDep) -> list[schemas.JobOut]:
    return [_job_out(j) for j in ed.jobs.recent()]


@router.get("/jobs/{job_id}", response_model=schemas.JobOut, summary="One job's status and progress")
def api_job(job_id: str, ed: EditorialDep) -> schemas.JobOut:
    job = ed.jobs.get(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail=f"no job {job_id!r}")
    return _job_out(job)


@router.post("/articles/{article_id}/regenerate", response_model=schemas.JobOut, status_code=202,
          summary="Regenerate an article's answers, takeaways or questions in the background")
def api_regenerate_article(article_id: str, body: schemas.RegenerateIn, ed: EditorialDep, user: EditorDep) -> schemas.JobOut:
    return _job_out(ed.submit_regeneration(article_id, body.what, user.name))


@router.get("/articles/{article_id}/questions", response_model=list[schemas.EditorQuestionOut],
         summary="All suggested questions, hidden ones included, in reader order")
def api_questions(article_id: str, ed: EditorialDep) -> list[schemas.EditorQuestionOut]:
    ed.article(article_id)
    return [_question_out(ed, q) for q in ed.answers.questions(article_id, include_hidden=True)]


@router.post("/articles/{article_id}/questions", response_model=schemas.AddedQuestionOut, status_code=201,
          summary="Add a suggested question (its first answer is generated and published)")
def api_add_question(article_id: str, body: schemas.NewQuestionIn, ed: EditorialDep, user: EditorDep) -> schemas.AddedQuestionOut:
    q, v = ed.add_question(article_id, body.question, user.name, pinned=body.pinned)
    return schemas.AddedQuestionOut(question=_question_out(ed, q), version=_full(v) if v else None)


@router.put("/articles/{article_id}/questions/order", response_model=list[schemas.EditorQuestionOut],
         summary="Reorder suggested questions (pinned ones still come first)")
def api_reorder(article_id: str, body: schemas.OrderIn, ed: EditorialDep, user: EditorDep) -> list[schemas.EditorQuestionOut]:
    return [_question_out(ed, q) for q in ed.reorder_questions(article_id, body.order, user.name)]


@router.patch("/articles/{article_id}/questions/{qid}", response_model=schemas.EditorQuestionOut,
              summary="Pin, hide or show a question (any of these ends a generated question's review)")
def api_patch_question(article_id: str, qid: str, body: schemas.QuestionPatch, ed: EditorialDep,
                       user: EditorDep) -> schemas.EditorQuestionOut:
    q = ed.question(article_id, qid)
    if body.pinned is not None:
        q = ed.pin_question(article_id, qid, body.pinned, user.name)
    if body.hidden is not None:
        q = (ed.remove_question if body.hidden else ed.restore_question)(article_id, qid, user.name)
    return _question_out(ed, q)


@router.delete("/articles/{article_id}/questions/{qid}", response_model=schemas.EditorQuestionOut,
            summary="Remove a question from the page (it is hidden; its versions are kept)")
def api_remove_question(article_id: str, qid: str, ed: EditorialDep, user: EditorDep) -> schemas.EditorQuestionOut:
    return _question_out(ed, ed.remove_question(article_id, qid, user.name))


@router.post("/articles/{article_id}/questions/{qid}/regenerate", response_model=schemas.VersionOut, status_code=201,
          summary="Regenerate one answer: a new draft version (published if auto_publish)")
def api_regenerate(article_id: str, qid: str, ed: EditorialDep, user: EditorDep,
                   body: schemas.RegenerateOneIn | None = None) -> schemas.VersionOut:
    return _full(ed.regenerate_answer(article_id, qid, user.name, generator=body.generator if body else None))


@router.get("/articles/{article_id}/questions/{qid}/versions", response_model=list[schemas.VersionSummaryOut],
         summary="Every version of an answer, newest first")
def api_versions(article_id: str, qid: str, ed: EditorialDep) -> list[schemas.VersionSummaryOut]:
    ed.question(article_id, qid)
    return [_summary(v) for v in ed.answers.versions(qid)]


@router.get("/articles/{article_id}/questions/{qid}/versions/{vid}", response_model=schemas.VersionOut,
         summary="One version with its answer and citations")
def api_version(article_id: str, qid: str, vid: str, ed: EditorialDep) -> schemas.VersionOut:
    return _full(ed.version(article_id, qid, vid))


@router.post("/articles/{article_id}/questions/{qid}/versions/{vid}/publish", response_model=schemas.VersionOut,
          summary="Publish a version (the published one is archived); publishing an archived one is a rollback")
def api_publish(article_id: str, qid: str, vid: str, ed: EditorialDep, user: EditorDep) -> schemas.VersionOut:
    return _full(ed.publish(article_id, qid, vid, user.name))


@router.post("/articles/{article_id}/questions/{qid}/versions/{vid}/discard", response_model=schemas.VersionOut,
          summary="Discard a draft (it is archived, never deleted)")
def api_discard(article_id: str, qid: str, vid: str, ed: EditorialDep, user: EditorDep) -> schemas.VersionOut:
    return _full(ed.discard(article_id, qid, vid, user.name))


@router.post("/articles/{article_id}/questions/{qid}/edit", response_model=schemas.VersionOut, status_code=201,
          responses={422: {"model": schemas.EditRefusedOut, "description": "a sentence's citation does not verify"}},
          summary="Save an edited answer as a new version; every citation is verified again")
def api_edit(article_id: str, qid: str, body: schemas.EditIn, ed: EditorialDep, user: EditorDep) -> Response | schemas.VersionOut:
    try:
        return _full(ed.edit_answer(article_id, qid, body.text, user.name, base_version=body.base_version,
                                    publish=body.publish))
    except EditRefused as exc:
        return JSONResponse(status_code=422, content={"detail": str(exc),
                                                      "problems": [p.as_dict() for p in exc.problems]})


@router.get("/articles/{article_id}/questions/{qid}/diff", response_model=schemas.DiffOut,
         summary="Sentence-by-sentence diff of two versions")
def api_diff(article_id: str, qid: str, ed: EditorialDep, a: str, b: str) -> schemas.DiffOut:
    d = ed.diff(article_id, qid, a, b)
    return schemas.DiffOut(left=_summary(d["left"]), right=_summary(d["right"]), changed=d["changed"],  # type: ignore[arg-type]
                   rows=[schemas.DiffRowOut(**r) for r in d["rows"]])  # type: ignore[union-attr]


@router.get("/articles/{article_id}/takeaways/versions", response_model=list[schemas.TakeawaysVersionOut],
         summary="Every version of an article's takeaways")
def api_takeaways_versions(article_id: str, ed: EditorialDep) -> list[schemas.TakeawaysVersionOut]:
    ed.article(article_id)
    return [_takeaways_out(v) for v in ed.answers.takeaways_versions(article_id)]


@router.post("/articles/{article_id}/takeaways/regenerate", response_model=schemas.TakeawaysVersionOut, status_code=201,
          summary="Regenerate the takeaways as a new (draft) version")
def api_takeaways_regenerate(article_id: str, ed: EditorialDep, user: EditorDep) -> schemas.TakeawaysVersionOut:
    return _takeaways_out(ed.regenerate_takeaways(article_id, user.name))


@router.post("/articles/{article_id}/takeaways/versions/{vid}/publish", response_model=schemas.TakeawaysVersionOut,
          summary="Publish a takeaways version (or roll back to an older one)")
def api_takeaways_publish(article_id: str, vid: str, ed: EditorialDep, user: EditorDep) -> schemas.TakeawaysVersionOut:
    return _takeaways_out(ed.publish_takeaways(article_id, vid, user.name))


@router.post("/articles/{article_id}/takeaways/versions/{vid}/discard", response_model=schemas.TakeawaysVersionOut,
          summary="Discard a takeaways draft (archived, never deleted)")
def api_takeaways_discard(article_id: str, vid: str, ed: EditorialDep, user: EditorDep) -> schemas.TakeawaysVersionOut:
    return _takeaways_out(ed.discard_takeaways(article_id, vid, user.name))


