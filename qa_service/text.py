"""Text primitives shared by chunking, retrieval, generation and grounding:
sentence spans with character offsets, and normalised content terms."""

from __future__ import annotations

import re
from functools import lru_cache

from qa_service.language import IRREGULAR_FORMS

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before
# whitespace, or at a line break (list items, headings, paragraphs).
_SENT_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?=\s)|\n")
# Words that end in a period without ending a sentence.
_ABBREV = {
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "no", "vs", "etc", "e.g", "i.e", "inc", "co", "corp",
    "gov", "sen", "rep", "gen", "lt", "col", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "u.s", "u.k", "d.c", "u.n", "a.m", "p.m", "approx", "dept", "est",
}
_INITIALS = re.compile(r"(?:\b[A-Za-z]\.)+$")
# after "a.m."/"p.m.": a capitalised word that is not a day, a month or a time zone starts a sentence
_NEW_SENTENCE_AFTER_TIME = re.compile(
    r"\s+(?!(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*|"
    r"[A-Z]{1,3}T|ET|PT|CT|MT|UTC|GMT|Eastern|Pacific|Central|Mountain|local|Noon|Midnight)\b)[A-Z][a-z]")
_MD_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Character spans of sentences in ``text[start:end]``, trimmed of whitespace
    and of leading Markdown markers (bullets, heading hashes), so every span is an
    exact, quotable substring of ``text``."""
    return list(_sentence_spans(text, start, len(text) if end is None else end))


@lru_cache(maxsize=16384)
def _sentence_spans(text: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    # (every question asked of an article splits the same passages again)
    spans: list[tuple[int, int]] = []
    seg_start = start
    for match in _SENT_END.finditer(text, start, end):
        cut = match.end()
        if match.group() != "\n":
            before = text[seg_start:match.start() + 1]
            # ("**GOV. HARTWELL:**": Markdown emphasis around an abbreviation)
            word = before.split()[-1].lower().lstrip("*_([\"'").rstrip(".") if before.split() else ""
            if word in ("a.m", "p.m") and _NEW_SENTENCE_AFTER_TIME.match(text, cut):
                pass  # "before 9 a.m. or after 7 p.m. Washing cars at home is ...": the time ends it
            elif word in _ABBREV or _INITIALS.search(before.split()[-1] if before.split() else ""):
                # "U.S. State Department": an abbreviation, unless a capitalised
                # sentence clearly starts after a lowercase-free gap is ambiguous;
                # keep going (a missed split costs less than a wrong one).
                continue
        _append_span(text, seg_start, cut, spans)
        seg_start = cut
    _append_span(text, seg_start, end, spans)
    return tuple(spans)


def _append_span(text: str, s: int, e: int, spans: list[tuple[int, int]]) -> None:
    seg = text[s:e]
    m = _MD_PREFIX.match(seg)
    if m:
        s += m.end()
        seg = text[s:e]
    lstrip = len(seg) - len(seg.lstrip())
    rstrip = len(seg) - len(seg.rstrip())
    s, e = s + lstrip, e - rstrip
    if e - s >= 2 and any(ch.isalnum() for ch in text[s:e]):
        spans.append((s, e))


def is_heading_at(text: str, pos: int) -> bool:
    """Whether ``pos`` lies on a Markdown heading line of ``text``."""
    line_start = text.rfind("\n", 0, pos) + 1
    return text[line_start:pos].lstrip().startswith("#")


def is_heading_line(line: str) -> bool:
    return bool(re.match(r"^#{1,6}\s+\S", line))


_SMALL_WORDS = frozenset("a an the and or but of to in on at by for with from as vs via".split())


def is_plain_subhead(line: str) -> bool:
    """A subheading set as a plain line, as pages copied without their markup carry
    them ("Bigger Drop In Pandemic Sales To Come"): a few words, each but the small
    ones capitalised, and no punctuation closing a sentence."""
    line = line.strip()
    words_ = line.split()
    if not 2 <= len(words_) <= 14 or not line[:1].isupper() or line[-1] in ".!?:;,\"\u201d'\u2019)]":
        return False
    content = [w for w in words_ if w.lower() not in _SMALL_WORDS]
    return bool(content) and all(w[:1].isupper() or w[:1].isdigit() for w in content)


STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being this that
    these those it its into about over under than then there their them they he she his her we our you your
    i me my what which who whom whose when where why how do does did done doing have has had having will
    would can could should shall may might must not no nor so such also any all each both more most other
    some very just only own same too s t up out off again further once here own per via vs yet us""".split()
    # adverbs that qualify a claim without saying what it is about ("Why does it want eTrace used everywhere?")
    + "ever still really actually everywhere anywhere somewhere now currently".split()
    # "not" and "can" are stopwords, so their contractions are too ("Why can't farmers sell ...?")
    + """can't cannot don't doesn't didn't won't wouldn't isn't aren't wasn't weren't hasn't haven't hadn't
    couldn't shouldn't mustn't""".split()
    # and so are a pronoun's ("Where can I check if I'm eligible?")
    + """i'm i've i'd i'll you're you've you'd you'll we're we've we'd we'll they're they've they'd they'll
    it's that's there's here's he's she's let's""".split()
)
_WORD = re.compile(r"[A-Za-z0-9]+(?:[.'\u2019-][A-Za-z0-9]+)*")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper: enough to match 'chairs'/'chair', 'measured'/'measure'."""
    w = word
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("ly", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + repl
            break
    # 'approve', 'approves', 'approved' and 'approving' all meet at 'approv'
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def words(text: str) -> list[str]:
    """Lowercased word tokens, punctuation inside abbreviations removed ('U.S.' -> 'us'),
    possessives dropped ("Firewall's" -> 'firewall')."""
    out = []
    for raw in _WORD.findall(text):
        if raw in ("U.S", "US", "U.S.A", "USA"):
            out.append("usa")  # the country, not the pronoun "us" (a stopword)
            continue
        w = raw.lower().replace(".", "").replace("\u2019", "'")
        out.append(w[:-2] if w.endswith("'s") else w)
    return out


def terms(text: str) -> list[str]:
    """Stemmed content terms (stopwords dropped): the lexical signal for BM25 and grounding."""
    return list(_terms(text))


@lru_cache(maxsize=65536)
def _terms(text: str) -> tuple[str, ...]:
    # (the same sentences are weighed against every question asked of an article)
    return tuple(stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1 or w.isdigit())


_FUNDED_WITH = re.compile(r"\b(?:cover|covers|covered|fund|funds|funded|finance|finances|financed|pay for|"
                          r"pays for|paid for)\s+(?:[\w$.,-]+\s+){0,3}?(?:with|by|through|out of)\b", re.I)
_INTENT = re.compile(r"\b(?:aim(?:s|ed)?|seek(?:s)?|sought|intend(?:s|ed)?|want(?:s|ed)?|wish(?:es|ed)?|"
                     r"(?:is|are|was|were) meant|strives?)\s+to\b", re.I)


_FINDING = re.compile(r"\b(?:found that|find that|finds that|showed|shows that|show that|concluded|concludes|"
                      r"revealed|results? (?:of|from|show|showed|suggest)|according to (?:the )?(?:results|study|"
                      r"survey|report|analysis|data|findings))\b", re.I)
_MAKING = re.compile(r"\b(?:developed|manufactured|produced|built|designed|invented|created)\s+by\b|"
                     r"\b(?:develops|manufactures|produces|builds|designs)\b", re.I)
VOTED_AGAINST = re.compile(r"\bvot(?:e|es|ed|ing) against\b|\bno votes?\b|\bdissent", re.I)
_SS_WORD = re.compile(r"\b[a-z]{3,}ss(?:es)?\b")
_DOLLARS = re.compile(r"[$€£]\s?\d|\b\d[\d,.]*\s+(?:dollars|euros|pounds)\b", re.I)
_SAME_ACT = tuple(frozenset(terms(words)) for words in (
    "find found detect detected discover discovered learn learned notice noticed",
    "sue sued suing lawsuit plaintiff plaintiffs",
    "die died dying kill killed dead death deaths",
    "win won winning victory beat",
    "buy bought acquire acquired purchase purchased",
    "pay paid",
    "lose lost loss losses defraud defrauded defrauding",
    "oppose opposed opposes opposition",
    "repair repairs repaired fix fixed fixing replace replaced replacing",
    "blame blamed blames attribute attributed attributes",
    "raise raised raises increase increased increases hike hikes",
    "complain complained complains complaint complaints",
    "annual annually yearly",
))
# "pushed back to March 14", "slipped to", "postponed": a delay in other words
_WEEKDAY = re.compile(r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)days?\b")
_DELAYED = re.compile(r"\b(?:push(?:ed|es|ing)? back|postpon\w+|delay\w*|slip(?:s|ped|ping)? (?:to|until|into)|"
                      r"reschedul\w+|put off)\b", re.I)


def quoted_share(text: str, opened: bool = False) -> float:
    """Share of the text's characters inside quotation marks (straight or curly);
    ``opened``: a quotation opened before the text and runs into it."""
    inside, open_, count = 0, opened, 0
    for ch in text:
        if ch in "\"\u201c\u201d":
            open_ = not open_ if ch == "\"" else ch == "\u201c"
            continue
        count += 1
        if open_:
            inside += 1
    return inside / count if count else 0.0


def quotation_open_at(text: str, start: int, end: int) -> bool:
    """Is a quotation that opened in ``text[start:end]`` still open at ``end``? (A
    speaker's second sentence in one paragraph opens inside the first one's quote.)"""
    open_ = False
    for ch in text[start:end]:
        if ch in "\"\u201c\u201d":
            open_ = not open_ if ch == "\"" else ch == "\u201c"
    return open_


_SHORT_VOWEL_STEM = re.compile(r"[a-z]*[^aeiou][aeiou][bdgmnprt]")  # "cut", "plan", "stop", "admit"
_DOUBLED_STEM = re.compile(r"[a-z]*[^aeiou][aeiou]([bdgmnprt])\1")  # "cutt", "plann", "stopp", "admitt"


def held_terms(text: str) -> set[str]:
    """The terms a sentence holds when matched against a question: its own,
    the parts of its hyphenated words ("a single-agency body" holds "single"
    and "agency"), and "vote" for "voted". Only for matching: the index and the checker keep
    the compound as one term."""
    return set(_held_terms(text))


@lru_cache(maxsize=65536)
def _held_terms(text: str) -> frozenset[str]:
    held = set(terms(text))
    # "voted" stems to "vot" but "vote" stays "vote" (a final e goes only from longer stems)
    held |= {t + "e" for t in held if len(t) == 3 and t.isalpha()}
    held |= {t[:-1] for t in held if len(t) == 4 and t.endswith("e") and t.isalpha()}  # "votes" holds "voted"
    # "cuts" holds "cutting" (stemmed "cutt"), "cutting" holds "cuts": the stemmer keeps a doubled consonant
    held |= {t + t[-1] for t in held if _SHORT_VOWEL_STEM.fullmatch(t)}
    held |= {t[:-1] for t in held if _DOUBLED_STEM.fullmatch(t)}
    if "-" in text:
        held |= set(terms(" ".join(m.replace("-", " ") for m in _COMPOUND.findall(text))))
    # "Applications will be taken by phone" holds "apply"; "a donation", "donate"
    for w in _NOMINAL.findall(text.lower()):
        bases = [w[:-len("ication")] + "y"] if w.endswith("ication") else [w[:-len("ation")] + s for s in ("", "e", "ate")]
        held |= {t for t in terms(" ".join(bases)) if len(t) >= 3}
    # "income eligibility" holds "eligible", "availability" "available"
    for w in _ILITY.findall(text.lower()):
        held |= set(terms(w[:-len("ility")] + "le"))
    # the stemmer makes "businesses" "business" but "business" "busines": a word in -ss holds both
    for w in _SS_WORD.findall(text.lower()):
        held.add(w if w.endswith("ss") else w[:-2])
        held.add(stem(w[:-2]) if w.endswith("sses") else stem(w))
    # "money the city will cover with a state transit grant": paying for it, told as funding
    if _FUNDED_WITH.search(text):
        held |= {"pay", "paid"}
    # "Mission Firewall aims to expand ..." is what it wants: the verbs of intent hold "want"
    if _INTENT.search(text):
        held |= {"want", "aim", "seek", "intend"}
    # "What did the trial find?": results told as results ("according to results of a trial")
    if _FINDING.search(text):
        held |= {"find", "found", "show", "conclud", "reveal"}
    # "Who made the drug?": "developed by", "manufactured by", "built by"
    if _MAKING.search(text):
        held |= {"make", "made"}
    # "How much money is involved?": an amount in dollars is money
    if _DOLLARS.search(text):
        held.add("money")
    # "The lone vote against came from ...", "one of two no votes": who opposed it
    if VOTED_AGAINST.search(text):
        held |= {"oppos", "oppose", "opposed", "against"}
    # the stemmer gives "apply" "app" but "applies" "apply" and "applied" "appli": a verb
    # in consonant + y holds every form's stem ("Who can apply?" -- "the grant applies to ...")
    for w in _Y_VERB.findall(text.lower()):
        base = w[:-3] if w.endswith(("ies", "ied")) else w[:-1]
        held |= {stem(base + ending) for ending in ("y", "ies", "ied")}
    # "A crowd of 18,204 watched ..." says how many people attended
    if CROWD.search(text):
        held |= set(terms("people attend attended attendance"))
    # "does not have to be repaid" says whether it is paid back (one way: "pay" alone is not "pay back")
    if _REPAY.search(text):
        held |= {"pay", "paid", "back"}
    if _WEEKDAY.search(text):
        held.add("day")  # "may water on Tuesdays and Saturdays" says which days
    if _DELAYED.search(text):
        held |= set(terms("delay delayed postpone postponed"))
    # "Three musicians left" holds "leave", "the team won" "win": an irregular past is its verb
    for w in _WORD.findall(text.lower()):
        if w in IRREGULAR_FORMS:
            held |= set(terms(IRREGULAR_FORMS[w]))
    # news says the same act in other words ("detected the intrusion" is when they found out;
    # "the plaintiffs" and "the lawsuit" say who sued; "killed" says how many died)
    for group in _SAME_ACT:
        if held & group:
            held |= group
    return frozenset(held)


_Y_VERB = re.compile(r"\b[a-z]{2,}[^aeiouy\W](?:y|ies|ied)\b")
# "A crowd of 18,204": a count of people there
CROWD = re.compile(r"\b(?:crowd|attendance|audience|turnout|sellout crowd) of (?:about |nearly |more than |some |"
                   r"almost )?\d", re.I)
_REPAY = re.compile(r"\brepa(?:y|id|ys|ying|yment|yments)\b", re.I)

_ILITY = re.compile(r"\b[a-z]{3,}(?:ib|ab)ility\b")
_NOMINAL = re.compile(r"\b[a-z]{3,}(?:ication|ation)(?=s?\b)")


# a hyphenated word, not part of a link ("accd.vermont.gov/flood-grants") or a range ("10-13")
_COMPOUND = re.compile(r"(?<![\w/.@-])[A-Za-z]+(?:-[A-Za-z]+)+(?![\w/.@-]*[\w/@])")


_NAME_RUN = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:of|and|for|on|the|&)?\s*[A-Z][a-z]+)+")


def acronyms(text: str) -> set[str]:
    """The initials of each run of capitalised words, as terms: "Security
    Implementation Group" gives "sig", so a question about "the SIG" finds the
    sentence that spells it out."""
    out = set()
    for m in _NAME_RUN.finditer(text):
        for name in re.split(r"\s+(?:and|&)\s+", m.group()):
            words_ = name.split()
            while words_ and words_[0].lower() in _NOT_IN_NAMES:
                words_.pop(0)
            initials = "".join(w[0] for w in words_ if w[0].isupper())
            if 2 <= len(initials) <= 6:
                out.add(initials.lower())
            # "U.S.-Mexico Security Implementation Group": the name may start later
            out.update(initials[i:].lower() for i in range(1, len(initials) - 2))
    return out


def acronym_names(text: str) -> dict[str, set[str]]:
    """Each acronym ``acronyms`` finds, with the terms of the name it stands
    for: {"sig": {"security", "implementation", "group"}}."""
    out: dict[str, set[str]] = {}
    for m in _NAME_RUN.finditer(text):
        for name in re.split(r"\s+(?:and|&)\s+", m.group()):
            words_ = name.split()
            while words_ and words_[0].lower() in _NOT_IN_NAMES:
                words_.pop(0)
            caps = [w for w in words_ if w[0].isupper()]
            for i in range(len(caps) - 1):
                initials = "".join(w[0] for w in caps[i:]).lower()
                if 2 <= len(initials) <= 6:
                    out[initials] = set(terms(" ".join(caps[i:])))
    return out


# capitalised at the start of a sentence, never part of what a name abbreviates
_NOT_IN_NAMES = {"the", "a", "an", "on", "in", "at", "for", "of", "and", "by", "to", "from", "with", "as",
                 "this", "that", "these", "those", "its", "their", "his", "her", "our", "last", "next", "when",
                 "is", "are", "was", "were", "do", "does", "did", "will", "can", "could", "should", "has", "have",
                 "who", "what", "which", "where", "why", "how",
                 "after", "before", "while", "if", "but", "monday", "tuesday", "wednesday", "thursday", "friday",
                 "saturday", "sunday"}


_NUM = re.compile(r"\d[\d,]*(?:\.\d+)?")


def numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUM.findall(text)}


# ------------------------------------------------------------ citation markers
# Answers carry citations as "[1]" or "[1, 2]" after the sentence they back.
# These are the only patterns that read them; a model's own styles ("[Source
# 2]", "(2)") are rewritten into this form before anything else sees them.
CITATION_MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
LEADING_MARKERS = re.compile(r"(?:\[\d{1,3}(?:\s*,\s*\d{1,3})*\]\s*)+")
_MARKER_WITH_SPACE = re.compile(r"\s*\[\d{1,3}(?:\s*,\s*\d{1,3})*\]")
# A list item's prefix: "- ", "* ", "• ", "1. ", "2) ".
LIST_PREFIX = re.compile(r"^(\s*(?:[-*+\u2022]|\d+[.)])\s+)")


def strip_markers(sentence: str) -> str:
    """The sentence without its [n] markers."""
    return _MARKER_WITH_SPACE.sub("", sentence).strip()


def marker_numbers(text: str) -> list[int]:
    """The numbers of the [n] markers in ``text``, in order, without repeats."""
    return list(dict.fromkeys(int(x) for group in CITATION_MARKER.findall(text) for x in group.split(",")))


def sentences_keeping_markers(text: str) -> list[tuple[int, int]]:
    """Sentence spans in which a marker written after the full stop ("...
    border. [2] Next") stays with the sentence it follows."""
    merged: list[tuple[int, int]] = []
    for s, e in sentence_spans(text):
        if merged and CITATION_MARKER.fullmatch(text[s:e].strip()):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    fixed: list[tuple[int, int]] = []
    for s, e in merged:
        lead = LEADING_MARKERS.match(text, s, e)
        if lead and lead.start() == s and fixed:
            fixed[-1] = (fixed[-1][0], lead.end())
            s = lead.end()
        if s < e:
            fixed.append((s, e))
    return fixed


def clear_caches() -> None:
    """Forget the memoised sentence splits and terms (benchmarks measuring cold costs use it)."""
    for cached in (_sentence_spans, _terms, _held_terms):
        cached.cache_clear()
