"""What sits under an article besides its answers: suggested follow-up questions
and key takeaways.

Questions: the article's curated ones first, then generated ones, by the LLM
when one is configured (from the article and its sources) or offline from the
documents' section headings. A generated question is kept only if the answer
pipeline answers it with verified citations: a suggestion the sources cannot
answer is never shown.

Takeaways: 3 to 6 bullets, each with a verified citation into the article.
Curated ones from the front matter win; else the LLM writes them when one is
configured; else (or when the LLM fails or too few of its bullets verify) the
article's own lead sentences are used, which verify by construction."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from qa_service.store.answers import answer_provenance, question_id
from qa_service.answering.generation import GenerationError, Passage
from qa_service.models import Answer, Citation, Document
from qa_service.text import is_heading_at, sentence_spans, terms

MIN_TAKEAWAYS = 3
MAX_TAKEAWAYS = 6
EXTRACTIVE_TAKEAWAYS = 5  # one per paragraph lead; more reads like the article again
DUPLICATE_OVERLAP = 0.6  # share of content terms two questions may have in common

_WH = ("what", "who", "how", "why", "when", "where", "which")
_AUX = ("is", "are", "was", "were", "does", "do", "did", "has", "have", "had", "can", "will", "would", "should")
GENERIC_QUESTION = "What do the sources say about"
_NUMBERING = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)]|q\d*[:.)])\s*", re.IGNORECASE)


class UnknownArticle(LookupError):
    pass


def _article(services, article_id: str) -> Document:  # noqa: ANN001
    doc = services.store.get_document(article_id)
    if doc is None or doc.kind != "article":
        raise UnknownArticle(f"unknown article id {article_id!r}")
    return doc


# =============================================================== questions
@dataclass
class SuggestedQuestion:
    text: str
    origin: str  # "curated" | "generated"
    source: str  # "curated", "offline" or "openai:<model>"
    answer: Answer | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"text": self.text, "origin": self.origin, "source": self.source}
        if self.answer is not None:
            out["status"] = self.answer.status
            out["citations"] = len(self.answer.citations)
            out["generator"] = self.answer.generator
        return out


@dataclass
class QuestionSuggestions:
    article_id: str
    suggester: str
    curated: list[SuggestedQuestion] = field(default_factory=list)
    generated: list[SuggestedQuestion] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def questions(self) -> list[SuggestedQuestion]:
        return [*self.curated, *self.generated]

    def as_dict(self) -> dict[str, object]:
        return {"article_id": self.article_id, "suggester": self.suggester,
                "questions": [q.as_dict() for q in self.questions], "rejected": self.rejected, "notes": self.notes}


def _content_terms(text: str) -> set[str]:
    return set(terms(text)) - {"source", "say", "know"}


def is_near_duplicate(question: str, others: Sequence[str]) -> bool:
    mine = _content_terms(question)
    if not mine:
        return True
    for other in others:
        theirs = _content_terms(other)
        if theirs and len(mine & theirs) / len(mine | theirs) >= DUPLICATE_OVERLAP:
            return True
    return False


# ------------------------------------------------------- offline candidates
def question_from_heading(heading: str) -> str | None:
    """Turn a section heading into a reader's question, or None when no
    natural question comes out of it."""
    h = heading.strip().strip("#").strip().rstrip(".:")
    if not h or h.endswith("?"):
        return h or None
    words = h.split()
    first = words[0].lower()
    if ":" in h:  # "Mission Firewall: United Against Firearms Trafficking"
        name = h.split(":", 1)[0].strip()
        return f"What is {name}?" if name[:1].isupper() and len(name.split()) <= 5 else None
    if first in _WH:
        rest = words[1:]
        if not rest:
            return None
        if rest[0].lower() in _AUX or first == "who":
            return f"{h}?"  # "What has not been published" / "Who participates and who leads"
        aux_at = next((i for i, w in enumerate(rest) if w.lower() in _AUX), None)
        if aux_at is not None and aux_at > 0 and (aux_at + 1 >= len(rest) or rest[aux_at + 1].lower() not in
                                                  ("and", "or")):
            subject, aux, tail = rest[:aux_at], rest[aux_at], rest[aux_at + 1:]
            # "How security assistance for Mexico is funded" -> "How is ... funded?"
            return " ".join([words[0], aux, *subject, *tail]) + "?"
        return f"{GENERIC_QUESTION} {_lower_first(h)}?"
    if first == "no" and len(words) > 2:  # "No dedicated funding for the SIG"
        return f"Is there {' '.join(words[1:])}?"
    return f"{GENERIC_QUESTION} {_lower_first(h)}?"


def _lower_first(phrase: str) -> str:
    """Lowercase the heading's first word unless it starts a name ("Security
    Implementation Group meeting" keeps its capital)."""
    words = phrase.split()
    if len(words) > 1 and words[1][:1].isupper():
        return phrase
    if words[0].isupper() and len(words[0]) > 1:  # an acronym
        return phrase
    return words[0].lower() + phrase[len(words[0]):]


