"""What editors do to stored answers: regenerate (one answer, every answer of an
article, the takeaways, the suggested questions), edit by hand with every
sentence's citation verified again (editor.edits), publish, discard, roll back,
curate the suggested questions, and review what needs attention
(editor.review). Every action is recorded in the audit log. Nothing here
deletes a version.

Knows nothing of HTTP: the web layer and the CLI both call this module.
"""

from __future__ import annotations

from collections.abc import Callable

from qa_service.answering.pipeline import Answerer
from qa_service.articles.pregeneration import Pregenerator
from qa_service.editor.edits import diff_versions, verify_edit
from qa_service.editor.errors import Conflict, EditorialError, EditRefused, NotFound, SentenceProblem
from qa_service.editor.jobs import JobWorker
from qa_service.editor.review import FlaggedPassage, ReviewItem, flagged_passages, review_queue
from qa_service.grounding.checker import GroundingChecker
from qa_service.models import Answer, Document
from qa_service.store.accounts import AccountStore
from qa_service.store.answers import AnswerStore, AnswerVersion, StoredQuestion, TakeawaysVersion, question_id
from qa_service.store.corpus import CorpusStore
from qa_service.store.jobs import Job, JobStore
from qa_service.store.reviews import QuestionReview

MAX_EDIT_CHARS = 8000
MAX_QUESTION_CHARS = 300
REGENERATE_WHAT = ("answers", "takeaways", "questions", "all")
Progress = Callable[[int, int], None]


