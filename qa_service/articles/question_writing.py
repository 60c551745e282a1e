"""Writing the follow-up questions a reader asks next, offline, from an
article's parsed sentences (articles.reading): no model, only the
dependency parse, entities and noun chunks of each sentence.

Each proposal is written from one sentence (its *target*) and says what an
answer should hold (*expect*: the number, date or name the question asks
for), so the suggester can check that the service's answer really answers
it from that fact. The kinds:

- ``how_much``: a number in a clause becomes "How many firefighters were
  assigned to the blaze?" (the counted noun is the subject) or "How much has
  the startup raised?" (the amount is the object, do-support);
- ``next``: a clause about the future with a date becomes "When will the
  Elm Street Bridge close to all traffic?"; one without, "What comes next for
  ...?";
- ``why``: the main event of the most salient sentences becomes "Why did
  Brightwave Software cut about 1,100 jobs?";
- ``what_is``: an organisation, programme or law named in salient sentences
  becomes "What is Granite Arc Partners?", and "Who leads ...?" when a
  leader's title is next to it;
- ``affected``: a clause whose subject is a group of people becomes "Who
  will get a raise on New Year's Day?";
- ``unknown``: a sentence saying something is not known or not disclosed
  becomes "What is not yet known about the supply agreements?".

Nothing here is about one article or one site: the rules are English grammar
and the conventions of news writing. A number the headline already states is
never asked about (the headline alone answers it)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa_service.articles.reading import Reading, StorySentence
from qa_service.language import GROUP_NOUNS, KIND_NOUNS, Parse, Word, inflect
from qa_service.text import numbers, terms

KINDS = ("how_much", "what_is", "next", "affected", "why", "unknown")
# asked only when the kinds above give too few: what happened, who did it, when
FALLBACK_KIND = "detail"
MAX_WORDS = 22
FALLBACK_SENTENCES = 12  # the most salient sentences plain what/who/when questions are written from

PROGRAMME_NOUNS = frozenset("""
program programme law act bill ordinance rule regulation policy plan initiative fund grant pilot
agreement treaty framework amendment measure mandate ban moratorium scheme project system authority agency
commission council committee board task force coalition alliance partnership declaration order
""".split())
LEADER_WORDS = frozenset("""
chief head director president chair chairman chairwoman chairperson ceo executive founder co-founder commissioner
superintendent manager secretary minister governor mayor leader administrator chancellor provost dean coordinator
""".split())
CHANGE_VERBS = frozenset("""
rise fall increase decrease drop decline grow shrink climb jump gain lose cut reduce raise lower slip surge soar
plunge tumble slide sink rebound fall expand contract boost
""".split())
PRONOUNS = frozenset({"he", "she", "it", "they", "him", "her", "them", "his", "its", "their", "we", "us", "our",
                      "i", "me", "my", "you", "your", "this", "these", "those", "one"})
# a sentence saying something is not (yet) known or disclosed
UNKNOWN = re.compile(
    r"\b(?:under investigation|(?:is|are|was|were|remains?|it's|it is) (?:still )?(?:unclear|unknown|not (?:yet )?"
    r"(?:known|clear))|declined to (?:name|say|comment|disclose|specify|identify|give|provide|discuss|release)|"
    r"(?:did|does|do|would|could|will) not (?:say|disclose|name|specify|identify|release|respond|comment|provide|"
    r"give|detail)|(?:has|have|had) (?:not|yet to) (?:been )?(?:announced|released|disclosed|published|determined|"
    r"decided|identified|set|named|made public|said|responded)|not (?:been )?(?:announced|disclosed|released|made "
    r"public|determined|identified|specified)|has yet to|have yet to|remains to be seen|no (?:decision|date|"
    r"timeline|details?|estimate|cause) (?:has|have|had|was|were) (?:been )?(?:made|set|released|given|announced|"
    r"determined)|could not be reached|not immediately (?:clear|known|available|respond))\b", re.I)
_CAUSE = re.compile(r"\b(?:because|due to|owing to|as a result of|in response to|amid|citing|after|following|"
                    r"blamed|caused by|driven by|so that|in order to|to (?:help|avoid|prevent|reduce|cut|meet|"
                    r"comply|address|make|keep|pay|cover|fund))\b", re.I)
# words that give a cause or a purpose, as a "why" answer must
STRONG_CAUSE = re.compile(r"\b(?:because|due to|owing to|as a result|in order to|so that|so (?:it|they|the)|aim(?:s|ed)? "
                          r"(?:to|at)|meant to|designed to|intended to|in response to|caused by|driven by|fueled by|"
                          r"blamed|attributed|citing|cited|the reason|reasons?|to (?:comply|meet|avoid|prevent|reduce|"
                          r"cut costs|address|protect|help|make room|pay for|fund|cover|keep)|after (?:a|an|the|it|"
                          r"they|years?|months?|weeks?)\b.{0,60}\b(?:found|failed|lost|rose|fell|complain|pressure|"
                          r"push|urg|request|ask|demand|outbreak|surge|shortage|decline|drop|breach))\b", re.I)
_KEEP_DEPS = frozenset({"dobj", "prep", "prt", "attr", "acomp", "xcomp", "agent", "dative", "oprd", "neg",
                        "compound:prt"})
_SUBJ = ("nsubj", "nsubjpass")
_DATE_INTRODUCERS = frozenset({"begin", "start", "end", "effective", "run", "last", "expire", "through"})
_MODALS = frozenset({"will", "would", "can", "could", "must", "may", "might", "should", "shall"})
# what happens to people: they get, lose, face, pay, qualify ...
_UNDERGO = frozenset({"get", "receive", "lose", "face", "pay", "owe", "need", "qualify", "apply", "see", "return",
                      "evacuate", "flee", "wait", "suffer", "benefit", "earn", "keep", "gain", "miss", "struggle",
                      "remain", "stay", "move", "leave"})
_SAY = frozenset({"say", "tell", "add", "note", "argue", "write", "explain", "claim", "insist", "warn", "call",
                  "describe", "acknowledge", "recall", "ask", "suggest", "show", "find", "report", "predict",
                  "estimate", "believe", "think", "indicate", "conclude", "announce"})
_BIG_NUMBER_WORDS = frozenset({"dozen", "dozens", "hundred", "hundreds", "thousand", "thousands", "million",
                               "millions", "billion", "billions", "trillion"})
# a calendar date: what "When did ...?" can be answered with
_CALENDAR = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d|\b(?:january|"
                       r"february|march|april|june|july|august|september|october|november|december)\b|\b(?:mon|"
                       r"tues|wednes|thurs|fri|satur|sun)day\b|\b(?:19|20)\d\d\b|\blast (?:week|month|year)\b|"
                       r"\byesterday\b", re.I)
# a date that says when (not how long): a month, a weekday, a year, "next week", "this fall"
_WHEN = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b|\b(?:mon|tues|wednes|"
                   r"thurs|fri|satur|sun)day\b|\b(?:19|20)\d\d\b|\b(?:next|this|later|early|late|end of)\b|"
                   r"\b(?:tomorrow|tonight|spring|summer|fall|autumn|winter|week|weekend)\b", re.I)
_BE = frozenset({"be"})


@dataclass
class Proposal:
    """A question to try, the sentence it was written from, and what its
    answer should hold."""

    text: str
    kind: str
    target: tuple[str, int, int] | None = None  # (doc id, start, end) of the sentence it comes from
    expect: str = ""  # what the answer should say (a number, a date, a name), when known
    score: float = 0.0  # how good a question it promises to be (the target's salience)


# ----------------------------------------------------------------- parse help
class _Tree:
    """Children and phrases of one parse."""

    def __init__(self, parse: Parse, context: str = "") -> None:
        self.p = parse
        self.context = context or parse.text
        self.kids: dict[int, list[int]] = {}
        for i, w in enumerate(parse.words):
            if w.head != i:
                self.kids.setdefault(w.head, []).append(i)

    def w(self, i: int) -> Word:
        return self.p.words[i]

    def children(self, i: int, *deps: str) -> list[int]:
        return [c for c in self.kids.get(i, []) if not deps or self.w(c).dep in deps]

    def subtree(self, i: int, skip: frozenset[str] = frozenset({"relcl", "appos", "acl", "advcl", "cc", "conj",
                                                                 "parataxis"})) -> list[int]:
        """The word and the words under it, clauses hanging off it left out;
        punctuation only inside a word ("Denver-based", "three-year"); a name
        whole ("the Food and Drug Administration" keeps "and Drug")."""
        out, todo = [], [i]
        while todo:
            j = todo.pop()
            out.append(j)
            for c in self.kids.get(j, []):
                w = self.w(c)
                if (w.dep in skip and not self._same_name(c, j)) or (w.dep == "punct" and w.tag != "HYPH"):
                    continue
                todo.append(c)
        # a name is kept whole where the parser hung its end elsewhere ("Musicians of the
        # Bayview Symphony Orchestra": "Orchestra" an apposition to "Musicians")
        for e in self.p.entities:
            inside = [k for k, w in enumerate(self.p.words) if e.start <= w.start < e.end]
            if inside and not self.w(inside[-1]).text[:1].isupper():
                continue  # a name the parser cut wrong ("the hills west of" without "Redding") is no name
            if inside and any(k in out for k in inside) and not all(k in out for k in inside) and \
                    inside[-1] < max(out) + len(inside) and min(inside) >= min(out):
                out.extend(k for k in inside if k not in out)
        return sorted(set(out))

    def _same_name(self, a: int, b: int) -> bool:
        """Are words ``a`` and ``b`` inside one named entity?"""
        wa, wb = self.w(a), self.w(b)
        return bool(wa.entity) and any(e.start <= wa.start < e.end and e.start <= wb.start < e.end
                                       for e in self.p.entities)

    def text(self, idx: Sequence[int]) -> str:
        if not idx:
            return ""
        # a phrase runs contiguously in the sentence; stop at a gap (a clause left out)
        run = [idx[0]]
        for j in idx[1:]:
            if j != run[-1] + 1:
                break
            run.append(j)
        return self.p.text[self.w(run[0]).start:self.w(run[-1]).end]

    def phrase(self, i: int, **kw: object) -> str:
        return _tidy(self.text(self.subtree(i, **kw)))  # type: ignore[arg-type]

    def subject(self, verb: int) -> int | None:
        subj = self.children(verb, *_SUBJ)
        if subj:
            return subj[0]
        w = self.w(verb)
        if w.dep in ("xcomp", "conj") and w.head != verb:
            return self.subject(w.head)  # "expects the plant to add" / "voted ... and sent": shared subject
        return None

    def auxes(self, verb: int) -> list[int]:
        return [c for c in self.children(verb, "aux", "auxpass", "neg") if c < verb]

    def mentions_number(self, idx: Sequence[int]) -> bool:
        return any(self.w(j).tag == "CD" for j in idx)


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,;:-\u2014\u2013")
    text = re.sub(r"\s+([,.;:?!%])", r"\1", text)
    return text


def _lower_first(phrase: str, parse_word: Word | None = None, context: str = "") -> str:
    """'The startup' -> 'the startup'; a common noun capitalised only because
    it opened the sentence loses its capital, a name keeps it (a word
    capitalised inside ``context`` too, or tagged or recognised as a name)."""
    if not phrase:
        return phrase
    first = phrase.split()[0]
    if first.lower() in ("the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her", "our",
                         "some", "many", "most", "all", "several", "each", "every", "about", "more", "nearly",
                         "almost", "roughly", "only", "at", "over", "under", "up", "another", "other", "both"):
        return first.lower() + phrase[len(first):]
    if parse_word is None or first.isupper():
        return phrase
    words_ = phrase.split()
    if len(words_) > 1 and words_[1][:1].isupper():
        return phrase  # "Lake Arden", "Harbor City": the next word continues a name
    if len(words_) > 1 and re.fullmatch(r"[a-z]+s", words_[1]) and not parse_word.entity:
        return first.lower() + phrase[len(first):]  # "Health officials", "County commissioners" opened a sentence
    if context and re.search(rf"(?<=[a-z,;] ){re.escape(first)}\b", context):
        return phrase  # capitalised mid-sentence as well: a name
    if context and re.search(rf"(?<=[a-z,;] ){re.escape(first.lower())}\b", context):
        return first.lower() + phrase[len(first):]  # written in lower case elsewhere: "health officials"
    if parse_word.entity in ("DATE", "TIME", "ORDINAL", "CARDINAL"):
        return first.lower() + phrase[len(first):]  # "Last year's clinics"
    if parse_word.entity or parse_word.tag in ("NNP", "NNPS"):
        return phrase
    if parse_word.tag in ("NN", "NNS", "JJ", "RB", "VBN", "VBG"):
        return first.lower() + phrase[len(first):]
    return phrase


def _who(*parts: str) -> str | None:
    """A 'Who ...?' question: the verb agrees with 'who' (singular)."""
    first, *rest = [p for p in parts if p]
    swap = {"were": "was", "are": "is", "have": "has", "do": "does"}
    if rest:
        words_ = rest[0].split(" ", 1)
        words_[0] = swap.get(words_[0], words_[0])
        rest[0] = " ".join(words_)
    return _question(first, *rest)


def _question(*parts: str) -> str | None:
    # the reader has read the article: "a wildfire" is "the wildfire" now
    parts = tuple(re.sub(r"^(?:a|an) (?=[a-z])", "the ", p) if i and p else p for i, p in enumerate(parts))
    text = _tidy(" ".join(p for p in parts if p))
    text = text.rstrip(" ?.") + "?"
    if re.search(r"[.;:!?]\s", text[:-1]) or re.search(r"\s[.,;:]", text):
        return None  # a sentence boundary or stray punctuation inside: the phrase was cut wrongly
    n = len(text.split())
    if n < 4 or n > MAX_WORDS:
        return None
    if set(re.findall(r"[a-z]+", text.lower())) & {"he", "she", "it", "they", "him", "them", "i", "we", "you"}:
        return None  # a pronoun whose person or thing the reader cannot see
    if text.count("\"") % 2 or text.count("\u201c") != text.count("\u201d") or text.count("(") != text.count(")"):
        return None
    return text[0].upper() + text[1:]


def _tail(t: _Tree, verb: int, *, drop: frozenset[int] = frozenset(), drop_dates: bool = False,
          drop_numbers: bool = False, drop_causes: bool = False, max_parts: int = 3) -> str:
    """The verb's complements after it (objects, prepositional phrases,
    particles, an infinitive), stopping at the first clause boundary; the
    subtrees in ``drop`` left out, and when asked the phrases giving a date
    ("on March 3", "in February") or holding a number."""
    removed: set[int] = set()
    for d in drop:
        removed.update(t.subtree(d, skip=frozenset()))
    for i, w in enumerate(t.p.words):
        if drop_dates and w.entity in ("DATE", "TIME") or drop_numbers and w.tag == "CD":
            j = i
            if w.entity in ("DATE", "TIME"):
                ent = next((e for e in t.p.entities if e.start <= w.start < e.end), None)
                inside = [k for k, x in enumerate(t.p.words) if ent is not None and ent.start <= x.start < ent.end]
                top = next((k for k in inside if t.w(k).head not in inside), i)
                h = t.w(top).head
                if h > top and h not in inside and t.w(h).tag.startswith("NN") and t.w(h).entity not in ("DATE", "TIME") \
                        and t.w(top).dep in ("compound", "nummod", "amod"):
                    # "a three-year contract": the date says what kind of contract; the contract stays
                    removed.update(inside)
                    continue
            # climb to the phrase that holds it: "on March 3", "for about 18 months", "Tuesday afternoon"
            while t.w(j).head != j and (t.w(j).entity in ("DATE", "TIME", "CARDINAL", "MONEY", "QUANTITY",
                                                           "PERCENT") or t.w(j).dep in ("nummod", "compound",
                                                                                        "quantmod", "advmod")):
                if t.w(t.w(j).head).tag.startswith("VB"):
                    break
                j = t.w(j).head
            if t.w(j).dep == "pobj":
                j = t.w(j).head
            h = t.w(j).head
            # "beginning July 1": the participle goes with its date ("to begin production in 2026" keeps its verb)
            if h != j and h != verb and t.w(h).tag == "VBG" and t.w(h).lemma.lower() in _DATE_INTRODUCERS:
                j = h
            if t.w(j).tag == "VBG" and t.w(j).lemma.lower() in _DATE_INTRODUCERS and j != verb:
                removed.update(t.subtree(j, skip=frozenset()))  # "beginning July 1", "starting Monday"
            elif not t.w(j).tag.startswith("VB"):
                removed.update(t.subtree(j, skip=frozenset()))
    kept: list[int] = []
    parts = 0
    for c in t.children(verb):
        if c < verb or t.w(c).dep not in _KEEP_DEPS or parts >= max_parts or c in drop:
            continue
        idx = [j for j in _with_infinitives(t, c) if j not in removed]
        if drop_causes and STRONG_CAUSE.search(_render(t, idx)):
            continue  # "due to a shortage of pilots": the answer, not the question
        stop = next((k for k, j in enumerate(idx) if t.w(j).text in (",", ";", "\u2014", "(", ":")), None)
        idx = idx if stop is None else idx[:stop]
        if t.w(c).dep == "prep" and len(idx) < 2:
            continue  # a preposition whose object was left out
        if t.w(c).dep == "prep" and t.w(c).text.lower() in ("with", "without") and (
                any(t.w(k).tag == "VBG" for k in t.children(c, "pcomp")) or
                any(t.w(k).tag == "VBG" and t.w(k).dep in ("acl", "advcl") for o in t.children(c, "pobj")
                    for k in t.children(o))):
            continue  # "with the victim's family welcoming ...": what went on around it, not part of the act
        kept.extend(idx)
        parts += bool(idx)
    return _render(t, sorted(set(kept)))


def _with_infinitives(t: _Tree, i: int) -> list[int]:
    """The subtree of ``i`` with infinitive clauses on its nouns ("the right
    to return to their job")."""
    out = t.subtree(i)
    for j in list(out):
        for c in t.children(j, "acl"):
            if any(t.w(a).text.lower() == "to" for a in t.children(c, "aux")):
                out.extend(t.subtree(c))
    return sorted(set(out))


def _render(t: _Tree, idx: Sequence[int]) -> str:
    """The words at ``idx`` with the spacing they had in the sentence."""
    out = ""
    for k, j in enumerate(idx):
        w = t.w(j)
        if k and j == idx[k - 1] + 2 and t.w(j - 1).text in ("-", "\u2013", "/") and \
                t.p.text[t.w(idx[k - 1]).end:w.start] == t.w(j - 1).text:
            out += t.w(j - 1).text  # "a 3-2 majority": the hyphen the parse hung elsewhere stays
        elif k and (j != idx[k - 1] + 1 or t.p.text[t.w(idx[k - 1]).end:w.start]):
            out += " "
        out += w.text
    return out


def _verb_group(t: _Tree, verb: int) -> tuple[str, str]:
    """(the auxiliary that moves before the subject, the rest of the verb
    group): 'has raised' -> ('has', 'raised'); 'raised' -> ('did', 'raise');
    'is scheduled to meet' keeps 'scheduled to meet' after the subject."""
    w = t.w(verb)
    auxes = t.auxes(verb)
    if not auxes and w.dep == "conj" and w.head != verb and (t.w(w.head).tag in ("VB", "VBG") or any(
            t.w(a).text.lower() == "to" for a in t.children(w.head, "aux"))):
        return "", ""  # "is expected to begin ... and produce": no tense of its own
    if not auxes and w.dep == "advcl" and w.tag == "VBG" and w.head != verb:
        first, _ = _verb_group(t, w.head)  # "grew ..., forcing residents": did ... force
        if first in ("did", "does", "do"):
            return first, w.lemma
        return (first, inflect(w.lemma, "VBN")) if first else ("", "")
    if auxes:
        first = t.w(auxes[0]).text.lower()
        if first == "to":
            return "", ""  # an infinitive: no clause to ask about
        rest = [t.w(a).text for a in auxes[1:]] + [w.text]
        return first, " ".join(rest)
    if w.lemma.lower() in _BE:
        return w.text.lower(), ""
    if w.tag == "VBD":
        return "did", w.lemma
    if w.tag == "VBZ":
        return "does", w.lemma
    if w.tag == "VBP" or w.tag == "VB" and w.dep not in ("conj", "xcomp"):
        return "do", w.lemma
    return "", ""  # (a bare verb joined to another, "is expected to begin ... and produce", has no tense of its own)


def _with_conjuncts(t: _Tree, i: int) -> str:
    """The phrase of ``i`` with the nouns joined to it ("Moderna and Merck"); clauses still left out."""
    return t.phrase(i, skip=frozenset({"relcl", "appos", "acl", "advcl", "parataxis"}))


def _subject_text(t: _Tree, subj: int) -> str | None:
    w = t.w(subj)
    if w.text.lower() in PRONOUNS or w.tag in ("PRP", "PRP$", "WDT", "WP", "EX"):
        return None
    if any(t.w(j).tag in ("WDT", "WP", "WP$") for j in t.subtree(subj)):
        return None  # "whose teams": a relative clause, not a subject a question can name
    phrase = t.phrase(subj)
    if t.children(subj, "conj") and all(t.w(c).tag in ("NN", "NNS", "NNP", "NNPS") for c in t.children(subj, "conj")):
        # "Moderna and Merck plan to start ...": both plan; "Moderna" alone would not agree with "do"
        phrase = _with_conjuncts(t, subj)
    # "The Special Commission of Inquiry into LGBTIQ Hate Crimes in New South Wales": its last
    # prepositional phrases go, one by one, until the subject is short enough to ask about
    inner = [j for j in t.subtree(subj) if j != subj]
    trailing = sorted((c for c in inner + [subj] if t.w(c).dep == "prep" and c > subj), reverse=True)
    for p in trailing:
        if not phrase or len(phrase.split()) <= 9:
            break
        cut = set(t.subtree(p))
        phrase = _tidy(t.text([j for j in t.subtree(subj) if j not in cut and j < min(cut)]))
    if not phrase or len(phrase.split()) > 9:
        return None
    return _lower_first(phrase, t.w(t.subtree(subj)[0]), t.context)


def _main_verb(t: _Tree) -> int | None:
    root = next((i for i, w in enumerate(t.p.words) if w.dep == "ROOT"), None)
    if root is None:
        return None
    if t.w(root).lemma.lower() in ("say", "tell", "announce", "report", "add", "note", "confirm", "state"):
        comp = t.children(root, "ccomp")
        if comp:
            return comp[0]  # "X said it would cut ...": the event is what was said
    return root


def _affirmed_event(s: StorySentence) -> tuple[_Tree, int] | None:
    """The parse of ``s`` and its main event's verb, when that is an action
    stated as happening (not "be", "say" or "have", not negated): what 'why'
    and the plain questions are asked about."""
    if s.parse is None:
        return None
    t = _Tree(s.parse, s.context)
    verb = _main_verb(t)
    if verb is None or not t.w(verb).tag.startswith("VB") or t.w(verb).lemma.lower() in _BE | _SAY | {"have"}:
        return None
    if any(t.w(a).dep == "neg" for a in t.auxes(verb)):
        return None
    return t, verb


def _object_follows(t: _Tree, verb: int, obj: int) -> bool:
    """English puts the object right after its verb (a particle, an adverb
    or an indirect object may come between): an object the parser found
    further on is more often a misparse ("equalized in the 64th minute
    through captain Jalen Brooks")."""
    start = t.subtree(obj)[0]
    between = [j for j in range(verb + 1, start) if t.w(j).dep not in ("prt", "advmod", "dative", "neg", "det")
               and t.w(j).head not in (verb,) + tuple(t.children(verb, "dative"))]
    return start > verb and not between


def _intransitive(t: _Tree, verb: int) -> bool:
    """A verb with a noun subject and no object says all it needs alone: "When will
    the commission report?", "When did the senator resign?"."""
    subj = t.subject(verb)
    return subj is not None and not t.children(verb, "dobj", "dative", "ccomp", "xcomp", "attr", "acomp") and \
        t.w(subj).tag in ("NN", "NNS", "NNP", "NNPS") and t.w(verb).lemma.lower() not in _BE | {"have", "do"}


def _lost_object(t: _Tree, verb: int, tail: str) -> bool:
    """The verb's object was cut out with a date or number: the question
    would ask 'When will the library hold?'"""
    return any(not re.search(rf"(?<![\w]){re.escape(t.w(o).text)}(?![\w])", tail) for o in t.children(verb, "dobj"))


def _date_on_verb(t: _Tree, verb: int, dates: Sequence[object]) -> object | None:
    """The first date of ``dates`` that belongs to ``verb``'s own clause."""
    for e in dates:
        at = next((i for i, w in enumerate(t.p.words) if e.start <= w.start < e.end), None)  # type: ignore[attr-defined]
        j = at
        while j is not None and not t.w(j).tag.startswith("VB") and t.w(j).head != j:
            j = t.w(j).head
        if j == verb:
            return e
    return None


def _resolve_subject(t: _Tree, verb: int, reading_subject: str | None) -> str | None:
    """The verb's subject as a phrase; a pronoun subject of a reported clause
    ("The startup said it has raised") takes the reporter's subject, a
    relative clause's ("the bridge, which carries") the noun it describes, and
    a participle's ("grew ..., forcing") the subject of the clause it hangs on."""
    w = t.w(verb)
    subj = t.subject(verb)
    if subj is not None and t.w(subj).tag in ("WDT", "WP") and w.dep == "relcl":
        noun = w.head
        if t.w(noun).dep not in _SUBJ + ("dobj",):
            return None  # a relative clause after a prepositional phrase may belong to either noun
        phrase = t.phrase(noun)
        return _lower_first(phrase, t.w(t.subtree(noun)[0]), t.context) if len(phrase.split()) <= 9 else None
    if subj is None and w.dep == "advcl" and w.tag in ("VBG", "VBN") and w.head != verb:
        return _resolve_subject(t, w.head, reading_subject)
    if subj is None:
        return None
    text = _subject_text(t, subj)
    if text is None and t.w(subj).text.lower() in ("it", "they") and t.w(verb).dep == "ccomp":
        outer = t.subject(t.w(verb).head)
        if outer is not None:
            return _subject_text(t, outer)
    return text or reading_subject


# --------------------------------------------------------------------- writers
def reading_title_text(title_numbers: set[str]) -> str:
    return " ".join(sorted(title_numbers))


def how_much(s: StorySentence, title_numbers: set[str]) -> list[Proposal]:
    """Questions about the numbers of a sentence."""
    if s.parse is None:
        return []
    t = _Tree(s.parse, s.context)
    out = []
    seen_heads: set[int] = set()
    for i, w in enumerate(t.p.words):
        if w.tag != "CD" or w.entity in ("DATE", "TIME", "ORDINAL"):
            continue
        if not re.search(r"\d", w.text) and w.text.lower() not in _BIG_NUMBER_WORDS:
            continue  # "two governments": too small a number to ask about
        if re.fullmatch(r"(?:19|20)\d\d", w.text):
            continue  # a year
        if numbers(w.text) & title_numbers or w.text in title_numbers:
            continue  # the headline already says it
        tally = s.parse.text[w.start:t.w(i + 2).end] if i + 2 < len(t.p.words) and t.w(i + 1).text == "-" and \
            t.w(i + 2).tag == "CD" and t.w(i + 1).start == w.end and t.w(i + 2).start == t.w(i + 1).end else ""
        if re.fullmatch(r"\d{1,3}-\d{1,3}", w.text) or tally:
            tally = tally or w.text
            seen_heads.add(i + 2)
            if tally not in reading_title_text(title_numbers):
                q = _tally_question(t, i)
                if q:
                    out.append(Proposal(q, "how_much", (s.doc_id, s.start, s.end), tally, s.salience + 0.1))
            continue
        if i + 1 < len(t.p.words) and t.w(i + 1).tag == "HYPH":
            continue  # "76-seat jets", "a 12-year-old": part of a word, not a count
        if i in seen_heads or ":" in w.text or (i and t.w(i - 1).tag in ("NNP", "NNPS") and
                                                t.w(i - 1).text[:1].isupper() and t.w(i - 1).tag != "$"):
            continue  # the other half of a tally, a clock time, a label ("Stage 2", "Route 9")
        # the number's noun (for money and amounts, the amount itself)
        head = i
        while t.w(head).dep in ("compound", "nummod", "quantmod", "advmod") and t.w(head).head != head and \
                t.w(t.w(head).head).tag in ("CD", "$", "NN", "NNS", "NNP", "NNPS") and head - t.w(head).head < 0:
            head = t.w(head).head
        if head in seen_heads:
            continue
        seen_heads.add(head)
        hw = t.w(head)
        money = hw.entity == "MONEY" or any(t.w(j).tag == "$" for j in t.subtree(head))
        percent = hw.entity == "PERCENT" or any(t.w(j).text in ("%", "percent") for j in t.subtree(head))
        if percent and hw.tag in ("NN", "NNS") and hw.text not in ("%", "percent"):
            continue  # "a 48% chance": a share of something, not an amount to ask about
        expect = _tidy(t.text([j for j in t.subtree(head) if t.w(j).tag in ("CD", "$") or
                               t.w(j).entity in ("MONEY", "PERCENT", "QUANTITY", "CARDINAL")]) or w.text)
        q = _number_question(t, head, money=money, percent=percent)
        if q:
            out.append(Proposal(q, "how_much", (s.doc_id, s.start, s.end), expect, s.salience))
    return out


# what an amount before it says the worth of ("a $2 billion deal"), not the cost of
_WORTH_NOUNS = frozenset({"deal", "settlement", "contract", "agreement", "award", "grant", "loan", "fine", "penalty",
                          "package", "investment", "offer", "bid", "acquisition", "purchase", "sale", "bond",
                          "round", "stake", "verdict", "judgment", "prize", "bonus", "donation", "gift"})


_VOTE_VERBS = frozenset({"vote", "pass", "approve", "reject", "confirm", "ratify", "adopt", "rule", "uphold",
                         "overturn", "elect", "endorse", "defeat"})


# what a company or a government reports for a period that has ended
_PERIOD_FIGURES = frozenset({"revenue", "revenues", "sale", "sales", "profit", "profits", "loss", "losses", "earnings",
                             "income", "spending", "deficit", "surplus", "turnover", "output", "growth", "ebitda"})


def _told_in_past(t: _Tree, i: int) -> bool:
    """Is the clause word ``i`` sits in told in the past? (its verb, or the verb a
    participle hangs on, in the past tense)"""
    j = i
    while not t.w(j).tag.startswith("VB") and t.w(j).head != j:
        j = t.w(j).head
    while t.w(j).tag == "VBG" and t.w(j).dep in ("advcl", "acl", "xcomp") and t.w(j).head != j:
        j = t.w(j).head  # "announced ..., reporting": the reporting was then
    w = t.w(j)
    return w.tag == "VBD" or w.tag == "VBN" and any(t.w(a).tag == "VBD" for a in t.auxes(j))


def _tally_question(t: _Tree, i: int) -> str | None:
    """'The Senate voted 78-21 to extend ...' -> 'By what vote did the Senate
    vote to extend ...?'; 'Millbrook beat Crestview 58-51' -> 'By what score
    did Millbrook beat Crestview?'"""
    verb = t.w(i).head
    if t.w(i).dep == "pobj" and t.w(verb).text.lower() == "by":
        verb = t.w(verb).head  # "won by 83 votes", "passed by 58-41"
    elif t.w(i).dep not in ("npadvmod", "dobj", "advmod", "attr", "nummod"):
        return None
    if not t.w(verb).tag.startswith("VB"):
        return None  # the tally belongs to a noun or another clause: nothing to ask it of
    subject = _resolve_subject(t, verb, None)
    first, rest = _verb_group(t, verb)
    if subject is None or not first:
        return None
    tally = frozenset(j for j in (i, i + 1, i + 2) if j < len(t.p.words))
    objects = frozenset(t.children(verb, "dobj", "npadvmod", "attr"))  # the tally is the object
    if any(t.w(o).tag == "PRP" for o in objects):
        return None  # "approved it 26-21": what "it" is the question could not say
    tail = _tail(t, verb, drop=tally | objects | frozenset(t.w(j).head for j in tally if t.w(j).tag == "CD") - {verb},
                 drop_dates=True, drop_numbers=True, max_parts=2)
    kind = "vote" if t.w(verb).lemma.lower() in _VOTE_VERBS else "score"
    if t.w(verb).lemma.lower() == "vote":
        kind = "margin"  # "By what margin did the Senate vote to extend ...?", not "By what vote ... vote"
    return _question(f"By what {kind}", first, subject, rest, tail)


def _number_question(t: _Tree, head: int, *, money: bool, percent: bool) -> str | None:
    hw = t.w(head)
    role, governor = hw.dep, hw.head
    noun = ""
    if not money and not percent and hw.tag in ("NNS", "NN"):
        mods = [c for c in t.children(head, "compound", "amod") if c < head and not t.mentions_number([c])]
        # a modifier keeps its hyphenated first half ("flu-related hospitalizations")
        words_ = sorted({j for c in mods for j in t.subtree(c) if not t.mentions_number([j])} | {head})
        noun = _render(t, words_) if words_ == list(range(words_[0], head + 1)) else \
            " ".join([t.w(c).text for c in sorted(mods)] + [hw.text])
        noun = _lower_first(noun, t.w(min(mods)) if mods else hw, t.context)
    if role == "pobj" and (money or percent) and t.w(governor).text.lower() == "of" and \
            t.w(t.w(governor).head).tag in ("NN", "NNS"):
        # "a maximum weekly benefit of $1,100": how much is the benefit?
        noun_at = t.w(governor).head
        nw = t.w(noun_at)
        if nw.lemma.lower() in GROUP_NOUNS or nw.text.lower() in GROUP_NOUNS or nw.entity or nw.text in ("%",):
            return None  # "defrauding investors of $140 million": the amount is not the investors'
        idx = [j for j in t.subtree(noun_at) if j < governor and t.w(j).dep not in ("det", "poss", "nummod")
               and t.w(j).tag not in ("DT", "PRP$")]
        if idx and not t.mentions_number(idx) and all(re.fullmatch(r"[A-Za-z-]+", t.w(j).text) for j in idx) and \
                not {t.w(j).text.lower() for j in idx} & {"than", "less", "more", "about", "up"}:
            phrase = _render(t, idx)
            plural = t.w(noun_at).tag == "NNS"
            # "reporting full-year revenues of $19.3bn" in a story told in the past: a past period's figure
            # was ("approved a rebate of $2": the rebate still is)
            past = t.w(noun_at).lemma.lower() in _PERIOD_FIGURES and _told_in_past(t, noun_at)
            be = ("were" if plural else "was") if past else ("are" if plural else "is")
            return _question(f"How much {be} the", phrase)
        return None
    if money and hw.tag in ("NN", "NNS") and hw.entity != "MONEY" and role in (*_SUBJ, "dobj", "pobj"):
        # "The $12 million project is paid for with ...", "will build a $1.6 billion plant": what it costs
        mods = [c for c in t.children(head, "compound", "amod") if c < head and not t.mentions_number(t.subtree(c))]
        thing = " ".join([t.w(c).text for c in sorted(mods)] + [hw.text])
        future = any(t.w(a).text.lower() in ("will", "would") for a in t.auxes(governor)) if \
            t.w(governor).tag.startswith("VB") else False
        if hw.lemma.lower() in _WORTH_NOUNS:
            return _question("How much", "will the" if future else "is the", thing, "be worth" if future else "worth")
        return _question("How much", "will the" if future else ("does the" if hw.tag == "NN" else "do the"),
                         thing, "cost")
    prep_at = governor
    if role == "pobj":
        prep = governor
        governor = t.w(prep).head
        if t.w(prep).text.lower() == "by" and percent:
            role = "by"
        elif t.w(prep).text.lower() in ("to", "for", "at"):
            role = "pobj:" + t.w(prep).text.lower()
        else:
            return None
    gw = t.w(governor)
    if not gw.tag.startswith("VB"):
        return None
    if gw.dep == "advcl" and gw.tag == "VBG" and t.children(gw.head, "dobj"):
        # "raised the wage ..., reaching $15": the wage reached it, not the ordinance ("grew to 4,200
        # acres, forcing 3,500 residents to evacuate": the fire forced them)
        return None
    if role in _SUBJ and noun:
        aux = [t.w(a).text for a in t.auxes(governor)]
        if not aux and gw.dep == "pcomp" and gw.tag in ("VBD", "VBN"):
            # "with 170 litres of paint spread in the lane": a participle, not a past tense
            aux = ["were" if hw.tag == "NNS" else "was"]
        tail = _tail(t, governor, drop_numbers=True, max_parts=2)
        if not tail and not any(t.w(a).dep == "auxpass" for a in t.auxes(governor)):
            return None  # "How many countries share?"
        return _question("How many", noun, *aux, gw.text, tail)
    subject = _resolve_subject(t, governor, None)
    if subject is None:
        return None
    first, rest = _verb_group(t, governor)
    if not first:
        return None
    if (role == "dobj" or role == "attr") and _object_follows(t, governor, head):
        if money and hw.entity != "MONEY" and hw.tag not in ("CD", "$"):
            return None  # "will build a $1.6 billion plant": the amount says what the plant costs, not what is built
        # the amount is the object: another "object" the parser found is an apposition to it
        others = frozenset(t.children(governor, "dobj", "attr", "npadvmod"))
        tail = _tail(t, governor, drop=others | {head}, drop_numbers=True, max_parts=1)
        if money:
            return _question("How much", first, subject, rest, tail)
        if noun:
            return _question("How many", noun, first, subject, rest, tail)
        return None
    if role in ("npadvmod", "by", "dobj") and gw.lemma.lower() in CHANGE_VERBS and (percent or noun):
        # "fell 3.4%", "has fallen 22 feet", "rose by 6 points"; "raises base pay by 14%" asks about base pay
        objects = [o for o in t.children(governor, "dobj") if o != head and not t.mentions_number(t.subtree(o))]
        what = _render(t, t.subtree(objects[0])) if objects else ""
        if objects and (len(what.split()) > 6 or not _object_follows(t, governor, objects[0])):
            return None
        return _question("By how much", first, subject, rest, what)
    if role.startswith("pobj:") and (money or noun):
        prep = role.split(":", 1)[1]
        objects = [o for o in t.children(governor, "dobj") if not t.mentions_number(t.subtree(o))]
        if objects and not _object_follows(t, governor, objects[0]):
            return None
        if any(governor < c < prep_at and t.w(c).dep not in ("advmod", "neg", "prt", "dobj", "punct")
               for c in t.children(governor)):
            return None  # something the question would drop stands between the verb and the amount
        tail = _render(t, t.subtree(objects[0])) if objects else ""
        what = "How much" if money else f"How many {noun}"
        return _question(what, first, subject, rest, tail, prep)
    return None


_SCHEDULE = frozenset({"schedule", "expect", "plan", "set", "due", "begin", "start", "open", "close", "resume",
                       "end", "take", "launch", "return", "vote", "meet", "decide", "rule", "announce", "release"})


def when_next(s: StorySentence, title_text: str) -> list[Proposal]:
    """'When will ...?' from a clause about the future that gives a date;
    'What comes next for ...?' from one that gives none."""
    if s.parse is None or not s.future:
        return []
    t = _Tree(s.parse, s.context)
    dates = [e for e in t.p.entities if e.label in ("DATE", "TIME") and _WHEN.search(e.text)]
    verb = _main_verb(t)
    if verb is None:
        return []
    if dates:
        # the clause the first date belongs to
        first_date = dates[0]
        at = next(i for i, w in enumerate(t.p.words) if first_date.start <= w.start < first_date.end)
        j = at
        while not t.w(j).tag.startswith("VB") and t.w(j).head != j:
            j = t.w(j).head
        if t.w(j).tag == "VBG" and t.w(j).lemma.lower() in _DATE_INTRODUCERS and t.w(j).dep in ("advcl", "acl") \
                and t.w(t.w(j).head).tag.startswith("VB"):
            j = t.w(j).head  # "will close Route 4 for six weeks starting May 6": when the closing starts
        if not t.w(j).tag.startswith("VB") or t.w(j).dep in ("relcl", "acl", "advcl"):
            return []
        verb = j
        while t.w(verb).dep == "xcomp" and t.w(verb).head != verb:
            verb = t.w(verb).head  # "is scheduled to meet January 23": the question starts at "is scheduled"
    subject = _resolve_subject(t, verb, None)
    if subject is None:
        return []
    first, rest = _verb_group(t, verb)
    lemma = t.w(verb).lemma.lower()
    future = first in ("will", "would", "shall") or (
        first in ("is", "are", "does", "do") and (lemma in _SCHEDULE or any(
            t.w(x).lemma.lower() in _SCHEDULE for x in t.children(verb, "xcomp"))))
    if not future or lemma in _BE | {"have"} and not t.children(verb, "xcomp"):
        return []
    if dates:
        date = dates[0].text
        if _normal(date) in _normal(title_text) or numbers(date) & numbers(title_text):
            return []  # the headline already says when
        tail = _tail(t, verb, drop_dates=True, max_parts=2)
        # ("The commission will report on June 30": "When will the commission report?" needs no more;
        # a verb whose object went with the date does)
        if not tail and not t.children(verb, "xcomp") and lemma not in _SCHEDULE and not _intransitive(t, verb) or \
                _lost_object(t, verb, tail):
            return []
        q = _question("When", first, subject, rest, tail)
        return [Proposal(q, "next", (s.doc_id, s.start, s.end), date, s.salience + 0.1)] if q else []
    objects = [o for o in t.children(verb, "dobj") if not t.mentions_number(t.subtree(o))
               and t.w(o).tag in ("NN", "NNS", "NNP", "NNPS") and _object_follows(t, verb, o)]
    objects = [o for o in objects if t.w(o).text.lower() not in _STAND_IN_NOUNS]
    if objects and first in ("will", "would"):
        # "The project will replace the bridge's concrete deck": what will it replace?
        obj = objects[0]
        tail = _tail(t, verb, drop=frozenset({obj}), drop_dates=True, max_parts=1)
        q = _question(_what_or_who(t, obj), first, subject, rest, tail)
        expect = _render(t, t.subtree(obj))
        return [Proposal(q, "next", (s.doc_id, s.start, s.end), expect, s.salience - 0.1)] if q else []
    head = t.subject(verb)
    if head is None or t.w(head).tag not in ("NN", "NNS", "NNP", "NNPS") or t.w(head).entity == "PERSON" or \
            t.w(head).text.lower() in ("everyone", "everybody", "anyone", "nobody", "someone"):
        return []
    q = _question("What comes next for", subject)
    return [Proposal(q, "next", (s.doc_id, s.start, s.end), "", s.salience - 0.3)] if q else []


def why(s: StorySentence) -> list[Proposal]:
    """'Why did <subject> <event>?' from the sentence's main event."""
    event = _affirmed_event(s)
    if event is None:
        return []
    t, verb = event
    subject = _resolve_subject(t, verb, None)
    if subject is None:
        return []
    first, rest = _verb_group(t, verb)
    if not first:
        return []
    if t.children(verb, "ccomp"):
        return []  # "the study suggests that ...": the question would ask why it says so
    tail = _tail(t, verb, drop_dates=True, drop_causes=True, max_parts=2)
    if not tail and not t.children(verb, "dobj", "prep", "xcomp", "prt"):
        pass  # an intransitive event ("Why did shares fall?") needs no complement
    elif not tail or len(tail.split()) > 12:
        return []
    cause = bool(_CAUSE.search(s.text))
    q = _question("Why", first, subject, rest, tail)
    return [Proposal(q, "why", (s.doc_id, s.start, s.end), "", s.salience + (0.1 if cause else 0.0))] if q else []


_NAME_GOES_ON = re.compile(r"[ \t]+(?!(?:January|February|March|April|May|June|July|August|September|October|"
                           r"November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)[A-Z][a-z]")


def what_is(reading: Reading, limit: int = 6) -> list[Proposal]:
    """'What is <organisation, programme or law>?' for the names the most
    salient sentences mention, and 'Who leads ...?' when a leader's title
    stands next to one."""
    seen: dict[str, tuple[float, StorySentence]] = {}
    introduced: set[str] = set()  # names a kind noun introduces
    people = {w.lower() for s in reading.sentences if s.parse for e in s.parse.entities if e.label == "PERSON"
              for w in e.text.split()}
    for s in reading.sentences:
        if s.parse is None:
            continue
        for e in s.parse.entities:
            if e.label not in ("ORG", "LAW", "PRODUCT"):
                continue
            name = _tidy(re.sub(r"^(?:the|The)\s+", "", e.text))
            name = re.sub(r"['\u2019]s$", "", name)
            if _NAME_GOES_ON.match(s.parse.text[e.end:]):
                continue  # the parser cut the name short ("Ashby Residents for Responsible" of "... Growth")
            # (a name in the headline too: the headline names it, it does not say what it is)
            if len(name) < 3 or not any(ch.isupper() for ch in name):
                continue
            name_words = {w.lower().strip(".,&") for w in name.split()}
            if not _askable_name(name, reading) or name_words & people and not name_words & ORG_WORDS:
                # (a person's name the parser took for an organisation's; "Corrowind Energy",
                # tagged a person once, is an organisation by its last word)
                continue
            key = name.lower()
            if key not in seen or s.salience > seen[key][0]:
                seen[key] = (s.salience, s)
        # "the troubled digital start-up Ozy Media": a name a kind noun introduces, whether or
        # not the parser took it for an organisation's
        # (only a name central to the story: in the headline, or named again)
        for m in _KIND_THEN_NAME.finditer(s.text):
            name = _tidy(m.group(1))
            if name.lower() not in reading.doc.title.lower() and \
                    sum(name.lower() in x.text.lower() for x in reading.sentences) < 2:
                continue
            # (the kind noun says it is an organisation: "Pellwood Kitchens" is no person's name)
            if name.lower() not in seen and (_askable_name(name, reading) or len(name.split()) >= 2 and
                                             name.split()[-1].lower() not in _PLACE_WORDS):
                seen[name.lower()] = (s.salience, s)
                introduced.add(name.lower())
        for a, b in s.parse.noun_chunks:
            chunk = s.parse.text[a:b]
            words_ = chunk.split()
            if words_ and words_[-1].lower() in PROGRAMME_NOUNS and any(w[:1].isupper() for w in words_[1:-1]) \
                    and not any(e.label == "ORG" and e.end < b and e.start >= a for e in s.parse.entities):
                name = _tidy(re.sub(r"^(?:the|The|a|an)\s+", "", chunk))
                if name.lower() not in seen and _askable_name(name, reading):
                    seen[name.lower()] = (s.salience, s)
    mentions = {k: sum(k in x.text.lower() for x in reading.sentences) for k in seen}
    ranked = sorted(seen.items(), key=lambda kv: -(kv[1][0] + 0.1 * min(mentions[kv[0]], 3)))
    out = []
    asked: list[str] = []
    for key, (score, s) in ranked:
        if len(asked) >= limit:
            break
        if any(key in acronyms_of(other) or other in acronyms_of(key) for other in asked):
            continue  # "the SEC" is "the Securities and Exchange Commission"
        asked.append(key)
        name = next(x for x in _names_in(s, key))
        if key not in introduced and not _askable_name(name, reading):
            continue
        article = "the " if _needs_article(name, s.text) else ""
        q = _question(f"What is {article}{name}")
        if q:
            # any sentence that explains the name will do: no target, the answer's lead must name it
            out.append(Proposal(q, "what_is", None, name, score))
        leader = _leader_next_to(reading, key)
        if leader is not None:
            q = _question(f"Who leads {article}{name}")
            if q:
                out.append(Proposal(q, "what_is", (leader.doc_id, leader.start, leader.end), "", score - 0.1))
    return out


# Words that make a capitalised name an organisation's, a programme's or a law's
# (two capitalised words without one are more often a person the parser mislabelled).
ORG_WORDS = frozenset("""
inc corp co company companies group university college school schools department office agency administration bureau
service services council committee commission board court partners ventures capital holdings bank fund foundation
institute center centre journal times post news press theatre theater orchestra symphony museum library airlines
airways stores energy motors systems technologies labs laboratories therapeutics pharmaceuticals health hospital
clinic association federation union league club fc party coalition alliance network authority program programme
project society trust police army navy ministry parliament senate congress assembly legislature software
semiconductor dynamics materials act law bill ordinance plan initiative festival prize awards council guard
corporation industries enterprises media studios records observatory survey service force assistance insurance
benefits relief loan loans
""".split())
_PLACE_WORDS = frozenset({"street", "avenue", "road", "drive", "boulevard", "highway", "route", "lane", "way",
                          "bridge", "park", "square", "plaza", "valley", "river", "lake", "county", "city"})


_KIND_THEN_NAME = re.compile(rf"\b(?:{'|'.join(sorted(KIND_NOUNS, key=len, reverse=True))})\s+"
                             r"((?-i:[A-Z][\w&'\u2019.-]*(?:\s+(?:of\s+)?[A-Z][\w&'\u2019.-]*){0,4}))", re.I)


def _askable_name(name: str, reading: Reading) -> bool:
    """A name a reader may not know and the article can explain: several
    words starting with a capital (not a street or a place), or an acronym
    the article spells out."""
    words_ = name.split()
    if not name[:1].isupper() or words_[-1].lower() in _PLACE_WORDS:
        return False
    if len(words_) == 1:
        if not (name.isupper() and 2 <= len(name) <= 6):
            return False  # "Legislature", "Senate": a common word with a capital
        initials = re.compile(r"\b" + r"\w*\s+(?:of\s+|and\s+|the\s+|for\s+)?".join(name) + r"\w*", re.I)
        return bool(initials.search(" ".join(s.text for s in reading.sentences)))
    if " " not in name and re.search(r"[.-]", name):
        return False  # "U.S.-Mexico": places joined
    if len(words_) == 2 and not {w.lower().strip(".,&") for w in words_} & ORG_WORDS:
        return False  # "Naledi Mokoena": more likely a person than an organisation
    return True


def acronyms_of(name: str) -> set[str]:
    """The initials of a name ("securities and exchange commission" -> "sec")."""
    words_ = [w for w in name.lower().split() if w not in ("of", "and", "the", "for", "&")]
    return {"".join(w[0] for w in words_)} if len(words_) > 1 else set()


def _names_in(s: StorySentence, key: str) -> list[str]:
    at = s.text.lower().find(key)
    return [s.text[at:at + len(key)]] if at >= 0 else [key]


_THE_NOUNS = frozenset("""
group department office center centre institute council committee agency administration commission board court
program programme act fund bureau service association federation union authority party coalition alliance
initiative project plan law bill ordinance orchestra symphony museum library festival legislature senate house
system network foundation trust corporation company partnership framework agreement treaty circulation
""".split())


def _needs_article(name: str, text: str) -> bool:
    """'the Security Implementation Group', 'the University of Montreal',
    but 'Granite Arc Partners', 'Southern Coastal University'."""
    if re.search(rf"\b[Tt]he {re.escape(name)}", text):
        return True
    words_ = name.split()
    return len(words_) > 1 and (" of " in name or words_[-1].lower() in _THE_NOUNS)


_TITLE_IN_NAME = re.compile(r"^(?:(?:Chair|Chairman|Chairwoman|President|Governor|Gov\.|Mayor|Senator|Sen\.|Rep\.|"
                            r"Representative|Judge|Justice|Coach|Dr\.|Mr\.|Mrs\.|Ms\.|Prof\.|Professor|Commissioner|"
                            r"Secretary|Director|Chief|Superintendent|Sheriff|Officer|Deputy|Lt\.|Sgt\.|Capt\.)\s+)+")


def who_is(reading: Reading, limit: int = 3) -> list[Proposal]:
    """'Who is <person>?' for the people the article introduces with a role
    ("astronomer Ines Valcourt", "Chief Executive Priya Venkataraman",
    "Marisa Quint, director of Vermont Emergency Management"): the answer is
    the sentence that says who they are."""
    found: dict[str, tuple[float, StorySentence]] = {}
    for s in reading.sentences:
        if s.parse is None:
            continue
        t = _Tree(s.parse, s.context)
        for e in s.parse.entities:
            if e.label != "PERSON" or len(e.text.split()) < 2 or not e.text[:1].isupper():
                continue
            if {w.lower().strip(".,'") for w in e.text.split()} & ORG_WORDS:
                continue  # "Corvid Capital": an organisation the parser took for a person
            idx = [i for i, w in enumerate(t.p.words) if e.start <= w.start < e.end]
            if not idx:
                continue
            head = next((i for i in idx if t.w(i).head not in idx or t.w(i).head == i), idx[-1])
            before = [t.w(j) for j in range(max(0, idx[0] - 3), idx[0])]
            role_before = any(w.tag in ("NN", "NNP") and w.entity != "PERSON" and w.dep == "compound"
                              and w.head in idx for w in before)
            role_after = bool(t.children(head, "appos"))
            # "Ozy's then-chief operating officer, Samir Rao, ...": the name in apposition to a role
            role_of = t.w(head).dep == "appos" and t.w(t.w(head).head).tag in ("NN", "NNS") and \
                t.w(t.w(head).head).entity != "PERSON"
            if not (role_before or role_after or role_of):
                continue
            key = re.sub(r"['\u2019]s?$", "", e.text)
            # a title the parser read into the name ("Chair Evelyn Moss") is not what they are called
            key = _TITLE_IN_NAME.sub("", key)
            if len(key.split()) < 2:
                continue
            if key not in found or s.salience > found[key][0]:
                found[key] = (s.salience, s)
    ranked = sorted(found.items(), key=lambda kv: -kv[1][0])[:limit]
    out = []
    for name, (score, s) in ranked:
        q = _question(f"Who is {name}")
        if q:
            out.append(Proposal(q, "what_is", (s.doc_id, s.start, s.end), name, score - 0.15))
    return out


def _leader_next_to(reading: Reading, key: str) -> StorySentence | None:
    for s in reading.sentences:
        low = s.text.lower()
        if key not in low or s.parse is None:
            continue
        if any(e.label == "PERSON" for e in s.parse.entities) and set(re.findall(r"[a-z-]+", low)) & LEADER_WORDS:
            return s
    return None


def affected(s: StorySentence) -> list[Proposal]:
    """'Who will get a raise ...?' from a clause whose subject is a group of
    people (the answer names the group)."""
    if s.parse is None:
        return []
    t = _Tree(s.parse, s.context)
    out = []
    for i, w in enumerate(t.p.words):
        if w.dep not in _SUBJ or w.tag not in ("NN", "NNS") or (
                w.lemma.lower() not in GROUP_NOUNS and w.text.lower() not in GROUP_NOUNS):
            continue
        if _SPAN_OF_TIME.search(t.text(t.subtree(i))):
            continue  # "The two-year pilot will cost ...": a programme, not people
        if t.mentions_number(t.subtree(i)):
            continue  # "186 businesses had applied": how many, not who (the number writer asks that)
        verb = w.head
        vw = t.w(verb)
        if not vw.tag.startswith("VB") or vw.lemma.lower() in _BE | _SAY | {"have"}:
            continue
        if vw.dep in ("relcl", "acl"):
            continue  # "money the city will cover with a grant": the clause's object is the noun before it
        auxes = {t.w(a).text.lower() for a in t.auxes(verb)} | {t.w(a).dep for a in t.auxes(verb)}
        if not (auxes & _MODALS or "auxpass" in auxes or vw.lemma.lower() in _UNDERGO):
            continue  # the group acts ("The airline canceled 40 flights"): not who is affected
        if vw.tag in ("VB", "VBG", "VBN") and not t.auxes(verb) or \
                any(t.w(a).text.lower() == "to" or t.w(a).dep == "neg" for a in t.auxes(verb)):
            continue  # not a finite clause ("people to sleep ..."), or a negated one
        aux = [t.w(a).text for a in t.auxes(verb)]
        tail = _tail(t, verb)
        if _lost_object(t, verb, tail):
            continue
        verb_text = vw.text
        if not aux and vw.tag == "VBP":
            verb_text = inflect(vw.lemma, "VBZ")  # "Workers earn" -> "Who earns"
        q = _who("Who", " ".join([*aux, verb_text]), tail)
        if q and len(q.split()) >= 5:
            expect = _tidy(t.text(t.subtree(i)))
            out.append(Proposal(q, "affected", (s.doc_id, s.start, s.end), expect, s.salience))
    return out


_SPAN_OF_TIME = re.compile(r"\w\s?-\s?(?:year|month|week|day|hour)s?\b", re.I)


def reported_finding(s: StorySentence) -> list[Proposal]:
    """'A team led by astronomer Ines Valcourt reported detecting water vapor and
    methane': 'What did the team detect?' (a report of a finding is the news,
    where 'reported' alone makes no question)."""
    if s.parse is None:
        return []
    t = _Tree(s.parse, s.context)
    root = next((i for i, w in enumerate(t.p.words) if w.dep == "ROOT"), None)
    if root is None or t.w(root).tag != "VBD" or t.w(root).lemma.lower() not in _FINDING_VERBS:
        return []
    subject = _resolve_subject(t, root, None)
    for x in t.children(root, "xcomp"):
        found = [o for o in t.children(x, "dobj") if t.w(o).tag in ("NN", "NNS", "NNP", "NNPS")]
        if subject and t.w(x).tag == "VBG" and found and t.w(x).lemma.lower() not in _BE | _SAY:
            q = _question("What", "did", subject, t.w(x).lemma)
            if q:
                return [Proposal(q, FALLBACK_KIND, (s.doc_id, s.start, s.end), _render(t, t.subtree(found[0])),
                                 s.salience)]
    return []


# "reported detecting", "announced finding": the finding is the news
_FINDING_VERBS = frozenset({"report", "announce", "describe", "claim", "confirm"})


# Nouns that stand in for others named elsewhere ("join about a dozen others", "one of them"), the
# nouns of an idiom ("drew attention to", "took steps", "played a part"), and spans of time ("finished
# the regular season second"): none is a thing to ask "what" about
_STAND_IN_NOUNS = frozenset({"others", "other", "ones", "one", "some", "many", "several", "most", "all", "both",
                             "none", "each", "either", "neither",
                             "attention", "notice", "note", "step", "steps", "part", "place", "look", "chance",
                             "action", "effect", "role", "interest", "issue", "way", "care", "advantage", "turn",
                             "season", "year", "month", "week", "day", "quarter", "time", "decade", "period"})


_PLURAL_AUX = {"are": "is", "were": "was", "have": "has", "do": "does"}
_IDIOM_TAIL = re.compile(r"(?:by surprise|off guard|into account|into consideration|for granted|in mind|to task|"
                         r"to court|in check|at bay|at risk)", re.I)


def _what_or_who(t: _Tree, obj: int) -> str:
    """'Who' for an object that is people ("help workers, students and older
    residents"), 'What' for anything else."""
    w = t.w(obj)
    return "Who" if w.lemma.lower() in GROUP_NOUNS or w.text.lower() in GROUP_NOUNS or w.entity == "PERSON" else "What"


def details(s: StorySentence) -> list[Proposal]:
    """The main facts of a salient sentence as plain questions: 'What did the
    hackers steal?' (the object), 'Who granted a preliminary injunction?' (a
    named subject), 'When did the board vote to ...?' (a date)."""
    event = _affirmed_event(s)
    if event is None:
        return []
    t, verb = event
    out = []
    first, rest = _verb_group(t, verb)
    subject = _resolve_subject(t, verb, None)
    where = (s.doc_id, s.start, s.end)
    objects = [o for o in t.children(verb, "dobj") if t.w(o).tag in ("NN", "NNS", "NNP", "NNPS")
               and not t.mentions_number(t.subtree(o)) and _object_follows(t, verb, o)
               and t.w(o).text.lower() not in _STAND_IN_NOUNS]
    if first and subject and objects:
        obj = objects[0]
        tail = _tail(t, verb, drop=frozenset({obj}), drop_dates=True, max_parts=1)
        # "took his lawyers by surprise": an idiom, not a thing taken
        q = None if _IDIOM_TAIL.fullmatch(tail) else _question(_what_or_who(t, obj), first, subject, rest, tail)
        if q:
            out.append(Proposal(q, FALLBACK_KIND, where, _render(t, t.subtree(obj)), s.salience))
    elif first and subject and not t.children(verb, "dobj"):
        # "The family had fought for years to overturn an initial finding": "What had the
        # family fought to overturn?" (the object of the infinitive the verb is for)
        for x in t.children(verb, "xcomp", "advcl"):
            inner = [o for o in t.children(x, "dobj") if t.w(o).tag in ("NN", "NNS", "NNP", "NNPS")
                     and not t.mentions_number(t.subtree(o)) and _object_follows(t, x, o)
                     and t.w(o).text.lower() not in _STAND_IN_NOUNS]
            if t.w(x).tag == "VB" and any(t.w(a).text.lower() == "to" for a in t.children(x, "aux")) and inner and \
                    t.w(x).lemma.lower() not in _BE | _SAY | {"have", "do", "get", "make", "take"}:
                q = _question(_what_or_who(t, inner[0]), first, subject, rest, "to", t.w(x).text)
                if q:
                    out.append(Proposal(q, FALLBACK_KIND, where, _render(t, t.subtree(inner[0])), s.salience - 0.02))
                break
    subj = t.subject(verb)
    # (who did it: a person or a body by name, not "Last year's free clinics" the parser called one)
    if subj is not None and t.w(subj).entity in ("PERSON", "ORG") and t.w(subj).dep == "nsubj" and \
            (t.w(subj).tag in ("NNP", "NNPS") or t.w(subj).lemma.lower() in GROUP_NOUNS):
        tail = _tail(t, verb, drop_dates=True, max_parts=2)
        if tail and not _lost_object(t, verb, tail):
            auxes = [t.w(a).text for a in t.auxes(verb)]
            # "Who" takes a singular verb: "Moderna and Merck plan" asks "Who plans ...?"
            plain = inflect(t.w(verb).lemma, "VBZ") if t.w(verb).tag == "VBP" else t.w(verb).text
            if auxes and auxes[0].lower() in _PLURAL_AUX:
                auxes[0] = _PLURAL_AUX[auxes[0].lower()]
            q = _who("Who", " ".join([*auxes, t.w(verb).text]) if auxes else plain, tail)
            if q:
                whole = _with_conjuncts(t, subj) if t.children(subj, "conj") else t.phrase(subj)
                out.append(Proposal(q, FALLBACK_KIND, where, whole, s.salience - 0.05))
    # ("for the first time since 2010": a span's start is not when the event happened)
    dates = [e for e in s.parse.entities if e.label == "DATE" and _CALENDAR.search(e.text)
             and not re.search(r"\b(?:since|until|through|before)\s+$", s.parse.text[:e.start])]
    date = _date_on_verb(t, verb, dates)
    if first in ("did", "does", "do", "was", "were") and subject and date is not None:
        tail = _tail(t, verb, drop_dates=True, max_parts=2)
        if (tail or _intransitive(t, verb)) and not _lost_object(t, verb, tail):
            q = _question("When", first, subject, rest, tail)
            if q:
                out.append(Proposal(q, FALLBACK_KIND, where, date.text, s.salience - 0.1))
    span = _duration_on_verb(t, verb)
    if first and subject and span is not None:
        # "will close Route 4 for six weeks": "How long will state crews close Route 4?"
        tail = _tail(t, verb, drop=frozenset({span}), drop_dates=True, max_parts=2)
        if (tail or _intransitive(t, verb)) and not _lost_object(t, verb, tail):
            q = _question("How long", first, subject, rest, tail)
            if q:
                out.append(Proposal(q, FALLBACK_KIND, where, _render(t, t.subtree(span)[1:]), s.salience - 0.11))
    place = _place_on_verb(t, verb)
    if first in ("did", "does", "do", "was", "were", "will") and subject and place is not None:
        # "Police arrested him at a hotel in Manhattan": "Where was he arrested?"
        tail = _tail(t, verb, drop=frozenset({place}), drop_dates=True, max_parts=2)
        if (tail or _intransitive(t, verb) or first in ("was", "were")) and not _lost_object(t, verb, tail):
            q = _question("Where", first, subject, rest, tail)
            if q:
                spot = _render(t, t.subtree(place))[len(t.w(place).text):].strip()  # "at a hotel" -> "a hotel"
                out.append(Proposal(q, FALLBACK_KIND, where, spot, s.salience - 0.12))
    return out


_DURATION = re.compile(r"\b(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|"
                       r"a few|\w+teen|twenty|thirty|forty|fifty)\s+(?:more\s+)?(?:hours?|days?|weeks?|months?|"
                       r"years?|decades?)$", re.I)


def _duration_on_verb(t: _Tree, verb: int) -> int | None:
    """The verb's 'for six weeks' phrase (how long), or None."""
    for c in t.children(verb, "prep"):
        if t.w(c).text.lower() == "for" and _DURATION.search(_render(t, t.subtree(c)[1:])):
            return c
    return None


_PLACE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "across"})


