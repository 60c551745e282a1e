"""What editors do to stored answers: regenerate (one answer, every answer of an
article, the takeaways, the suggested questions), edit by hand with every
sentence's citation verified again, publish, discard, roll back, curate the
suggested questions, and review what needs attention. Every action is recorded
in the audit log. Nothing here deletes a version.

Knows nothing of HTTP: the web layer and the CLI both call this module.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from qa_service.store.answers import AnswerStore, AnswerVersion, StoredQuestion, TakeawaysVersion, answer_provenance
from qa_service.answering.citations import _LIST_PREFIX, Span, _sentences_keeping_markers, candidate_spans, cited_numbers, rewrite_claims
from qa_service.answering.generation import Passage
from qa_service.grounding.checker import strip_markers
from qa_service.store.jobs import Job, JobRunner, JobStore
from qa_service.models import Answer, Citation, RetrievedChunk
from qa_service.text import terms

MAX_EDIT_CHARS = 8000
MAX_QUESTION_CHARS = 300
REGENERATE_WHAT = ("answers", "takeaways", "questions", "all")
Progress = Callable[[int, int], None]


class EditorialError(Exception):
    """A request an editor can fix; the message says how."""


class NotFound(EditorialError):
    pass


class Conflict(EditorialError):
    pass


@dataclass
class SentenceProblem:
    sentence: str
    reason: str
    citation: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"sentence": self.sentence, "reason": self.reason, "citation": self.citation}


class EditRefused(EditorialError):
    """An edit with sentences whose citations do not verify. Nothing was stored."""

    def __init__(self, problems: list[SentenceProblem]) -> None:
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"refused: {first.sentence!r}: {first.reason}{more}")


@dataclass
class ReviewItem:
    article_id: str
    question_id: str
    question: str
    reasons: list[str]
    published: AnswerVersion | None
    drafts: list[AnswerVersion] = field(default_factory=list)
    feedback: dict[str, int] = field(default_factory=lambda: {"helpful": 0, "unhelpful": 0})

    @property
    def grounding_score(self) -> float | None:
        return self.published.grounding_score if self.published else None


_REASON_ORDER = {"stale": 0, "unhelpful": 1, "low grounding": 2, "unanswered": 3, "draft": 4}


class Editorial:
    def __init__(self, services) -> None:  # noqa: ANN001 - qa_service.services.Services
        self.services = services
        self.settings = services.settings
        self._runner: JobRunner | None = None
        self._runner_lock = threading.Lock()

    # ------------------------------------------------------------- plumbing
    @property
    def answers(self) -> AnswerStore:
        return self.services.answers

    @property
    def accounts(self):  # noqa: ANN201 - AccountStore
        return self.services.accounts

    @property
    def jobs(self) -> JobRunner:
        with self._runner_lock:
            if self._runner is None:
                self._runner = JobRunner(JobStore(self.settings.sqlite_path))
            return self._runner

    def audit(self, actor: str, action: str, target: str, detail: str = "") -> None:
        self.accounts.audit(actor, action, target, detail)

    def article(self, article_id: str):  # noqa: ANN201 - Document
        doc = self.services.store.get_document(article_id)
        if doc is None or doc.kind != "article":
            raise NotFound(f"no article {article_id!r}")
        return doc

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
        return True if self.settings.auto_publish else None

    def _provenance(self, answer: Answer) -> dict[str, str]:
        return answer_provenance(answer, getattr(self.services.embedder, "name", ""))

    # ----------------------------------------------------------- regenerate
    def regenerate_answer(self, article_id: str, qid: str, actor: str, *, generator: str | None = None) -> AnswerVersion:
        self.article(article_id)
        q = self.question(article_id, qid)
        answer = self.services.answerer(generator).ask(q.text, article_id)
        version = self.answers.add_version(
            q.id, answer, author=actor, corpus_version=self.services.store.version(),
            publish=self._publish_flag(), note="regenerated", **self._provenance(answer),
        )
        self.audit(actor, "regenerate", f"{article_id}/{qid}",
                   f"version {version.id} ({version.status}; {version.generator}; "
                   f"grounding {_fmt(version.grounding_score)})")
        return version

    def regenerate_article(self, article_id: str, actor: str, *, progress: Progress | None = None,
                           generator: str | None = None) -> dict[str, object]:
        self.article(article_id)
        questions = self.answers.questions(article_id)
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
        else extracted ones (suggestions.build_takeaways), as a new version."""
        from qa_service.articles.suggestions import build_takeaways

        self.article(article_id)
        built = build_takeaways(self.services, article_id)
        version = self.answers.add_takeaways_version(
            article_id, [t.as_dict() for t in built.items], author=actor, generator=built.generator,
            corpus_version=self.services.store.version(), publish=self._publish_flag(),
        )
        self.audit(actor, "regenerate-takeaways", article_id,
                   f"version {version.id} ({version.status}; {built.generator})"
                   + (f"; {'; '.join(built.notes)}" if built.notes else ""))
        return version

    def regenerate_questions(self, article_id: str, actor: str, *, progress: Progress | None = None,
                             use_llm: bool | None = None) -> dict[str, object]:
        """Bring back curated questions missing from the store, and suggest new
        ones (the LLM when configured, else from the documents' headings:
        suggestions.suggest_questions). A suggestion is kept only if its answer
        is cited; it stays hidden until an editor shows it, unless auto_publish."""
        from qa_service.articles.suggestions import suggest_questions

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

        result = suggest_questions(self.services, article_id, use_llm=use_llm, existing=stored, progress=step)
        added = []
        for item in result.generated:
            if item.answer is None or self.answers.get_question(_qid(article_id, item.text)) is not None:
                continue
            q = self.answers.ensure_question(article_id, item.text, origin="generated")
            if not self.settings.auto_publish:
                self.answers.update_question(q.id, hidden=True)
            self.answers.add_version(q.id, item.answer, author=actor, corpus_version=self.services.store.version(),
                                     note=f"suggested by {item.source}", **self._provenance(item.answer))
            added.append(q.id)
        hidden = "" if self.settings.auto_publish else " (hidden until shown)"
        self.audit(actor, "regenerate-questions", article_id,
                   f"restored {len(restored)}, suggested {len(added)}{hidden}, rejected {len(result.rejected)}; "
                   f"by {result.suggester}")
        return {"restored": restored, "added": added, "rejected": result.rejected,
                "suggester": result.suggester, "notes": result.notes}

    def submit_regeneration(self, article_id: str, what: str, actor: str) -> Job:
        """Run a long regeneration in the background; poll the job for progress."""
        self.article(article_id)
        if what not in REGENERATE_WHAT:
            raise EditorialError(f"unknown target {what!r} (use {', '.join(REGENERATE_WHAT)})")

        def work(job: Job, progress: Progress) -> dict[str, object]:
            result: dict[str, object] = {}
            if what in ("takeaways", "all"):
                result["takeaways"] = self.regenerate_takeaways(article_id, actor).id
            if what in ("questions", "all"):
                result["questions"] = self.regenerate_questions(article_id, actor)
            if what in ("answers", "all"):
                result["answers"] = self.regenerate_article(article_id, actor, progress=progress)
            return result

        job = self.jobs.submit(f"regenerate-{what}", actor, work, article_id=article_id, params={"what": what})
        self.audit(actor, "submit-job", article_id, f"job {job.id}: regenerate {what}")
        return job

    # ------------------------------------------------------- publish/discard
    def publish(self, article_id: str, qid: str, vid: str, actor: str) -> AnswerVersion:
        before = self.version(article_id, qid, vid)
        if before.status == "published":
            return before
        version = self.answers.publish(vid)
        action = "rollback" if before.status == "archived" else "publish"
        self.audit(actor, action, f"{article_id}/{qid}", f"version {vid}")
        return version

    def discard(self, article_id: str, qid: str, vid: str, actor: str) -> AnswerVersion:
        before = self.version(article_id, qid, vid)
        if before.status != "draft":
            raise Conflict(f"only drafts can be discarded; version {vid} is {before.status}")
        version = self.answers.discard(vid)
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
        checked_text, citations, problems = self._verify_edit(text, base)
        if problems:
            raise EditRefused(problems)
        answer = Answer(
            question=q.text, article_id=article_id, status="answered", answer=checked_text, citations=citations,
            retrieved=base.answer.retrieved, generator="editor", prompt_version=base.prompt_version,
            message=f"edited by {actor} from version {base.id}",
        )
        version = self.answers.add_version(
            qid, answer, author=actor, corpus_version=self.services.store.version(),
            publish=True if (publish or self.settings.auto_publish) else False, note=f"edited from {base.id}",
            generator="editor", model=base.model or "none", prompt_version=base.prompt_version or "none",
        )
        self.audit(actor, "edit", f"{article_id}/{qid}",
                   f"version {version.id} from {base.id} ({version.status}; grounding {_fmt(version.grounding_score)})")
        return version

    def _verify_edit(self, text: str, base: AnswerVersion) -> tuple[str, list[Citation], list[SentenceProblem]]:
        checker = self.services.checker
        pool = {c.n: c for c in base.answer.citations}
        spans_of: dict[int, list[Span]] = {}
        problems: list[SentenceProblem] = []
        numbers: dict[tuple[str, int, int], int] = {}
        chosen: list[tuple[Citation, Span, float]] = []

        def judge(raw: str, claim: str) -> str | None:
            cited = sorted(cited_numbers(raw))
            if not cited:
                problems.append(SentenceProblem(claim, "no citation: end the sentence with [n] naming the "
                                                       "source that says it"))
                return None
            unknown = [n for n in cited if n not in pool]
            if unknown:
                have = f"1-{len(pool)}" if pool else "none; regenerate first"
                problems.append(SentenceProblem(
                    claim, f"[{unknown[0]}] is not one of this answer's sources (sources: {have})", unknown[0]))
                return None
            best: tuple[Citation, Span, float] | None = None
            best_score, best_n = -1.0, cited[0]
            for n in cited:
                for span in self._spans_for(pool[n], spans_of, n):
                    score = checker.score(claim, span.text)
                    if score > best_score or (score == best_score and best and len(span.text) < len(best[1].text)):
                        best_score, best, best_n = score, (pool[n], span, score), n
            if best is None or best_score < checker.threshold:
                quote = pool[best_n].quote
                missing = sorted(set(terms(claim)) - set(terms(quote)))
                why = (f"source [{best_n}] does not support it (grounding {max(best_score, 0):.2f} < "
                       f"{checker.threshold:.2f})")
                if missing:
                    why += f"; not in the source: {', '.join(missing[:6])}"
                problems.append(SentenceProblem(claim, why, best_n))
                return None
            cit, span, score = best
            key = (span.doc_id, span.start, span.end)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                chosen.append((cit, span, score))
            return f"{claim} [{numbers[key]}]"

        checked_text = rewrite_claims(text, judge)
        if not problems and not chosen:
            problems.append(SentenceProblem(text[:80], "the answer cites nothing: every claim needs a source"))
        citations = []
        for i, (cit, span, score) in enumerate(chosen, 1):
            doc = self.services.store.get_document(span.doc_id)
            quote = doc.text[span.start:span.end] if doc else span.text
            citations.append(cit.model_copy(update={"n": i, "chunk_id": span.chunk_id, "quote": quote,
                                                    "start": span.start, "end": span.end, "score": round(score, 4)}))
        return checked_text, citations, problems

    def _spans_for(self, citation: Citation, cache: dict[int, list[Span]], n: int) -> list[Span]:
        """The cited quote itself, then every sentence (and neighbouring pair) of
        the passage it came from."""
        if n in cache:
            return cache[n]
        spans = [Span(n, citation.doc_id, citation.chunk_id, citation.start, citation.end, citation.quote)]
        chunks = self.services.store.chunks([citation.chunk_id]) if citation.chunk_id else []
        for c in chunks:
            rc = RetrievedChunk(doc_id=c.doc_id, chunk_id=c.id, score=1.0, start=c.start, end=c.end, text=c.text,
                                heading=c.heading)
            spans.extend(candidate_spans([Passage(n, rc)]))
        cache[n] = spans
        return spans

    # ------------------------------------------------------------ questions
    def add_question(self, article_id: str, text: str, actor: str, *, pinned: bool = False) -> tuple[StoredQuestion, AnswerVersion | None]:
        self.article(article_id)
        text = " ".join((text or "").split())
        if not text:
            raise EditorialError("the question is empty")
        if len(text) > MAX_QUESTION_CHARS:
            raise EditorialError(f"the question is longer than {MAX_QUESTION_CHARS} characters")
        reason = self.services.answerer("extractive").validate(text)
        if reason:
            raise EditorialError(reason)
        existing = self.answers.get_question(_qid(article_id, text))
        if existing is not None and not existing.hidden:
            raise Conflict("this question is already listed")
        q = self.answers.ensure_question(article_id, text, origin="editor")
        self.answers.update_question(q.id, hidden=False, pinned=pinned or None)
        version = None
        if self.answers.published(q.id) is None:
            answer = self.services.answerer().ask(q.text, article_id)
            version = self.answers.add_version(q.id, answer, author=actor, corpus_version=self.services.store.version(),
                                               note="question added", **self._provenance(answer))
        self.audit(actor, "add-question", f"{article_id}/{q.id}", text)
        q = self.answers.get_question(q.id)
        assert q is not None
        return q, version

    def remove_question(self, article_id: str, qid: str, actor: str) -> StoredQuestion:
        """Hide it from readers; the question and its versions are kept."""
        self.question(article_id, qid)
        self.answers.update_question(qid, hidden=True)
        self.audit(actor, "remove-question", f"{article_id}/{qid}")
        return self.question(article_id, qid)

    def restore_question(self, article_id: str, qid: str, actor: str) -> StoredQuestion:
        self.question(article_id, qid)
        self.answers.update_question(qid, hidden=False)
        self.audit(actor, "restore-question", f"{article_id}/{qid}")
        return self.question(article_id, qid)

    def pin_question(self, article_id: str, qid: str, pinned: bool, actor: str) -> StoredQuestion:
        self.question(article_id, qid)
        self.answers.update_question(qid, pinned=pinned)
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
    def stale_answers(self) -> list[AnswerVersion]:
        return [v for v in self.answers.list_versions(stale=True) if v.status in ("published", "draft")]

    def review_queue(self, article_id: str | None = None) -> list[ReviewItem]:
        """Questions needing an editor: a stale published answer, drafts waiting,
        a low grounding score, no answer from the sources, or readers' 'not helpful'."""
        threshold = self.settings.review_min_grounding
        unhelpful = self.accounts.unhelpful_questions()
        items: dict[str, ReviewItem] = {}
        articles = [article_id] if article_id else self.answers.article_ids()
        for aid in articles:
            for q in self.answers.questions(aid, include_hidden=True):
                published = self.answers.published(q.id)
                drafts = [v for v in self.answers.versions(q.id) if v.status == "draft"]
                reasons = []
                if published is not None and published.stale:
                    reasons.append("stale")
                fb = unhelpful.get(q.id)
                if fb and fb["unhelpful"] >= max(1, fb["helpful"]):
                    reasons.append("unhelpful")
                if published is not None and published.answer.status == "answered" and \
                        (published.grounding_score or 0.0) < threshold:
                    reasons.append("low grounding")
                if published is not None and published.answer.status != "answered" and not q.hidden:
                    reasons.append("unanswered")
                if drafts:
                    reasons.append("draft")
                if reasons:
                    items[q.id] = ReviewItem(aid, q.id, q.text, reasons, published, drafts,
                                             fb or self.accounts.feedback_counts(q.id))
        return sorted(items.values(), key=lambda it: (min(_REASON_ORDER[r] for r in it.reasons), -len(it.reasons),
                                                      it.article_id, it.question))

    # ----------------------------------------------------------------- diff
    def diff(self, article_id: str, qid: str, left_id: str, right_id: str) -> dict[str, object]:
        """Side-by-side rows of two versions, sentence by sentence."""
        left = self.version(article_id, qid, left_id)
        right = self.version(article_id, qid, right_id)
        a, b = _sentences(left.answer.answer), _sentences(right.answer.answer)
        rows: list[dict[str, object]] = []
        matcher = difflib.SequenceMatcher(a=[strip_markers(x) for x in a], b=[strip_markers(x) for x in b],
                                          autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            span = max(i2 - i1, j2 - j1)
            for k in range(span):
                rows.append({"tag": tag,
                             "left": a[i1 + k] if i1 + k < i2 else None,
                             "right": b[j1 + k] if j1 + k < j2 else None})
        return {"left": left, "right": right, "rows": rows,
                "changed": sum(r["tag"] != "equal" for r in rows)}


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        m = _LIST_PREFIX.match(line)
        prefix = m.group(1) if m else ""
        body = line[len(prefix):]
        parts = [body[s:e].strip() for s, e in _sentences_keeping_markers(body) if body[s:e].strip()]
        if parts and prefix:
            parts[0] = prefix.strip() + " " + parts[0]
        out.extend(parts)
    return out


def _qid(article_id: str, text: str) -> str:
    from qa_service.store.answers import question_id

    return question_id(article_id, text)


def _fmt(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.2f}"


def summarize_version(v: AnswerVersion) -> dict[str, object]:
    """The list view of a version (API and CLI)."""
    return {"id": v.id, "question_id": v.question_id, "status": v.status, "created_at": v.created_at,
            "author": v.author, "generator": v.generator, "model": v.model, "prompt_version": v.prompt_version,
            "corpus_version": v.corpus_version, "grounding_score": v.grounding_score, "sources": v.source_doc_ids,
            "stale": v.stale, "note": v.note, "answer_status": v.answer.status}

