"""Text analysis for the calibrated grounding checker: what a claim and a
passage window hold (content words, names, numbers, negations), how much of a
claim a window covers, and the mismatches that mark an unsupported claim
(novel names or numbers, negation, opposites, closed-class clashes, added
qualifiers). ``pair_features`` turns one claim sentence and its best windows
into the feature vector the fitted model scores."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from qa_service.text import STOPWORDS, sentence_spans, strip_markers

# --------------------------------------------------------------------------
# Calibrated offline checker: text analysis

FEATURES = (
    "coverage",  # share of the claim's content words, names and numbers the window holds
    "novel_names",  # names (capitalised words, acronyms, codes) the passage does not hold
    "novel_numbers",  # numbers, dates, ordinals the window does not hold
    "negation_mismatch",  # one side negated, the other not
    "opposites",  # a claim word whose opposite the window holds instead
    "class_clashes",  # another member of a closed class (colour, month, unit, role...)
    "added_qualifiers",  # co-, former, only, recently... that the window never states
)

_TOKEN = re.compile(
    # SARS-CoV-2, COVID-19, G7, mRNA-1345 are names (but "mid-2023" is a word and a year)
    r"(?P<code>(?=[a-z-]*[A-Z])[A-Za-z]+(?:-[A-Za-z]+)*-?\d+[A-Za-z]*\b)"
    r"|(?P<num>\$?\d+(?:,\d{3})*(?:\.\d+)?(?:%|[a-zA-Z]+\b)?)"  # 35, 19,650, $5bn, 4.9%, 23rd
    r"|(?P<word>[A-Za-z]+(?:'[A-Za-z]+)?)"
)
_ABBREVIATION = re.compile(r"\b(?:[A-Za-z]\.){2,}")  # U.S., D.C., U.K.
_COMPOUND = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+")
_SENTENCE_BREAK = re.compile(r"[.!?\n]")
_NORM = re.compile(r"[^a-z0-9]+")

NEGATIONS = frozenset({"not", "no", "never", "none", "nor", "neither", "without", "cannot", "nothing", "nobody",
                       "unpublished", "undisclosed"})
# Stopwords that carry facts: quantifiers and directions stay content words.
_FACT_WORDS = frozenset({"all", "some", "only", "more", "most", "few", "before", "after", "over", "under", "up",
                         "down", "off", "out", "again", "first", "last"})

# One name said in several ways; each maps to one key. Multi-word forms are
# rewritten to the short one before tokenising.
_ALIASES = {
    "us": "@us", "usa": "@us", "america": "@us", "american": "@us", "americans": "@us",
    "uk": "@uk", "britain": "@uk", "british": "@uk",
    "eu": "@eu", "un": "@un", "dc": "@dc",
    "france": "@fr", "french": "@fr", "netherlands": "@nl", "dutch": "@nl", "holland": "@nl",
    "switzerland": "@ch", "swiss": "@ch", "philippines": "@ph", "filipino": "@ph",
}
_ALIAS_PHRASES = {"united states": "US", "united kingdom": "UK", "great britain": "UK", "european union": "EU",
                  "united nations": "UN", "district of columbia": "DC"}
_ALIAS_PHRASE = re.compile(r"\b(?:the\s+)?(" + "|".join(_ALIAS_PHRASES) + r")\b", re.I)

_NUMBER_WORDS = {
    w: float(i) for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split())
} | {"thirty": 30.0, "forty": 40.0, "fifty": 50.0, "sixty": 60.0, "seventy": 70.0, "eighty": 80.0,
     "ninety": 90.0, "hundred": 100.0, "thousand": 1e3, "dozen": 12.0, "half": 0.5}
# "one" is as often a pronoun ("one of the ...") as a count: a claim's "one" is
# not checked, a passage's "one" still supports a claim's "1".
_CLAIM_SKIPS_NUMBER = frozenset({"one"})
_ORDINALS = {w: f"#{i + 1}" for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())}
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9,
          "billion": 1e9, "t": 1e12, "tn": 1e12, "trillion": 1e12}
_NUMBER = re.compile(r"\$?(\d[\d,]*(?:\.\d+)?)(%|[a-zA-Z]+)?$")

# Opposites: each line holds two groups of words that say one thing, opposed
# to each other. A claim word from one group whose window holds the other
# group (and nothing of its own) contradicts it. Written by hand for news
# (directions of change, outcomes, legal steps, polarity of judgements).
_OPPOSITES = """
increase rise grow growth gain climb surge soar boost expand higher raise spike jump | decrease decline fall drop cut reduce reduction shrink slump plunge sink lower dip slash downturn
more | less fewer
win won victory | lose lost defeat
approve approval accept adopt endorse | reject rejection deny veto refuse
allow permit legalize | ban forbid prohibit outlaw
before earlier prior previously ahead forward | after later afterwards subsequently behind backward backwards
first earliest | last latest final
early | late
begin start launch | end finish halt
buy purchase acquire | sell
import | export
arrest arrested detain indict convict | acquit acquittal exonerate
guilty | innocent
success successful succeed thrive thriving triumph triumphant prosper prosperous booming profitable | struggle struggling troubled fail failing failure ailing distressed bankrupt
strong strength | weak weakness
high | low
maximum | minimum
majority | minority
include including | exclude excluding
profit surplus | loss deficit
agree agreement | disagree disagreement
confirm | deny
join | leave quit
hire | fire layoff
north northern | south southern
east eastern | west western
past | future
older | younger newer
cheap | expensive
always | never
positive | negative
legal | illegal
public | private
domestic | foreign
survive survived | die died dead death kill killed
peace peaceful | war invasion
true | false
rich wealthy | poor
alive | dead
"""
# Closed classes: a claim member the window lacks, where the window holds
# another member, is a swapped fact.
_CLASSES = """
colour: red orange yellow green blue purple violet pink brown black white grey gray gold silver
month: january february march april may june july august september october november december
weekday: monday tuesday wednesday thursday friday saturday sunday
timeunit: minute hour day week month year decade century
season: spring summer autumn winter
direction: north south east west northern southern eastern western
gender: man men woman women boy girl male female
family: mother father son daughter brother sister wife husband uncle aunt niece nephew cousin grandmother grandfather
role: founder cofounder ceo chairman chairwoman president director ambassador governor mayor senator
"""
# Qualifiers that change a fact when added: who exactly, how exclusively, when.
_QUALIFIERS = """co ex vice former deputy acting interim assistant only sole solely entire every record largest biggest
smallest highest lowest secretly unanimously permanently temporarily recently now already still again soon
instead"""


def fold(text: str) -> str:
    """Accents off (Ramón -> Ramon), typographic quotes and dashes plain."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


