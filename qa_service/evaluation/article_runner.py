"""Runs pre-generation for every article of an ingested corpus, as ingest
does it (``Pregenerator.after_ingest``, one article at a time so each is
timed), then reads back what a reader and an editor would see (the stored
takeaways and questions with their published answers) and scores it
(evaluation.article_metrics). Nothing is mocked: the real suggester, takeaway
writer, answerer and grounding checker over the data dir's index."""

from __future__ import annotations

import datetime as dt
import platform
import time
from collections.abc import Callable, Mapping, Sequence

from qa_service.articles.pregeneration import Pregenerator
from qa_service.evaluation.article_metrics import ArticleInput, Embed, QuestionRecord, score_article, summarise
from qa_service.evaluation.keyfacts import KeyFact
from qa_service.store.answers import AnswerStore
from qa_service.store.corpus import CorpusStore

RUN_FORMAT = 1
KIND = "suggestions"


def stored_questions(answers: AnswerStore, article_id: str) -> list[QuestionRecord]:
    out = []
    for q in answers.questions(article_id, include_hidden=True):
        version = answers.published(q.id)
        out.append(QuestionRecord(q.text, q.origin, q.hidden, version.answer if version else None))
    return out


def run_article_eval(store: CorpusStore, answers: AnswerStore, pregenerator: Pregenerator,
                     keyfacts: Mapping[str, KeyFact], article_ids: Sequence[str], *,
                     progress: Callable[[int], None] | None = None, config: dict | None = None,
                     embed: Embed | None = None) -> dict:
    """Pre-generate and score each article; ``embed`` (unit vectors) lets the
    duplicate check catch paraphrases."""
    started = time.perf_counter()
    records = []
    for article_id in article_ids:
        doc = store.article(article_id)
        t0 = time.perf_counter()
        pregenerator.after_ingest([article_id])
        seconds = time.perf_counter() - t0
        label = keyfacts.get(article_id)
        records.append(score_article(ArticleInput(
            doc=doc, questions=stored_questions(answers, article_id),
            takeaways=answers.get_takeaways(article_id) or [],
            facts=label.facts if label else [], boilerplate=label.boilerplate if label else [], seconds=seconds),
            embed))
        if progress:
            progress(1)
    return {
        "format": RUN_FORMAT,
        "kind": KIND,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "config": {"articles": len(article_ids), "labelled": sum(a in keyfacts for a in article_ids),
                   "documents": len(store.document_ids()), "python": platform.python_version(), **(config or {})},
        "wall_seconds": round(time.perf_counter() - started, 2),
        "summary": summarise(records),
        "records": records,
    }