def _place_on_verb(t: _Tree, verb: int) -> int | None:
    """The verb's 'in'/'at' phrase that names a place (a city, a country, a building
    by name), or None."""
    for c in t.children(verb, "prep"):
        if t.w(c).text.lower() not in _PLACE_PREPS:
            continue
        inside = t.subtree(c)
        if any(t.w(j).entity in ("GPE", "LOC", "FAC") for j in inside) and \
                not any(t.w(j).entity in ("DATE", "TIME") for j in inside):
            return c
    return None


# What a headline says was won, measured or forecast is not something that happens to people:
# "wins first state title", "cuts risk of death", "raises forecasts"
_NOT_EVENTS = frozenset("""
title championship crown cup trophy medal prize award record lead victory win game match race round final
risk chance odds likelihood forecast outlook estimate projection prediction expectation guidance
revenue profit earnings sales result results margin share stake value valuation price rating score
""".split())


def affected_by_event(reading: Reading) -> list[Proposal]:
    """'Who is affected by <the event the headline names>?': the headline's
    noun phrase for the event (a closure, a ban, a breach, the cuts), not a
    person, a place or a group of people. No target: the answer must name
    people."""
    if reading.title is None:
        return []
    t = _Tree(reading.title)
    best = None
    for i, w in enumerate(t.p.words):
        # what the headline's action is done to: "blocks <the ban>", "forcing <evacuations>"
        if w.dep not in ("dobj", "nsubjpass") or w.tag not in ("NN", "NNS") or not t.w(w.head).tag.startswith("VB"):
            continue
        if w.entity in ("PERSON", "GPE", "LOC", "NORP", "DATE", "MONEY", "PERCENT", "CARDINAL", "QUANTITY"):
            continue
        if w.lemma.lower() in GROUP_NOUNS or w.text.lower() in GROUP_NOUNS or w.lemma.lower() in _NOT_EVENTS:
            continue
        idx = [j for j in t.subtree(i) if t.w(j).dep not in ("det", "poss", "case") and t.w(j).tag != "PRP$"]
        text = _render(t, idx)
        if any(ch.isdigit() for ch in text) or len(text.split()) > 5:
            continue
        best = _lower_first(text, t.w(idx[0]), reading.doc.text)
        break
    if best is None:
        return []
    future = bool(re.search(r"\b(?:will|to)\b", reading.doc.title))
    q = _question("Who will be affected by the" if future else "Who is affected by the", best)
    return [Proposal(q, "affected", None, "", 0.2)] if q else []