@lru_cache(maxsize=65536)
def word_key(word: str) -> str:
    """A light stem that gives inflections one key: increase/increased/
    increasing -> increas, file/filing -> fil, stopped/stop -> stop."""
    w = word.lower()
    if len(w) <= 3 or not w.isalpha():
        return w
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""),
                         ("s", ""), ("ly", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            if suffix == "s" and w.endswith(("ss", "us", "is")):
                continue
            w = w[: -len(suffix)] + repl
            if suffix in ("ing", "ed") and len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]  # stopped -> stopp -> stop
            break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


def _number_text(value: float) -> str:
    return f"{value:.6g}"


def _number(token: str, following: str | None) -> str | None:
    """The canonical value of a number token ('$5bn' and '5 billion' -> 5e+09,
    'fourth' and '4th' -> #4, '30%' and '30 percent' -> 30%), or None."""
    low = token.lower()
    nxt = (following or "").lower()
    if low in _ORDINALS:
        return _ORDINALS[low]
    if low in _NUMBER_WORDS:
        value = _NUMBER_WORDS[low]
        suffix = ""
    else:
        m = _NUMBER.match(token)
        if not m:
            return None
        value = float(m.group(1).replace(",", ""))
        suffix = (m.group(2) or "").lower()
        if suffix in ("st", "nd", "rd", "th"):
            return f"#{int(value)}"
    if suffix == "%" or nxt in ("percent", "%"):
        return _number_text(value) + "%"
    if suffix in _SCALE:
        value *= _SCALE[suffix]
    elif nxt in _SCALE:
        value *= _SCALE[nxt]
    return _number_text(value)


@dataclass(frozen=True)
class Token:
    low: str
    key: str
    name: bool  # capitalised mid-sentence, an acronym or a code
    number: str | None
    stop: bool


@lru_cache(maxsize=32768)
def tokens(text: str) -> tuple[Token, ...]:
    text = fold(text)
    text = _ABBREVIATION.sub(lambda m: m.group().replace(".", ""), text)
    text = _ALIAS_PHRASE.sub(lambda m: _ALIAS_PHRASES[m.group(1).lower()], text)
    out: list[Token] = []
    matches = list(_TOKEN.finditer(text))
    previous_end = 0
    for i, m in enumerate(matches):
        sentence_start = i == 0 or bool(_SENTENCE_BREAK.search(text, previous_end, m.start()))
        previous_end = m.end()
        t = m.group()
        if m.lastgroup == "code":
            code = t.lower().replace("-", "")
            out.append(Token(code, code, True, None, False))
            continue
        if t.lower().endswith("'s"):
            t = t[:-2]
        low = t.lower()
        if low in _SCALE and out and out[-1].number is not None:
            continue  # the "billion" of "5 billion" is part of the number
        following = matches[i + 1].group() if i + 1 < len(matches) else None
        number = _number(t, following)
        acronym = t.isupper() and len(t) > 1
        stop = low in STOPWORDS and low not in _FACT_WORDS and not acronym
        name = number is None and not stop and t[0].isupper() and (not sentence_start or acronym)
        key = low if number is not None else word_key(low)
        if name and low in _ALIASES:
            key = _ALIASES[low]
        out.append(Token(low, key, name, number, stop))
    return tuple(out)