class Editorial:
    """Every editor action, each recorded in the audit log. Built once per
    process (qa_service.services); the web layer and the CLI both call it."""

    def __init__(self, store: CorpusStore, answers: AnswerStore, accounts: AccountStore, jobs: JobStore,
                 answerer: Callable[[str | None], Answerer], checker: GroundingChecker,
                 pregenerator: Pregenerator, *, review_min_grounding: float = 0.6,
                 review_min_quality: float = 0.75) -> None:
        self.store = store
        self.answers = answers
        self.accounts = accounts
        self.answerer = answerer
        self.checker = checker
        self.pregenerator = pregenerator
        self.review_min_grounding = review_min_grounding
        self.review_min_quality = review_min_quality
        self.jobs = jobs
        # This process's job worker, when it runs one (it is woken when a job is queued here).
        self.worker: JobWorker | None = None

    # ------------------------------------------------------------- plumbing
    @property
    def auto_publish(self) -> bool:
        return self.pregenerator.auto_publish

    def job_worker(self, *, lease: float = 30.0, poll: float = 1.0) -> JobWorker:
        """A worker for the job queue that runs the jobs editors queue (see run_job)."""
        self.worker = JobWorker(self.jobs, self.run_job, lease=lease, poll=poll)
        return self.worker

    def audit(self, actor: str, action: str, target: str, detail: str = "") -> None:
        self.accounts.audit(actor, action, target, detail)

    def _reviewed(self, qid: str, actor: str) -> None:
        """An editor acted on the question: a generated one no longer waits for review."""
        if self.pregenerator.reviews is not None:
            self.pregenerator.reviews.mark_reviewed(qid, actor)

    def question_review(self, qid: str) -> QuestionReview | None:
        """A generated question's review (pending or reviewed); None for other questions."""
        reviews = self.pregenerator.reviews
        return reviews.get(qid) if reviews is not None else None

    def pending_suggestions(self, article_id: str | None = None) -> dict[str, QuestionReview]:
        """Generated questions no editor has looked at yet, by question id."""
        reviews = self.pregenerator.reviews
        return reviews.pending(article_id) if reviews is not None else {}

    def article(self, article_id: str) -> Document:
        return self.store.article(article_id)

    def question(self, article_id: str, qid: str) -> StoredQuestion:
        q = self.answers.get_question(qid)
        if q is None or q.article_id != article_id:
            raise NotFound(f"no question {qid!r} on article {article_id!r}")
        return q

    def version(self, article_id: str, qid: str, vid: str) -> AnswerVersion:
        self.question(article_id, qid)
        v = self.answers.get_version(vid)
        if v is None or v.question_id != qid:
            raise NotFound(f"no version {vid!r} of question {qid!r}")
        return v

    def _publish_flag(self) -> bool | None:
        # None: a draft, unless the question has nothing published yet (readers always get an answer)
        return True if self.auto_publish else None

    # ----------------------------------------------------------- regenerate
    def regenerate_answer(self, article_id: str, qid: str, actor: str, *, generator: str | None = None) -> AnswerVersion:
        self.article(article_id)
        q = self.question(article_id, qid)
        answer = self.answerer(generator).ask(q.text, article_id, depth="full")
        previous = self.answers.versions(q.id)
        note = "regenerated"
        if previous and previous[0].answer.answer == answer.answer:
            # kept (no version is ever lost) but said: the editor expected a change
            note = f"regenerated: identical text to version {previous[0].id}"
        version = self.answers.add_version(
            q.id, answer, author=actor, corpus_version=self.store.version(),
            publish=self._publish_flag(), note=note, **self.pregenerator.provenance(answer),
        )
        self.audit(actor, "regenerate", f"{article_id}/{qid}",
                   f"version {version.id} ({version.status}; {version.generator}; "
                   f"grounding {_fmt(version.grounding_score)})")
        return version

    def questions_to_regenerate(self, article_id: str) -> list[StoredQuestion]:
        """The shown questions, and the generated ones still waiting in the
        review queue (hidden, but an editor is about to read their answers);
        questions an editor hid are left alone."""
        pending = self.pending_suggestions(article_id)
        return [q for q in self.answers.questions(article_id, include_hidden=True)
                if not q.hidden or q.id in pending]

    def regenerate_article(self, article_id: str, actor: str, *, progress: Progress | None = None,
                           generator: str | None = None) -> dict[str, object]:
        """A new version of the answer of each of ``questions_to_regenerate``."""
        self.article(article_id)
        questions = self.questions_to_regenerate(article_id)
        made: list[AnswerVersion] = []
        for i, q in enumerate(questions):
            made.append(self.regenerate_answer(article_id, q.id, actor, generator=generator))
            if progress:
                progress(i + 1, len(questions))
        return {"versions": [v.id for v in made],
                "drafts": sum(v.status == "draft" for v in made),
                "published": sum(v.status == "published" for v in made)}

    def regenerate_takeaways(self, article_id: str, actor: str) -> TakeawaysVersion:
        """Curated takeaways (re-cited), else the LLM's when one is configured,
        else extracted ones (articles.takeaways), as a new version."""
        built = self.pregenerator.takeaways.build(article_id)
        version = self.answers.add_takeaways_version(
            article_id, built.as_dicts(), author=actor, generator=built.generator,
            corpus_version=self.store.version(), publish=self._publish_flag(),
        )
        self.audit(actor, "regenerate-takeaways", article_id,
                   f"version {version.id} ({version.status}; {built.generator})"
                   + (f"; {'; '.join(built.notes)}" if built.notes else ""))
        return version

    def regenerate_questions(self, article_id: str, actor: str, *, progress: Progress | None = None,
                             use_llm: bool | None = None) -> dict[str, object]:
        """Bring back curated questions missing from the store, and suggest new
        ones (the LLM when configured, else written offline from the article:
        articles.suggestions). A suggestion is kept only if its answer is
        cited; it waits in the review queue, hidden until an editor shows it
        (shown at once when the article shows no question, or auto_publish)."""
        doc = self.article(article_id)
        existing = {q.id for q in self.answers.questions(article_id, include_hidden=True)}
        restored = []
        for text in doc.questions:
            q = self.answers.ensure_question(article_id, text, origin="curated")
            if q.id not in existing:
                self.regenerate_answer(article_id, q.id, actor)
                restored.append(q.id)
        stored = [q.text for q in self.answers.questions(article_id, include_hidden=True)]
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(done, 0)

        result = self.pregenerator.suggester.suggest(article_id, use_llm=use_llm, existing=stored,
                                                    progress=step)
        added = self.pregenerator.store_generated(article_id, result.generated, author=actor)
        hidden = "" if self.auto_publish else " (pending review)"
        self.audit(actor, "regenerate-questions", article_id,
                   f"restored {len(restored)}, suggested {len(added)}{hidden}, rejected {len(result.rejected)}; "
                   f"by {result.suggester}")
        return {"restored": restored, "added": added, "rejected": result.rejected,
                "suggester": result.suggester, "notes": result.notes}

    def submit_regeneration(self, article_id: str, what: str, actor: str) -> Job:
        """Queue a long regeneration for a job worker; poll the job for progress."""
        self.article(article_id)
        if what not in REGENERATE_WHAT:
            raise EditorialError(f"unknown target {what!r} (use {', '.join(REGENERATE_WHAT)})")
        job = self.jobs.create(f"regenerate-{what}", actor, article_id=article_id, params={"what": what})
        self.audit(actor, "submit-job", article_id, f"job {job.id}: regenerate {what}")
        if self.worker is not None:
            self.worker.wake()
        return job

    def run_job(self, job: Job, progress: Progress) -> dict[str, object]:
        """Do a queued job's work (any worker process may run it); its result."""
        what = str(job.params.get("what", ""))
        if job.kind != f"regenerate-{what}" or what not in REGENERATE_WHAT:
            raise EditorialError(f"unknown job kind {job.kind!r}")
        article_id, actor = job.article_id, job.actor
        result: dict[str, object] = {}
        if what in ("takeaways", "all"):
            result["takeaways"] = self.regenerate_takeaways(article_id, actor).id
        # answers before new suggestions: those come with an answer of their own
        if what in ("answers", "all"):
            result["answers"] = self.regenerate_article(article_id, actor, progress=progress)
        if what in ("questions", "all"):
            result["questions"] = self.regenerate_questions(article_id, actor)
        return result

    # ------------------------------------------------------- publish/discard
    def publish(self, article_id: str, qid: str, vid: str, actor: str) -> AnswerVersion:
        before = self.version(article_id, qid, vid)
        if before.status == "published":
            return before
        version = self.answers.publish(vid)
        self._reviewed(qid, actor)
        action = "rollback" if before.status == "archived" else "publish"
        self.audit(actor, action, f"{article_id}/{qid}", f"version {vid}")
        return version

    def discard(self, article_id: str, qid: str, vid: str, actor: str) -> AnswerVersion:
        before = self.version(article_id, qid, vid)
        if before.status != "draft":
            raise Conflict(f"only drafts can be discarded; version {vid} is {before.status}")
        version = self.answers.discard(vid)
        self._reviewed(qid, actor)
        self.audit(actor, "discard", f"{article_id}/{qid}", f"version {vid}")
        return version

    def publish_takeaways(self, article_id: str, vid: str, actor: str) -> TakeawaysVersion:
        before = self._takeaways_version(article_id, vid)
        version = self.answers.publish_takeaways(vid)
        self.audit(actor, "rollback-takeaways" if before.status == "archived" else "publish-takeaways",
                   article_id, f"version {vid}")
        return version

    def discard_takeaways(self, article_id: str, vid: str, actor: str) -> TakeawaysVersion:
        before = self._takeaways_version(article_id, vid)
        if before.status != "draft":
            raise Conflict(f"only drafts can be discarded; version {vid} is {before.status}")
        version = self.answers.discard_takeaways(vid)
        self.audit(actor, "discard-takeaways", article_id, f"version {vid}")
        return version

    def _takeaways_version(self, article_id: str, vid: str) -> TakeawaysVersion:
        self.article(article_id)
        v = self.answers.get_takeaways_version(vid)
        if v is None or v.article_id != article_id:
            raise NotFound(f"no takeaways version {vid!r} for article {article_id!r}")
        return v

    # ----------------------------------------------------------- hand edits
    def edit_answer(self, article_id: str, qid: str, text: str, actor: str, *, base_version: str | None = None,
                    publish: bool = False) -> AnswerVersion:
        """Store the editor's text as a new draft (or published) version. Each
        sentence must cite ([n]) one of the base version's sources and that source
        must support it: the quoted span, or another sentence of the same passage
        (which then becomes the quote). Otherwise the whole edit is refused, with
        the reason for every failing sentence."""
        q = self.question(article_id, qid)
        base = self.version(article_id, qid, base_version) if base_version else (
            self.answers.published(qid) or next(iter(self.answers.versions(qid)), None))
        if base is None:
            raise Conflict("this question has no version to edit yet; regenerate it first")
        text = (text or "").replace("\r\n", "\n").strip()
        if not text:
            raise EditRefused([SentenceProblem("", "the answer is empty")])
        if len(text) > MAX_EDIT_CHARS:
            raise EditRefused([SentenceProblem(text[:60] + "...", f"the answer is longer than {MAX_EDIT_CHARS} characters")])
        checked_text, citations, problems = verify_edit(text, base, self.store, self.checker)
        if problems:
            raise EditRefused(problems)
        answer = Answer(
            question=q.text, article_id=article_id, status="answered", answer=checked_text, citations=citations,
            retrieved=base.answer.retrieved, generator="editor", prompt_version=base.prompt_version,
            message=f"edited by {actor} from version {base.id}",
        )
        version = self.answers.add_version(
            qid, answer, author=actor, corpus_version=self.store.version(),
            publish=True if (publish or self.auto_publish) else False, note=f"edited from {base.id}",
            generator="editor", model=base.model or "none", prompt_version=base.prompt_version or "none",
        )
        self._reviewed(qid, actor)
        self.audit(actor, "edit", f"{article_id}/{qid}",
                   f"version {version.id} from {base.id} ({version.status}; grounding {_fmt(version.grounding_score)})")
        return version

    # ------------------------------------------------------------ questions
    def add_question(self, article_id: str, text: str, actor: str, *, pinned: bool = False) -> tuple[StoredQuestion, AnswerVersion | None]:
        self.article(article_id)
        text = " ".join((text or "").split())
        if not text:
            raise EditorialError("the question is empty")
        if len(text) > MAX_QUESTION_CHARS:
            raise EditorialError(f"the question is longer than {MAX_QUESTION_CHARS} characters")
        reason = self.answerer("extractive").validate(text)
        if reason:
            raise EditorialError(reason)
        existing = self.answers.get_question(question_id(article_id, text))
        if existing is not None and not existing.hidden:
            raise Conflict("this question is already listed")
        q = self.answers.ensure_question(article_id, text, origin="editor")
        self.answers.update_question(q.id, hidden=False, pinned=pinned or None)
        version = None
        if self.answers.published(q.id) is None:
            answer = self.answerer().ask(q.text, article_id, depth="full")
            version = self.answers.add_version(q.id, answer, author=actor, corpus_version=self.store.version(),
                                               note="question added", **self.pregenerator.provenance(answer))
        self.audit(actor, "add-question", f"{article_id}/{q.id}", text)
        q = self.answers.get_question(q.id)
        assert q is not None
        return q, version

    def remove_question(self, article_id: str, qid: str, actor: str) -> StoredQuestion:
        """Hide it from readers; the question and its versions are kept."""
        self.question(article_id, qid)
        self.answers.update_question(qid, hidden=True)
        self._reviewed(qid, actor)
        self.audit(actor, "remove-question", f"{article_id}/{qid}")
        return self.question(article_id, qid)

    def restore_question(self, article_id: str, qid: str, actor: str) -> StoredQuestion:
        self.question(article_id, qid)
        self.answers.update_question(qid, hidden=False)
        self._reviewed(qid, actor)
        self.audit(actor, "restore-question", f"{article_id}/{qid}")
        return self.question(article_id, qid)

    def pin_question(self, article_id: str, qid: str, pinned: bool, actor: str) -> StoredQuestion:
        self.question(article_id, qid)
        self.answers.update_question(qid, pinned=pinned)
        self._reviewed(qid, actor)
        self.audit(actor, "pin-question" if pinned else "unpin-question", f"{article_id}/{qid}")
        return self.question(article_id, qid)

    def reorder_questions(self, article_id: str, ordered_ids: list[str], actor: str) -> list[StoredQuestion]:
        self.article(article_id)
        if len(set(ordered_ids)) != len(ordered_ids):
            raise EditorialError("a question is listed twice")
        for qid in ordered_ids:
            self.question(article_id, qid)
        self.answers.reorder_questions(article_id, ordered_ids)
        self.audit(actor, "reorder-questions", article_id, " ".join(ordered_ids))
        return self.answers.questions(article_id, include_hidden=True)

    def move_question(self, article_id: str, qid: str, delta: int, actor: str) -> list[StoredQuestion]:
        """Move one question up (delta<0) or down among the article's questions."""
        order = [q.id for q in self.answers.questions(article_id, include_hidden=True)]
        self.question(article_id, qid)
        i = order.index(qid)
        j = max(0, min(len(order) - 1, i + delta))
        order.insert(j, order.pop(i))
        return self.reorder_questions(article_id, order, actor)

    # --------------------------------------------------------------- review
    def review_queue(self, article_id: str | None = None) -> list[ReviewItem]:
        return review_queue(self.answers, self.accounts, min_grounding=self.review_min_grounding,
                            min_quality=self.review_min_quality,
                            article_id=article_id, pending=self.pending_suggestions(article_id))

    def flagged_passages(self, article_id: str | None = None) -> list[FlaggedPassage]:
        """Text in an article's documents (all documents' when None) that is
        addressed to a model: flagged at ingest, kept out of every answer."""
        return flagged_passages(self.store, article_id)

    def stale_answers(self) -> list[AnswerVersion]:
        return [v for v in self.answers.list_versions(stale=True) if v.status in ("published", "draft")]

    # ----------------------------------------------------------------- diff
    def diff(self, article_id: str, qid: str, left_id: str, right_id: str) -> dict[str, object]:
        """Side-by-side rows of two versions, sentence by sentence."""
        return diff_versions(self.version(article_id, qid, left_id), self.version(article_id, qid, right_id))


def _fmt(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.2f}"


def summarize_version(v: AnswerVersion) -> dict[str, object]:
    """The list view of a version (API and CLI)."""
    return {"id": v.id, "question_id": v.question_id, "status": v.status, "created_at": v.created_at,
            "author": v.author, "generator": v.generator, "model": v.model, "prompt_version": v.prompt_version,
            "corpus_version": v.corpus_version, "grounding_score": v.grounding_score, "sources": v.source_doc_ids,
            "stale": v.stale, "note": v.note, "answer_status": v.answer.status,
            "quality_score": v.answer.quality.score if v.answer.quality else None,
            "gaps": [g.statement for g in v.answer.gaps]}

