"""Per-article products: key takeaways (each verified against the article) and
the suggested follow-up questions with their pre-generated, stored answers, so a
page view never waits on a generator."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from qa_service.store.answers import AnswerStore, answer_provenance, question_id
from qa_service.answering.citations import verify
from qa_service.answering.generation import Passage
from qa_service.models import Citation, RetrievedChunk
from qa_service.text import is_heading_at, sentence_spans


@dataclass
class PregenerateSummary:
    articles: int = 0
    answered: int = 0
    not_in_sources: int = 0
    takeaways: int = 0

    def as_dict(self) -> dict[str, int]:
        return self.__dict__.copy()


def article_passages(services, article_id: str) -> list[Passage]:  # noqa: ANN001
    """Every chunk of the article, as numbered passages (takeaways cite the article itself)."""
    store = services.store
    doc = store.get_document(article_id)
    chunks = store.chunks(store.chunk_ids(article_id))
    return [
        Passage(i + 1, RetrievedChunk(doc_id=c.doc_id, chunk_id=c.id, score=1.0, start=c.start, end=c.end,
                                      text=c.text, heading=c.heading, title=doc.title if doc else ""))
        for i, c in enumerate(chunks)
    ]


def extractive_takeaways(services, article_id: str, limit: int = 5) -> list[str]:  # noqa: ANN001
    """Offline takeaways: the lead sentence of each paragraph of the article body."""
    doc = services.store.get_document(article_id)
    if doc is None:
        return []
    out: list[str] = []
    for para_start, para in _paragraphs(doc.text):
        spans = [s for s in sentence_spans(doc.text, para_start, para_start + len(para))
                 if not is_heading_at(doc.text, s[0])]
        if spans:
            s, e = spans[0]
            sentence = doc.text[s:e]
            if len(sentence.split()) >= 6:
                out.append(sentence)
        if len(out) >= limit:
            break
    return out


def _paragraphs(text: str) -> Iterable[tuple[int, str]]:
    pos = 0
    for block in text.split("\n\n"):
        yield pos, block
        pos += len(block) + 2


def build_takeaways(services, article_id: str) -> list[dict[str, object]]:  # noqa: ANN001
    """Curated takeaways from the front matter win; otherwise the LLM's when one
    is configured, else extracted ones (suggestions.build_takeaways). Each
    carries its best verified citation into the article; ``citations`` is empty
    only for a curated takeaway no span of the article supports."""
    doc = services.store.get_document(article_id)
    if doc is None:
        return []
    if doc.kind == "article":
        from qa_service.articles.suggestions import build_takeaways as build

        return [t.as_dict() for t in build(services, article_id).items]
    texts = doc.takeaways or extractive_takeaways(services, article_id)
    passages = article_passages(services, article_id)
    out = []
    for text in texts:
        checked = verify(text, passages, services.checker)
        citations = []
        for vc in checked.citations:
            citations.append(Citation(
                n=vc.n, doc_id=vc.span.doc_id, chunk_id=vc.span.chunk_id, title=doc.title, url=doc.url,
                publisher=doc.publisher, published=doc.published, quote=doc.text[vc.span.start:vc.span.end],
                start=vc.span.start, end=vc.span.end, score=round(vc.score, 4),
            ).model_dump())
        out.append({"text": text, "citations": citations[:1], "curated": bool(doc.takeaways)})
    return out


def pregenerate(
    services,  # noqa: ANN001
    answers: AnswerStore,
    article_ids: Iterable[str],
    *,
    progress: Callable[[int], None] | None = None,
    suggest: Callable[[str], list] | None = None,
    only_missing: bool = False,
) -> PregenerateSummary:
    """Store takeaways and an answer for each suggested question of each article.
    Curated questions come first; ``suggest`` may add generated ones (kept only
    when they get a cited answer; a suggestion that comes with its answer, as
    suggestions.SuggestedQuestion does, is not asked twice). Generated questions
    stay hidden until an editor shows them, unless auto_publish."""
    summary = PregenerateSummary()
    answerer = services.answerer()
    version = services.store.version()
    for article_id in article_ids:
        doc = services.store.get_document(article_id)
        if doc is None or doc.kind != "article":
            continue
        summary.articles += 1
        answers.put_takeaways(article_id, build_takeaways(services, article_id), version)
        summary.takeaways += 1
        for position, text in enumerate(doc.questions):
            q = answers.ensure_question(article_id, text, origin="curated", position=position)
            if only_missing and answers.published(q.id) is not None:
                continue
            answer = answerer.ask(q.text, article_id)
            answers.add_version(q.id, answer, corpus_version=version,
                                **answer_provenance(answer, services.embedder.name))
            if answer.status == "answered":
                summary.answered += 1
            else:
                summary.not_in_sources += 1
            if progress:
                progress(1)
        for item in (suggest(article_id) if suggest else []):
            text = getattr(item, "text", item)
            answer = getattr(item, "answer", None) or answerer.ask(text, article_id)
            if answer.status != "answered" or not answer.citations:
                continue  # a suggestion the sources cannot answer is never shown
            known = answers.get_question(question_id(article_id, text))
            q = answers.ensure_question(article_id, text, origin="generated")
            if known is None and not services.settings.auto_publish:
                answers.update_question(q.id, hidden=True)
            if known is None or answers.published(q.id) is None:
                answers.add_version(q.id, answer, corpus_version=version,
                                    **answer_provenance(answer, services.embedder.name))
                summary.answered += 1
    return summary


def affected_articles(services, changed_doc_ids: Iterable[str]) -> list[str]:  # noqa: ANN001
    """Articles whose own text or any of whose sources changed."""
    changed = set(changed_doc_ids)
    if not changed:
        return []
    # Cheap tests first: on a first ingest of thousands of articles every one
    # is in ``changed`` and no per-article query is needed.
    out = []
    for article in services.store.documents(kind="article"):
        if article.id in changed or changed & set(article.sources) or changed & set(services.store.scope(article.id)):
            out.append(article.id)
    return out


def after_ingest(services, changed_doc_ids: Iterable[str], *, progress=None) -> dict[str, object]:  # noqa: ANN001
    """Keep stored answers in step with the corpus: answers that drew on a changed
    document are marked stale for review, and articles get their takeaways and
    first answers generated (existing published answers are left to editors)."""
    changed = set(changed_doc_ids)
    stale = services.answers.mark_stale(changed) if changed else []
    articles = affected_articles(services, changed)
    from qa_service.articles.suggestions import ingest_suggester

    summary = pregenerate(services, services.answers, articles, progress=progress, only_missing=True,
                          suggest=ingest_suggester(services))
    return {"pregenerated": summary.as_dict(), "stale_answers": [v.id for v in stale]}
