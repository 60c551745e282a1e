"""Sentence-level evidence: every sentence of the retrieved passages, weighed
against the analysed question.

How much of the question a sentence covers (its content words, weighted by
rarity, with its section heading and, for a sentence opening with a pronoun,
the sentence before it), how close it is in meaning (embedding similarity),
and which kinds of element it holds that the question does not already state
(a person's name or role for "who", a date for "when", an amount for "how
much"). ``answers_part`` says whether a sentence answers one asked element:
it covers the element's focus and holds the asked kind."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from qa_service.answering.generation import Passage
from qa_service.answering.questions import DETERMINERS, QuestionAnalysis, noun_class
from qa_service.ingest.boilerplate import is_boilerplate, trim_furniture
from qa_service.language import (
    DATE_LABELS,
    GROUP_NOUNS,
    NAME_LABELS,
    MONEY_LABELS,
    NUMBER_LABELS,
    ORG_LABELS,
    PERCENT_LABELS,
    PERSON_LABELS,
    PLACE_LABELS,
    Analyzer,
    Parse,
)
from qa_service.retrieval.embeddings import EmbeddingCache
from qa_service.text import CROWD, VOTED_AGAINST, acronym_names, acronyms, held_terms, is_heading_line, sentence_spans, terms

# Sentences that lean on the one before them for their subject.
ANAPHORA = re.compile(r"^(?:It|Its|They|Their|Them|This|These|That|Those|He|She|His|Her|Such|At them|The group|"
                      r"The two(?!\s+[a-z]+s\b)(?!-)|Both(?!\s+[a-z]+s\b))\b")  # ("The two-year pilot" is no pronoun)
# Back-references inside a sentence: "presented as occasions to take stock in
# this way", "meant to take stock of that year" say nothing without the one before.
BACK_REFERENCE = re.compile(r"\b(?:in (?:this|that|the same) way|of that year|these (?:steps|measures|efforts|actions|"
                            r"commitments|initiatives|changes)|those (?:steps|measures|efforts|actions))\b", re.I)
# Connectives that tie a sentence to one the reader will not see.
CONNECTIVE = re.compile(r"^(?:However|Also|In addition|Additionally|Meanwhile|Moreover|Furthermore|Still|Instead|"
                        r"Separately|Likewise|Similarly|Nonetheless|Nevertheless|Yet|But|And|So|Then|Indeed|"
                        r"As a result|In turn|For its part|At the same time|In the meantime|Besides),?\s+", re.I)
# A sentence that says something has not been made public: the honest answer
# to a question about it ("No detailed protocol has been published"). ("One of
# two no votes" and "a no-confidence motion" deny nothing: there "no" is a vote
# or part of a word.)
GAP_SENTENCE = re.compile(
    r"\b(?:not|no(?!\s+votes?\b)(?!-)(?!\.\s*\d)|never|nor|without|yet to)\b[^.;]*?\b(?:publish|announc|disclos|releas|"
    r"specif|list|describ|identif|detail|report|public|made|say|said|mention|set out|spell|creat|name|confirm|"
    r"determin|decided|known|clear)", re.I)
NEGATION = re.compile(r"\b(?:not|no(?!\s+votes?\b)(?!-)(?!\.\s*\d)|never|nor|none|neither|without|n't|cannot)\b", re.I)
# Words that give a cause or a purpose: what a "why" question wants first.
_CAUSE = re.compile(r"\b(?:because|whereas|since|due to|owing to|as a result|in order to|so that|so as to|"
                    r"aim(?:s|ed)? (?:to|at)|"
                    r"intend(?:s|ed)? to|(?:is|are|was|were) meant to|designed to|purpose|goal|in response to|"
                    r"(?<!the )following|driven by|caused by|reasons?|why|led to|prompted|citing|cited|blamed|attributed|"
                    r"in an effort to|seeks? to|to (?:let|allow|enable|help|ensure|avoid|prevent|stop|spot|detect|"
                    r"counter|combat|reduce|protect|mark|pre-empt|respond|disrupt|weaken|cut|keep|make sure)|"
                    r"(?:said|says|argued|explained) (?:that )?(?:it|they|the \w+) (?:wanted|needed|could not|couldn't)|"
                    r"would (?:otherwise|not be able)|can't|cannot afford|so (?:the|that|it)|which (?:is|was) why|"
                    r"as|given that)\b", re.I)
# a verb whose "to ..." says what was done, not what for: "voted unanimously Tuesday to stop charging"
_COMPLEMENT_TO = re.compile(r"\b(?:vot(?:e|es|ed|ing)|decid(?:e|es|ed)|agre(?:e|es|ed)|plan(?:s|ned)?|wants?|wanted|"
                            r"chose|moved|began|begins|started|starts|hopes?|hoped|expects?|expected|intends?|"
                            r"intended|asked|told|ordered|urged|forced|allowed|continues?|continued|tried|failed|"
                            r"refused|promised|pledged|needs?|needed)\b(?:\s+[\w,'-]+){0,3}\s*$", re.I)
_RELATIVE_ANCHOR = re.compile(r"\b(?:days?|weeks?|months?|years?|hours?)\s+(?:after|before)\s+(?:(?:its|the|their|his|"
                              r"her|a|an)\s+)?([\w-]+(?:\s+date)?)", re.I)
_SUPERSEDED = re.compile(r"\bhad been (?:scheduled|set|planned|expected|due|slated)\b", re.I)
_RELATIVE_TIME = re.compile(r"^(?:about |nearly |more than |some |within |up to )?(?:\w+|\d+) (?:days?|weeks?|months?|"
                            r"years?|hours?|minutes?)$", re.I)
_AFTER_CLAUSE = re.compile(r"\bafter\s+(?:[\w'-]+\s+){0,5}?(?:\w+ed|found|was|were|had|made|took|lost|fell|rose|"
                           r"broke|left|came|became|did|saw|ran|won)\b", re.I)
_STRONG_CAUSE = re.compile(r"\b(?:because|whereas|due to|owing to|as a result|in order to|so that|meant to|designed to|"
                           r"purpose|goal|aim(?:s|ed)? (?:to|at)|reasons?|caused by|driven by|in response to|"
                           r"to (?:let|allow|enable|spot|detect|mark|pre-empt))\b", re.I)
_METHOD = re.compile(r"\b(?:by|through|via|using|with|will|plan|steps?|process|procedure|must|can|apply|"
                     r"calculated|measured|handled|led|chaired|hosted|under|according to|requires?|involves?)\b",
                     re.I)
_MONTH = ("january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|"
          "jun|jul|aug|sep|sept|oct|nov|dec")
_DATE_RE = re.compile(rf"\b(?:{_MONTH})\b\.?(?:\s+\d{{1,2}})?|\b(?:19|20)\d\d\b|\b\d{{4}}-\d\d-\d\d\b|"
                      r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|yesterday)\b",
                      re.I)
_NUMBER_RE = re.compile(r"\b\d[\d,]*(?:\.\d+)?\b|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                        r"twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozens?|several)\b", re.I)
_DAY_RE = re.compile(rf"\b(?:{_MONTH})\.?\s+\d{{1,2}}\b|\b\d{{1,2}}\s+(?:{_MONTH})\b|\b\d{{4}}-\d\d-\d\d\b|"
                     r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
_MONEY_RE = re.compile(r"[$€£¥]\s?\d|\b\d[\d,.]*\s*(?:million|billion|trillion)?\s*(?:dollars|euros|pounds|pesos)\b"
                       r"|\bUSD\b", re.I)
_PERCENT_RE = re.compile(r"\d\s?%|\bper ?cent\b|\bpercentage points?\b", re.I)
_DURATION_RE = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|several|a few)[- ]"
                          r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?)\b", re.I)
_ROLE_WORDS = frozenset(terms("secretary minister director president chair chairman chairwoman commissioner "
                              "governor mayor administrator officer official spokesperson spokesman spokeswoman "
                              "ambassador undersecretary chief head leader judge attorney general deputy assistant "
                              "representative senator coordinator manager executive founder owner"))
KIND_OF_ASKED = {
    "person": "person", "organization": "organization", "place": "place", "date": "date", "time": "date",
    "number": "number", "money": "money", "percent": "percent", "duration": "duration", "frequency": "frequency",
}


@dataclass
class Evidence:
    """One sentence of the passages, weighed against the question."""

    passage: int  # Passage.n
    doc_id: str
    chunk_id: str
    start: int  # offsets into the document text
    end: int
    text: str
    position: int  # order of the sentence in the passages (reading order)
    similarity: float = 0.0
    coverage: float = 0.0  # share of the question's content (IDF-weighted) the sentence holds
    distinct: float = 0.0  # the same, with terms weighted by how few of the candidate sentences hold them
    score: float = 0.0  # relevance: similarity and coverage together
    kinds: set[str] = field(default_factory=set)  # kinds of element it holds (person, date, money...)
    negated: bool = False
    states_gap: bool = False  # says something has not been published or decided
    anaphoric: bool = False  # opens with a pronoun or "the group": leans on the sentence before
    previous: Evidence | None = None  # the sentence before it in the same passage
    parse: Parse | None = None
    heading: frozenset[str] = frozenset()  # content terms of its section heading
    context: frozenset[str] = frozenset()  # content terms of its paragraph's first sentence (or list's lead-in)
    block: int = 0  # its paragraph, or its list with the sentence that introduces it
    list_item: bool = False  # a bullet of a list
    introduces_list: bool = False  # the sentence before a bulleted list ("Applicants will need:")
    list_terms: frozenset[str] = frozenset()  # content terms of the items of the list it introduces
    answers_faq: bool = False  # in the answer to an FAQ heading that asks the question

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.doc_id, self.start, self.end)


# ------------------------------------------------------------------ evidence
def passage_sentences(passages: Sequence[Passage]) -> list[tuple[int, str, int, int, str]]:
    """(passage n, doc id, start, end, text) for every sentence, offsets into the document."""
    return [row[:5] for row in _structured_sentences(passages)]


_LIST_ITEM = re.compile(r"^\s*(?:[-*+\u2022]|\d+[.)])\s+")


def _structured_sentences(passages: Sequence[Passage]) -> list[tuple[int, str, int, int, str, int, bool, str]]:
    """Sentences with where they sit: (passage n, doc id, start, end, text,
    block, is list item, the question its section's heading asks). A block is
    a paragraph, or a bulleted list together with the sentence that
    introduces it; headings and page furniture are left out (headings are
    context, boilerplate is not news: neither is quoted). The question is set
    under a heading that asks one ("## Do I have to pay FEMA back?"): in an
    FAQ, what follows it is its answer."""
    out = []
    block = 0
    for p in passages:
        base = p.chunk.start
        text = p.chunk.text
        block += 1
        section = p.chunk.heading.rsplit(" > ", 1)[-1].strip()
        asked = section if section.endswith("?") else ""
        last_was_item = False
        paragraph_break = False
        pos = 0
        for line in text.split("\n"):
            line_start, pos = pos, pos + len(line) + 1
            if not line.strip():
                paragraph_break = True
                continue
            if is_heading_line(line.strip()) or _BOLD_LINE.match(line.strip()):
                # ("**[Declaration of State of Emergency in Response to Severe Storms]**" alone on its
                # line titles what follows; it is no sentence to quote)
                block += 1
                paragraph_break = False
                last_was_item = False
                heading = line.strip().lstrip("#").strip()
                asked = heading if heading.endswith("?") else ""
                continue
            item = bool(_LIST_ITEM.match(line))
            if item:
                pass  # a list belongs to the paragraph that introduces it
            elif paragraph_break or last_was_item:
                block += 1
            paragraph_break = False
            last_was_item = item
            for s, e in sentence_spans(text, line_start, line_start + len(line)):
                # a dateline opening the lede ("July 22 (Ledgerline) - Northfield said ...") is cut off
                furniture = [(a - base, b - base) for a, b in p.chunk.boilerplate if a - base <= s < b - base]
                if furniture:
                    s = trim_furniture(text, s, e, furniture)
                if s >= e or is_boilerplate(text[s:e]) or p.chunk.is_flagged(base + s, base + e):
                    continue  # page furniture, or text addressed to a model (flagged at ingest): never evidence
                out.append((p.n, p.chunk.doc_id, base + s, base + e, text[s:e], block, item, asked))
    return out


def element_kinds(text: str, parse: Parse | None, question_text: str = "") -> set[str]:
    """The kinds of element a sentence holds that the question does not already
    state: a person (a name, or a role such as "Secretary of State"), an
    organization, a place, a date, a number, an amount of money, a share, a
    duration."""
    asked_low = question_text.lower()

    def new(fragment: str) -> bool:
        frag = fragment.lower().strip()
        return bool(frag) and frag not in asked_low

    kinds: set[str] = set()
    if parse is not None:
        for e in parse.entities:
            if not new(e.text):
                continue
            if e.label in PERSON_LABELS:
                kinds.add("person")
            elif e.label in ORG_LABELS:
                kinds.add("organization")
            elif e.label in PLACE_LABELS:
                kinds.add("place")
            elif e.label in DATE_LABELS:
                kinds.add("date")
                if _DURATION_RE.search(e.text) or re.search(r"\b(?:days?|weeks?|months?|years?)\b", e.text, re.I):
                    kinds.add("duration")
            elif e.label in MONEY_LABELS:
                kinds.update(("money", "number"))
            elif e.label in PERCENT_LABELS:
                kinds.update(("percent", "number"))
            elif e.label in NUMBER_LABELS:
                kinds.add("number")
    if any(new(m.group()) for m in _DATE_RE.finditer(text)):
        kinds.add("date")
    if any(new(m.group()) for m in _DAY_RE.finditer(text)):
        kinds.add("day")  # a date to the day ("January 23", "Oct. 14", "2025-10-01")
    if any(new(m.group()) for m in _MONEY_RE.finditer(text)):
        kinds.update(("money", "number"))
    if any(new(m.group()) for m in _PERCENT_RE.finditer(text)):
        kinds.update(("percent", "number"))
    if any(new(m.group()) for m in _DURATION_RE.finditer(text)):
        kinds.add("duration")
    numbers = [m.group() for m in _NUMBER_RE.finditer(_DATE_RE.sub(" ", text)) if new(m.group())]
    if numbers:
        kinds.add("number")
    if _FREQUENCY_RE.search(text):
        kinds.add("frequency")
    if "place" not in kinds and (_COMMON_PLACE.search(text) or _WEBSITE.search(text)):
        # "near the moon's south pole", "at the county fairgrounds": a place without a name;
        # "at energy.state.gov/heatpumps": where to go online
        kinds.add("place")
    if parse is not None and "place" not in kinds:
        # the small model often misses a town ("opened in Hermosillo") or calls a
        # building an organization ("the Harry S Truman Building")
        if any(e.label in ORG_LABELS and _PLACE_NOUN.search(e.text) and new(e.text) for e in parse.entities) or \
                any(new(m.group(1)) for m in _LOCATIVE.finditer(text)
                    if not _MONTH_OR_DAY.match(m.group(1)) and m.group(1) not in {e.text for e in parse.entities
                                                                                  if e.label not in PLACE_LABELS}):
            kinds.add("place")
    sentence_terms = set(terms(text))
    if sentence_terms & _ROLE_WORDS - set(terms(question_text)):
        kinds.add("person")
    return kinds


_FREQUENCY_RE = re.compile(r"\bevery (?:\w+ )?(?:day|week|month|year|quarter|hour|\d+|one|two|three|four|five|six|"
                           r"seven|eight|nine|ten|twelve|ninety|thirty|sixty)\b|\b(?:daily|weekly|monthly|quarterly|"
                           r"annually|yearly|biweekly|fortnightly|hourly)\b|\b(?:once|twice|\w+ times) (?:a|an|per|each) "
                           r"\w+|\b(?:\w+|\d+) (?:days?|nights?|hours?|weeks?) (?:a|an|per|each) "
                           r"(?:week|month|year|day)\b|"
                           r"\bper (?:day|week|month|year)\b|\beach (?:day|week|month|year)\b", re.I)
_WEBSITE = re.compile(r"\b[\w-]+(?:\.[\w-]+)*\.(?:gov|com|org|net|edu|us|info)(?:/[\w./-]*)?\b")
_COMMON_PLACE = re.compile(r"\b(?:near|at|in|on|off|along|outside|inside|across|beneath|under|above|below|into|onto)\s+"
                           r"(?:the|a|an)\s+(?:[a-z'-]+\s+){0,3}(?:pole|region|site|area|coast|border|shore|river|lake|"
                           r"crater|valley|mountains?|island|harbor|port|plant|factory|hospital|campus|park|building|"
                           r"fairgrounds|stadium|arena|station|airport|street|road|highway|neighborhood|village|camp|"
                           r"base|surface|orbit|sea|ocean|bay|gulf|desert|forest|field|farm|mine|well|dam|bridge|"
                           r"tunnel|square|plaza|downtown)\b")
_PLACE_NOUN = re.compile(r"\b(?:Building|Center|Centre|Hall|Stadium|Arena|Park|Airport|Hospital|Square|Palace|Office|"
                         r"Plaza|Port|Station|Bridge|Base|Camp|Museum|House|Tower|Street|Avenue|Road|"
                         # a body named for where it governs: "the Harbor County Commission"
                         r"County|City|Township|Borough|Parish|Province)\b")
_LOCATIVE = re.compile(r"\b(?:in|at|near|outside|inside)\s+((?:[A-Z][a-z]+)(?:\s+[A-Z][a-z]+)?)\b(?!\s+(?:of|and))")
_MONTH_OR_DAY = re.compile(r"^(?:January|February|March|April|May|June|July|August|September|October|November|"
                           r"December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|The|This|That|"
                           r"These|Those|A|An)\b")


def gather_evidence(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    cache: EmbeddingCache,
    idf: Callable[[str], float] | None = None,
    analyzer: Analyzer | None = None,
    article_id: str | None = None,
) -> list[Evidence]:
    """Every sentence of the passages weighed against the question (reading
    order; sort by ``score`` for best first). ``article_id``: the article the
    question is asked under, whose lede weighs a little more."""
    structured = _structured_sentences(passages)
    rows = [r[:5] for r in structured]
    if not rows:
        return []
    chunk_of = {p.n: p.chunk.chunk_id for p in passages}
    headings = {p.n: set(terms(p.chunk.heading)) | acronyms(p.chunk.heading) for p in passages}
    q_terms = analysis.terms or list(dict.fromkeys(terms(analysis.clean)))
    q_acronyms = acronym_names(analysis.clean)
    weights = term_weights(q_terms, idf, analysis.weights)
    total = sum(weights.values()) or 1.0
    # A sentence introducing a bulleted list ("Applicants will need:") says little
    # on its own: it is weighed with its items, as a reader reads it.
    list_of: dict[int, list[int]] = {}
    for i, (n, _d, _s, _e, _t, block, item, _a) in enumerate(structured):
        if item and i > 0:
            j = i - 1
            while j >= 0 and structured[j][6] and structured[j][5] == block:
                j -= 1
            if j >= 0 and structured[j][5] == block and structured[j][0] == n:
                list_of.setdefault(j, []).append(i)
    intros = sorted(list_of)
    block_texts = [" ".join([rows[j][4], *(rows[k][4] for k in list_of[j])]) for j in intros]
    # (a pronoun standing for the story is weighed as the headline it stands for)
    vecs = cache.embed([f"{analysis.story} {analysis.clean}".strip()] + [r[4] for r in rows] + block_texts)
    sims = vecs[1:len(rows) + 1] @ vecs[0] if len(rows) else np.zeros(0)
    for j, vec in zip(intros, vecs[len(rows) + 1:], strict=True):
        sims[j] = max(float(sims[j]), float(vec @ vecs[0]))
    # An FAQ's answer under the question the reader asks in other words ("Do I have to
    # pay FEMA back?" for "Do I have to pay back what FEMA gives me?") answers it, even
    # where its sentences ("In most cases, no.") share no word with the question.
    asked = sorted({r[7] for r in structured if r[7]})
    asked_sim = dict(zip(asked, cache.embed(asked) @ vecs[0], strict=True)) if asked else {}
    # In a document whose title names what the question names ("How much did Ferrous
    # Loop raise ..." over "Battery recycler Ferrous Loop raises ..."), every sentence is
    # about it, and most say "the startup" or "it": the name would only favour the
    # few that repeat it, so there the question is weighed as if it said "it".
    for variant, members in _subject_as_it(analysis, passages, rows).items():
        vs = cache.embed([variant] + [rows[i][4] for i in members])
        for i, sim in zip(members, vs[1:] @ vs[0], strict=True):
            sims[i] = float(sim)
    parses = analyzer.parse_many([r[4] for r in rows]) if analyzer is not None else [None] * len(rows)
    delayed = _delayed_identification(structured, parses, {p.n for p in passages if p.chunk.start < _OPENING_CHARS})
    works = _works_named_in_openings(structured, {p.n for p in passages if p.chunk.start < _OPENING_CHARS})
    out: list[Evidence] = []
    seen: set[tuple[str, int, int]] = set()
    previous: Evidence | None = None
    # Within the passages of one article, the article's subject is in nearly
    # every sentence: what tells the candidates apart is the rest of the question.
    sentence_terms = [set(terms(r[4])) for r in rows]
    n_sent = len(rows)
    local = {t: np.log((n_sent + 1) / (sum(t in s for s in sentence_terms) + 0.5)) for t in q_terms}
    local_total = sum(local.values()) or 1.0
    block_lead: dict[int, Evidence] = {}
    for position, ((n, doc_id, start, end, text, block, item, _asked), sim, parse) in enumerate(
            zip(structured, sims, parses, strict=True)):
        ev = Evidence(n, doc_id, chunk_of[n], start, end, text, position, similarity=float(sim), parse=parse,
                      heading=frozenset(headings[n]), block=block, list_item=item)
        ev.anaphoric = bool(ANAPHORA.match(text) or BACK_REFERENCE.search(text))
        if previous is not None and previous.passage == n:
            ev.previous = previous
        previous = ev
        lead = block_lead.setdefault(block, ev)
        if position in delayed:
            ev.context = delayed[position]
        if lead is not ev:
            # the paragraph's first sentence (or a list's introduction) frames the rest:
            # "On the U.S. side, ..." then "The Treasury Department sent ..."
            ev.context = frozenset(terms(lead.text)) | lead.context
        if doc_id in works and _THE_WORK.match(text):
            ev.context = ev.context | works[doc_id]  # "The film, directed by ..." is "The Last Light"
        if ev.key in seen:  # overlapping chunks repeat sentences
            continue
        seen.add(ev.key)
        own = held_terms(text) | acronyms(text)
        if position in list_of:
            ev.introduces_list = True
            ev.list_terms = frozenset(t for k in list_of[position] for t in terms(rows[k][4]))
            own |= ev.list_terms
        context = set(terms(ev.previous.text)) if ev.anaphoric and ev.previous is not None else set()
        held = own | context
        held |= spelled_out(held, q_terms, q_acronyms) | same_family(held, q_terms)
        covered = sum(w for t, w in weights.items() if t in held)
        covered += 0.5 * sum(w for t, w in weights.items()
                             if t not in held and (t in headings[n] or t in ev.context))
        ev.coverage = covered / total if q_terms else 0.0
        ev.distinct = float(sum(w for t, w in local.items() if t in held) / local_total) if q_terms else 0.0
        ev.score = 0.5 * ev.similarity + 0.3 * ev.coverage + 0.2 * ev.distinct
        if _asked and asked_sim[_asked] >= FAQ_MATCH and _same_asking(_asked, analysis.clean):
            ev.answers_faq = True
            ev.score += FAQ_BONUS
        ev.kinds = element_kinds(text, parse, analysis.clean)
        ev.negated = bool(NEGATION.search(text))
        ev.states_gap = bool(GAP_SENTENCE.search(text))
        out.append(ev)
    _link_across_chunks(out)
    if article_id is not None:
        _favour_lede(out, article_id, {p.n for p in passages if p.chunk.start < _OPENING_CHARS})
    return out


_ASKS_PAYMENT = re.compile(r"\b(?:pay|pays|paid) for\b|\b(?:be|being|is|are) (?:funded|financed|paid)\b|"
                           r"\bfund(?:s|ed)?\b", re.I)
_ASKS_MEANS = re.compile(r"\b(?:pay|pays|paid|fund|funds|funded|financ\w*|cover|covered|run|runs|operated|"
                         r"managed|measured|calculated|chosen|selected|decided|determined|enforced|delivered|built|"
                         r"made)\b", re.I)
_MEANS = re.compile(r"\b(?:paid for|funded|financed|covered|supported|run|operated|managed|measured|calculated|"
                    r"chosen|selected|decided|determined|enforced|delivered|built|made)\s+(?:by|through|via|with|"
                    r"using|from)\b|\b(?:cover|covers|fund|funds|finance|finances)\s+(?:\w+\s+){0,3}?with\b", re.I)
# "How much severance will they get?" -- "at least 16 weeks of pay": pay counted in time is an amount
_PAY_IN_TIME = re.compile(r"\b(?:\d+|one|two|three|four|five|six|eight|ten|twelve)\s+(?:weeks?|months?|days?|years?)"
                          r"(?:'|’)?\s+(?:of\s+)?(?:pay|salary|wages|severance|base pay)\b", re.I)
_ALSO = re.compile(r"\b(?:also|too|as well|in addition|additionally|further|furthermore|moreover)\b", re.I)
RESTATES_PREMISE = 0.8  # share of a why-question's terms a sentence holds that says what it takes for granted
FAQ_MATCH = 0.8  # similarity of an FAQ heading to the question that makes it the same question
_ASKING_WORD = re.compile(r"^\W*(who|whom|whose|what|which|when|where|why|how)\b", re.I)


def _same_asking(heading: str, question: str) -> bool:
    """An FAQ heading asks what the question asks: the same question word ("Who can
    apply?" is not "How do I apply?"), or neither has one (both yes/no)."""
    a, b = _ASKING_WORD.match(heading), _ASKING_WORD.match(question)
    return (a.group(1).lower() if a else "") == (b.group(1).lower() if b else "")
FAQ_BONUS = 0.1

LEDE_BONUS = 0.04  # news puts the main facts first: between near-equal sentences, the lede's


def _favour_lede(evidence: Sequence[Evidence], article_id: str, opening: set[int]) -> None:
    """The first two full sentences of the article asked under (from a passage
    that opens it) weigh a little more: "Who won?" is answered by "Millbrook beat
    Crestview 58-51", not by the coach's remark about the win further down. (A
    source's opening is often a definition, not its news.)"""
    lede = [ev for ev in sorted(evidence, key=lambda e: e.start)
            if ev.doc_id == article_id and ev.passage in opening and len(ev.text.split()) >= 10][:2]
    for ev in lede:
        ev.score += LEDE_BONUS


def _link_across_chunks(evidence: Sequence[Evidence]) -> None:
    """A passage's first sentence gets, as the one before it, the last sentence of
    another passage that ends where it starts in the same document: "She did not
    rule on ..." opens a chunk, and "Osei wrote ..." ends the one before."""
    last_of: dict[tuple[str, int], Evidence] = {}
    for ev in evidence:
        known = last_of.get((ev.doc_id, ev.passage))
        if known is None or ev.end > known.end:
            last_of[(ev.doc_id, ev.passage)] = ev
    firsts: dict[int, Evidence] = {}
    for ev in evidence:
        if ev.passage not in firsts or ev.start < firsts[ev.passage].start:
            firsts[ev.passage] = ev
    for first in firsts.values():
        if first.previous is not None:
            continue
        before = [e for (doc, n), e in last_of.items()
                  if doc == first.doc_id and n != first.passage and 0 <= first.start - e.end <= 3]
        if before:
            first.previous = before[0]


_NAME_RUN = re.compile(r"(?<!^)(?<![.?!] )\b[A-Z][\w&'-]*(?:\s+(?:of\s+|de\s+|la\s+)?[A-Z0-9][\w&'-]*)*")


_SUBJECT_WITHIN = 4  # words before a name that a question is about: "How much did | Ferrous Loop ..."


def _subject_as_it(analysis: QuestionAnalysis, passages: Sequence[Passage],
                   rows: Sequence[tuple]) -> dict[str, list[int]]:
    """The question with the names its passages' document titles hold said as
    "it", and the rows (sentences) of those documents: {variant: [row index]}.
    Only a name of two words or more ("Ferrous Loop", not an agency's initials
    that half the documents hold), and never the thing a definition asks about."""
    question = analysis.clean
    if analysis.type in ("definition", "compare") or analysis.subject:
        return {}
    # the name the question is about opens it ("How much did Ferrous Loop raise"); one further on
    # qualifies it ("What did the two countries commit to under the Bicentennial Framework?")
    names = [m.group(0) for m in _NAME_RUN.finditer(question)
             if len(m.group(0).split()) >= 2 and len(question[:m.start()].split()) <= _SUBJECT_WITHIN]
    if not names:
        return {}
    title_of = {p.n: p.chunk.title for p in passages}
    out: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        title = title_of.get(row[0], "")
        held = [n for n in names if re.search(rf"\b{re.escape(n)}\b", title)]
        if not held:
            continue
        variant = question
        for name in held:
            variant = re.sub(rf"(?:\b(?:the|The)\s+)?\b{re.escape(name)}\b", "it", variant)
        if variant != question:
            out.setdefault(variant, []).append(i)
    return out


_OPENING_CHARS = 600  # a chunk starting this close to its document's start holds its lede

# "The film", "the novel": how a story goes on to speak of the work it named in quotes
_THE_WORK = re.compile(r"^The (?:film|movie|documentary|book|novel|memoir|play|musical|opera|album|song|single|"
                       r"series|show|painting|exhibit|exhibition|game)\b")
_QUOTED_TITLE = re.compile(r"[\"“]((?:The |A |An )?[A-Z][\w'’-]*(?:\s+[A-Za-z][\w'’-]*){0,5})[.,!?]?[\"”]")


def _works_named_in_openings(structured: Sequence[tuple], opening: set[int]) -> dict[str, frozenset[str]]:
    """The terms of a work a story names in quotes in its first two sentences
    ("There are no car chases in 'The Last Light.'"), by document: the story is
    about that work, and "The film" later on is it. Only one such title per
    story (two would leave "the film" unclear)."""
    titles: dict[str, list[str]] = {}
    seen: dict[int, int] = {}
    for row in structured:
        n, doc_id, text = row[0], row[1], row[4]
        if n not in opening or seen.get(n, 0) >= 2:
            continue
        seen[n] = seen.get(n, 0) + 1
        for m in _QUOTED_TITLE.finditer(text):
            if len(m.group(1).split()) >= 2:
                titles.setdefault(doc_id, [])
                if m.group(1) not in titles[doc_id]:
                    titles[doc_id].append(m.group(1))
    return {d: frozenset(terms(t[0])) for d, t in titles.items() if len(t) == 1}


def _delayed_identification(structured: Sequence[tuple], parses: Sequence[Parse | None],
                            opening: set[int]) -> dict[int, frozenset[str]]:
    """A news lede that describes its subject ("The founder of a Boston startup ...
    was sentenced Thursday to seven years") and a next paragraph that names him
    ("Derek Vance, 41, the former chief executive of CardioLume"): the names are
    the lede's context, as a reader takes them. Only an article's opening chunk,
    only a lede naming no person."""
    out: dict[int, frozenset[str]] = {}
    firsts: dict[int, int] = {}
    for i, row in enumerate(structured):
        if row[0] in opening and len(row[4].split()) >= 10:
            firsts.setdefault(row[0], i)
    for n, i in firsts.items():
        lede = parses[i]
        if lede is None or any(e.label == "PERSON" for e in lede.entities) or \
                not re.match(r"^(?:[A-Z][\w.,() -]{0,40}[—–-]+\s*)?(?:The|A|An)\s", structured[i][4]):
            continue
        nxt = next((j for j in range(i + 1, len(structured))
                    if structured[j][0] == n and structured[j][5] != structured[i][5]), None)
        if nxt is None or parses[nxt] is None:
            continue
        names = [e.text for e in parses[nxt].entities if e.label in ("PERSON", "ORG")]
        if any(e.label == "PERSON" for e in parses[nxt].entities):
            out[i] = frozenset(t for name in names for t in terms(name))
    return out


# ---------------------------------------------------------------- answering
def term_weights(q_terms: Sequence[str], idf: Callable[[str], float] | None,
                 emphasis: dict[str, float] | None = None) -> dict[str, float]:
    """How much each question term counts: rarer terms more (IDF^1.5: the
    rare words carry a question's focus), names and nouns more than verbs
    (``emphasis``, from the question's parse), and no single term more than
    a third of the whole."""
    raw = {t: (idf(t) ** 1.5 if idf else 1.0) * (emphasis or {}).get(t, 1.0) for t in q_terms}
    total = sum(raw.values())
    if len(raw) >= 3 and total:
        cap = 0.34 * total
        raw = {t: min(w, cap) for t, w in raw.items()}
    return raw


FAMILY_STEM = 6  # the shortest stem two words of one family must share
_FAMILY_ENDINGS = frozenset({"at", "ate"})  # "vaccinat(ed)" and "vaccin(e)"; not "minist(er)" and "ministeri(al)"


def same_family(held: set[str], q_terms: Sequence[str]) -> set[str]:
    """The question's terms a sentence holds in another form of the same word,
    where the stemmer leaves one longer than the other ("vaccinat" of
    "vaccinated" and "vaccin" of "vaccine"): one stem, of six letters or more,
    is the other but for a verb's "-ate"."""
    out = set()
    for t in q_terms:
        if t in held or len(t) < FAMILY_STEM or not t.isalpha():
            continue
        if any(len(h) >= FAMILY_STEM and h.isalpha() and (t[len(h):] in _FAMILY_ENDINGS and t.startswith(h) or
                                                          h[len(t):] in _FAMILY_ENDINGS and h.startswith(t))
               for h in held) or any(_noun_of_verb(t, h) or _noun_of_verb(h, t) for h in held if h.isalpha()):
            out.add(t)
    return out


def _noun_of_verb(verb: str, noun: str) -> bool:
    """"expansion" of "expand", "decision" of "decid(e)", "response" of "respond": a
    verb stem in -d and its noun in -sion/-se."""
    return len(verb) >= 5 and verb.endswith("d") and noun in (verb[:-1] + "sion", verb[:-1] + "s", verb[:-1] + "se")


def spelled_out(held: set[str], q_terms: Sequence[str], names: dict[str, set[str]] | None = None) -> set[str]:
    """The question's terms a sentence holds as an abbreviation: "the SIG" holds
    "Security Implementation Group". ``names`` maps the question's acronyms to
    the terms they stand for (by default: every run of question terms whose
    initials form a held term)."""
    out: set[str] = set()
    if names is not None:
        for acr, spelled in names.items():
            if acr in held:
                out |= spelled
        return out
    q = list(q_terms)
    for i in range(len(q)):
        for j in range(i + 2, min(len(q), i + 6) + 1):
            if "".join(t[0] for t in q[i:j]) in held:
                out.update(q[i:j])
    return out


def part_coverage(ev: Evidence, part_terms: Sequence[str], idf: Callable[[str], float] | None,
                  emphasis: dict[str, float] | None = None) -> float:
    """The weighted share of ``part_terms`` the sentence holds (its section
    heading and its paragraph's first sentence count half; the sentence
    before it counts when it opens with a pronoun)."""
    if not part_terms:
        return ev.coverage
    held = held_terms(ev.text) | acronyms(ev.text) | ev.list_terms
    if ev.anaphoric and ev.previous is not None:
        held |= set(terms(ev.previous.text))
    held |= spelled_out(held, part_terms) | same_family(held, part_terms)
    # "the illicit-finance working group" is held by "illicit finance"
    held |= {t for t in part_terms if "-" in t and t not in held and all(p in held for p in t.split("-") if p)}
    weights = term_weights(part_terms, idf, emphasis)
    total = sum(weights.values()) or 1.0
    covered = sum(w for t, w in weights.items() if t in held)
    covered += 0.5 * sum(w for t, w in weights.items() if t not in held and (t in ev.heading or t in ev.context))
    return covered / total


def predicate_held(ev: Evidence, part: QuestionAnalysis) -> bool:
    """Does the sentence use the question's main verb ("won" for "win",
    "attendees" for "attend")?"""
    if not part.predicate:
        return True
    stem_ = terms(part.predicate)
    if not stem_:
        return True
    held = _word_forms(ev)
    return stem_[0] in held or part.predicate in held or \
        any(h.startswith(stem_[0][:5]) for h in held if len(stem_[0]) >= 5)


def explains_premise(ev: Evidence, part: QuestionAnalysis, idf: Callable[[str], float] | None,
                     min_score: float) -> bool:
    """"Households that already receive 3SquaresVT do not need to apply. They
    will automatically receive a supplement ...": after a sentence that only
    restates what a why-question takes for granted, the next one, leaning on it,
    is why, causal words or not."""
    prev = ev.previous
    # ("They also agreed to ..." adds another thing done, not why the first was)
    return part.asked == "reason" and ev.anaphoric and not _ALSO.search(ev.text) and prev is not None \
        and prev.block == ev.block \
        and prev.score >= min_score and not _CAUSE.search(prev.text) and not _CAUSE.search(ev.text) \
        and part_coverage(prev, part.terms, idf, part.weights) >= RESTATES_PREMISE


def answers_part(ev: Evidence, part: QuestionAnalysis, idf: Callable[[str], float] | None,
                 min_score: float) -> float:
    """How well ``ev`` answers ``part`` (0 = it does not)."""
    follows_reason = part.asked == "reason" and ev.previous is not None and ev.previous.block == ev.block \
        and bool(_STRONG_CAUSE.search(ev.text)) and ev.previous.score >= min_score
    explains = not follows_reason and explains_premise(ev, part, idf, min_score)
    follows_reason = follows_reason or explains
    if ev.score < min_score * 0.8 and not follows_reason:
        return 0.0
    cover = part_coverage(ev, part.terms, idf, part.weights)
    asked = part.asked
    kind = KIND_OF_ASKED.get(asked)
    predicate = predicate_held(ev, part)
    if not _anchored(ev, part) or _about_the_other_side(ev, part):
        return 0.0
    if part.story_terms and not holds_own_words(ev, part, floor=0.8) and \
            not (part.asked == "list" and part.head and lists_the_head(ev, part.head)):
        return 0.0  # "Who scored?" under a story about bird flu: the headline's words found, "scored" not
    if kind == "date" and re.search(r"\b(?:what|which|exact|specific) (?:day|date)\b|\bon what day\b", part.clean, re.I):
        kind = "day"  # "on what day?": a month alone does not answer
        month = _MONTH_ONLY_RE.search(part.clean)
        if month and not re.search(rf"\b{month.group()[:3]}[a-z]*\.?\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{month.group()[:3]}",
                                   ev.text, re.I):
            return 0.0  # "what day in February?": a day in February, not "the January 23 meeting"
    if kind is not None and _HABITUAL.search(ev.text) and _SPECIFIC_EVENT.search(part.clean):
        return 0.0  # "Who will attend the February ministerial?" is not answered by who typically attends
    if kind in ("date", "day") and _PAST_QUESTION.match(part.clean) and _FUTURE.search(ev.text) \
            and not _PAST_EVENT.search(ev.text):
        return 0.0  # "When did the SIG first meet?" is not answered by when it will meet
    if kind is not None:
        # "Who released the statement?": a person, or the organization that did it
        light = part.predicate.lower() in LIGHT_VERBS
        affects = _AFFECTED.search(part.clean) is not None
        # "Where does the money come from?" -- "funded with $62 million from the federal ...": a source
        source = kind == "place" and bool(_ASKS_SOURCE.search(part.clean)) and bool(_GIVES_SOURCE.search(ev.text))
        # "What is the cap on increases?" -- "caps annual adjustments at 3.5%": a limit may be a share
        limit = kind == "money" and "percent" in ev.kinds and bool(_ASKS_LIMIT.search(part.clean))
        if kind not in ev.kinds and not (kind == "money" and _PAY_IN_TIME.search(ev.text)) and not source and \
                not limit and \
                not (kind == "person" and part.wh == "who" and (
                predicate and "organization" in ev.kinds or (predicate or light and affects) and not part.head
                and _names_a_group(ev, part.terms))):
            # "Who gets the raise?" -- "Hourly workers will get a raise": a group of people, doing it
            # ("Who is affected?": any group the story's events reach)
            return 0.0
        # "By what vote did the Senate pass ...?" -- "The Senate voted 78-21 to extend ...": the
        # thing asked for, done, stands in for the question's verb (named only, as in "completed
        # 2,880 inspections" for "how many inspections are waiting", it does not)
        names_head = bool(part.head) and ev.parse is not None and any(
            w.pos == "VERB" and terms(w.lemma) == terms(part.head) for w in ev.parse.words)
        if part.qualifiers and ev.similarity < SAME_MEANING_SIMILARITY:
            framed = _held_with_frame(ev)
            if any(noun in held_terms(ev.text) and any(t not in framed for t in before)
                   for before, noun in part.qualifiers):
                # "When will paid leave benefits begin?" -- "Benefits may be paid for weeks of
                # unemployment beginning ...": benefits, but not of the leave asked about
                return 0.0
        placing = _PLACING.search(part.clean)
        if placing:
            # "Who finished second?" -- "Tesfaye was second in 2:19:01": the place is what is asked
            # ("finished 1 minute, 52 seconds ahead" is the winner)
            if not re.search(rf"\b{placing.group(1)}\b", ev.text, re.I):
                return 0.0
            predicate = True
        # "How long a sentence did Vance receive?": "receive", "get", "have" say nothing a sentence must repeat
        if cover < 0.34 or (not predicate and not names_head and not light and cover < 0.5):
            return 0.0
        if kind == "person" and part.wh == "who" and not predicate and not names_head and not light and \
                part.predicate and ev.similarity < PARAPHRASE_SIMILARITY and not (
                    ev.parse is not None and any(e.label == "PERSON" for e in ev.parse.entities)):
            # "Who chairs the group?" -- "It brings together senior officials": no one named,
            # no one chairing ("Raymond Castillo has been named the Federal Coordinating
            # Officer" names who runs the operation in other words)
            return 0.0
        if kind == "number" and part.wh == "how much" and not ev.kinds & {"money", "percent"} and not (
                ev.parse is not None and any(e.label == "QUANTITY" for e in ev.parse.entities)):
            return 0.0  # "How much of the aid goes to Mission Firewall?" -- "three main goals" counts, measures nothing
        if part.subject_terms and ev.similarity < PARAPHRASE_SIMILARITY:
            own = held_terms(ev.text) | acronyms(ev.text) | ev.list_terms
            if ev.anaphoric and ev.previous is not None:
                own |= set(terms(ev.previous.text))
            if not any(t in own for t in part.subject_terms):
                # "How much will the whole flood recovery cost?" -- "Eligible producers may borrow
                # up to $500,000": an amount, not of the recovery
                return 0.0
        if kind == "person" and _ASKS_NAMES.search(part.clean) and \
                not (ev.parse is not None and any(e.label == "PERSON" for e in ev.parse.entities)):
            return 0.0  # "the names of the two people who died": a role ("the head of household") names no one
        if kind == "number" and "percent" in ev.kinds and not (ev.kinds & {"money"}) and \
                not _plain_number(ev.text) and not _ASKS_CHANGE.search(part.clean):
            return 0.0  # "how large", "how many": a share is not a size or a count ("by how much" asks for one)
        if kind == "number" and part.wh == "how many" and part.head and not counts(ev.text, part.head) and \
                not counts_by_ellipsis(ev, part.head):
            return 0.0  # "how many people": a number of people, not "two governments"
        # "By what date must ...?", "Until when ...?": a deadline ("by Sept. 1") beats the
        # day something else happened ("on Thursday")
        deadline = kind in ("date", "day") and bool(_ASKS_DEADLINE.search(part.clean)) and \
            bool(_GIVES_DEADLINE.search(ev.text))
        # "When do the rules take effect?" -- "the rules, which take effect Aug. 15", not the day
        # the board declared them
        deadline = deadline or kind in ("date", "day") and bool(_ASKS_EFFECT.search(part.clean)) and \
            bool(_ASKS_EFFECT.search(ev.text))
        # "By what vote ...?", "What was the score?": a tally ("78-21") is the answer
        tally = bool(_ASKS_TALLY.search(part.clean)) and bool(_TALLY.search(ev.text))
        # "Who is affected?", "Who gets the raise?": a group of people ("3,500 residents") over an official
        group = kind == "person" and part.wh == "who" and not part.head and affects and _names_a_group(ev, part.terms)
        # "How much will it cost?": what will be ("will cost about $1.4 million"), not what was
        ahead = bool(re.search(r"\bwill\b", part.clean, re.I)) and bool(_FUTURE.search(ev.text))
        # "When will it launch?" -- "The launch had been scheduled for Feb. 28": the plan replaced
        superseded = bool(re.search(r"\bwill\b", part.clean, re.I)) and bool(_SUPERSEDED.search(ev.text))
        if kind in ("date", "day") and _PAST_QUESTION.match(part.clean) and not predicate and not light and \
                part.predicate and ev.similarity < PARAPHRASE_SIMILARITY:
            # "When did Tranquil land on the moon?": a date in a sentence that tells of no landing
            # is the date of something else (the lander has not flown)
            return 0.0
        if kind in ("date", "day") and part.wh == "when":
            # "spend several days in orbit" says how long, not when; "about nine days after launch"
            # counts from the very event asked about ("When will it launch?"); "45 days after its
            # due date" is when, counted from something else
            if "day" not in ev.kinds and ev.parse is not None and all(
                    _RELATIVE_TIME.search(e.text.strip()) for e in ev.parse.entities if e.label in DATE_LABELS):
                anchors = [m.group(1) for m in _RELATIVE_ANCHOR.finditer(ev.text)]
                if not anchors or any(set(terms(a)) & set(part.terms) for a in anchors):
                    return 0.0
        # "Who collected the objects ...?", "How much had analysts expected?": the sentence
        # saying that act was done, not another done to the same things
        acts = predicate and not light and not _ASKS_TALLY.search(part.clean)
        # "Who voted against the ban?" -- "Glen Paxton, one of two no votes, said ...": the dissent
        against = says_who_dissented(ev, part)
        # "How large was the gift?" -- "a $10 million gift": the number on the thing measured
        measured = _MEASURED.match(part.clean)
        thing = measured.group(1).split()[-1].lower().removesuffix("s") if measured else ""
        sized = bool(thing) and bool(re.search(
            rf"(?:\$\s?)?\d[\d.,]*(?:\s+(?:million|billion|thousand|percent|%))?(?:[\s-]+[\w-]+){{0,2}}[\s-]+"
            rf"{re.escape(thing)}", ev.text, re.I))
        # "How big can a grant be?" asks for the most one can be: "up to a maximum of $40,000"
        sized = sized or bool(_ASKS_MOST.match(part.clean)) and bool(_GIVES_MOST.search(ev.text))
        # "How many homes did the Bell Creek Fire destroy?" -- "the 2018 Carr Fire, which destroyed ...": another fire
        other = _names_another(ev.text, part.clean)
        # "By how much did Calderon's data-center revenue rise?": the sentence saying "data-center"
        # itself, not one that has it only from the headline
        qualifiers = [t for t in part.terms if "-" in t]
        qualified = bool(qualifiers) and all(t in held_terms(ev.text) for t in qualifiers)
        if kind in ("date", "day") and _PAST_QUESTION.match(part.clean) and _ASKS_FIRST.search(part.clean) and \
                not _TELLS_FIRST.search(ev.text):
            return 0.0  # "When did the SIG first meet?" -- not "the January 23 SIG meeting", one of many
        if kind in ("date", "day") and ev.states_gap and ev.negated:
            return 0.0  # "The statement does not say how the results of the January 23 meeting will be measured"
        if other and kind in ("date", "day"):
            return 0.0  # "When is the Security Ministerial?" -- "the Security Implementation Group will meet on ..."
        return ev.score + 0.25 + 0.1 * predicate + 0.1 * acts + 0.15 * deadline + 0.2 * tally + 0.15 * group + \
            0.1 * ahead - 0.25 * superseded + 0.3 * against + 0.15 * sized - 0.3 * other + 0.1 * qualified
    if asked == "reason":
        # "has been pushed back to March 14 after engineers found a faulty valve": told with
        # the event itself, what happened just before it is why
        causal = gives_cause(ev, part)
        strong = bool(_STRONG_CAUSE.search(ev.text))
        if follows_reason:
            # "The SIG has committed to linking analytical platforms. One purpose of this
            # work is to ...": the reason follows the sentence that names what it is for
            cover = max(cover, 0.9 * part_coverage(ev.previous, part.terms, idf, part.weights))
        if cover < 0.3:
            return 0.0
        if not causal and cover < 0.55:
            return 0.0
        # (and leads it: "X aims to Y. This is meant to let Z." -- Z is why, Y what is wanted)
        return max(ev.score, ev.previous.score if follows_reason else 0.0) + 0.1 * (causal or explains) + \
            0.2 * strong + 0.05 * (follows_reason and ev.anaphoric)
    if asked == "method":
        # "How is the size of a grant worked out?" -- "Grants will cover 30 percent of ... losses, up
        # to $40,000": a share or an amount of the thing is its formula ("size" is what is asked)
        formula = bool(_ASKS_FORMULA.search(part.clean)) and ("percent" in ev.kinds or
                                                             "money" in ev.kinds and bool(_GIVES_MOST.search(ev.text)))
        # "How will the program be paid for?" -- "paid for by a payroll premium": the means, named
        # (it says little else the question says: "money the city will cover with a state grant")
        means = bool(_MEANS.search(ev.text)) and predicate and bool(_ASKS_MEANS.search(part.clean))
        if cover < (0.2 if formula or means else 0.35):
            return 0.0
        # "How do I apply?": the way in (a number to call, a site, in person, in writing) is the answer
        channel = gives_way_in(ev, part)
        # "How did the board vote?": the tally ("voted 5-2") is how
        tally = bool(_ASKS_TALLY.search(part.clean)) and bool(_TALLY.search(ev.text))
        # "How will the city pay for free buses?" asks where the money comes from: a sentence
        # naming no means ("The council voted 6-1 to eliminate fares") is context
        meansless = bool(_ASKS_PAYMENT.search(part.clean)) and not means
        return ev.score + 0.05 * bool(_METHOD.search(ev.text)) + 0.3 * channel + 0.3 * tally + 0.2 * means - \
            0.2 * meansless + \
            0.3 * formula
    if asked == "definition":
        if len(ev.text.split()) < 5:
            return 0.0  # a signature line ("Daniel Hartwell, Governor.") names a role, it does not tell who someone is
        subject = part.subject.lower()
        # ("DUA is a federal program ...": a name is defined under its initials too)
        short = initials(re.sub(r"^(?:the|a|an)\s+", "", part.subject.strip(), flags=re.I))
        says_what = defines(ev.text, subject) or bool(short) and re.search(rf"\b{short}s?\b", ev.text) is not None \
            and defines(ev.text, short)
        if not says_what and cover < 0.5:
            return 0.0
        return ev.score + 0.25 * says_what
    if asked == "yes_no":
        # "Did FEMA approve X?" is answered by what the sources say about approving X;
        # "Does X count as Y?" and "Does X have Y?" ask what X is or holds, in any verb
        predicate = predicate or part.predicate.lower() in LIGHT_VERBS
        if part.story_terms and predicate and holds_own_words(ev, part, floor=0.8):
            # "Has anyone died?" under a story: "No deaths have been reported." holds all the
            # question says itself; the headline read into it needs no repeating
            cover = max(cover, 0.55)
        if cover < 0.45 or (not predicate and cover < 0.55):
            return 0.0
        if _misses_what_is_asked_about(ev, part) or misses_the_group_asked_about(ev, part):
            # "Will ticket prices go up?" is not answered by what ticket holders can do,
            # nor "Does the rebate apply to renters?" by what homeowners can get
            return 0.0
        if part.story_terms and not holds_own_words(ev, part):
            return 0.0  # "Does it have life?": the headline's words found, "life" not
        if not predicate and _ASKS_ABOUT_AN_ACT.match(part.clean) and not _holds_verb(ev, part.predicate) and \
                not _subject_acts(ev, _actor(part)):
            # "Did FEMA approve the housing units?" is answered by what the sources say
            # FEMA did about them ("Congress has directed some funding" answers "Has
            # Congress steered funding"): "You asked for housing units" does not
            return 0.0
        if part.object_terms and ev.similarity < PARAPHRASE_SIMILARITY:
            own = held_terms(ev.text) | ev.list_terms | spelled_out(held_terms(ev.text), part.object_terms)
            if ev.anaphoric and ev.previous is not None:
                own |= set(terms(ev.previous.text))
            if not any(t in own for t in part.object_terms):
                # "Did FEMA approve the housing units?" -- "The approval announced Tuesday
                # addressed grants, loans and public assistance": an approval, not of them
                return 0.0
        # "Is it run by a single agency?" -- "It is not a single-agency body.": a
        # sentence that denies what is asked is the answer, not background to it
        denies = ev.negated and not ev.states_gap
        # "Do I have to use a contractor?" -- "work must be done by a contractor on the approved list"
        obliged = bool(_ASKS_OBLIGATION.search(part.clean)) and bool(_OBLIGES.search(ev.text))
        # "Can Orange County residents get FEMA grants now?" -- "Until then, they could not": the
        # state of things before the news is not the answer to how things are
        former = not _PAST_QUESTION_YN.match(part.clean) and bool(_FORMER_STATE.match(ev.text))
        return ev.score + 0.1 * predicate + 0.1 * denies + 0.15 * obliged - 0.25 * former
    if asked == "comparison":
        return ev.score if cover >= 0.3 else 0.0
    # list, entity, description, gist: covering the focus is the answer (a list's
    # lead-in with its items, once its items are weighed in, a little less; a sentence
    # listing the very things asked for, whatever else the question names)
    listing = asked == "list" and bool(part.head) and lists_the_head(ev, part.head)
    if cover < (0.3 if ev.introduces_list else 0.4) and not listing:
        return 0.0
    if asked == "entity" and part.head and not ev.introduces_list and not _names_something(ev, part):
        return 0.0  # "Which film won?": a sentence naming no film does not answer
    if asked == "list" and part.head and _restates_the_head(ev, part) and not ev.list_item \
            and not ev.introduces_list and not _enumerates(ev.text, part.head) and not counts(ev.text, part.head) \
            and not any(e.label in NAME_LABELS and e.text.lower() not in part.clean.lower()
                        for e in (ev.parse.entities if ev.parse else ())):
        return 0.0  # "Which cartels have been designated ...?" -- "... cartels that have been designated ..."
    wanted = {_KIND_OF_HEAD[part.head_kind]} if part.head_kind in _KIND_OF_HEAD else set()
    if wanted and part.head.lower().rstrip("s") in _SITES:
        wanted.add("place")  # "Which offices will close?" -- "offices in Austin, Texas, and Dublin"
    if wanted and part.wh == "who":
        wanted.add("organization")  # "who took part": agencies and cabinets take part too
    if asked == "list" and wanted and not wanted & ev.kinds and not ev.list_item \
            and not (cover >= 0.6 and _names_something(ev, part)) \
            and not (part.head and counts(ev.text, part.head)) and not _enumerates(ev.text, part.head):
        return 0.0  # "which agencies": a sentence naming none is not an item
    # "Who can't get a grant?": "The following are not eligible: ..." is the answer,
    # not who announced the grant
    excludes = bool(NEGATED_WH.search(part.clean)) and excludes_something(ev)
    # "What should customers do?": what they are told to do ("customers should be wary of ...")
    advice = bool(_ASKS_ADVICE.search(part.clean)) and bool(_ADVISES.search(ev.text))
    # "What charges does it expect?" -- "charges of $120 million": the thing asked for, said which
    which = asked in ("list", "entity") and says_which(ev, part)
    # ("What instruments is it carrying?" -- "The instruments include a drill ... and a camera ...": the list itself)
    against = says_who_dissented(ev, part)
    # "What measures are being considered to stop the illicit flow of fentanyl and weapons?" --
    # "Officials singled out one priority: stopping the illicit flow of fentanyl and weapons": the
    # goal said again is no measure taken toward it
    purpose = _PURPOSE.search(part.clean) if asked == "list" else None
    goal = [t for t in terms(purpose.group(1)) if t not in _LIGHT_VERB_TERMS] if purpose else []
    if len(goal) >= 3 and sum(t in held_terms(ev.text) for t in goal) >= 0.8 * len(goal):
        return 0.0
    # "What did Rubio and de la Fuente reaffirm?" -- "both sides reaffirmed the partnership":
    # what was done is told by the sentence telling of the act, not the one setting the scene
    asks_act = bool(part.predicate) and part.predicate.lower() not in LIGHT_VERBS and bool(_WHAT_DID.match(part.clean))
    unsaid_act = asks_act and not predicate
    return ev.score + 0.05 * predicate - 0.3 * unsaid_act + 0.15 * excludes + 0.2 * advice + 0.1 * which + \
        0.2 * listing + 0.3 * against


def says_who_dissented(ev: Evidence, part: QuestionAnalysis) -> bool:
    """"Who voted against ...?" answered by a sentence telling of a vote against ("one of two no votes")."""
    return bool(_ASKS_AGAINST.search(part.clean)) and bool(VOTED_AGAINST.search(ev.text))


_FORMER_STATE = re.compile(r"^\W*(?:until (?:then|now|recently|last \w+)|previously|formerly|before (?:that|then|the "
                           r"change|the amendment))\b", re.I)
_PAST_QUESTION_YN = re.compile(r"^\W*(?:did|was|were|had)\b", re.I)
_ASKS_MOST = re.compile(r"^\W*how (?:big|large|much|many|high|long)\b.*\b(?:can|could|may)\b", re.I)
_GIVES_MOST = re.compile(r"\b(?:maximum|up to|at most|no more than|capped|caps?|limit(?:ed)? (?:to|of))\b", re.I)
_PROPER_NAME = re.compile(r"\b(?:[A-Z][\w'-]+\s+){1,4}[A-Z][\w'-]+")


def _names_another(text: str, question: str) -> bool:
    """The sentence names another thing of the kind the question names ("the Carr Fire" where
    the question asks about "the Bell Creek Fire") and not the one asked about."""
    asked = [m.group() for m in _PROPER_NAME.finditer(question[1:])]
    for name in asked:
        if name in text:
            continue
        kind = name.split()[-1]
        if any(m.group().split()[-1] == kind and m.group() != name for m in _PROPER_NAME.finditer(text)):
            return True
        # "the Security Implementation Group" where the question asks about "the Security
        # Ministerial": a name that begins the same way and goes on otherwise
        first = name.split()[0]
        if first not in _NAME_OPENERS and any(
                m.group().split()[0] == first and name not in m.group() and m.group() not in name
                for m in _PROPER_NAME.finditer(text)):
            return True
    return False


_PLACING = re.compile(r"\b(?:finish(?:ed|es)?|came|come|placed?|ended up|was|were|is|are)\s+"
                      r"(second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)\b", re.I)
_BOLD_LINE = re.compile(r"^\*\*[^*]*[^*.!?:\s][\])]?\*\*$")
# A proclamation's recitals ("WHEREAS, ...") are why it orders what it orders ("NOW, THEREFORE, I ... declare")
RECITAL = re.compile(r"^\W*whereas\b", re.I)
RESOLUTION = re.compile(r"^\W*now,? therefore\b", re.I)
_ASKS_FORMULA = re.compile(r"\b(?:size|amount|value|level|rate|sum|payment|benefit|award|share)s?\b.*\b(?:worked out|"
                           r"calculated|determined|set|decided|figured out|computed|based on|arrived at)\b", re.I)
# things named by where they are
_SITES = frozenset({"office", "plant", "store", "branch", "site", "location", "facility", "factory", "warehouse",
                    "campu", "campus", "clinic", "station", "terminal", "mine", "mill", "school", "hospital"})
_PURPOSE = re.compile(r"\b(?:actions?|measures?|steps?|ways?|efforts?|initiatives?|plans?|programs?|tools?)\b"
                      r".*?\bto\s+((?:[\w'-]+\s+){2,}[\w'-]+)\s*\??$", re.I)
# "What did X do?", "What is Northfield offering?": a question about an act
_WHAT_DID = re.compile(r"^\W*what (?:did|does|do|will|would|has|have|had)\b|"
                       r"^\W*what (?:is|are|was|were) (?:[\w.'-]+ ){1,4}?[a-z]+ing\b", re.I)
_ASKS_EFFECT = re.compile(r"\b(?:take|takes|took|taking) effect\b|\b(?:go|goes|went|going) into effect\b|"
                          r"\beffective\b|\bkicks? in\b", re.I)
_ASKS_FIRST = re.compile(r"\bfirst\b", re.I)
_TELLS_FIRST = re.compile(r"\b(?:first|initial|inaugural|opening|debut|began|begun|launch(?:ed)?|founded|created|"
                          r"established|formed|set up|since)\b", re.I)
# words that open many unrelated names ("New York", "New Mexico"; "United Nations", "United States")
_NAME_OPENERS = frozenset({"New", "United", "National", "North", "South", "East", "West", "Saint", "St.", "San",
                           "Los", "Las", "The", "Federal", "State", "U.S.", "American", "International", "First"})


_MEASURED = re.compile(r"^\W*how (?:big|large|high|long|far|deep|wide|tall)\s+(?:is|was|are|were)\s+"
                       r"(?:the|a|an|this|that|its|their)\s+((?:[\w-]+\s+){0,2}?[\w-]+)"
                       r"(?=\s+(?:to|of|for|in|at|on|from|with|by)\b|\s*\?|\s*$)", re.I)
_ASKS_LIMIT = re.compile(r"\b(?:caps?|limits?|maximum|ceiling|threshold)\b", re.I)
_ASKS_AGAINST = re.compile(r"\bvot(?:e|es|ed|ing) (?:against|no)\b|\bopposed?\b|\bdissent", re.I)
_ASKS_SOURCE = re.compile(r"\b(?:comes?|came|coming) from\b", re.I)
_GIVES_SOURCE = re.compile(r"\b(?:funded|paid for|financed|backed|supplied|provided|comes?|came|drawn|raised) "
                           r"(?:\w+ ){0,4}?(?:by|with|from|through)\b", re.I)
_ASKS_OBLIGATION = re.compile(r"\b(?:have to|has to|need to|needs to|must|required to|obliged to|supposed to)\b", re.I)
_OBLIGES = re.compile(r"\b(?:must|required|requires|have to|has to|need to|needs to|only|mandatory|obliged)\b", re.I)
_ASKS_ADVICE = re.compile(r"^what (?:should|can|must|do|does|ought)\b.*\b(?:do|know|watch for|look out for)\b|"
                          r"^how (?:should|can|do|does)\b.*\bprotect\b", re.I)
_ADVISES = re.compile(r"\b(?:should|must|need to|needs to|are urged|is urged|are advised|is advised|urged|advised|"
                      r"recommend(?:s|ed)?|encourag(?:e|es|ed)|(?:is|are) asked to)\b", re.I)


NEGATED_WH = re.compile(r"^(?:who|what|which)\b.*\b(?:can't|cannot|can not|won't|isn't|aren't|doesn't|don't|not|"
                         r"ineligible)\b", re.I)
_EXCLUSION = re.compile(r"\b(?:ineligible|excluded|exempt|except|barred)\b", re.I)


def excludes_something(ev: Evidence) -> bool:
    """"... are not eligible", "excluded", "except": what a negated question ("Who can't ...?") asks for."""
    return ev.negated or bool(_EXCLUSION.search(ev.text))


# "Did X approve Y?", "Will X reach Y?": the verb is what is asked about ("Is X
# run by Y?" asks what X is, and "Does X have Y?" what X holds: no verb needed)
_ASKS_ABOUT_AN_ACT = re.compile(r"^(?:do|does|did|will|would|can|could|has|have|had)\s+"
                                r"(?!\w+\s+(?:have|has|need)\s+to\b)", re.I)
LIGHT_VERBS = frozenset({"be", "have", "do", "get", "give", "make", "take", "go", "need", "use", "include", "involve",
                          "contain", "cover", "require", "mean", "count", "say", "know", "see", "apply", "work",
                          "help", "receive", "affect", "impact", "happen", "occur"})
_LIGHT_VERB_TERMS = frozenset(t for v in LIGHT_VERBS for t in terms(v))  # as question terms are stemmed


# One of a pair the question names; the sentence (with what frames it) names only the other
_SIDES = {"women": "men", "men": "women", "girl": "boy", "boy": "girl", "femal": "male", "male": "femal"}


def _about_the_other_side(ev: Evidence, part: QuestionAnalysis) -> bool:
    """"Who finished second in the women's race?" -- "In the men's race, ... Kiprop was second":
    the question names one of a pair (women/men, girls/boys) and the sentence, read with its
    paragraph, names only the other."""
    asked = [t for t in part.terms if t in _SIDES]
    if not asked:
        return False
    held = _held_with_frame(ev)
    return all(t not in held and _SIDES[t] in held for t in asked)


def _held_with_frame(ev: Evidence) -> set[str]:
    """The terms a sentence holds with what frames it: its heading, its
    paragraph's first sentence, its list's items, and the sentence its
    pronoun leans on."""
    held = held_terms(ev.text) | acronyms(ev.text) | ev.heading | ev.context | ev.list_terms
    if ev.anaphoric and ev.previous is not None:
        held |= set(terms(ev.previous.text))
    return held


def holds_own_words(ev: Evidence, part: QuestionAnalysis, floor: float = 0.5) -> bool:
    """The sentence (with what frames it) holds the words the question itself
    names (weighing ``floor`` or more, light verbs aside), apart from the
    headline read into its pronoun."""
    own = [t for t in part.terms if t not in part.story_terms and part.weights.get(t, 1.0) >= floor
           and t not in _LIGHT_VERB_TERMS]
    held = _held_with_frame(ev)
    return all(t in held for t in own)


PARAPHRASE_SIMILARITY = 0.58  # sentence-question similarity above which other words may say the same
# ... and above which a sentence may leave out a word qualifying what the question asks about
# ("benefits" for "paid leave benefits": similar sentences about other benefits reach 0.68)
SAME_MEANING_SIMILARITY = 0.75


def _misses_what_is_asked_about(ev: Evidence, part: QuestionAnalysis) -> bool:
    """The sentence (with what frames it) holds the first noun of one of the
    question's two-noun compounds and not the second: "Ticket holders can
    exchange their tickets" says nothing of "ticket prices". A sentence that
    means much the same as the question in other words ("housing assistance"
    for "housing grants") is not held to the words."""
    if not part.compounds or ev.similarity >= PARAPHRASE_SIMILARITY:
        return False
    held = _held_with_frame(ev)
    # ("Orange County residents": "homeowners and renters in Orange County" are residents)
    groups = held & _GROUP_TERMS
    return any(mod in held and head not in held and not (head in _ANYONE and groups)
               for mod, head in part.compounds)


_GROUP_TERMS = frozenset(t for w in GROUP_NOUNS for t in terms(w))
_ANYONE = frozenset(terms("people person resident residents citizen citizens"))


def misses_the_group_asked_about(ev: Evidence, part: QuestionAnalysis) -> bool:
    """A yes/no question about a group of people ("... apply to renters?") and a
    sentence (with what frames it) about another group ("homeowners") that never
    names the one asked about. ("People" and "residents" are anyone: homeowners are residents.)"""
    groups = [t for t in part.terms if t in _GROUP_TERMS and t not in _ANYONE and part.weights.get(t, 1.0) >= 1.0]
    if not groups:
        return False
    if all(t in _held_with_frame(ev) for t in groups) or ev.parse is None:
        return False
    # another group the sentence is about ("Homeowners who ... are not eligible"), not a title ("Officer Castillo")
    return any(w.pos == "NOUN" and w.dep in ("nsubj", "nsubjpass", "dobj", "pobj", "conj")
               and (w.lemma.lower() in GROUP_NOUNS or w.text.lower() in GROUP_NOUNS)
               and not set(terms(w.text)) & (set(groups) | _ANYONE) for w in ev.parse.words)


_AFFECTED = re.compile(r"\b(?:affected|impacted|hit|hurt|helped|benefit(?:s|ed)?|get|gets|got|eligible|qualif(?:y|ies)|"
                       r"pay|pays|lose|loses|lost|displaced|evacuated)\b", re.I)


def _names_a_group(ev: Evidence, named: Sequence[str] = ()) -> bool:
    """A group of people is the subject or object of one of its verbs ("Hourly
    workers will get a raise", "open to homeowners"); not one the question
    ``named`` itself ("Who sued the city?" is not answered by "bars the city")."""
    if ev.parse is None:
        return False
    return any(w.pos == "NOUN" and (w.lemma.lower() in GROUP_NOUNS or w.text.lower() in GROUP_NOUNS)
               and w.dep in ("nsubj", "nsubjpass", "dobj", "pobj", "conj")
               and not set(terms(w.text)) <= set(named) for w in ev.parse.words)


def _actor(part: QuestionAnalysis) -> str:
    """Who or what a yes/no question asks about the act of: the words between
    its auxiliary and its verb ("Has Congress steered" gives "Congress")."""
    stem_ = (terms(part.predicate) or [""])[0]
    words_ = part.clean.split()
    for i, w in enumerate(words_[1:], 1):
        if stem_ and terms(w)[:1] == [stem_]:
            return " ".join(words_[1:i])
    return ""


def _subject_acts(ev: Evidence, actor: str) -> bool:
    """Is ``actor`` the subject of a verb in the sentence ("Congress has directed ...")?"""
    wanted = set(terms(actor))
    if not wanted or ev.parse is None:
        return False
    for i, w in enumerate(ev.parse.words):
        if w.dep in ("nsubj", "nsubjpass") and ev.parse.words[w.head].pos in ("VERB", "AUX"):
            phrase = " ".join(ev.parse.words[j].text for j in ev.parse.subtree(i))
            if wanted & (set(terms(phrase)) | acronyms(phrase)):
                return True
    return False


def _holds_verb(ev: Evidence, verb: str) -> bool:
    """The sentence uses the verb or a word built on it ("repay" for "pay")."""
    stem_ = (terms(verb) or [verb.lower()])[0]
    if len(stem_) < 3:
        return False
    return any(stem_ in h for h in _word_forms(ev))


def _word_forms(ev: Evidence) -> set[str]:
    """The sentence's terms and its words' lemmas: where a verb is looked for."""
    held = held_terms(ev.text)
    if ev.parse is not None:
        held |= {w.lemma.lower() for w in ev.parse.words}
    return held


_PAST_QUESTION = re.compile(r"^(?:when|what (?:day|date|time|year|month)|on what (?:day|date))\s+(?:did|was|were)\b", re.I)
_FUTURE = re.compile(r"\b(?:will|shall|is (?:scheduled|set|expected|due|planned) to|are (?:scheduled|set|expected|due|"
                     r"planned) to|plans? to|upcoming|next)\b", re.I)
_PAST_EVENT = re.compile(r"\b(?:met|held|took place|happened|occurred|began|started|was (?:held|signed|launched|"
                         r"announced)|were (?:held|signed))\b", re.I)
_KIND_OF_HEAD = {"organization": "organization", "place": "place", "person": "person"}
# capitalised, so the modal "may" is not May
_MONTH_ONLY_RE = re.compile(r"\b(?:" + "|".join(m.capitalize() for m in _MONTH.split("|")) + r")\b")
_HABITUAL = re.compile(r"\b(?:typically|usually|generally|normally|customarily|tend to)\b", re.I)
# a question about one occasion: its month, or what will happen
_SPECIFIC_EVENT = re.compile(_MONTH_ONLY_RE.pattern + r"|\b[Ww]ill\b|\bnext\b")  # (months by their capital: not "may")
_ANCHOR_RE = re.compile(_MONTH_ONLY_RE.pattern + r"|\b(?:19|20)\d\d\b")  # what a question pins down


def _anchored(ev: Evidence, part: QuestionAnalysis) -> bool:
    """Whatever the question pins down must hold for the sentence: a month or
    year it names ("the February ministerial") is in the sentence or what
    frames it, and a role it asks about ("Who is the ambassador?") is named."""
    held_text = " ".join([ev.text, ev.previous.text if ev.anaphoric and ev.previous else ""]).lower()
    frame = set(ev.heading) | set(ev.context)
    # a date is often set once and then held for the sentences that follow
    before, prev = [], ev.previous
    while prev is not None and len(before) < 3:
        before.append(prev.text)
        prev = prev.previous
    dated = " ".join([held_text, *before]).lower()
    own_date = bool(_MONTH_ONLY_RE.search(ev.text))  # (a year it names, "a 2016 ordinance", may be another matter)
    if own_date:
        dated = held_text  # a sentence that names its own month speaks of that one
    for m in _ANCHOR_RE.finditer(part.clean):
        word = m.group().lower().rstrip(".")
        if word not in dated and (own_date or not set(terms(word)) <= frame):
            return False
    if part.asked == "person" and part.wh == "who" and part.head and part.head_kind == "person":
        stem_ = terms(part.head)
        if stem_ and stem_[0] not in set(terms(held_text)) | frame:
            return False
    # "What did Mexico's security minister say?": what someone in that role said or did, so the
    # sentence (or the one its pronoun leans on) names the role, not "the two officials"
    actor = _ROLE_ACTS.match(part.clean)
    if actor:
        words_ = re.findall(r"[a-z']+", actor.group(1).lower())
        roles = [i for i, w in enumerate(words_) if noun_class(w) == "person" and w not in _ANY_OFFICIAL]
        if roles:
            # the role with the word that makes it one ("security minister", not "foreign minister")
            i = roles[-1]
            role = [words_[i]]
            if i > 0 and not words_[i - 1].endswith("'s") and words_[i - 1] not in DETERMINERS:
                role.insert(0, words_[i - 1])
            if not set(terms(" ".join(role))) <= set(terms(held_text)) | frame:
                return False
        saying = actor.group(2).lower() in ("say", "said", "tell", "think", "claim", "argue", "warn")
        if roles and saying and not _REPORTED.search(held_text):
            return False  # "These can include the security minister": named, but saying nothing
        # "What does NASA think of the delay?": NASA speaking ("NASA said in a statement ..."),
        # not a sentence naming NASA that someone else said ("NASA experiments ..., the company said")
        who = [t for t in terms(actor.group(1)) if t not in _ANY_OFFICIAL_TERMS]
        if saying and who and not roles and not _speaks(held_text, who):
            return False
    return True


_SPEAKER_WINDOW = 8  # words between a speaker's name and the verb that reports them ("said Joel Kearns, ... NASA's")


def _speaks(text: str, who: Sequence[str]) -> bool:
    """Is one of ``who`` (terms) named within a few words of a reporting verb?"""
    words_ = re.findall(r"[A-Za-z0-9'’-]+", text)
    stems = [set(terms(w)) for w in words_]
    said = [i for i, w in enumerate(words_) if _REPORTED.fullmatch(w)]
    return any(set(who) & stems[j] for i in said
               for j in range(max(0, i - _SPEAKER_WINDOW), min(len(words_), i + _SPEAKER_WINDOW + 1)))


# something said: a reporting verb or a quotation
_REPORTED = re.compile(r"\b(?:said|says|told|tells|stated|states|according to|argued|argues|warned|warns|added|"
                       r"noted|wrote|writes|claimed|claims|announced|announces|called for|described|reaffirmed|"
                       r"emphasi[sz]ed|acknowledged|insisted|urged|predicted|vowed|pledged|promised|asked)\b|[\"“]",
                       re.I)


# ("officials", "experts": whoever speaks for them is named otherwise -- "Fire Chief Dan Ruiz said")
_ANY_OFFICIAL = frozenset("official officials authority authorities leader leaders people person expert experts "
                          "critic critics analyst analysts observer observers someone anyone".split())
_ANY_OFFICIAL_TERMS = frozenset(terms(" ".join(_ANY_OFFICIAL)))
_ROLE_ACTS = re.compile(r"^what (?:did|does|do|has|have|had|will|would|could|can|is|was) (.{3,60}?) (say|said|tell|"
                        r"think|do|announce|claim|argue|write|propose|want|plan|decide|recommend|promise|warn|ask)\b",
                        re.I)


def _plain_number(text: str) -> bool:
    """A number in the text that is not a percentage or a date."""
    stripped = _PERCENT_RE.sub(" ", _DATE_RE.sub(" ", re.sub(r"\d+(?:\.\d+)?\s?%", " ", text)))
    return bool(re.search(r"\d", stripped))


def _names_something(ev: Evidence, part: QuestionAnalysis) -> bool:
    """Does the sentence (or the one its pronoun leans on) name something the
    question does not already name?"""
    asked_low = part.clean.lower()
    for e in [ev, ev.previous if ev.anaphoric or ev.previous is not None and ev.previous.block == ev.block else None]:
        if e is None or e.parse is None:
            continue
        if any(ent.label in NAME_LABELS and ent.text.lower() not in asked_low for ent in e.parse.entities):
            return True
        if re.search(r"[\"“][^\"”]{3,80}[\"”]", e.text):
            return True  # a quoted title
    return False


def says_which(ev: Evidence, part: QuestionAnalysis) -> bool:
    """The sentence names the thing asked for and says which ("charges of $120
    million" for "What charges ...?")."""
    return bool(part.head) and bool(set(terms(part.head)) & held_terms(ev.text)) and not _restates_the_head(ev, part)


_LISTING_VERBS = frozenset({"include", "comprise", "consist", "contain", "feature", "involve", "cover", "span"})


def lists_the_head(ev: Evidence, head: str) -> bool:
    """"The instruments include a drill ... and a camera ...": the asked-for things are the
    subject of a verb that lists them."""
    if ev.parse is None:
        return False
    wanted = set(terms(head))
    words_ = ev.parse.words
    for w in words_:
        if w.dep not in ("nsubj", "nsubjpass") or not set(terms(w.text)) & wanted:
            continue
        if words_[w.head].lemma.lower() in _LISTING_VERBS:
            return True
        # "Symptoms typically begin with a high fever, cough, runny nose and red, watery eyes": the
        # asked-for things themselves as subject, a series in what the verb says of them (not
        # "Orange County, where ...", a clause about the subject)
        rest = ev.text[w.end - words_[0].start:]
        if w.text.lower() in (head.lower(), head.lower().rstrip("s")) and not rest.lstrip().startswith(",") and \
                rest.count(",") >= 2 and re.search(r",[^,]*\b(?:and|or)\b", rest):
            return True
    return False


def _restates_the_head(ev: Evidence, part: QuestionAnalysis) -> bool:
    """The sentence speaks of the asked-for things only as the question does:
    "cartels that have been designated as Foreign Terrorist Organizations" for
    "Which cartels have been designated ...?", with no word of its own before
    the noun to say which ("the Sinaloa and Gulf cartels", "drug cartels")."""
    if ev.parse is None:
        return False
    head = set(terms(part.head))
    asked = set(terms(part.clean))
    mentions = [i for i, w in enumerate(ev.parse.words) if w.pos == "NOUN" and set(terms(w.text)) & head]
    if not mentions:
        return False
    words_ = ev.parse.words
    if lists_the_head(ev, part.head):
        return False  # "The instruments include a drill ... and a camera ...": what follows says which
    for i in mentions:
        for j, w in enumerate(words_):
            if w.head != i or j == i:
                continue
            if w.dep in ("compound", "amod", "nmod", "poss", "nummod", "appos", "conj"):
                said = w.text
            elif w.dep == "prep":  # "charges of $120 million" (a clause, "that have been designated ...", says no which)
                said = ev.parse.span_text(ev.parse.subtree(j))
            else:
                continue
            if not set(terms(said)) <= asked:
                return False
    return True


def _enumerates(text: str, head: str) -> bool:
    """Does the sentence list several of ``head`` by kind ("land, air, and
    maritime ports")? Many things asked for are common nouns, not names."""
    if not head:
        return False
    head_terms = set(terms(head))
    for m in re.finditer(r"\b(?:[\w-]+,\s+)+(?:[\w-]+,?\s+)?(?:and|or)\s+((?:[\w-]+\s+){0,2}[\w-]+)", text):
        if set(terms(m.group(1))) & head_terms:
            return True
    return False


_ASKS_DEADLINE = re.compile(r"\bby (?:what|which) (?:date|day|time|month|year)\b|\bby when\b|\buntil when\b|"
                            r"\bdeadline\b|\bhow long (?:do|does|did|will|would) .{1,60} have\b|"
                            r"\bwhen (?:is|was|are) .{0,40}\bdue\b", re.I)
_GIVES_DEADLINE = re.compile(rf"\b(?:by|until|before|through|no later than|due|"
                             rf"deadlines?(?:\s+(?:to|for)\s+[\w' -]{{1,60}}?)?(?:\s+is|\s+was|\s+of|\s+to|\s+until)?)\s+[*_]*"
                             rf"(?:(?:the )?(?:end of )?)?(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|"
                             rf"sunday),?\s+)?(?:{_MONTH})\b", re.I)
_APPLY_VERBS = frozenset({"apply", "register", "sign", "enroll", "file", "appeal", "request", "contact", "report",
                          "claim", "reach", "submit", "vote", "donate", "volunteer", "order", "book", "renew"})
_CHANNEL = re.compile(r"\b(?:by (?:calling|phone|telephone|mail|e-?mail|fax|visiting|going to)|call(?:ing)?\s+"
                      r"(?:the\s+[\w' ]{2,60}?\s+at\s+)?\(?\d{3}|\d{3}[-.)]\s?\d{3}[-.]\d{4}\b|online at|"
                      r"\bat\s+(?:www\.)?[\w-]+\.(?:gov|com|org|net|us)\b|in person\b|in writing\b|"
                      r"through the [\w' ]{2,40}(?:app|website|portal|line|center|centre)\b)", re.I)


def gives_deadline(ev: Evidence, part: QuestionAnalysis) -> bool:
    """"By when must workers apply?" -- "Applications must be filed by October 30"."""
    return KIND_OF_ASKED.get(part.asked) == "date" and bool(_ASKS_DEADLINE.search(part.clean)) and \
        bool(_GIVES_DEADLINE.search(ev.text))


def gives_way_in(ev: Evidence, part: QuestionAnalysis) -> bool:
    """"How do I apply?" -- a number to call, a website, in person, in writing."""
    return part.predicate.lower() in _APPLY_VERBS and bool(_CHANNEL.search(ev.text))


_ASKS_TALLY = re.compile(r"\b(?:what|which) (?:\w+ )?(?:vote|margin|score|tally)\b|^how did .+ vote\b|"
                         r"\bwhat (?:was|were|is) the (?:[\w-]+ ){0,2}(?:vote|score|tally|margin)s?\b", re.I)
_TALLY = re.compile(r"(?<![\d-])\d{1,3}\s?[-–]\s?\d{1,3}(?![\d-])|\b\d{1,3} to \d{1,3}\b")
_ASKS_CHANGE = re.compile(r"\bby how much\b|"
                          r"\bhow much (?:\w+ ){0,9}(?:rise|rose|risen|fall|fell|fallen|grow|grew|grown|"
                          r"shrink|shrank|shrunk|drop|dropped|increase|increased|decrease|decreased|reduce|reduced|"
                          r"cut|climb|climbed|jump|jumped|decline|declined)\b|\bwhat (?:percentage|share|proportion)\b",
                          re.I)
_ASKS_NAMES = re.compile(r"\b(?:names?|named|called)\b", re.I)


def counts(text: str, head: str) -> bool:
    """Does a number in ``text`` count ``head`` ("six agencies", "32 Mexican
    states", "4.3 million customers")? Dates, amounts of money, shares and
    "several" are not counts."""
    head_terms = set(terms(head))
    if not head_terms:
        return True
    if head_terms & _PEOPLE and CROWD.search(text):
        return True  # "a crowd of 18,204" counts people
    tokens = _DATE_RE.sub(" ", text).split()
    for i, tok in enumerate(tokens):
        if tok.startswith("$"):
            continue  # "$15 million in grants" is an amount, not a count of grants
        after = tokens[i + 1:i + 5]
        if tok.endswith("%") or (after and after[0].lower().strip(".,;:") in ("percent", "per")):
            continue  # "4 percent for businesses" is a share or a rate
        if tok.lower().strip(".,;:()\"'") == "several":
            continue  # "several businesses" does not say how many
        if _NUMBER_RE.fullmatch(tok.strip(".,;:()\"'%")) or re.match(r"^\d", tok):
            counted = set(terms(" ".join(after)))
            if head_terms & counted:
                return True
            # "how many people": "about 3,500 residents" counts people too
            if head_terms & _PEOPLE and any(w.lower().strip(".,;:") in GROUP_NOUNS for w in after[:3]):
                return True
    return False


_PEOPLE = frozenset(terms("people persons fans spectators attendees visitors"))
# "Twelve of the patients are children ... Three have been hospitalized.": a count whose noun is the sentence before's
_ELLIPTIC_COUNT = re.compile(r"^(?:about |nearly |more than |at least |only )?(?:\d[\d,]*|one|two|three|four|five|six|"
                             r"seven|eight|nine|ten|eleven|twelve|dozens|hundreds|thousands)\s+(?:have|had|has|were|"
                             r"are|was|is|remain|remained|died|will|would|may|could)\b", re.I)


def counts_by_ellipsis(ev: Evidence, head: str) -> bool:
    """"Three have been hospitalized." after a sentence about the patients: it
    counts them."""
    prev = ev.previous
    return bool(_ELLIPTIC_COUNT.match(ev.text.strip())) and prev is not None and prev.block == ev.block and \
        bool(set(terms(head)) & held_terms(prev.text))


def has_cause(text: str) -> bool:
    """Does the sentence give a cause or a purpose? ("voted to stop charging
    fines": what was voted for, not why)"""
    return any(not _COMPLEMENT_TO.search(text[:m.start()]) for m in _CAUSE.finditer(text))


def gives_cause(ev: Evidence, part: QuestionAnalysis) -> bool:
    """A cause or a purpose; or, in the sentence telling of the asked event, what
    happened just before it ("pushed back to March 14 after engineers found a
    faulty valve")."""
    return has_cause(ev.text) or bool(_AFTER_CLAUSE.search(ev.text)) and predicate_held(ev, part)


def appositive(text: str, key: str, openers: str) -> bool:
    """"Northfield, which operates ...", "Ines Valcourt, an astronomer": ``key`` (a
    regex) followed by an apposition; not a name closing an opening phrase ("In a
    study published in The Astrophysical Journal Letters, a team ..."), where what
    follows the comma is the sentence's subject."""
    for m in re.finditer(rf"{key}['’]?s?\s*(?:\([^)]*\)\s*)?,\s+({openers})\b", text, re.I):
        before = text[:m.start()]
        if _OPENING_PHRASE.match(before) and "," not in before:
            continue
        if m.group(1).lower() in ("who", "whose") and before.rstrip().endswith(" of"):
            continue  # "Marcus Oyelaran of Arizona State University, who ...": who is the scientist
        return True
    return False


_OPENING_PHRASE = re.compile(r"^\s*(?:In|At|On|For|From|With|By|After|Before|During|Under|According to|Since|"
                             r"Despite|Through|Across|Among)\b")


def defines(text: str, subject: str) -> bool:
    """"X is a ...", "X, a ...", "X (the ...) is ..." — a defining sentence."""
    if not subject:
        return False
    low = text.lower()
    key = re.escape(subject.lower().removeprefix("the ").removeprefix("a ").removeprefix("an "))
    copula = [m for m in re.finditer(rf"{key}([^.]{{0,40}}?)\b(?:is|are|was|were|refers to|means|serves as|acts as)\b"
                                     rf"\s+(?:a|an|the|one|not)\b", low)
              # "Marcus Oyelaran of Arizona State University, who was not involved", "a specialist at
              # Memorial Sloan Kettering Cancer Center who was not involved": the scientist was
              if not (re.match(r"^,?\s+who(?:se)?\b", m.group(1)) and
                      re.search(r"\b(?:of|at|from|with|for|in)$", low[:m.start()].rstrip()))]
    return bool(copula or appositive(text, key, "a|an|the")
                # news defines a new thing by its launch: "the two governments launched 'Mission Firewall: ...'"
                or re.search(rf"\b(?:launched|created|established|set up|formed|unveiled|introduced)\s+(?:a |an |the )?"
                             rf"(?:new )?[\"“']?{key}", low)
                # "SBA offers Economic Injury Disaster Loans (EIDLs) to help meet working capital needs"
                or re.search(rf"\b(?:offers|provides|makes available)\s+(?:a |an |the )?{key}s?\b[^.]{{0,30}}?\bto\b",
                             low))


def initials(name: str) -> str:
    """"Disaster Unemployment Assistance" -> "DUA": how a document goes on to name it;
    empty unless every word of the name is capitalised and there are two or more."""
    words_ = [w for w in re.split(r"[\s-]+", name.strip()) if w.lower() not in ("of", "and", "for", "the", "on", "to")]
    if len(words_) < 2 or not all(w[:1].isupper() for w in words_):
        return ""
    return "".join(w[0] for w in words_).upper()