def _specific_enough(question: str) -> bool:
    """At least three content words, or a name: "What has not been published?"
    means nothing without its document."""
    content = _content_terms(question)
    has_name = any(w[:1].isupper() for w in question.split()[1:] if w.lower() not in _WH)
    return len(content) >= 3 or (has_name and len(content) >= 2)


def document_headings(doc: Document) -> list[str]:
    out = []
    for line in doc.text.splitlines():
        m = re.match(r"^(#{2,6})\s+(.+?)\s*#*\s*$", line)
        if m:
            out.append(m.group(2))
    return out


class OfflineQuestionSuggester:
    """Questions from the section headings of the article and its sources, in
    turn across documents (so they cover different sources). No model."""

    name = "offline"

    def __init__(self, services, article_id: str) -> None:  # noqa: ANN001
        self.services = services
        self.article_id = article_id

    def candidates(self) -> list[str]:
        per_doc = []
        for doc_id in self.services.store.scope(self.article_id):
            doc = self.services.store.get_document(doc_id)
            if doc is None:
                continue
            qs = [q for q in (question_from_heading(h) for h in document_headings(doc)) if q]
            per_doc.append([q for q in qs if _specific_enough(q)])
        out: list[str] = []
        for i in range(max((len(qs) for qs in per_doc), default=0)):
            out.extend(qs[i] for qs in per_doc if i < len(qs))
        # Questions a reader would phrase so ("How is ... funded?") before the
        # generic "What do the sources say about ...?" ones.
        out.sort(key=lambda q: q.startswith(GENERIC_QUESTION))
        return list(dict.fromkeys(out))

    def suggest(self, article_text: str, existing: list[str], count: int = 5) -> list[str]:  # noqa: ARG002
        """Same call as the LLM suggester (``article_text`` is not needed: the
        headings come from the store). Returns more than ``count`` candidates
        when it can: each still has to pass the answer check."""
        return [q for q in self.candidates() if not is_near_duplicate(q, existing)][: max(count * 3, count)]


# ----------------------------------------------------------- LLM candidates
def _scope_passages(services, article_id: str) -> list[Passage]:  # noqa: ANN001
    """The article's chunks first, then its sources', as numbered passages."""
    from qa_service.articles.pregeneration import article_passages

    passages = article_passages(services, article_id)
    n = len(passages)
    for doc_id in services.store.scope(article_id)[1:]:
        for p in article_passages(services, doc_id):
            n += 1
            passages.append(Passage(n, p.chunk))
    return passages