@dataclass(frozen=True)
class Analysed:
    """What the checker needs to know about one text, computed once."""

    norm: str  # lowercased, accents folded, punctuation collapsed: for the verbatim test
    keys: frozenset[str]  # every word key, joined compounds ("startup", "usmexico") and alias keys
    content: tuple[str, ...]  # content word keys, in order (no names, numbers, negations)
    names: frozenset[str]
    numbers: frozenset[str]
    negations: int
    size: int  # tokens: the shorter of two equally good windows is the more exact


def _text_norm(text: str) -> str:
    return " " + _NORM.sub(" ", fold(text).lower()).strip() + " "


@lru_cache(maxsize=32768)
def analyse(text: str) -> Analysed:
    toks = tokens(text)
    keys = {t.key for t in toks if not t.stop}
    # "cliff top" holds "clifftop", "start-up" holds "startup"
    plain = [t.low for t in toks if not t.stop and t.number is None and t.low.isalpha()]
    keys |= {word_key(a + b) for a, b in zip(plain, plain[1:], strict=False)}
    keys |= {m.group().lower().replace("-", "") for m in _COMPOUND.finditer(fold(text))}
    numbers_ = {t.number for t in toks if t.number is not None}
    numbers_ |= {"1" for t in toks if t.low == "one"}
    return Analysed(
        norm=_text_norm(text),
        keys=frozenset(keys),
        content=tuple(t.key for t in toks
                      if not t.stop and not t.name and t.number is None and t.low not in NEGATIONS),
        names=frozenset(t.key for t in toks if t.name),
        numbers=frozenset(numbers_),
        negations=sum(1 for t in toks if t.low in NEGATIONS or t.low.endswith("n't")),
        size=len(toks),
    )


@lru_cache(maxsize=32768)
def analyse_claim(text: str) -> Analysed:
    """As ``analyse``, but a claim's "one" is no number to check."""
    a = analyse(text)
    toks = tokens(text)
    skipped = {t.number for t in toks if t.low in _CLAIM_SKIPS_NUMBER}
    kept = {t.number for t in toks if t.number is not None and t.low not in _CLAIM_SKIPS_NUMBER}
    if not skipped - kept:
        return a
    return Analysed(a.norm, a.keys, a.content, a.names, frozenset(kept), a.negations, a.size)


def _merge(a: Analysed, b: Analysed) -> Analysed:
    return Analysed(a.norm + b.norm, a.keys | b.keys, a.content + b.content, a.names | b.names,
                    a.numbers | b.numbers, a.negations + b.negations, a.size + b.size)


def name_found(name: str, window: Analysed) -> bool:
    if name in window.keys:
        return True
    alias = _ALIASES.get(name)
    if alias and alias in window.keys:
        return True
    # a demonym or inflection of a name the window holds: Mexico/Mexican,
    # Russia/Russian, Ukraine/Ukrainian (codes like SARS-CoV-2 must match exactly)
    if len(name) >= 5 and name.isalpha():
        for k in window.keys:
            if k[:4] == name[:4] and k.isalpha():
                common = 0
                for a, b in zip(name, k, strict=False):
                    if a != b:
                        break
                    common += 1
                if common >= min(len(name), len(k)) - 1:
                    return True
    return False


def _significant_digits(text: str) -> int:
    digits = text.split("e")[0].replace(".", "").replace("-", "").rstrip("%").strip("0")
    return len(digits)


def number_found(number: str, window: Analysed) -> bool:
    """Exactly, or rounded: "nearly 20,000" is supported by "19,650", while
    "36" is not supported by "35"."""
    if number in window.numbers:
        return True
    if number.startswith("#"):
        return False
    percent = number.endswith("%")
    try:
        value = float(number.rstrip("%"))
    except ValueError:
        return False
    for other in window.numbers:
        if other.startswith("#") or other.endswith("%") != percent:
            continue
        v = float(other.rstrip("%"))
        if v and abs(value - v) <= 0.05 * abs(v) and _significant_digits(number) < _significant_digits(other):
            return True
    return False


def _word_sets(text: str) -> list[tuple[frozenset[str], frozenset[str]]]:
    out = []
    for line in text.strip().splitlines():
        a, b = line.split("|")
        out.append((frozenset(word_key(w) for w in a.split()), frozenset(word_key(w) for w in b.split())))
    return out


