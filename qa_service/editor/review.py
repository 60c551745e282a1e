"""The editors' review queue: which questions need an editor, and why
(including generated suggestions no editor has looked at yet); and
the passages of an article's documents that were flagged at ingest as
addressed to a model (kept out of answers, shown here so an editor can see
what a source tried to make the service say)."""

from __future__ import annotations

from dataclasses import dataclass, field

from qa_service.models import Document
from qa_service.store.accounts import AccountStore
from qa_service.store.answers import AnswerStore, AnswerVersion
from qa_service.store.corpus import CorpusStore
from qa_service.store.reviews import QuestionReview

# Most urgent first: readers see a stale or unhelpful answer right now.
_REASON_ORDER = {"stale": 0, "unhelpful": 1, "low grounding": 2, "unanswered": 3, "low quality": 4, "gaps": 5,
                 "draft": 6, "suggested": 7}


@dataclass
class ReviewItem:
    article_id: str
    question_id: str
    question: str
    reasons: list[str]
    published: AnswerVersion | None
    drafts: list[AnswerVersion] = field(default_factory=list)
    feedback: dict[str, int] = field(default_factory=lambda: {"helpful": 0, "unhelpful": 0})
    suggestion: QuestionReview | None = None  # a generated question waiting for an editor's look

    @property
    def grounding_score(self) -> float | None:
        return self.published.grounding_score if self.published else None

    @property
    def quality_score(self) -> float | None:
        """How well the published answer answers (lead and parts answered), beside
        how well it is grounded: a faithful answer can still miss the question."""
        return self.published.answer.quality.score if self.published and self.published.answer.quality else None

    @property
    def gaps(self) -> list[str]:
        return [g.statement for g in self.published.answer.gaps] if self.published else []


def review_queue(answers: AnswerStore, accounts: AccountStore, *, min_grounding: float,
                 min_quality: float = 0.75, article_id: str | None = None,
                 pending: dict[str, QuestionReview] | None = None) -> list[ReviewItem]:
    """Questions needing an editor: a stale published answer, drafts waiting,
    a grounding score below ``min_grounding``, no answer from the sources, an
    answer-quality score below ``min_quality`` (the first sentence does not
    answer, or parts of the question are not), an answer stating gaps,
    readers' 'not helpful', or a generated suggestion no editor has looked at
    (``pending``: shown or hidden; showing or hiding it clears it)."""
    pending = pending or {}
    unhelpful = accounts.unhelpful_questions()
    items: dict[str, ReviewItem] = {}
    articles = [article_id] if article_id else answers.article_ids()
    for aid in articles:
        for q in answers.questions(aid, include_hidden=True):
            published = answers.published(q.id)
            drafts = [v for v in answers.versions(q.id) if v.status == "draft"]
            reasons = []
            if published is not None and published.stale:
                reasons.append("stale")
            fb = unhelpful.get(q.id)
            if fb and fb["unhelpful"] >= max(1, fb["helpful"]):
                reasons.append("unhelpful")
            if published is not None and published.answer.status == "answered" and \
                    (published.grounding_score or 0.0) < min_grounding:
                reasons.append("low grounding")
            if published is not None and published.answer.status != "answered" and not q.hidden:
                reasons.append("unanswered")
            elif published is not None and not q.hidden:
                quality = published.answer.quality
                if quality is not None and quality.score < min_quality:
                    reasons.append("low quality")
                if published.answer.gaps:
                    reasons.append("gaps")
            if drafts:
                reasons.append("draft")
            if q.id in pending:
                reasons.append("suggested")
            if reasons:
                items[q.id] = ReviewItem(aid, q.id, q.text, reasons, published, drafts,
                                         fb or accounts.feedback_counts(q.id), pending.get(q.id))
    return sorted(items.values(), key=lambda it: (min(_REASON_ORDER[r] for r in it.reasons), -len(it.reasons),
                                                  it.article_id, it.question))


@dataclass
class FlaggedPassage:
    """A passage of a document that is addressed to a model, as editors see it."""

    doc_id: str
    title: str
    field: str  # "text" or the front-matter field ("takeaways[0]")
    start: int
    end: int
    reason: str
    text: str


def flagged_passages(store: CorpusStore, article_id: str | None = None) -> list[FlaggedPassage]:
    """The flagged passages of an article and its sources (every document's
    when ``article_id`` is None), in document order."""
    docs: list[Document | None]
    if article_id is not None:
        store.article(article_id)
        docs = [store.get_document(d) for d in store.scope(article_id)]
    else:
        docs = list(store.documents())
    out = []
    for doc in docs:
        if doc is None:
            continue
        for f in doc.flagged:
            out.append(FlaggedPassage(doc.id, doc.title, f.field, f.start, f.end, f.reason, doc.flagged_text(f)))
    return out
