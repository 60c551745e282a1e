"""The answer plan: which sentences answer the question, which one leads,
what else belongs in the answer, and what the sources do not say.

For each asked element nothing answers, the plan carries a gap: a sentence of
the sources that itself says the thing has not been published (quoted and
cited), or else the service's own plain statement ("The sources do not say who
will chair the February ministerial."). A "why" question whose premise the
sources contradict leads with the cited correction; one whose premise they
never report says so and is not answered with background.

The plan is generator-neutral: the extractive generator composes it into
text, and an LLM's answer gets the same gaps and status."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from qa_service.answering.evidence import (BACK_REFERENCE, LIGHT_VERBS, NEGATED_WH, NEGATION, RECITAL, RESOLUTION,
                                          Evidence, answers_part, counts, excludes_something, predicate_held, explains_premise, gives_cause, gives_deadline, gives_way_in,
                                          holds_own_words, lists_the_head, misses_the_group_asked_about,
                                          part_coverage, says_which, says_who_dissented)
from qa_service.answering.questions import QuestionAnalysis, object_terms
from qa_service.grounding.alignment import HONORIFIC, NOT_IN_TITLES, fold, is_stated_identity
from qa_service.grounding.checker import GroundingChecker
from qa_service.language import DATE_LABELS, KIND_NOUNS, NAME_LABELS, Analyzer, Parse
from qa_service.models import Gap
from qa_service.text import acronyms, held_terms, terms


@dataclass
class PartPlan:
    """How one asked element is answered, or not."""

    analysis: QuestionAnalysis
    answer: list[Evidence] = field(default_factory=list)  # best first
    cited_gap: Evidence | None = None  # a source sentence saying it has not been published
    gap: Gap | None = None

    @property
    def answered(self) -> bool:
        return bool(self.answer)


@dataclass
class AnswerPlan:
    analysis: QuestionAnalysis
    parts: list[PartPlan]
    lead: list[Evidence] = field(default_factory=list)
    details: list[Evidence] = field(default_factory=list)
    items: list[Evidence] = field(default_factory=list)  # list questions: one bullet each
    correction: Evidence | None = None  # a false premise: the sentence that corrects it
    gaps: list[Gap] = field(default_factory=list)  # service statements (uncited) and quoted ones (cited)
    background: list[Evidence] = field(default_factory=list)  # not answered: relevant context after the gap
    relevant: bool = True  # anything in the passages bears on the question at all

    @property
    def answered(self) -> bool:
        return any(p.answered for p in self.parts) and self.correction is None and not self.premise_unreported

    premise_unreported: bool = False
    list_intro: bool = False  # the lead only introduces the list (shown as "...:")
    # "Who is Howard Ames?": "Howard Ames is State Veterinarian.", restating the title or
    # apposition the lead sentence gives the name ("said State Veterinarian Dr. Howard Ames")
    identity: str = ""

    @property
    def quality(self) -> tuple[bool, int, int]:
        """(lead answers, parts, parts answered)."""
        return bool(self.lead) and self.answered, len(self.parts), sum(p.answered for p in self.parts)


# ------------------------------------------------------------------ premises
# Words that make a statement negative without "not": "left off", "denied".
_NEGATIVE_MEANING = re.compile(r"\b(?:left (?:off|out)|excluded|denied|rejected|refused|failed|lost|missed|lacks?|"
                               r"lacking|without|cut|dropped|barred|ineligible|unable|no longer|can't|cannot|"
                               r"isn't|aren't|wasn't|weren't|don't|doesn't|didn't|won't|never|not)\b", re.I)


def _premise_check(analysis: QuestionAnalysis, evidence: Sequence[Evidence], checker: GroundingChecker,
                   idf: Callable[[str], float] | None, analyzer: Analyzer | None) -> tuple[str, Evidence | None]:
    """('supported' | 'contradicted' | 'unreported', the correcting sentence).

    A premise is usually the article's own news in other words ("the SIG is
    going after financial institutions" for "pursuing action against financial
    institutions"), so the sources telling of the same event is enough to
    answer the why. It is contradicted when the sentences that tell of the
    event give another date, place, name or role than the premise does
    ("moved to Mexico City" where they say Washington; "Mexico's president"
    where they name the foreign secretary), or say the opposite ("not eligible
    for FEMA grants"); and when the sources never tell of it but say that it
    did not happen ("does not announce ... troop deployments"), that sentence
    is the correction."""
    premise = analysis.premise or ""
    # the question's own content words: "met" in the premise is "meet" in the question
    p_terms = [t for t in analysis.terms if t in set(terms(premise)) or t in set(terms(analysis.clean))]
    if not p_terms or not evidence:
        return ("supported", None) if not p_terms else ("unreported", None)
    weights = analysis.weights
    pinned: list[tuple[str, set[str], str]] = []  # (text, its terms, entity label) the premise pins down
    if analyzer is not None:
        for ent in analyzer.parse(premise).entities:
            if ent.label not in ("ORDINAL", "CARDINAL"):
                pinned.append((ent.text, set(terms(ent.text)), ent.label))
    for role in set(p_terms) & _ROLE_TERMS:
        if not any(role in ts for _, ts, _ in pinned):
            pinned.append((role, {role}, "ROLE"))
    pinned_terms = set().union(*(ts for _, ts, _ in pinned)) if pinned else set()
    others = [t for t in p_terms if t not in pinned_terms]

    def said(ev: Evidence, words_: set[str]) -> bool:
        held = held_terms(ev.text.replace("%", " percent")) | ev.context | ev.heading  # "90%" says "90 percent"
        if ev.anaphoric and ev.previous is not None:
            held |= set(terms(ev.previous.text))
        return words_ <= held

    # Names of who or what the event is about identify it; dates, places,
    # amounts and roles are the details a false premise gets wrong.
    slot_terms = set().union(*(ts for _, ts, label in pinned if label not in _IDENTITY_LABELS)) \
        if pinned else set()

    def events_without(words_: set[str]) -> list[Evidence]:
        """The sentences that tell of the premise's event, leaving ``words_`` aside."""
        rest = [t for t in p_terms if t not in words_ and t not in slot_terms]
        if not rest:
            return []
        found = [e for e in evidence if part_coverage(e, rest, idf, weights) >= 0.5]
        return sorted(found, key=lambda e: -part_coverage(e, rest, idf, weights))[:6]

    premise_negative = bool(_NEGATIVE_MEANING.search(premise))
    # "Why did lawmakers reject the grants?" -- "Lawmakers approved the funding": the
    # sentences telling of the event say the opposite was done
    opposites = _OPPOSITE_VERBS.get((terms(analysis.predicate) or [""])[0], set())
    if opposites:
        acted = [t for t in p_terms if t not in set(terms(analysis.predicate))]
        # the opposite done to the same thing: "raised starting pay" does not deny "cutting routes"
        acted_on = object_terms(analyzer.parse(premise)) if analyzer is not None else []
        for ev in evidence:
            if opposites & held_terms(ev.text) and not ev.negated and part_coverage(ev, acted, idf, weights) >= 0.5 \
                    and all(t in held_terms(ev.text) for t in acted_on):
                return "contradicted", ev
    unsaid = False
    for _, words_, label in pinned:
        events = events_without(words_)
        if not events or any(said(e, words_) for e in events):
            continue
        if label == "ROLE" and any(said(e, {name}) for e in events for name in _holders(next(iter(words_)), evidence)):
            continue  # "the governor said" where they say "Hartwell asked": the sources call Hartwell the governor
        unsaid = True
        if label in DATE_LABELS and _DEADLINE_WORDS.search(premise):
            # "until the end of December": a deadline is corrected by the deadline, not by the day
            # something else happened
            events = sorted(events, key=lambda e: not _STATES_DEADLINE.search(e.text))
        if events[0].negated and not premise_negative and \
                part_coverage(events[0], [t for t in p_terms if t not in pinned_terms] or p_terms, idf, weights) >= 0.5:
            # "does not announce ... troop deployments"; a denial of something else the
            # sentence mentions ("no applicable insurance") corrects nothing
            return "contradicted", events[0]
        roles = [ts for _, ts, lab in pinned if lab == "ROLE"]
        if label == "ROLE" and not premise_negative:
            # "the Treasury Department is the chair" -- "No single permanent chair has been
            # publicly identified": a sentence denying there is one is the correction
            denial = next((e for e in evidence if (e.negated or e.states_gap) and words_ <= held_terms(e.text)), None)
            if denial is not None:
                return "contradicted", denial
        # the sentences about this event never say it: do they say something else in its place?
        doing = [t for t in p_terms if t not in pinned_terms and weights.get(t, 1.0) < 1.3]
        for ev in events:
            # not about what the premise says happened ("met"); a date or place the
            # event is given ("held in Washington") answers "moved to Mexico City" all the same
            if doing and part_coverage(ev, doing, idf, weights) < 0.5 and \
                    label not in DATE_LABELS and label not in ("GPE", "LOC", "FAC"):
                continue
            labels = {x.label for x in ev.parse.entities} if ev.parse is not None else set()
            if label == "ROLE":
                if "PERSON" in labels or set(terms(ev.text)) & _ROLE_TERMS:
                    return "contradicted", ev
            elif roles and not any(ts <= held_terms(ev.text) for ts in roles):
                continue  # another organisation named, but not as the chair the premise is about
            elif label in labels or (label in DATE_LABELS and labels & DATE_LABELS) or \
                    (label in ("GPE", "LOC", "FAC") and labels & {"GPE", "LOC", "FAC"}) or \
                    (label in ("ORG", "NORP") and labels & {"ORG", "NORP"}):
                return "contradicted", ev
    if unsaid:
        return "unreported", None
    events = events_without(pinned_terms)
    verb = (terms(analysis.predicate) or [""])[0]
    if _PAST_EVENT_QUESTION.match(analysis.clean) and len(verb) >= 3:
        # "Why did FEMA raise the share to 90 percent?" is not told by "the President may raise
        # the share to up to 90% when ...": what may happen is not what happened
        may_do = re.compile(rf"\b(?:may|might|could|would|can)\s+(?:\w+\s+)?{re.escape(verb[:4])}", re.I)
        events = [e for e in events if not may_do.search(e.text)]
    content = [t for t in others if weights.get(t, 1.0) < 1.3]  # verbs and nouns, not names
    if events and (not content or max(part_coverage(e, content, idf, weights) for e in events) >= 0.5):
        # the sentences telling of the event give another share or amount than the premise
        # ("The federal share is 75 percent" for "raised the share to 90 percent")
        # ("is not getting 90 percent" is borne out by it, not corrected)
        for _, words_, label in pinned:
            if label in _VALUE_LABELS and not premise_negative:
                other = next((e for e in events if e.parse is not None and not said(e, words_)
                              and any(x.label == label for x in e.parse.entities)), None)
                if other is not None:
                    return "contradicted", other
        best = events[0]
        if best.negated and not premise_negative and part_coverage(best, others, idf, weights) >= 0.6:
            return "contradicted", best  # "... can apply for the loans even though they are not eligible for FEMA grants"
        return "supported", None
    premise_negated = bool(NEGATION.search(premise))
    key_nouns = [t for t in content if weights.get(t, 1.0) >= 1.0] or content or others
    ranked = sorted(evidence, key=lambda e: -part_coverage(e, p_terms, idf, weights))
    for ev in ranked[:8]:
        # "does not announce ... troop deployments" against "the U.S. sent troops"
        if ev.negated and not premise_negated and set(key_nouns) & held_terms(ev.text) and \
                part_coverage(ev, key_nouns, idf, weights) >= 0.5:
            return "contradicted", ev
    return "unreported", None


def _opposites(*groups: tuple[str, str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for a, b in groups:
        for x, y in ((a, b), (b, a)):
            for tx in terms(x):
                out.setdefault(tx, set()).update(terms(y))
    return out


# verbs a false premise turns around ("rejected" where the sources say "approved")
_OPPOSITE_VERBS = _opposites(("approve", "reject deny veto"), ("accept", "reject decline refuse"),
                             ("ratify", "reject"), ("adopt", "reject"), ("sign", "veto"),
                             ("raise", "lower cut reduce"), ("increase", "decrease cut reduce"),
                             ("open", "close"), ("win", "lose"), ("pass", "fail defeat"), ("hire", "fire"),
                             ("expand", "shrink narrow"), ("rise", "fall"), ("grant", "deny"),
                             ("allow", "ban prohibit bar"), ("support", "oppose"), ("extend", "shorten"),
                             ("add", "remove drop"), ("lift", "impose"))
_VALUE_LABELS = frozenset({"PERCENT", "MONEY", "QUANTITY"})
_PAST_EVENT_QUESTION = re.compile(r"^(?:why|how)\s+(?:did|was|were|had)\b", re.I)
_DEADLINE_WORDS = re.compile(r"\b(?:deadline|until|due|no later than)\b", re.I)
# looser than evidence's deadline test: any sentence naming a deadline, or "by/until" a dated day
_STATES_DEADLINE = re.compile(r"\bdeadline\b|\b(?:by|until|through|no later than)\s+(?:[A-Z][a-z]{2,8}\.?\s+\d|\d)")


def _holders(role: str, evidence: Sequence[Evidence]) -> set[str]:
    """The surnames of the people the sources give ``role`` ("Governor Daniel
    Hartwell", "Hartwell, the governor"), as terms."""
    out: set[str] = set()
    for ev in evidence:
        if ev.parse is None or role not in set(terms(ev.text)):
            continue
        for ent in ev.parse.entities:
            if ent.label != "PERSON":
                continue
            before = ev.text[max(0, ent.start - 40):ent.start]
            after = ev.text[ent.end:ent.end + 40]
            # the title right before the name, or an apposition after it ("Hartwell, the
            # governor"; not "Brassard, the governor's spokeswoman")
            if re.search(rf"\b{re.escape(role)}\w*\.?\s+$", before, re.I) or \
                    re.match(rf",\s+(?:the\s+|a\s+)?(?:[\w-]+\s+)?{re.escape(role)}\w*\b(?!['’]s)", after, re.I):
                out.update(terms(ent.text)[-1:])
    return out


_IDENTITY_LABELS = frozenset({"ORG", "PERSON", "NORP", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART"})
_ROLE_TERMS = frozenset(terms("president secretary minister director chair chairman chairwoman commissioner governor "
                              "mayor ambassador administrator spokesperson spokesman spokeswoman senator judge "
                              "prime king queen chancellor ceo"))


# -------------------------------------------------------------------- plan
MODES = ("brief", "standard", "full")
_WORD_BUDGET = {"brief": 60, "standard": 150, "full": 280}
_DETAIL_LIMIT = {"brief": 1, "standard": 3, "full": 8}
REDUNDANT = 0.7


def _redundant(ev: Evidence, chosen: Sequence[Evidence]) -> bool:
    mine = set(terms(ev.text))
    if len(mine) < (3 if chosen else 2):
        return True  # (a short sentence may lead: "Three have been hospitalized.")

    def named(e: Evidence) -> set[str]:
        # (a date said more fully, "January 23, 2026" after "January 23", names nothing new)
        return {ent.text.lower() for ent in e.parse.entities if ent.label not in DATE_LABELS} \
            if e.parse is not None else set()

    for c in chosen:
        theirs = set(terms(c.text))
        # "the SIG" after "the Security Implementation Group": the same name in its initials
        theirs |= {t for t in mine if t in acronyms(c.text)}
        overlap = len(mine & theirs) / max(1, min(len(mine), len(theirs)))
        # "The Department of Defense sent ..." after "The State Department sent ...":
        # the same words about someone else are news
        # ("the bilateral Security Implementation Group" names no one new after "the SIG ... Security
        # Implementation Group (SIG)": a name counts as new only if its words are not there already)
        new_names = [n for n in named(ev) - named(c) if not set(terms(n)) <= theirs]
        limit = 0.9 if new_names else REDUNDANT
        if overlap > limit:
            return True
        # "The two governments also plan to convene a Security Ministerial in Washington, D.C. in
        # February." after "The statement announces a Security Ministerial to be held in Washington,
        # D.C. in February 2026.": every name, place and date said already, in other verbs
        # (a year added to a date says nothing new: "February 2026" after "in February")
        names = [re.sub(r"\b(?:19|20)\d\d\b", "", ent.text) for ent in ev.parse.entities
                 if ent.label in NAME_LABELS | DATE_LABELS] if ev.parse is not None else []
        if len(names) >= 2 and overlap >= 0.5 and all(set(terms(n)) <= theirs for n in names):
            return True
    return False


_WHO_IS = re.compile(r"^(who|what)(?:'s| is| was| are) (?:the )?((?:[\w.'&-]+\s?){1,6})\?*$", re.I)
# what a "What is <name>?" may be: an organisation, a programme, a law, a product, an event
_THING_LABELS = frozenset({"ORG", "PRODUCT", "LAW", "EVENT", "FAC", "WORK_OF_ART"})
_IDENTITY_CANDIDATES = 8  # the best sentences searched for one that says who the person is
# a title alone naming an office a place has one of ("Mayor Angela Whitfield": "the mayor")
_OFFICES = frozenset("governor mayor superintendent president chairman chairwoman chair chancellor commissioner sheriff "
                     "coach owner director secretary treasurer principal provost dean manager publisher editor "
                     "founder".split())
_HONORIFIC = re.compile(rf"^{HONORIFIC}$", re.I)
# a kind of organisation or thing: "firm", "maker", "operator", "nonprofit"
_KIND_HEAD = re.compile(rf"^(?:{'|'.join(sorted(KIND_NOUNS))}|[a-z]+(?:er|or|ist|man|woman|person)s?)$")


def _says_it_is(text: str, name: str) -> bool:
    """"Granite Arc Partners is a fund ...": the sentence says what the name is, in so many words."""
    return bool(re.search(rf"\b{re.escape(name)}[^.]{{0,40}}?\b(?:is|are|was|were)\s+(?:a|an|the)\b", text, re.I))


def identity_statement(ev: Evidence, name: str, surname_alone: bool = False, person: bool = True) -> str:
    """"<Name> is <title>." in the words the sentence gives the person: the
    apposition after the name ("Andrea Kowal, a researcher at Lumen Labs") or
    the title before it ("said State Veterinarian Dr. Howard Ames", "Analyst
    Mira Feldstein of Harborview Securities"); '' when it gives neither. The
    statement is one the checker accepts as a quote (alignment.is_stated_identity).
    ``surname_alone``: a mention by the surname alone counts ("Hollister, a
    nurse ..."), where the document has named the person in full before.
    ``person`` False: an organisation, programme or law, given by the kind noun
    before it ("the investment firm Granite Arc Partners": "Granite Arc Partners
    is an investment firm.") or an apposition."""
    parse = ev.parse
    if parse is None:
        return ""
    asked = set(fold(name).lower().split())
    # (every word the question names them by: "Hollister" alone may be someone else's mention)
    surname = fold(name).lower().split()[-1]
    labels = {"PERSON"} if person else _THING_LABELS
    people = [(e.start, e.end, re.sub(r"^the\s+", "", e.text, flags=re.I)) for e in parse.entities if e.label in labels and (
        asked <= set(fold(e.text).lower().split()) or surname_alone and fold(e.text).lower() == surname)]
    if not people and surname_alone:  # (the small model misses some: "Hollister, a nurse ...")
        people = [(w.start, w.end, w.text) for w in parse.words if w.pos == "PROPN" and fold(w.text).lower() == surname]
    for start, end, text in people:
        full = re.sub(rf"^{HONORIFIC}\s+", "", text, flags=re.I).strip()
        statement = ""
        # (an age may come first: "Derek Vance, 41, the former chief executive of CardioLume")
        appos = re.match(r",(?:\s+\d{1,3},)?\s+(a|an|the)\s+([^,;]+?)(?=,|;|\.(?:\s|$)|$)", parse.text[end:])
        # the apposition before the name: "and an existing investor, Solenne Ventures"
        before = re.search(r"\b(a|an|the)\s+((?:[\w'-]+\s){0,4}[\w'-]+),\s+$", parse.text[:start])
        # an office with no article before it: "bassist Theo Grant, chair of the musicians' negotiating committee"
        office = re.match(r",\s+((?:chair|chairman|chairwoman|president|director|head|founder|leader|chief|"
                          r"secretary|spokesperson|spokesman|spokeswoman|commissioner|superintendent|editor|owner)"
                          r"(?:\s+[\w'-]+){0,2}\s+of\s+[^,;]+?)(?=,|;|\.(?:\s|$)|$)", parse.text[end:])
        if appos and len(appos.group(2).split()) <= 20:
            statement = f"{full} is {appos.group(1)} {appos.group(2)}."
        elif office and len(office.group(1).split()) <= 15:
            statement = f"{full} is {office.group(1)}."
        elif before and _KIND_HEAD.search(before.group(2).split()[-1]) and \
                re.match(r"\s*(?:[,.;]|and\b|$)", parse.text[end:]):
            statement = f"{full} is {before.group(1)} {before.group(2)}."
        else:
            statement = _titled(parse, start, end, full, person=person)
        if statement and is_stated_identity(statement, [ev.text]):
            return statement
    return ""


def _titled(parse: Parse, start: int, end: int, full: str, person: bool = True) -> str:
    """"<full> is <title>." from the title words right before the name (for a
    thing, the kind of thing it is: "battery maker", "investment firm")."""
    idx = [i for i, w in enumerate(parse.words) if start <= w.start < end and w.text.lower() != "the"]
    if not idx:
        return ""
    j = idx[0] - 1
    while j >= 0 and _HONORIFIC.match(parse.words[j].text):
        j -= 1
    title: list[int] = []
    # (the small parser may make the title the head and the name its apposition:
    # "Superintendent Dr. Carla Ibsen said")
    heads_name = j >= 0 and parse.words[idx[-1]].dep == "appos" and parse.words[idx[-1]].head == j
    while j >= 0:
        w = parse.words[j]
        if j >= 2 and w.dep == "pobj" and w.head == j - 1 and parse.words[j - 1].text == "of" and \
                w.text[:1].isupper() and parse.words[j - 2].text[:1].isupper() and parse.words[j - 2].head > j:
            title[:0] = [j - 2, j - 1, j]  # "Secretary of State Marco Rubio"
            j -= 3
            continue
        if not (w.dep in ("compound", "amod", "nmod") and w.head > j or heads_name and not title) or \
                w.text.lower() in NOT_IN_TITLES or not re.match(r"^[A-Za-z][\w.&-]*$", w.text):
            break
        title.insert(0, j)
        j -= 1
    first = parse.words[title[0]].start if title else 0
    if not title or first and not parse.text[first - 1].isspace() and parse.text[first - 1] not in "\"'\u201c(":
        return ""  # ("Commissioner-elect Hollister": "elect" is a piece of the title, not one)
    if not person and not _KIND_HEAD.search(parse.words[title[-1]].text):
        return ""  # "the state Department of Labor": "state" says where, not what it is
    if all(parse.words[i].entity in ("NORP", "GPE") for i in title):
        return ""  # "Democrat Renee Hollister", "American Kara Lindholm": a party or nationality, not who they are
    words = [parse.words[i].text for i in title]
    if len(words) == 1:
        words[0] = words[0].lower()  # "Mayor Angela Whitfield": "the mayor"; "Justice Raymond Tso": "a justice"
    at_start = not parse.text[:parse.words[title[0]].start].strip(" \"'\u201c")
    # at a sentence's start a title word is capitalised anyway ("Senior guard", "Coach"); a
    # name there keeps its capital ("Ridgeway coach"), as does a title all in capitals
    if at_start and not parse.words[title[0]].entity and not (len(words) >= 2 and all(x[:1].isupper() for x in words if x not in ("of", "and", "the"))):
        words[0] = words[0].lower()
    phrase = " ".join(words)
    if len(words) == 1 and words[0] in _OFFICES:
        det = "the "
    elif words[-1][:1].isupper():
        det = ""  # an office by its title: "is State Veterinarian", "is Eau Claire Mayor"
    else:
        det = "an " if words[0][:1].lower() in "aeiou" else "a "
    after = ""
    m = re.match(r"\s+of\s+((?:the\s+)?(?:[A-Z][\w.&'-]*\s?){1,6})", parse.text[end:])
    if m:
        after = " of " + m.group(1).strip()
    return f"{full} is {det}{phrase}{after}."


_DESCRIBED = re.compile(r"^The \d+-year-old\b")


def _named_just_before(ev: Evidence) -> Evidence | None:
    """"Then Diego Ocampo found the top corner." before "The 22-year-old forward
    scored in the second minute of stoppage time ...": a sentence that gives
    someone only by description, answering "who", needs the one before it that
    names them (one person, same passage) shown first."""
    prev = ev.previous
    if not _DESCRIBED.match(ev.text) or prev is None or prev.passage != ev.passage or ev.parse is None or \
            prev.parse is None or any(e.label == "PERSON" for e in ev.parse.entities):
        return None
    people = {e.text for e in prev.parse.entities if e.label == "PERSON"}
    if not people:  # (the small model misses some names: a proper-noun subject is one)
        people = {w.text for w in prev.parse.words if w.dep == "nsubj" and w.pos == "PROPN"}
    return prev if len(people) == 1 else None


def _word_count(evs: Sequence[Evidence]) -> int:
    return sum(len(e.text.split()) for e in evs)


def _question_like(ev: Evidence) -> bool:
    return ev.text.rstrip().endswith("?")


def plan_answer(
    analysis: QuestionAnalysis,
    evidence: Sequence[Evidence],
    checker: GroundingChecker,
    *,
    idf: Callable[[str], float] | None = None,
    analyzer: Analyzer | None = None,
    mode: str = "standard",
    min_score: float = 0.35,
    gist_doc: str | None = None,
    gist_title: str = "",
    gist_of_document: bool = False,
) -> AnswerPlan:
    """What the answer will say (see the module docstring)."""
    usable = [e for e in evidence if not _question_like(e)]
    ranked = sorted(usable, key=lambda e: -e.score)
    plan = AnswerPlan(analysis, [PartPlan(p) for p in analysis.all_parts])
    plan.relevant = bool(ranked) and ranked[0].score >= min_score

    if analysis.type == "gist":
        if not analysis.topic_terms or gist_of_document:  # an article, or a document named by its title
            plan.relevant = bool(usable)
            return _plan_gist(plan, usable, mode, gist_doc, gist_title)
        # a summary of one topic ("Sum up what the SIG has done"): its most relevant sentences
        return _plan_summary(plan, ranked, analysis.topic_terms, idf, mode, min_score)

    if analysis.asked == "next" and len(analysis.all_parts) == 1:
        return _plan_next(plan, usable, idf, mode, gist_doc)

    # premises first: "Why did X happen?" is not answered with background while X is unsupported
    if analysis.premise and analysis.type in ("why", "how"):
        verdict, correction = _premise_check(analysis, usable, checker, idf, analyzer)
        if verdict != "supported":
            statement = f"The sources do not report that {analysis.premise}."
            plan.gaps.append(Gap(aspect=f"premise: {analysis.premise}", statement=statement))
            plan.premise_unreported = True
            if correction is not None:
                plan.correction = correction
            plan.background = [e for e in ranked[:3] if e.score >= min_score and e is not correction][:2]
            return plan

    for part in plan.parts:
        scored = [(answers_part(e, part.analysis, idf, min_score), e) for e in usable]
        scored = [(s, e) for s, e in scored if s > 0]
        scored.sort(key=lambda se: -se[0])
        part.answer = [e for _, e in scored]
        if part.analysis.asked == "reason":
            # a cause leads; a sentence that only restates what happened is context
            part.answer.sort(key=lambda e: not (gives_cause(e, part.analysis) or
                                                explains_premise(e, part.analysis, idf, min_score)))
            if part.answer and RESOLUTION.match(part.answer[0].text):
                # "NOW, THEREFORE, I ... declare a State of Emergency": the recitals before it
                # ("WHEREAS, the severity of this event is expected to exceed ...") are why
                recitals, prev = [], part.answer[0].previous
                while prev is not None and RECITAL.match(prev.text) and len(recitals) < 8:
                    recitals.append(prev)
                    prev = prev.previous
                # (walked back from the order, the last recital first: the one that says why it is needed)
                part.answer = [*recitals, *[e for e in part.answer if e not in recitals]]
        if scored:
            # "How do self-employed people apply for DUA?" -- "call the Department of Labor at
            # 877-...", not "self-employed people ... can apply for DUA": the way in leads; "By
            # when ...?" -- the deadline, not the day the program was announced
            top = scored[0][0]
            wanted = gives_way_in if part.analysis.asked == "method" else gives_deadline
            first = next((e for s_, e in scored if s_ >= 0.6 * top and wanted(e, part.analysis)), None)
            if first is not None:
                part.answer = [first] + [e for e in part.answer if e is not first]
        # "Any decision-making rules for that ministerial have not been published": a source
        # saying the asked thing is unpublished, far closer to the question than any sentence
        # that would answer it, is the honest answer (the weak ones only brush the subject)
        if part.answer and any(e.states_gap and e.score >= part.answer[0].score + STATED_GAP_MARGIN
                               and part_coverage(e, part.analysis.terms, idf) >= 0.5
                               and _gap_about(e, part.analysis) for e in ranked):
            part.answer = []
        # an FAQ that asks the reader's question in other words: its answer's first sentence leads
        faq = min((e for e in usable if e.answers_faq), key=lambda e: e.position, default=None)
        if faq is not None and len(plan.parts) == 1:
            part.answer = [faq] + [e for e in part.answer if e is not faq]
        if part.answered:
            continue
        gap_sentences = [e for e in ranked if e.score >= min_score and (
            # (under a story read into a pronoun: about what the question itself names)
            not part.analysis.story_terms or holds_own_words(e, part.analysis, floor=0.8)) and (
            (e.states_gap and part_coverage(e, part.analysis.terms, idf) >= 0.5 and _gap_about(e, part.analysis))
            # "How much can a business get in FEMA grants?" -- "FEMA does not provide grants for businesses."
            # (a sentence saying something else is unpublished -- "the agenda" for "where" -- is not this gap)
            or (e.negated and not (e.states_gap and not _gap_about(e, part.analysis))
                and part_coverage(e, _premise_terms(part.analysis), idf, part.analysis.weights) >= 0.6
                and not misses_the_group_asked_about(e, part.analysis)
                # "how many businesses": a denial about something else ("a loan may not exceed
                # $2 million") is not the gap; it must name what is asked about itself
                and set(terms(part.analysis.head)) <= set(terms(e.text))))]
        # "The group works as a co-led mechanism, not as ..." holds "chair" only through the
        # sentence before it, "No single permanent chair has been publicly identified": that one is the gap
        leaned_on = [e.previous if e.anaphoric and e.previous is not None and e.previous.states_gap and
                     _gap_about(e.previous, part.analysis) and not e.states_gap else e for e in gap_sentences]
        gap_sentences = [e for i, e in enumerate(leaned_on) if not any(e is f for f in leaned_on[:i])]
        # one that says the thing has not been published beats one that only negates
        gap_sentences.sort(key=lambda e: not e.states_gap)
        if gap_sentences:
            part.cited_gap = gap_sentences[0]
            part.gap = Gap(aspect=part.analysis.embedded or part.analysis.clean, statement=gap_sentences[0].text,
                           cited=True)
        else:
            part.gap = Gap(aspect=part.analysis.embedded or part.analysis.clean,
                           statement=part.analysis.gap_statement())
        plan.gaps.append(part.gap)

    answered = [p for p in plan.parts if p.answered]
    if not answered:
        # not answered: relevant, cited background after the gap statement
        used = {p.cited_gap.key for p in plan.parts if p.cited_gap is not None}
        # the context that comes closest: what tells this question's sentences apart, not the article's subject
        near = sorted((e for e in ranked if e.score >= min_score and e.key not in used),
                      key=lambda e: -(e.score + 0.5 * e.distinct))
        plan.background = near[:2]
        plan.background = _dedupe(plan.background)
        return plan

    if analysis.type == "list":
        return _plan_list(plan, answered[0], usable, mode)
    chosen: list[Evidence] = []
    for part in answered:
        lead = next((e for e in part.answer if not _redundant(e, chosen)), None)
        if lead is not None:
            chosen.append(lead)
    plan.lead = chosen[:1]
    if plan.lead and analysis.asked == "person" and len(plan.parts) == 1:
        named = _named_just_before(plan.lead[0])
        if named is not None:
            plan.lead = [named, plan.lead[0]]
    who = _WHO_IS.match(analysis.clean) if len(plan.parts) == 1 else None
    person = bool(who) and who.group(1).lower() == "who"
    if who and not person and (not re.search(r"[A-Z]", who.group(2)) or
                               plan.lead and _says_it_is(plan.lead[0].text, who.group(2))):
        who = None  # "What is the deadline?" names nothing; "Granite Arc is a fund ..." leads already
    if plan.lead and who:
        # the sentence that says who the person (or what the organisation) is leads, restated as
        # "<name> is <title>."
        asked = set(fold(who.group(2)).lower().split())
        named_in_full = {e.doc_id for e in usable if e.parse is not None and any(
            x.label == "PERSON" and asked <= set(fold(x.text).lower().split()) for x in e.parse.entities)}
        for ev in sorted(usable, key=lambda e: -e.score)[:_IDENTITY_CANDIDATES]:
            statement = identity_statement(ev, who.group(2), surname_alone=person and ev.doc_id in named_in_full,
                                           person=person)
            if statement:
                plan.identity = statement
                if ev is not plan.lead[0]:
                    chosen, plan.lead = [ev, *chosen], [ev]
                break
    if plan.lead and _introduces_list(plan.lead[0], usable):
        # "To qualify, a household must:" leads; its list is the answer
        plan.items = _list_of(plan.lead[0], usable)[:max(_LIST_LIMIT.get(mode, 6), 8)]
        return plan
    rest_leads = chosen[1:]
    if analysis.type == "compare" and len(analysis.sides) == 2:
        # a comparison leads with what each side is, one sentence each
        sides = _both_sides(analysis, [], [e for e in ranked if e.score >= min_score * 0.8], idf)
        if len(sides) == 2:
            plan.lead, rest_leads = [sides[0]], [sides[1]]
    budget = _WORD_BUDGET.get(mode, 150)
    limit = _DETAIL_LIMIT.get(mode, 3)
    if analysis.type == "factoid" and mode != "full":
        # a name, date or number needs one more sentence at most; "what is being done" needs more
        limit = min(limit, 2 if analysis.asked == "description" else 1)
    pool: list[Evidence] = []
    for part in answered:
        pool.extend(part.answer[1:])
    # the sentence that goes on from the lead ("It will also ...") reads on from it
    if pool and plan.lead:
        top = pool[0].score
        pool.sort(key=lambda e: 0 if e.previous is plan.lead[0] and e.score >= top - 0.05 else 1)
    # (a name, date or number is not padded out with the story's other sentences, even
    # in a suggested answer's full shape: its detail is what else answers it)
    if analysis.type in ("compare", "how", "why", "yes_no", "definition") or \
            mode == "full" and analysis.type != "factoid":
        pool.extend(e for e in ranked if e.score >= min_score)
    if analysis.type == "compare" and len(analysis.sides) == 2:
        pool = _both_sides(analysis, pool, ranked, idf) + pool
    details: list[Evidence] = list(rest_leads)
    floor = max(min_score, (plan.lead[0].score if plan.lead else 0.0) * 0.6)
    for ev in pool:
        if len(details) >= limit + len(rest_leads):
            break
        if ev in plan.lead or ev in details or ev.score < floor * 0.9 or _redundant(ev, [*plan.lead, *details]):
            continue
        if ev.text.rstrip().endswith(":"):
            continue  # a list's lead-in ("To qualify, a household must:") says nothing without its items
        if analysis.type == "factoid" and mode != "full" and len(plan.parts) == 1 and analysis.predicate and \
                analysis.predicate.lower() not in LIGHT_VERBS | _OPINION_VERBS and not predicate_held(ev, analysis):
            continue  # "When will the SIG meet?": not padded with when it was created
        if analysis.type == "factoid" and BACK_REFERENCE.search(ev.text) and ev.previous not in (*plan.lead, *details):
            # a name, date or number's one more sentence stands alone: "... occasions to take stock in this
            # way" would bring the sentence before it along
            continue
        if _word_count([*plan.lead, *details, ev]) > budget and details:
            break
        details.append(ev)
    plan.details = details
    # the parts not answered keep their gaps; a cited gap sentence joins the answer
    return plan


STATED_GAP_MARGIN = 0.15  # how much closer to the question a stated gap must be than the best answer

# "What does NASA think of the delay?": any sentence telling what NASA said or did says it
_OPINION_VERBS = frozenset({"think", "feel", "say", "react", "respond", "view", "see", "believe"})
_LIST_LIMIT = {"brief": 4, "standard": 6, "full": 8}
# the words that name what is asked for, not what the question takes for granted
_ASKED_WORDS = frozenset(terms("money amount number many much total cost price figure sum"))


def _premise_terms(analysis: QuestionAnalysis) -> list[str]:
    """The question's terms without those naming the asked element: "How much money did
    Congress give the SIG through its dedicated funding stream?" is denied by "Congress has
    not created a funding stream for the SIG", which names no money."""
    asked = _ASKED_WORDS | set(terms(analysis.head))
    return [t for t in analysis.terms if t not in asked] or analysis.terms


def _introduces_list(ev: Evidence, usable: Sequence[Evidence]) -> bool:
    return ev.text.rstrip().endswith(":") and bool(_list_of(ev, usable))


def _list_of(ev: Evidence, usable: Sequence[Evidence]) -> list[Evidence]:
    """The bullets of the list ``ev`` belongs to or introduces, in order."""
    return sorted((e for e in usable if e.block == ev.block and e.list_item and e is not ev),
                  key=lambda e: (e.doc_id, e.start))


def _plan_list(plan: AnswerPlan, part: PartPlan, usable: Sequence[Evidence], mode: str) -> AnswerPlan:
    """A list question: the paragraph or bulleted list that answers best,
    one cited item a line. Items come from one place in the sources where they
    can (the U.S. participants, not the Mexican ones), then from the next best."""
    limit = _LIST_LIMIT.get(mode, 6)
    head = plan.analysis.head
    if part.answer and says_who_dissented(part.answer[0], plan.analysis):
        # "Who voted against the ban?" -- "Board member Glen Paxton, one of two no votes, said ...":
        # the dissent, as the sources tell it, not the story's other sentences as more names
        plan.lead = [part.answer[0]]
        return plan
    if head and part.answer and lists_the_head(part.answer[0], head) and not part.answer[0].introduces_list:
        # "Symptoms typically begin with a high fever, cough, runny nose and ...": one sentence
        # lists them; the story's other sentences are not more of them
        plan.lead = [part.answer[0]]
        return plan
    by_block: dict[int, list[Evidence]] = {}
    for ev in part.answer:
        by_block.setdefault(ev.block, []).append(ev)
    best_score = max(e.score for e in part.answer)

    kind_labels = set(_KIND_LABELS.get(plan.analysis.head_kind, set()))
    if plan.analysis.wh == "who":
        kind_labels |= _KIND_LABELS["organization"]  # "who attended": agencies attend too

    def named(block: int) -> int:
        """Things of the asked kind the block names ("agencies": organizations)."""
        return sum(1 for e in usable if e.block == block and e.parse is not None
                   for ent in e.parse.entities if ent.label in kind_labels)

    # "Who can't get a grant?": the exclusions are the list, whoever announced the grant
    negated_q = bool(NEGATED_WH.search(plan.analysis.clean))

    def block_score(block: int) -> float:
        evs = by_block[block]
        excluding = negated_q and any(excludes_something(e) for e in evs)
        # (the block of the sentence that answers best, the thing asked for said which, comes first between near-equals)
        best = part.answer[0].block == block
        # ("The instruments include a drill ... and a camera ...": the things asked for, listed)
        listing = bool(plan.analysis.head) and any(lists_the_head(e, plan.analysis.head) for e in evs)
        return max(e.score for e in evs) + 0.03 * min(len(evs), 5) + 0.03 * min(named(block), 6) + \
            0.15 * excluding + 0.05 * best + 0.2 * listing

    blocks = sorted(by_block, key=lambda b: -block_score(b))
    # A bulleted list whose lead-in answers is the answer as its source gives it:
    # other paragraphs' sentences do not join its bullets.
    for b in blocks:
        if block_score(b) < 0.85 * block_score(blocks[0]):
            break
        intro_ev = next((e for e in by_block[b] if e.introduces_list), None)
        if intro_ev is not None:
            bullets = [e for e in _list_of(intro_ev, usable)]
            if bullets:
                plan.lead, plan.items, plan.list_intro = [intro_ev], bullets[:max(limit, 8)], True
                return plan
    chosen: list[Evidence] = []
    intro: Evidence | None = None
    for b in blocks:
        if chosen and block_score(b) < 0.9 * best_score:
            break
        members = sorted((e for e in usable if e.block == b), key=lambda e: (e.doc_id, e.start))
        answering = {id(e) for e in by_block[b]}
        items = [e for e in members if e.list_item]
        if items and intro is None:
            # a bulleted list: the sentence before it introduces it, the bullets are the answer
            before = [e for e in members if not e.list_item and e.start < items[0].start]
            intro = before[-1] if before else None
            picked = items
        elif id(members[0]) in answering:
            picked = members  # the paragraph's first sentence answers: the paragraph is the list
            names_someone = members[0].parse is not None and any(
                x.label == "PERSON" for x in members[0].parse.entities)
            if intro is None and not chosen and not negated_q and (
                    plan.analysis.wh == "who" and not names_someone or plan.analysis.head and
                    counts(members[0].text, plan.analysis.head)):
                # "... from at least six agencies." introduces them ("Glen Paxton, one of two no votes,
                # said ..." answers "who" itself)
                intro = members[0]
        else:
            picked = [e for e in members if id(e) in answering]
        for ev in picked:
            if not _redundant(ev, chosen) and ev is not intro:
                chosen.append(ev)
        if len(chosen) >= limit or (intro is not None and chosen):
            break  # a list its sources introduce is complete as they give it
    chosen = chosen[:limit]
    if not chosen:
        return plan
    # "In which counties ...?" -- "towns in six counties" counts them, "for Caledonia, Essex,
    # ... counties" names them: when nothing chosen names what is asked for, the sentence
    # that names most of it joins (and, naming them, leads)
    labels = kind_labels or set(NAME_LABELS)

    asked_low = plan.analysis.clean.lower()

    def names(e: Evidence) -> int:
        """Things of the asked kind the sentence names, beyond those the question names."""
        return sum(1 for ent in (e.parse.entities if e.parse else ())
                   if ent.label in labels and ent.text.lower() not in asked_low)

    # (a thing with no kind of name, said which -- "charges of $120 million" -- needs no name)
    if plan.analysis.head and not any(names(e) for e in chosen) and \
            not (not kind_labels and any(says_which(e, part.analysis) for e in chosen)):
        naming = [e for e in part.answer if names(e) >= 2 and e not in chosen and e.score >= 0.5 * best_score
                  and not e.negated]
        if naming:
            chosen.append(max(naming, key=lambda e: (names(e), e.score)))
    naming_items = [e for e in chosen if names(e)]
    if intro is not None and names(intro) >= 2 and not intro.text.rstrip().endswith(":"):
        # "The cuts will end service at four airports: Brainerd and Hibbing in Minnesota, ...":
        # a sentence counting the things and naming them is the answer, not a lead-in
        chosen = [intro, *(e for e in chosen if e is not intro)]
        intro = None
    if intro is not None and not names(intro) and len(naming_items) == 1 and names(naming_items[0]) >= 2:
        # "six counties" counts what one sentence names in full: that one leads (a lead-in
        # whose items each name one, "six agencies" then a sentence per agency, stays)
        chosen.insert(0, intro)
        intro = None
    if intro is not None:
        plan.lead = [intro]
        # (what another paragraph says is not one of the items this lead-in introduces: it follows them)
        plan.items = [e for e in chosen if e.block == intro.block or intro.list_item]
        plan.details = [e for e in chosen if e not in plan.items]
        plan.list_intro = True
        return plan
    # the sentence naming most of the things asked about leads (one saying what
    # is *not* included does not); the others are the list

    def richness(e: Evidence) -> tuple[int, float]:
        if negated_q:
            return (10 * excludes_something(e) + names(e) + e.text.count(","), e.score)
        return (names(e) + e.text.count(",") - 3 * e.negated, e.score)

    lead = max(chosen, key=richness)
    plan.lead = [lead]
    plan.items = [e for e in chosen if e is not lead and not e.text.rstrip().endswith(":")]
    def names_any(e: Evidence) -> int:
        return sum(1 for ent in (e.parse.entities if e.parse else ())
                   if ent.label in NAME_LABELS and ent.text.lower() not in asked_low)

    if names(lead) >= 2 or names_any(lead) >= 2 and not any(names(e) for e in plan.items):
        # the lead names the things ("close offices in Austin, Texas, and Dublin"); a sentence
        # naming none of them ("The last flights will operate on Sept. 5.", "It expects to record
        # charges of $120 million") is no item of the list: it follows as detail
        plan.details = [e for e in plan.items if not names_any(e)]
        plan.items = [e for e in plan.items if names_any(e)]
    if negated_q and excludes_something(lead):
        plan.items = [e for e in plan.items if excludes_something(e)]  # who is left out, not who is in
    return plan


_KIND_LABELS = {"place": {"GPE", "LOC", "FAC"}, "organization": {"ORG", "NORP"}, "person": {"PERSON"},
                "date": {"DATE"}, "money": {"MONEY"}, "number": {"CARDINAL", "QUANTITY"}}


# Words a sentence uses when it says that a thing of this kind is not known.
_GAP_WORDS = {
    "date": "date dates day when schedule scheduled timing time timeline deadline",
    "time": "time hour when schedule",
    "place": "location venue site where place held host",
    "person": "who participant participants attendee attendees attend chair chairs member members name names "
              "list official officials lead leads leader",
    "organization": "who participant participants agency agencies organization member members list",
    "number": "number figure figures how many count total estimate",
    "money": "amount amounts cost costs funding fund budget figure figures dollar dollars money price",
    "percent": "percent percentage share rate",
    "duration": "how long duration period length timeline",
    "frequency": "how often frequency schedule interval",
}


_UNSAID_WH = re.compile(r"\b(?:not|never)\b[^.;]*?\b(?:say|said|specif\w*|describ\w*|state[sd]?|indicat\w*|"
                        r"explain\w*|detail\w*|disclos\w*|reveal\w*)\s+(who|when|where|how many|how much|how long|"
                        r"how|why|whether)\b", re.I)
_WH_ASKS = {"who": {"person", "organization"}, "when": {"date", "time", "day"}, "where": {"place"},
            "how many": {"number"}, "how much": {"money", "number", "percent"}, "how long": {"duration"},
            "how": {"method", "description"}, "why": {"reason"}, "whether": {"yes_no"}}


def _unpublished_thing(ev: Evidence) -> set[str]:
    """The terms of what a passive gap sentence says is not out ("The specific attendance list
    ... has not been published" -> attendance, list); empty when it has no such subject."""
    parse = ev.parse
    if parse is None:
        return set()
    for i, w in enumerate(parse.words):
        if w.dep != "nsubjpass":
            continue
        verb = w.head
        negated = any(x.head == verb and x.dep == "neg" for x in parse.words) or \
            any(x.text.lower() in ("no", "any") and x.head == i for x in parse.words)
        if not negated:
            continue
        core = [j for j, x in enumerate(parse.words) if x.head == i and j < i and x.dep in ("compound", "amod")]
        return set(terms(" ".join(parse.words[j].text for j in [*core, i])))
    return set()


def _gap_about(ev: Evidence, part: QuestionAnalysis) -> bool:
    """Does a sentence saying something is unpublished say it of the asked
    element? "The agenda has not been published" answers "What is on the
    agenda?", not "Where will it meet?"."""
    unsaid = _UNSAID_WH.search(ev.text)
    if unsaid and unsaid.group(1).lower() in _WH_ASKS and \
            part.asked not in _WH_ASKS[unsaid.group(1).lower()]:
        return False  # "does not say how the results will be measured" is no gap about when
    words_ = _GAP_WORDS.get(part.asked)
    # "The agenda for the meeting scheduled for January 23 has not been published": what is
    # unpublished is the agenda, not the date the sentence also names
    held = _unpublished_thing(ev) or set(terms(ev.text))

    def mentions(wanted: set[str]) -> bool:
        return any(h == w or (len(w) >= 5 and h.startswith(w[:5])) for h in held for w in wanted)

    if part.head and mentions(set(terms(part.head))):
        return True
    if part.predicate and mentions(set(terms(part.predicate))):
        return True  # "Who will attend?" and "the attendance list has not been published"
    if words_ is None:
        return part.asked in ("description", "entity", "list", "method", "reason", "definition", "yes_no",
                              "comparison")
    return mentions(set(terms(words_)))


def _both_sides(analysis: QuestionAnalysis, pool: list[Evidence], ranked: list[Evidence],
                idf: Callable[[str], float] | None) -> list[Evidence]:
    """For a comparison, the best sentence about each side."""
    out = []
    all_sides = [list(dict.fromkeys(terms(side))) for side in analysis.sides]
    for i, side in enumerate(analysis.sides):
        side_terms = all_sides[i]
        others = [t for j, ts in enumerate(all_sides) if j != i for t in ts if t not in side_terms]

        def key(e: Evidence) -> tuple[bool, float]:
            own = part_coverage(e, side_terms, idf)
            # about this side (not the other), and saying what it is, rank first
            return (own >= 0.5, own - 0.5 * (part_coverage(e, others, idf) if others else 0.0)
                    + 0.3 * _says_what(e.text, side) + e.score)

        # a bullet continuing its lead-in, or the lead-in itself, says nothing alone
        whole = (e for e in ranked if e not in out and not e.text.rstrip().endswith(":")
                 and not (e.list_item and e.text[:1].islower()))
        best = max(whole, key=key, default=None)
        if best is not None and part_coverage(best, side_terms, idf) >= 0.5:
            out.append(best)
    return out


def _says_what(text: str, side: str) -> bool:
    """"The SIG is a ...", "A Security Ministerial ... is a ...": a sentence saying what a
    thing is, by its name or by its initials ("the Security Implementation Group": "SIG")."""
    name = re.sub(r"^(?:the|a|an)\s+", "", side.strip(), flags=re.I)
    keys = [re.escape(name.lower())]
    capitals = [w for w in name.split() if w[:1].isupper()]
    if len(capitals) >= 2 and len(capitals) == len(name.split()):
        keys.append(r"\b" + "".join(w[0] for w in capitals).lower() + r"\b")
    # the thing is the sentence's subject: named in its first words ("Providing false
    # information to obtain D-SNAP benefits is a crime" says what lying is)
    return any(re.search(rf"^(?:[\w'-]+\W+){{0,2}}?{key}[^.]{{0,60}}?\b(?:(?:is|are|was|were|works as|serves as|"
                         rf"acts as)\s+(?:a|an|the|described as|not)\b|provides|offers|means\b)",
                         text.lower()) for key in keys)


# An opening sentence sharing less than this share of the headline's words is an
# anecdotal or scene-setting lede ("Dana Whitcomb keeps a spiral notebook on the
# dashboard of her pickup."); the story's point is in the first sentence that
# shares at least NUT_GRAF of them (the "nut graf").
ANECDOTAL_LEDE = 0.2
NUT_GRAF = 0.3
_NEWS_LABELS = frozenset({"ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "MONEY", "PERCENT", "DATE",
                          "CARDINAL", "QUANTITY"})


# who is in the room is not what happened: "Speakers: Governor Daniel Hartwell; Raymond Castillo, ..."
_ROSTER = re.compile(r"^\W*(?:speakers|participants|present|attendees|panelists|panellists|moderators?|"
                     r"in attendance)\W*:", re.I)


def _addresses_reader(ev: Evidence) -> bool:
    """"Get your hurricane kit ready early this year.": a lede that tells the
    reader what to do (an imperative), or speaks to them and names no one, is
    a hook, not what happened."""
    words = ev.parse.words if ev.parse is not None else ()
    if words and words[0].tag == "VB" and words[0].dep == "ROOT":
        return True
    # "Rolling up your sleeve this fall won't cost you a thing.": spoken to the reader, naming no one
    if re.match(r"^\W*if you\b", ev.text, re.I):
        return True  # "If you ride the No. 4 bus across the Marsh Street bridge, ..."
    names = ev.parse is not None and any(e.label in ("PERSON", "ORG") for e in ev.parse.entities)
    return bool(re.search(r"\b(?:you|your|you're|you've|you'll)\b", ev.text, re.I)) and not names


def _plan_gist(plan: AnswerPlan, usable: list[Evidence], mode: str, gist_doc: str | None,
               title: str = "") -> AnswerPlan:
    """The gist of an article: its own opening sentences, in order (from the
    nut graf when the article opens with an anecdote)."""
    own = [e for e in usable if gist_doc is None or e.doc_id == gist_doc] or usable
    own = sorted(own, key=lambda e: (e.doc_id != (gist_doc or own[0].doc_id), e.start))
    headline = set(terms(title))
    if headline and own:
        def shared(e: Evidence) -> float:
            return len(held_terms(e.text) & headline) / len(headline)

        lede = own[0]
        # a hard-news lede names institutions, places, dates or amounts even when it
        # words the news differently from the headline; a scene names a person at most
        newsy = lede.parse is not None and any(ent.label in _NEWS_LABELS for ent in lede.parse.entities)
        if shared(lede) < ANECDOTAL_LEDE and not newsy:
            nut = next((i for i, e in enumerate(own[:12]) if shared(e) >= NUT_GRAF), None)
            if nut:
                own = own[nut:] + own[:nut]
    chosen: list[Evidence] = []
    budget = {"brief": 60, "standard": 110, "full": 200}.get(mode, 110)
    for ev in own:
        if len(ev.text.split()) < 8 or _redundant(ev, chosen) or _ROSTER.match(ev.text) or _addresses_reader(ev):
            continue
        chosen.append(ev)
        if _word_count(chosen) >= budget or len(chosen) >= (2 if mode == "brief" else 5):
            break
    plan.lead = chosen[:1]
    plan.details = chosen[1:]
    for part in plan.parts:
        part.answer = chosen[:1]
    return plan


_MONTH_NAME = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"  # "Nov.", "November"
# what will or may happen: a plan, a schedule, an expectation, a decision still open
_NEXT_STEP = re.compile(
    r"\b(?:will|would|shall|won't|plans?\s+to|planned|intends?\s+to|expects?\s+to|hopes?\s+to|"
    r"(?:is|are|was|were)\s+(?:scheduled|set|expected|due|likely|poised|slated|going)\s+to|"
    r"next\s+(?:week|month|year|steps?|phase|round|meeting|hearing|session)|later\s+this\s+(?:week|month|year)|"
    r"upcoming|consider(?:s|ing)?|appeal|pending|proceeds|deadline|in the coming|"
    r"(?:pushed back|postponed|delayed|moved|rescheduled)\s+(?:to|until|for)|"
    # a date by which to act: "Residents have until Nov. 29 to apply"
    rf"(?:until|by|through|before|no later than)\s+{_MONTH_NAME}\s+\d)", re.I)
# a schedule told in the present tense: "The new launch window opens at 1:17 a.m. on March 14"
_SCHEDULED = re.compile(r"\b(?:opens?|begins?|starts?|takes? effect|resumes?|expires?|closes?|kicks? off)\b", re.I)


_COUNTERFACTUAL = re.compile(r"\bwould have\b|\bwould(?:n't| not)? (?:much )?rather\b", re.I)
_SET_TO_HAPPEN = re.compile(r"\b(?:will|shall|won't)\b|\b(?:is|are)\s+(?:scheduled|set|expected|due|slated|poised)"
                            r"\s+to\b|\bplans?\s+to\b|\bnext\s+(?:week|month|year)\b|\bdeadline\b|"
                            r"\b(?:pushed back|postponed|delayed|moved|rescheduled)\s+(?:to|until|for)\b|"
                            rf"\b(?:until|by|no later than)\s+{_MONTH_NAME}\s+\d", re.I)
_SAID_WOULD = re.compile(r"\bsaid\s+(?:\w+\s+){0,3}would\b|\bwould\s+(?:have until|begin|start|take effect)\b", re.I)
_REPORTED_ON = re.compile(r"\b(?:said|says|announced|reported|confirmed|told [\w ]{1,30}?)\s+(?:on\s+)?(?:Monday|"
                          r"Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:\s+(?:night|morning|afternoon|"
                          r"evening))?\b")
_MONTH_DAY = re.compile(rf"\b{_MONTH_NAME}\s+\d{{1,2}}\b")
_FUTURE_TIME = re.compile(r"\bnext (?:week|month|year|spring|summer|fall|autumn|winter|season)\b|\bearly next\b|"
                          r"\blater this\b|\bin the coming\b|\bin (?:19|20)\d\d\b", re.I)
_QUOTED = re.compile(r"^[\"“']|[\"”],?\s+(?:said|says)\b")


def _next_step_weight(ev: Evidence) -> float:
    """How surely a sentence tells what comes next: set to happen ("will close on
    Feb. 24", "is scheduled to") over said to ("said she would sign it") over
    what may be ("would", "considering"); a date adds to it, a quote (an
    opinion) takes from it."""
    set_to = _SET_TO_HAPPEN.search(ev.text) or _SCHEDULED.search(ev.text) and "day" in ev.kinds
    weight = 0.4 if set_to else 0.3 if _SAID_WOULD.search(ev.text) else 0.1
    # the day it was said ("the company said on Tuesday") is not a day set for what comes
    told = _REPORTED_ON.sub(" ", ev.text)
    if _MONTH_DAY.search(told) or _FUTURE_TIME.search(told):
        weight += 0.25  # a day set ("on March 14", "next month") more than a span ("about two weeks")
    elif ev.kinds & {"date", "day"} and told == ev.text:
        weight += 0.15
    if _QUOTED.search(ev.text.strip()):
        weight -= 0.3
    return weight


def _plan_next(plan: AnswerPlan, usable: list[Evidence], idf: Callable[[str], float] | None, mode: str,
               gist_doc: str | None) -> AnswerPlan:
    """"What happens next?": the sentences saying what will or may happen (a
    plan, a date set, a decision still open), about what the question names
    ("What comes next for the ordinance?"), else from the article asked on."""
    analysis = plan.analysis
    topic = analysis.terms

    def cover(e: Evidence) -> float:
        return part_coverage(e, topic, idf, analysis.weights) if topic else 0.0

    found = [e for e in usable if (_NEXT_STEP.search(e.text) or _SCHEDULED.search(e.text) and "day" in e.kinds)
             and not _COUNTERFACTUAL.search(e.text)
             and len(e.text.split()) >= 6 and (not topic or cover(e) >= 0.3)]
    if not topic and gist_doc and any(e.doc_id == gist_doc for e in found):
        found = [e for e in found if e.doc_id == gist_doc]
    found.sort(key=lambda e: -(_next_step_weight(e) + 0.3 * e.score + 0.5 * cover(e)))
    chosen: list[Evidence] = []
    for ev in found:
        if _redundant(ev, chosen) or chosen and _next_step_weight(ev) < 0.3:
            continue  # after the lead, only what is set or said to happen
        chosen.append(ev)
        if len(chosen) >= (2 if mode == "brief" else 3):  # what happens next is rarely one thing
            break
    return _lead_with(plan, chosen)


def _lead_with(plan: AnswerPlan, chosen: list[Evidence]) -> AnswerPlan:
    """The plan of an answer that is ``chosen`` in order: the first leads and
    answers every part, the rest follow; nothing chosen, nothing relevant."""
    plan.relevant = bool(chosen)
    plan.lead = chosen[:1]
    plan.details = chosen[1:]
    for part in plan.parts:
        part.answer = chosen[:1]
    return plan


def _plan_summary(plan: AnswerPlan, ranked: list[Evidence], topic: list[str], idf: Callable[[str], float] | None,
                  mode: str, min_score: float) -> AnswerPlan:
    relevant = [e for e in ranked if e.score >= min_score * 0.9 and part_coverage(e, topic, idf) >= 0.3]
    relevant.sort(key=lambda e: -(e.score + 0.3 * part_coverage(e, topic, idf)))
    chosen: list[Evidence] = []
    budget = {"brief": 60, "standard": 130, "full": 220}.get(mode, 130)
    for ev in relevant:
        if _redundant(ev, chosen) or len(ev.text.split()) < 6:
            continue
        chosen.append(ev)
        if _word_count(chosen) >= budget or len(chosen) >= 6:
            break
    return _lead_with(plan, chosen)


def _dedupe(evs: list[Evidence]) -> list[Evidence]:
    out: list[Evidence] = []
    for e in evs:
        if not _redundant(e, out):
            out.append(e)
    return out