def parse_questions(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        q = _NUMBERING.sub("", line).strip().strip('"').strip("*").strip()
        if q.endswith("?") and 4 <= len(q.split()) <= 30 and q not in out:
            out.append(q)
    return out


class LLMQuestionSuggester:
    """Questions written by the configured LLM from the article and its sources
    (as much of them as the context budget allows, article first)."""

    def __init__(self, services, article_id: str, *, chat=None) -> None:  # noqa: ANN001
        from qa_service.adapters.openai_chat import OpenAIChatClient
        from qa_service.answering.prompts import load_prompt

        self.services = services
        self.article_id = article_id
        self.chat = chat or OpenAIChatClient(services.settings)
        self.name = self.chat.name
        self.prompt = load_prompt("suggest_questions")

    def suggest(self, article_text: str, existing: list[str], count: int = 5) -> list[str]:  # noqa: ARG002
        from qa_service.adapters.openai_chat import format_sources
        from qa_service.answering.llm_calls import fit_passages

        s = self.services.settings
        asked = max(count * 2, count)
        listed = "\n".join(existing) or "(none)"

        def render(ps: Sequence[Passage]) -> list[dict[str, str]]:
            return self.prompt.render(article=format_sources(ps), existing=listed, count=str(asked))

        budget = fit_passages(_scope_passages(self.services, self.article_id), render,
                              context_tokens=s.llm_context_tokens, max_answer_tokens=s.llm_max_answer_tokens)
        result = self.chat.complete(render(budget.passages), temperature=max(0.3, s.llm_temperature))
        self.name = result.model
        return [q for q in parse_questions(result.text) if not is_near_duplicate(q, existing)]


def make_suggester(services, article_id: str, use_llm: bool | None = None):  # noqa: ANN001, ANN201
    use_llm = services.settings.llm_configured if use_llm is None else use_llm
    return LLMQuestionSuggester(services, article_id) if use_llm else OfflineQuestionSuggester(services, article_id)


def suggest_questions(
    services,  # noqa: ANN001
    article_id: str,
    *,
    count: int | None = None,
    use_llm: bool | None = None,
    existing: Sequence[str] = (),
    progress: Callable[[int], None] | None = None,
) -> QuestionSuggestions:
    """Curated questions, then up to ``count`` generated ones that the pipeline
    answers with verified citations. If the LLM fails, the offline suggester
    takes over (and a note says why)."""
    doc = _article(services, article_id)
    count = services.settings.llm_suggestions if count is None else count
    suggester = make_suggester(services, article_id, use_llm)
    result = QuestionSuggestions(article_id=article_id, suggester=getattr(suggester, "name", "offline"))
    result.curated = [SuggestedQuestion(q, "curated", "curated") for q in doc.questions]
    known = [*doc.questions, *existing]
    if count <= 0:
        return result
    try:
        candidates = suggester.suggest(doc.text, known, count)
    except GenerationError as exc:
        result.notes.append(f"{result.suggester} failed ({exc}); used the offline suggester")
        suggester = OfflineQuestionSuggester(services, article_id)
        candidates = suggester.suggest(doc.text, known, count)
    result.suggester = getattr(suggester, "name", result.suggester)
    answerer = services.answerer()
    for text in candidates:
        if len(result.generated) >= count:
            break
        if is_near_duplicate(text, [*known, *(q.text for q in result.generated)]):
            continue
        answer = answerer.ask(text, article_id)
        if progress:
            progress(1)
        if answer.status != "answered" or not answer.citations:
            result.rejected.append({"text": text, "reason": answer.status if answer.status != "answered"
                                    else "no verified citation"})
            continue
        result.generated.append(SuggestedQuestion(text, "generated", result.suggester, answer))
    return result


def store_generated(services, article_id: str, generated: Sequence[SuggestedQuestion]) -> list[str]:  # noqa: ANN001
    """Store new generated questions with their (verified) answers; hidden until
    an editor shows them, unless auto_publish. Returns the new question ids."""
    answers = services.answers
    version = services.store.version()
    added = []
    for q in generated:
        if q.answer is None or answers.get_question(question_id(article_id, q.text)) is not None:
            continue
        stored = answers.ensure_question(article_id, q.text, origin="generated")
        if not services.settings.auto_publish:
            answers.update_question(stored.id, hidden=True)
        answers.add_version(stored.id, q.answer, corpus_version=version, note=f"suggested by {q.source}",
                            **answer_provenance(q.answer, services.embedder.name))
        added.append(stored.id)
    return added


def ingest_suggester(services) -> Callable[[str], list[SuggestedQuestion]] | None:  # noqa: ANN001
    """The ``suggest`` hook for ``articles.pregenerate`` at ingest, per
    QA_SUGGEST_AT_INGEST: 'never', 'llm' (only when an LLM is configured) or
    'always' (offline when there is no LLM)."""
    mode = services.settings.suggest_at_ingest
    if mode == "never" or (mode == "llm" and not services.settings.llm_configured):
        return None

    def suggest(article_id: str) -> list[SuggestedQuestion]:
        stored = [q.text for q in services.answers.questions(article_id, include_hidden=True)]
        return suggest_questions(services, article_id, existing=stored).generated

    return suggest


# =============================================================== takeaways
@dataclass
class Takeaway:
    text: str
    citation: Citation | None
    origin: str  # "curated" | "llm" | "extractive"
    generator: str

    def as_dict(self) -> dict[str, object]:
        # The shape articles.build_takeaways has always stored, plus provenance.
        return {"text": self.text, "citations": [self.citation.model_dump()] if self.citation else [],
                "curated": self.origin == "curated", "origin": self.origin, "generator": self.generator}


def article_windows(doc: Document, max_sentences: int = 3) -> list[tuple[int, int]]:
    """Runs of 1 to ``max_sentences`` consecutive sentences within a paragraph
    of the article, headings excluded: a takeaway often joins two or three."""
    out = []
    pos = 0
    for block in doc.text.split("\n\n"):
        spans = [s for s in sentence_spans(doc.text, pos, pos + len(block)) if not is_heading_at(doc.text, s[0])]
        for i in range(len(spans)):
            for j in range(i, min(i + max_sentences, len(spans))):
                out.append((spans[i][0], spans[j][1]))
        pos += len(block) + 2
    return out


def cite_in_article(services, doc: Document, claim: str, windows=None) -> Citation | None:  # noqa: ANN001
    """The article span that best supports ``claim``, if the grounding checker
    accepts it: its quote is exactly ``doc.text[start:end]``."""
    checker = services.checker
    best: tuple[float, int, int] | None = None
    for start, end in windows if windows is not None else article_windows(doc):
        score = checker.score(claim, doc.text[start:end])
        if best is None or score > best[0] or (score == best[0] and end - start < best[2] - best[1]):
            best = (score, start, end)
    if best is None or best[0] < checker.threshold:
        return None
    score, start, end = best
    chunk_id = next((c.id for c in services.store.chunks(services.store.chunk_ids(doc.id))
                     if c.start <= start and end <= c.end), "")
    return Citation(n=1, doc_id=doc.id, chunk_id=chunk_id, title=doc.title, url=doc.url, publisher=doc.publisher,
                    published=doc.published, quote=doc.text[start:end], start=start, end=end, score=round(score, 4))


def extractive_takeaway_texts(doc: Document, limit: int = MAX_TAKEAWAYS) -> list[str]:
    """The lead sentence of each paragraph (news puts the point first), then
    second sentences if that gives fewer than three."""
    firsts, seconds = [], []
    pos = 0
    for block in doc.text.split("\n\n"):
        spans = [s for s in sentence_spans(doc.text, pos, pos + len(block)) if not is_heading_at(doc.text, s[0])]
        sentences = [doc.text[s:e] for s, e in spans if len(doc.text[s:e].split()) >= 6]
        if sentences:
            firsts.append(sentences[0])
            seconds.extend(sentences[1:2])
        pos += len(block) + 2
    picked = firsts[:limit]
    for s in seconds:
        if len(picked) >= MIN_TAKEAWAYS:
            break
        picked.append(s)
    return picked


def parse_bullets(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        item = _NUMBERING.sub("", line).strip().strip("*").strip()
        if len(item.split()) >= 5 and not item.endswith(":") and item not in out:
            out.append(item)
    return out


def llm_takeaway_texts(services, doc: Document, chat=None) -> tuple[list[str], str]:  # noqa: ANN001
    from qa_service.adapters.openai_chat import OpenAIChatClient, format_sources
    from qa_service.articles.pregeneration import article_passages
    from qa_service.answering.llm_calls import fit_passages
    from qa_service.answering.prompts import load_prompt

    s = services.settings
    prompt = load_prompt("takeaways")
    chat = chat or OpenAIChatClient(s)

    def render(ps: Sequence[Passage]) -> list[dict[str, str]]:
        return prompt.render(article=format_sources(ps))

    budget = fit_passages(article_passages(services, doc.id), render, context_tokens=s.llm_context_tokens,
                          max_answer_tokens=s.llm_max_answer_tokens)
    result = chat.complete(render(budget.passages))
    return parse_bullets(result.text), result.model


@dataclass
class Takeaways:
    article_id: str
    generator: str
    items: list[Takeaway]
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"article_id": self.article_id, "generator": self.generator,
                "takeaways": [t.as_dict() for t in self.items], "notes": self.notes}


def build_takeaways(services, article_id: str, *, use_llm: bool | None = None, chat=None) -> Takeaways:  # noqa: ANN001
    doc = _article(services, article_id)
    windows = article_windows(doc)
    if doc.takeaways:
        # The editors' words: kept as written, each with its best citation (a
        # curated takeaway that no span supports shows up uncited for review).
        items = [Takeaway(t, cite_in_article(services, doc, t, windows), "curated", "curated")
                 for t in doc.takeaways[:MAX_TAKEAWAYS]]
        return Takeaways(article_id, "curated", items)
    notes: list[str] = []
    items: list[Takeaway] = []
    generator = "extractive"
    use_llm = services.settings.llm_configured if use_llm is None else use_llm
    if use_llm:
        try:
            texts, model = llm_takeaway_texts(services, doc, chat)
            for text in texts:
                citation = cite_in_article(services, doc, text, windows)
                if citation is None:
                    notes.append(f"dropped an unsupported takeaway: {text}")
                    continue
                if any(t.citation and t.citation.start == citation.start for t in items):
                    continue  # two bullets on the same passage: keep the first
                items.append(Takeaway(text, citation, "llm", model))
                if len(items) >= MAX_TAKEAWAYS:
                    break
            generator = model
        except GenerationError as exc:
            notes.append(f"LLM takeaways failed ({exc}); used extractive ones")
    if len(items) < MIN_TAKEAWAYS:
        if items:
            notes.append(f"only {len(items)} LLM takeaway(s) verified; topped up with extractive ones")
        cited = {t.citation.start for t in items if t.citation}
        target = MIN_TAKEAWAYS if items else EXTRACTIVE_TAKEAWAYS
        for text in extractive_takeaway_texts(doc):
            if len(items) >= target:
                break
            citation = cite_in_article(services, doc, text, windows)
            if citation is None or citation.start in cited:
                continue
            cited.add(citation.start)
            items.append(Takeaway(text, citation, "extractive", "extractive"))
        if not any(t.origin == "llm" for t in items):
            generator = "extractive"
    return Takeaways(article_id, generator, items, notes)
