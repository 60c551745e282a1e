"""Suggested follow-up questions: the article's curated ones first, then
generated ones, by the LLM when one is configured (from the article and its
sources) or offline from the article's parsed sentences
(articles.question_writing: what is this organisation, what happens next,
why, how much, who is affected, what is not yet known) and the documents'
section headings. The offline proposals are also the LLM's fallback, when it
fails or too few of its questions pass.

A generated question is kept only if the answer pipeline answers it with
verified citations (``answered``; for "what is not yet known", an honest gap
quoted from the sources), and, for a question written from a sentence, only
if the answer comes from that sentence's fact; never when the headline alone
answers it, nor when it repeats a question already kept (near-duplicate
wording, or the same answer). A suggestion the sources cannot answer is
never shown."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from qa_service.answering.evidence import appositive, defines
from qa_service.answering.generation import GenerationError, Passage
from qa_service.answering.llm import ChatModel, format_sources
from qa_service.answering.llm_calls import fit_passages
from qa_service.answering.pipeline import Answerer
from qa_service.answering.prompts import load_prompt
from qa_service.articles.passages import scope_passages
from qa_service.articles.question_writing import FALLBACK_KIND, GROUP_NOUNS, KINDS, STRONG_CAUSE, Proposal, propose
from qa_service.articles.reading import Reading, names_an_earlier_time
from qa_service.language import KIND_NOUNS
from qa_service.models import Answer, Citation, Document
from qa_service.store.corpus import CorpusStore
from qa_service.text import sentence_spans, strip_markers, terms

DUPLICATE_OVERLAP = 0.5  # share of content terms two questions may have in common
HEADLINE_OVERLAP = 0.75  # an answer whose lead says little more than the headline does not need asking
ASKS_PER_KEPT = 3  # at most this many answers are generated per question wanted
MAX_PER_KIND = 2  # kept questions of one kind: the rest go to other kinds

_WH = ("what", "who", "how", "why", "when", "where", "which")
_AUX = ("is", "are", "was", "were", "does", "do", "did", "has", "have", "had", "can", "will", "would", "should")
GENERIC_QUESTION = "What do the sources say about"
_NUMBERING = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)]|q\d*[:.)])\s*", re.IGNORECASE)


# =============================================================== questions
@dataclass
class SuggestedQuestion:
    text: str
    origin: str  # "curated" | "generated"
    source: str  # "curated", "offline" or "openai:<model>"
    answer: Answer | None = None
    kind: str = ""  # what_is, next, why, how_much, affected, unknown (offline), "llm" or "heading"
    stored: bool = False  # already stored under the article (by ingest or an editor), with its answer
    hidden: bool = False  # stored but not shown to readers

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"text": self.text, "origin": self.origin, "source": self.source}
        if self.kind:
            out["kind"] = self.kind
        if self.stored:
            out["stored"] = True
            out["hidden"] = self.hidden
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
    """Questions written from the article's parsed sentences
    (articles.question_writing), taken in turn across kinds so that the first
    ones kept differ in kind; then questions from the section headings of the
    article and its sources. No model."""

    name = "offline"

    def __init__(self, store: CorpusStore, article_id: str,
                 read: Callable[[Document], Reading] | None = None) -> None:
        self.store = store
        self.article_id = article_id
        self.read = read

    def heading_candidates(self) -> list[str]:
        per_doc = []
        for doc_id in self.store.scope(self.article_id):
            doc = self.store.get_document(doc_id)
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

    def proposals(self) -> list[Proposal]:
        """Written from the article first (kinds in turn, best first within
        each), then from headings."""
        written: list[Proposal] = []
        if self.read is not None:
            doc = self.store.article(self.article_id)
            by_kind: dict[str, list[Proposal]] = {k: [] for k in KINDS}
            fallback: list[Proposal] = []
            for p in propose(self.read(doc)):
                (by_kind[p.kind] if p.kind in by_kind else fallback).append(p)
            for i in range(max((len(v) for v in by_kind.values()), default=0)):
                written.extend(v[i] for v in by_kind.values() if i < len(v))
            written.extend(fallback)  # plain what/who/when questions only when the kinds above run short
        headings = [Proposal(q, "heading") for q in self.heading_candidates()]
        return written + headings

    def candidates(self) -> list[str]:
        return list(dict.fromkeys(p.text for p in self.proposals()))

    def suggest(self, article_text: str, existing: list[str], count: int = 5) -> list[str]:  # noqa: ARG002
        """Same call as the LLM suggester (``article_text`` is not needed: the
        documents come from the store). Returns more than ``count`` candidates
        when it can: each still has to pass the answer check."""
        return [q for q in self.candidates() if not is_near_duplicate(q, existing)][: max(count * 3, count)]


# ----------------------------------------------------------- LLM candidates
def parse_questions(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        q = _NUMBERING.sub("", line).strip().strip('"').strip("*").strip()
        if q.endswith("?") and 4 <= len(q.split()) <= 30 and q not in out:
            out.append(q)
    return out


class LLMQuestionSuggester:
    """Questions written by the LLM from the article and its sources (as much
    of them as the context budget allows, article first)."""

    def __init__(self, store: CorpusStore, chat: ChatModel, article_id: str, *, context_tokens: int,
                 max_answer_tokens: int, temperature: float = 0.3) -> None:
        self.store = store
        self.chat = chat
        self.article_id = article_id
        self.name = chat.name
        self.prompt = load_prompt("suggest_questions")
        self.context_tokens = context_tokens
        self.max_answer_tokens = max_answer_tokens
        self.temperature = temperature

    def suggest(self, article_text: str, existing: list[str], count: int = 5) -> list[str]:  # noqa: ARG002
        asked = max(count * 2, count)
        listed = "\n".join(existing) or "(none)"

        def render(ps: Sequence[Passage]) -> list[dict[str, str]]:
            return self.prompt.render(article=format_sources(ps), existing=listed, count=str(asked))

        budget = fit_passages(scope_passages(self.store, self.article_id), render,
                              context_tokens=self.context_tokens, max_answer_tokens=self.max_answer_tokens)
        result = self.chat.complete(render(budget.passages), temperature=self.temperature)
        self.name = result.model
        return [q for q in parse_questions(result.text) if not is_near_duplicate(q, existing)]


class QuestionSuggester:
    """Curated questions, then up to ``count`` generated ones that the answer
    pipeline answers with verified citations (see the module docstring).
    ``chat`` is the configured LLM, or None offline; if the LLM fails, or too
    few of its questions pass, the offline proposals take over (and a note
    says why). ``read`` reads an article for the offline proposals
    (TakeawayWriter.read: the same parse and salience as the takeaways)."""

    def __init__(self, store: CorpusStore, answerer: Callable[[], Answerer], chat: ChatModel | None = None, *,
                 read: Callable[[Document], Reading] | None = None, count: int = 5, context_tokens: int = 8192,
                 max_answer_tokens: int = 512, temperature: float = 0.0) -> None:
        self.store = store
        self.answerer = answerer
        self.chat = chat
        self.read = read
        self.count = count
        self.context_tokens = context_tokens
        self.max_answer_tokens = max_answer_tokens
        self.temperature = temperature

    def offline(self, article_id: str) -> OfflineQuestionSuggester:
        return OfflineQuestionSuggester(self.store, article_id, self.read)

    def _llm(self, article_id: str) -> LLMQuestionSuggester | None:
        if self.chat is None:
            return None
        return LLMQuestionSuggester(self.store, self.chat, article_id, context_tokens=self.context_tokens,
                                    max_answer_tokens=self.max_answer_tokens, temperature=max(0.3, self.temperature))

    def suggest(self, article_id: str, *, count: int | None = None, use_llm: bool | None = None,
                existing: Sequence[str] = (), progress: Callable[[int], None] | None = None,
                existing_answers: Sequence[Answer] = ()) -> QuestionSuggestions:
        doc: Document = self.store.article(article_id)
        count = self.count if count is None else count
        llm = self._llm(article_id) if (self.chat is not None if use_llm is None else use_llm) else None
        offline = self.offline(article_id)
        result = QuestionSuggestions(article_id=article_id, suggester=llm.name if llm else offline.name)
        result.curated = [SuggestedQuestion(q, "curated", "curated") for q in doc.questions]
        known = [*doc.questions, *existing]
        if count <= 0:
            return result
        proposals: list[tuple[Proposal, str]] = []
        if llm is not None:
            try:
                proposals = [(Proposal(q, "llm"), llm.name) for q in llm.suggest(doc.text, known, count)]
                result.suggester = llm.name
            except GenerationError as exc:
                result.notes.append(f"{llm.name} failed ({exc}); used the offline suggester")
                result.suggester = offline.name
        offline_start = len(proposals)
        proposals += [(p, offline.name) for p in offline.proposals()]
        answerer = self.answerer()
        texts: list[str] = []

        def scope_texts() -> list[str]:
            """Every line of the article and its sources, and every sentence of each."""
            if not texts:
                for doc_id in self.store.scope(article_id):
                    scoped = self.store.get_document(doc_id)
                    for line in (scoped.text if scoped else "").split("\n"):
                        texts.append(line)
                        texts.extend(line[a:b] for a, b in sentence_spans(line))
            return texts

        # (the answers of questions already stored count as kept: no new question repeats one)
        kept_leads: list[tuple[str, int, int]] = [_lead(a) for a in existing_answers if a.citations]
        budget = count * ASKS_PER_KEPT + offline_start
        asked: set[int] = set()
        skipped: set[int] = set()  # rejected before asking: they cost no answer, so no budget
        # first pass: at most MAX_PER_KIND of a kind, so the questions differ; second: any kind
        for capped in (True, False):
            for i, (proposal, source) in enumerate(proposals):
                if len(result.generated) >= count or len(asked) >= budget:
                    break
                if i in asked or i in skipped:
                    continue
                text = proposal.text
                if is_near_duplicate(text, [*known, *(q.text for q in result.generated)]):
                    continue
                if capped and (proposal.kind == FALLBACK_KIND or proposal.kind in KINDS and
                               sum(q.kind == proposal.kind for q in result.generated) >= MAX_PER_KIND):
                    continue
                if proposal.expect and proposal.kind != "what_is" and _in_title(proposal.expect, doc.title):
                    # the headline alone answers it (a name it gives is no answer to what or who that is)
                    continue
                if proposal.kind == "what_is" and proposal.target is None and proposal.expect and not any(
                        describes(t, proposal.expect, person=text.startswith("Who ")) for t in scope_texts()):
                    # no sentence in scope says what it is, so no answer could (answer_problem):
                    # not worth generating an answer to find that out
                    result.rejected.append({"text": text, "reason": "no sentence of the sources says what it is"})
                    skipped.add(i)
                    continue
                if proposal.target is not None and any(
                        lead[0] == proposal.target[0] and lead[1] < proposal.target[2] and proposal.target[1] < lead[2]
                        for lead in kept_leads):
                    continue  # its answer would open with a kept question's passage: not worth generating
                answer: Answer = answerer.ask(text, article_id, depth="full")
                asked.add(i)
                if progress:
                    progress(1)
                problem = answer_problem(proposal, answer, doc, kept_leads)
                if problem:
                    result.rejected.append({"text": text, "reason": problem})
                    continue
                kept_leads.append(_lead(answer))
                result.generated.append(SuggestedQuestion(text, "generated", source, answer, proposal.kind))
        if llm is not None and offline_start and 0 < sum(q.source == llm.name for q in result.generated) < \
                len(result.generated):
            result.notes.append(f"{sum(q.source == llm.name for q in result.generated)} of the LLM's questions "
                                "passed; topped up with offline ones")
        if llm is not None and result.generated and all(q.source != llm.name for q in result.generated) and \
                not result.notes:
            result.notes.append("none of the LLM's questions passed; used offline ones")
        return result


# ----------------------------------------------------------- the answer check
def _normal(text: str) -> str:
    return " " + " ".join(terms(text)) + " "


def _in_title(fact: str, title: str) -> bool:
    fact_terms = _normal(fact).strip()
    return bool(fact_terms) and f" {fact_terms} " in _normal(title)


def _lead(answer: Answer) -> tuple[str, int, int]:
    c = answer.citations[0]
    return (c.doc_id, c.start, c.end)


def _overlaps(c: Citation, target: tuple[str, int, int]) -> bool:
    return c.doc_id == target[0] and c.start < target[2] and target[1] < c.end


def _first_sentence(answer: Answer) -> str:
    spans = sentence_spans(answer.answer)
    return strip_markers(answer.answer[spans[0][0]:spans[0][1]]) if spans else ""


# who said it is not news the headline lacks
_ATTRIBUTION = frozenset(terms("said says say told tells according announced statement official officials added"))


def _names_people(text: str) -> bool:
    return bool(set(re.findall(r"[a-z]+", text.lower())) & GROUP_NOUNS)


_KIND_NOUNS = "|".join(sorted(KIND_NOUNS, key=len, reverse=True))


def describes(text: str, name: str, *, person: bool = True) -> bool:
    """Does ``text`` say what ``name`` is: a defining sentence (``defines``), an
    apposition or relative clause ("Northfield, which operates 410 stores"), a
    parenthesis, a kind noun before it ("the cybersecurity firm Blackwater
    Point"), or what it is for ("Mission Firewall aims to ...")?"""
    if defines(text, name):
        return True
    key = re.escape(name)
    # "a specialist at Memorial Sloan Kettering Cancer Center who was not involved": "who" is the specialist
    relatives = "a|an|the|which|who|whose|one of" if person else "a|an|the|which|one of"
    return bool(appositive(text, key, relatives)
                or re.search(rf"{key}\s*\((?!\s*[A-Z]{{2,6}}\s*\))", text)
                or re.search(rf"\b(?:{_KIND_NOUNS})\s+(?:the\s+)?{key}", text, re.I)
                # what it is for says what it is: "Mission Firewall aims to expand ..."
                or re.search(rf"{key}\s+(?:aims|is designed|seeks|is meant|is intended|exists)\s+to\b", text, re.I))


def answer_problem(proposal: Proposal, answer: Answer, doc: Document,
                   kept_leads: Sequence[tuple[str, int, int]] = ()) -> str | None:
    """Why the answer does not make ``proposal`` a suggestion worth showing,
    or None when it does."""
    gap_cited = answer.status == "not_in_sources" and bool(answer.citations) and any(g.cited for g in answer.gaps)
    if answer.status != "answered" or not answer.citations:
        if not (proposal.kind == "unknown" and gap_cited):
            return answer.status if answer.status != "answered" else "no verified citation"
    target = proposal.target
    if target is not None:
        first_two = answer.citations[:2]
        from_target = any(_overlaps(c, target) for c in first_two)
        lead_holds = not proposal.expect or _normal(proposal.expect).strip() in _normal(_first_sentence(answer))
        if proposal.expect and lead_holds:
            pass  # the answer opens with the very element asked for (a number, a date, a name)
        elif not from_target or not (lead_holds or _overlaps(answer.citations[0], target)):
            return "the answer does not come from the fact the question was written from"
    elif proposal.expect and proposal.kind == "what_is" and \
            _normal(proposal.expect).strip() not in _normal(answer.citations[0].quote):
        return "the answer does not open with what it is asked about"
    elif proposal.expect and proposal.kind == "what_is" and \
            not describes(answer.citations[0].quote, proposal.expect, person=proposal.text.startswith("Who ")):
        # "What is Harbor State University?" is not answered by "A study by researchers
        # at Harbor State University found ...": the name is mentioned, not explained
        return "the answer mentions it but does not say what it is"
    if proposal.kind == "affected" and target is None and not _names_people(answer.citations[0].quote):
        return "the answer names no one affected"
    if names_an_earlier_time(_first_sentence(answer)):
        # (a leading pronoun is resolved or shown after its antecedent when the answer is
        # written; "that summer" is neither)
        return "the answer opens with a time that the sentence before it set"
    if proposal.kind == "why" and not any(STRONG_CAUSE.search(c.quote) for c in answer.citations):
        return "the answer gives no cause"
    if _lead(answer) in kept_leads:
        return "the same answer as a question already kept"
    lead_terms = set(terms(answer.citations[0].quote)) - _ATTRIBUTION
    title_terms = set(terms(doc.title))
    if lead_terms and len(lead_terms & title_terms) / len(lead_terms) >= HEADLINE_OVERLAP:
        return "the headline alone answers it"
    return None
