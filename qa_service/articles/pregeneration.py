"""Pre-generation: each article's takeaways, an answer to every curated
question and generated suggested questions with their verified answers,
stored before any reader arrives, so a page view never waits on a generator.
Runs after ingest (for the articles a change touched) and when editors
regenerate.

There is one way to store a generated question (``store_generated``), with
its verified answer as the first version. An article that shows readers no
question yet (no curated ones) shows its generated ones at once, so no reader
meets an empty section; otherwise they are added hidden until an editor shows
them, unless auto-publish is on. Either way they wait in the editors' review
queue (store.reviews) until an editor looks at them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass

from qa_service.answering.pipeline import Answerer
from qa_service.articles.suggestions import QuestionSuggester, SuggestedQuestion
from qa_service.articles.takeaways import TakeawayWriter
from qa_service.models import Answer
from qa_service.store.answers import AnswerStore, answer_provenance, question_id
from qa_service.store.corpus import CorpusStore
from qa_service.store.reviews import SuggestionReviews

SUGGEST_AT_INGEST = ("never", "llm", "always")


@dataclass
class PregenerateSummary:
    articles: int = 0
    answered: int = 0
    not_in_sources: int = 0
    takeaways: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class Pregenerator:
    """Fills and refreshes what sits under articles.

    ``suggest_at_ingest``: 'never', 'llm' (generated questions only when an LLM
    is configured) or 'always' (offline when there is no LLM)."""

    def __init__(self, store: CorpusStore, answers: AnswerStore, answerer: Callable[[], Answerer],
                 takeaways: TakeawayWriter, suggester: QuestionSuggester, *, embedder_name: str = "",
                 auto_publish: bool = False, suggest_at_ingest: str = "always",
                 reviews: SuggestionReviews | None = None) -> None:
        if suggest_at_ingest not in SUGGEST_AT_INGEST:
            raise ValueError(f"suggest_at_ingest must be one of {', '.join(SUGGEST_AT_INGEST)}")
        self.store = store
        self.answers = answers
        self.answerer = answerer
        self.takeaways = takeaways
        self.suggester = suggester
        self.embedder_name = embedder_name
        self.auto_publish = auto_publish
        self.suggest_at_ingest = suggest_at_ingest
        self.reviews = reviews

    def provenance(self, answer: Answer) -> dict[str, str]:
        return answer_provenance(answer, self.embedder_name)

    def store_generated(self, article_id: str, generated: Sequence[SuggestedQuestion], *,
                        author: str = "system") -> list[str]:
        """Store generated questions with their verified answers: shown at once
        when the article shows readers no question yet (or auto-publish is on),
        else hidden until an editor shows them; pending review either way. A
        question already stored keeps its versions (it only gets this answer if
        it has none published). Returns the ids of the questions that got a
        version."""
        version = self.store.version()
        shown = self.auto_publish or not any(self.answers.published(q.id) is not None
                                             for q in self.answers.questions(article_id))
        stored = []
        for item in generated:
            if item.answer is None:
                continue
            known = self.answers.get_question(question_id(article_id, item.text))
            if known is not None and self.answers.published(known.id) is not None:
                continue
            q = self.answers.ensure_question(article_id, item.text, origin="generated")
            if known is None and not shown:
                self.answers.update_question(q.id, hidden=True)
            kind = f" ({item.kind})" if item.kind else ""
            self.answers.add_version(q.id, item.answer, author=author, corpus_version=version,
                                     note=f"suggested by {item.source}{kind}", **self.provenance(item.answer))
            if self.reviews is not None and known is None:
                self.reviews.add_pending(q.id, article_id, kind=item.kind, source=item.source, shown=shown)
            stored.append(q.id)
        return stored

    def _suggests_at_ingest(self) -> bool:
        mode = self.suggest_at_ingest
        return mode == "always" or (mode == "llm" and self.suggester.chat is not None)

    def pregenerate(self, article_ids: Iterable[str], *, progress: Callable[[int], None] | None = None,
                    suggest: bool = False, only_missing: bool = False,
                    keep_takeaways: bool = False) -> PregenerateSummary:
        """Store takeaways and an answer for each curated question of each
        article; ``suggest`` adds generated questions (kept only when they get a
        cited answer; see ``store_generated`` for who sees them). ``only_missing``
        leaves questions with a published answer alone (editors own those);
        ``keep_takeaways`` leaves stored takeaways alone too."""
        summary = PregenerateSummary()
        answerer = self.answerer()
        version = self.store.version()
        for article_id in article_ids:
            doc = self.store.get_document(article_id)
            if doc is None or doc.kind != "article":
                continue
            summary.articles += 1
            if not (keep_takeaways and self.answers.get_takeaways(article_id) is not None):
                self.answers.put_takeaways(article_id, self.takeaways.build(article_id).as_dicts(), version)
                summary.takeaways += 1
            for position, text in enumerate(doc.questions):
                q = self.answers.ensure_question(article_id, text, origin="curated", position=position)
                if only_missing and self.answers.published(q.id) is not None:
                    continue
                answer = answerer.ask(q.text, article_id, depth="full")
                self.answers.add_version(q.id, answer, corpus_version=version, **self.provenance(answer))
                if answer.status == "answered":
                    summary.answered += 1
                else:
                    summary.not_in_sources += 1
                if progress:
                    progress(1)
            if suggest:
                stored = [q.text for q in self.answers.questions(article_id, include_hidden=True)]
                generated = self.suggester.suggest(article_id, existing=stored).generated
                summary.answered += len(self.store_generated(article_id, generated))
        return summary

    def affected_articles(self, changed_doc_ids: Iterable[str]) -> list[str]:
        """Articles whose own text or any of whose sources changed."""
        # (one pass over the articles' ids and source lists, however many changed)
        return self.store.articles_drawing_on(changed_doc_ids)

    def after_ingest(self, changed_doc_ids: Iterable[str], *,
                     progress: Callable[[int], None] | None = None) -> dict[str, object]:
        """Keep stored answers in step with the corpus: answers that drew on a
        changed document are marked stale for review, and affected articles get
        their takeaways and first answers (published answers are left to
        editors)."""
        changed = set(changed_doc_ids)
        stale = self.answers.mark_stale(changed) if changed else []
        summary = self.pregenerate(self.affected_articles(changed), progress=progress, only_missing=True,
                                   suggest=self._suggests_at_ingest())
        return {"pregenerated": summary.as_dict(), "stale_answers": [v.id for v in stale]}
