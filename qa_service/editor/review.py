"""The editors' review queue: which questions need an editor, and why."""

from __future__ import annotations

from dataclasses import dataclass, field

from qa_service.store.accounts import AccountStore
from qa_service.store.answers import AnswerStore, AnswerVersion

# Most urgent first: readers see a stale or unhelpful answer right now.
_REASON_ORDER = {"stale": 0, "unhelpful": 1, "low grounding": 2, "unanswered": 3, "draft": 4}


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


def review_queue(answers: AnswerStore, accounts: AccountStore, *, min_grounding: float,
                 article_id: str | None = None) -> list[ReviewItem]:
    """Questions needing an editor: a stale published answer, drafts waiting,
    a grounding score below ``min_grounding``, no answer from the sources, or
    readers' 'not helpful'."""
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
            if drafts:
                reasons.append("draft")
            if reasons:
                items[q.id] = ReviewItem(aid, q.id, q.text, reasons, published, drafts,
                                         fb or accounts.feedback_counts(q.id))
    return sorted(items.values(), key=lambda it: (min(_REASON_ORDER[r] for r in it.reasons), -len(it.reasons),
                                                  it.article_id, it.question))
