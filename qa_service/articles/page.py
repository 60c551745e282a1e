"""What a reader's article page shows, read from storage in one place: the
article, its sources, the published takeaways and each visible suggested
question with its published answer. Nothing here generates anything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qa_service.models import Answer, Document
from qa_service.store.answers import AnswerStore
from qa_service.store.corpus import CorpusStore


@dataclass
class PublishedQuestion:
    id: str
    text: str
    answer: Answer | None  # None while it is being prepared


@dataclass
class ArticlePage:
    doc: Document
    sources: list[Document]
    takeaways: list[dict[str, Any]] | None  # None while they are being prepared
    questions: list[PublishedQuestion]

    @property
    def answers_ready(self) -> bool:
        return self.takeaways is not None and any(q.answer is not None for q in self.questions)


def article_page(store: CorpusStore, answers: AnswerStore, article_id: str) -> ArticlePage:
    """The page's stored content; UnknownArticle if there is no such article."""
    doc = store.article(article_id)
    sources = [d for d in (store.get_document(i) for i in store.scope(article_id) if i != article_id) if d]
    questions = []
    for q in answers.questions(article_id):
        version = answers.published(q.id)
        questions.append(PublishedQuestion(q.id, q.text, version.answer if version else None))
    return ArticlePage(doc, sources, answers.get_takeaways(article_id), questions)