def not_known(s: StorySentence) -> list[Proposal]:
    """'What is not yet known about <what the sentence says is unknown>?'"""
    if s.parse is None or not UNKNOWN.search(s.text):
        return []
    t = _Tree(s.parse, s.context)
    # the thing not known: the object of the clause that says so ("have not released <the names of
    # the victims>", "declined to name <them>": then the subject's), else its subject
    verb = _main_verb(t)
    if verb is None:
        return []
    candidates = []
    for v in [verb, *t.children(verb, "xcomp", "ccomp", "conj")]:
        candidates += [o for o in t.children(v, "dobj", "nsubjpass", "attr") if t.w(o).text.lower() not in PRONOUNS]
    subj = t.subject(verb)
    if subj is not None and t.w(subj).text.lower() not in PRONOUNS and t.w(subj).entity != "PERSON":
        candidates.append(subj)
    topic = ""
    for v in [verb, *t.children(verb, "xcomp", "conj")]:
        for c in t.children(v, "ccomp", "xcomp"):
            clause = t.subtree(c)
            if t.w(clause[0]).tag in ("WRB", "WP", "WDT") or t.w(clause[0]).text.lower() in ("whether", "if"):
                topic = _render(t, clause)  # "declined to say <how many patients were moved>"
        for c in t.children(v, "xcomp"):
            for cc in t.children(c, "ccomp"):
                clause = t.subtree(cc)
                if t.w(clause[0]).tag in ("WRB", "WP", "WDT") or t.w(clause[0]).text.lower() == "whether":
                    topic = _render(t, clause)
    for c in candidates:
        if topic:
            break
        phrase = _render(t, t.subtree(c))
        if terms(phrase) and 1 <= len(phrase.split()) <= 8 and t.w(c).tag.startswith("NN") and \
                t.w(c).entity not in ("PERSON",):
            topic = phrase
            break
    if not topic:
        return []
    q = _question("What is not yet known about", _lower_first(topic, None))
    return [Proposal(q, "unknown", (s.doc_id, s.start, s.end), "", s.salience)] if q else []