OPPOSITES = _word_sets(_OPPOSITES)
CLASSES = {line.split(":")[0]: frozenset(word_key(w) for w in line.split(":")[1].split())
           for line in _CLASSES.strip().splitlines()}
QUALIFIERS = frozenset(word_key(w) for w in _QUALIFIERS.split())


def opposites(claim: Analysed, window: Analysed) -> int:
    mine = set(claim.content)
    hits = 0
    for a, b in OPPOSITES:
        for same, other in ((a, b), (b, a)):
            said = mine & same
            if said and not (window.keys & same) and (window.keys & other) - mine:
                hits += 1
    return hits


def class_clashes(claim: Analysed, window: Analysed) -> int:
    mine = set(claim.content) | claim.names | claim.keys
    hits = 0
    for members in CLASSES.values():
        if ((claim.keys & members) - window.keys) and ((window.keys & members) - mine):
            hits += 1
    return hits


def added_qualifiers(claim: Analysed, window: Analysed) -> int:
    return len((claim.keys & QUALIFIERS) - window.keys)


# --------------------------------------------------------------------------
# Calibrated offline checker: windows, features, score

def _items(claim: Analysed) -> set:
    return set(claim.content) | {("name", n) for n in claim.names} | {("number", n) for n in claim.numbers}


def _covered(claim: Analysed, window: Analysed) -> set:
    out: set = {k for k in claim.content if k in window.keys}
    out |= {("name", n) for n in claim.names if name_found(n, window)}
    out |= {("number", n) for n in claim.numbers if number_found(n, window)}
    return out


@dataclass(frozen=True)
class PassageIndex:
    whole: Analysed
    windows: tuple[Analysed, ...]


@lru_cache(maxsize=4096)
def passage_index(passage: str, max_sentences: int = 3) -> PassageIndex:
    """A short passage is one window; a long document is every run of one to
    ``max_sentences`` neighbouring sentences (a claim sentence usually rests on
    one or two source sentences, and whole-document overlap would accept any
    mix of its words)."""
    whole = analyse(passage)
    spans = sentence_spans(passage)
    if len(spans) <= max_sentences:
        return PassageIndex(whole, (whole,))
    out = []
    for i in range(len(spans)):
        for width in range(1, max_sentences + 1):
            if i + width <= len(spans):
                out.append(analyse(passage[spans[i][0]:spans[i + width - 1][1]]))
    return PassageIndex(whole, tuple(out))


def _weight(items: set) -> float:
    """Names and numbers count double: they are the facts a window must hold."""
    return sum(2.0 if isinstance(i, tuple) else 1.0 for i in items)


def support_windows(claim: Analysed, index: PassageIndex) -> tuple[Analysed, Analysed]:
    """The window holding most of the claim (names and numbers count double),
    joined with a second one when the second holds at least two more of the
    claim's items (a summary sentence may join two places of a document); and,
    of those one or two windows, the one holding more of the claim's content
    words: the statement itself, whose negation must match the claim's."""
    windows = index.windows
    if len(windows) == 1:
        return windows[0], windows[0]
    first = max(windows, key=lambda w: (_weight(_covered(claim, w)), -w.size))
    missing = _items(claim) - _covered(claim, first)
    if len(missing) < 2:
        return first, first
    second = max(windows, key=lambda w: (len(_covered(claim, w) & missing), -w.size))
    if len(_covered(claim, second) & missing) < 2:
        return first, first
    content = set(claim.content)
    statement = max((first, second), key=lambda w: len(content & w.keys))
    return _merge(first, second), statement


def pair_features(claim: Analysed, window: Analysed, statement: Analysed, whole: Analysed) -> list[float]:
    """The feature vector of one claim sentence against its support window and
    statement window (as support_windows returns them) and the whole passage,
    in the order of FEATURES. Counts are capped at 2: a third mismatch tells
    little more than the second."""
    items = _items(claim)
    coverage = _weight(_covered(claim, window)) / _weight(items) if items else 0.0
    novel_numbers = [n for n in claim.numbers if not number_found(n, window)]
    return [
        coverage,
        # A name found elsewhere in a long passage but not in the window is as
        # often a fair inference ("U.K. activists" for "activists in London",
        # the U.K. named further down) as a swap: only unseen names count.
        float(min(2, sum(1 for n in claim.names if not name_found(n, window) and not name_found(n, whole)))),
        float(min(2, len(novel_numbers))),
        float((claim.negations > 0) != (statement.negations > 0)),
        float(min(2, opposites(claim, window))),
        float(min(2, class_clashes(claim, window))),
        float(min(2, added_qualifiers(claim, window))),
    ]


def claim_sentences(claim: str) -> list[str]:
    claim = strip_markers(claim)
    out = [claim[s:e] for s, e in sentence_spans(claim)]
    return [s for s in out if _items(analyse_claim(s))]