def _normal(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def propose(reading: Reading, *, per_kind: int = 4) -> list[Proposal]:
    """Every proposal for the article, best first within each kind, at most
    ``per_kind`` of each (the suggester tries them in turn across kinds)."""
    title_numbers = numbers(reading.doc.title)
    by_kind: dict[str, list[Proposal]] = {k: [] for k in KINDS}
    ranked = sorted(reading.sentences, key=lambda s: -s.salience)
    for s in ranked:
        if s.is_question or s.quoted_share() > 0.5:
            continue
        by_kind["how_much"].extend(how_much(s, title_numbers))
        by_kind["next"].extend(when_next(s, reading.doc.title))
        by_kind["affected"].extend(affected(s))
        by_kind["unknown"].extend(not_known(s))
        if STRONG_CAUSE.search(s.text):
            # an event whose cause the article gives (asking why of any other
            # event makes an answer that restates it: measured, they fail the check)
            by_kind["why"].extend(why(s))
    by_kind["what_is"] = what_is(reading) + who_is(reading)
    by_kind["affected"].extend(affected_by_event(reading))
    # (tried only after every kind above: a long story whose facts fit none of the
    # kinds still gets its main facts asked about, most salient first)
    by_kind[FALLBACK_KIND] = [p for s in ranked[:FALLBACK_SENTENCES] if not s.is_question and s.quoted_share() <= 0.5
                              for p in details(s) + reported_finding(s)]
    out = []
    for kind in (*KINDS, FALLBACK_KIND):
        seen: set[str] = set()
        generic = 0
        kept = []
        for p in sorted(by_kind[kind], key=lambda p: -p.score):
            if p.text.lower() in seen:
                continue
            seen.add(p.text.lower())
            if p.text.startswith("What comes next for"):
                generic += 1
                if generic > 1:
                    continue  # one open question about what comes next is enough
            kept.append(p)
        out.extend(kept[:per_kind * 2 if kind == FALLBACK_KIND else per_kind])
    return out
