"""Cheap text alignment for the grounding checker: sentence splitting, content
terms, names and numbers, which sentences of a passage a claim rests on
(``select_evidence``), the verbatim test, and ``shortlist``, the lexical first
stage that picks the few candidate spans worth a model call.

The cross-encoder reads ``[CLS] claim [SEP] evidence [SEP]`` where evidence is
what ``select_evidence`` picks: the training scripts (training/grounding/)
import these same functions, so the model sees at answer time the input it was
trained on. Changing them changes the model's input: retrain and re-measure.

Nothing here was written from the news evaluation split: stopwords, negations
and number words are generic English, the aliases fold the few multi-word
names every English text abbreviates. Standard library only."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# --------------------------------------------------------------------------
# Normalisation and tokens

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
# Multi-word names said two ways: fold them to one token before analysis, so
# "United States" and "U.S." agree (a rewrite honest answers use).
_ALIASES = (
    (re.compile(r"\b(?:the\s+)?United\s+States(?:\s+of\s+America)?\b", re.I), "US"),
    (re.compile(r"\bU\.\s?S\.(?:\s?A\.)?(?=\W|$)"), "US"),
    (re.compile(r"\bUSA\b"), "US"),
    (re.compile(r"\b(?:the\s+)?United\s+Kingdom\b", re.I), "UK"),
    (re.compile(r"\bU\.K\.(?=\W|$)"), "UK"),
    (re.compile(r"\b(?:the\s+)?European\s+Union\b", re.I), "EU"),
    (re.compile(r"\b(?:the\s+)?United\s+Nations\b", re.I), "UN"),
    (re.compile(r"\bU\.N\.(?=\W|$)"), "UN"),
)


def fold(text: str) -> str:
    """Typographic quotes/dashes plain and accents off (Ramón = Ramon): paraphrase
    in an answer often differs from its source only in these."""
    text = text.translate(_QUOTES)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return text


def normalise(text: str) -> str:
    """Fold and unify aliases; the form every feature is computed on."""
    text = fold(text)
    for pattern, repl in _ALIASES:
        text = pattern.sub(repl, text)
    return text


_SENT_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")
_ABBREV = frozenset(
    "mr mrs ms dr st jr sr no vs etc e.g i.e inc co corp gov sen rep gen lt col jan feb mar apr jun jul aug sep "
    "sept oct nov dec approx dept est fig al".split()
)


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: split after . ! ? before whitespace and at line
    breaks, not after common abbreviations or initials (U.S., Mr.). A missed
    split costs less than a wrong one, so ambiguous cases stay joined."""
    out: list[str] = []
    start = 0
    for m in _SENT_END.finditer(text):
        before = text[start : m.start()].rstrip("\"')]")
        if "\n" not in m.group():
            last = before.split()[-1] if before.split() else ""
            stem_ = last.lower().rstrip(".")
            if stem_ in _ABBREV or re.fullmatch(r"(?:[A-Za-z]\.)+", last):
                continue
        seg = text[start : m.start()].strip()
        if seg:
            out.append(seg)
        start = m.end()
    seg = text[start:].strip()
    if seg:
        out.append(seg)
    return [s for s in out if any(c.isalnum() for c in s)]


STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being this that these
    those it its into about than then there their them they he she his her him we our you your i me my what which
    who whom whose when where why how do does did done doing have has had having will would can could should
    shall may might must so such also any each both other very just own same too s t out here per via yet us
    's itself themselves himself herself ourselves yourself let lets get got going go well oh yeah okay ok um uh
    like really actually thing things something one ones""".split()
)
NEGATIONS = frozenset({"not", "no", "never", "none", "nor", "neither", "without", "cannot", "nothing", "nobody",
                       "n't", "nowhere", "hardly", "barely", "lack", "lacks", "lacked", "fail", "fails", "failed"})
_NUMBER_WORDS = {
    w: float(i) for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split())
} | {"thirty": 30.0, "forty": 40.0, "fifty": 50.0, "sixty": 60.0, "seventy": 70.0, "eighty": 80.0,
     "ninety": 90.0, "hundred": 100.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "dozen": 12.0,
     "half": 0.5, "twice": 2.0, "double": 2.0, "triple": 3.0, "first": 1.0, "second": 2.0, "third": 3.0,
     "fourth": 4.0, "fifth": 5.0}
_MONTHS = frozenset("january february march april may june july august september october november december".split())
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9,
          "trillion": 1e12}

_TOKEN = re.compile(r"\$?\d[\d,]*(?:\.\d+)?%?|[A-Za-z]+(?:'[a-z]+)?|n't")


def tokens(text: str) -> list[str]:
    """Raw word and number tokens (case kept), "don't" -> "do", "n't"."""
    text = re.sub(r"n't\b", " n't", text)
    return _TOKEN.findall(text)


@lru_cache(maxsize=131072)
def stem(word: str) -> str:
    """A light suffix stripper so inflections share a key (increased/increasing
    -> increas, companies -> company). Cheap and good enough for coverage."""
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
                w = w[:-1]
            break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


def _number_value(tok: str, nxt: str | None) -> str | None:
    """A canonical string for a numeric token ("$5bn", "5 billion" -> 5000000000)."""
    low = tok.lower()
    if low in _NUMBER_WORDS:
        v = _NUMBER_WORDS[low]
    else:
        m = re.fullmatch(r"\$?(\d[\d,]*(?:\.\d+)?)%?", tok)
        if not m:
            return None
        try:
            v = float(m.group(1).replace(",", ""))
        except ValueError:
            return None
    if nxt and nxt.lower() in _SCALE and low not in _SCALE:
        v *= _SCALE[nxt.lower()]
    return f"{v:.6g}"


@dataclass(frozen=True)
class Analysed:
    """What the features need from one text, computed once and cached."""

    text: str
    words: tuple[str, ...]  # lower-case word tokens, in order
    terms: frozenset[str]  # stemmed content words
    term_seq: tuple[str, ...]  # stemmed content words in order (for bigrams)
    names: frozenset[str]  # capitalised words (not sentence-initial), acronyms
    numbers: frozenset[str]  # canonical numbers, incl. number words
    months: frozenset[str]
    negations: int


@lru_cache(maxsize=16384)
def analyse(text: str) -> Analysed:
    """Analyse ``text`` (normalised first). Cached: at answer time the same span
    is scored against many claims."""
    norm = normalise(text)
    toks = tokens(norm)
    words = tuple(t.lower() for t in toks)
    seq = tuple(stem(w) for w in words if w.isalpha() and w not in STOPWORDS and len(w) > 1)
    # Names: capitalised words except the first (a sentence start), acronyms anywhere.
    names: set[str] = set()
    for i, t in enumerate(toks):
        if t[0].isupper() and t.lower() not in STOPWORDS and t.lower() not in _MONTHS:
            if i > 0 or (t.isupper() and len(t) > 1):
                names.add(stem(t.lower()))
    nums: set[str] = set()
    for i, t in enumerate(toks):
        if t.lower() == "one":  # as often a pronoun as a count
            continue
        v = _number_value(t, toks[i + 1] if i + 1 < len(toks) else None)
        if v is not None:
            nums.add(v)
    months = frozenset(w for w in words if w in _MONTHS)
    neg = sum(1 for w in words if w in NEGATIONS)
    return Analysed(norm, words, frozenset(seq), seq, frozenset(names), frozenset(nums), months, neg)


# --------------------------------------------------------------------------
# Evidence selection and the lexical first stage


def _idf(sentences: Sequence[Analysed]) -> dict[str, float]:
    n = len(sentences)
    df: dict[str, int] = {}
    for s in sentences:
        for t in s.terms:
            df[t] = df.get(t, 0) + 1
    return {t: math.log(1 + (n + 1) / (c + 0.5)) for t, c in df.items()}


def select_evidence(claim: str, passage: str | Sequence[str], k: int = 3) -> list[str]:
    """The ``k`` sentences of ``passage`` that together hold most of ``claim``,
    in passage order. Greedy: each pick maximises the IDF weight of claim terms
    (names and numbers count double) not yet covered, so a claim that joins two
    facts gets both sentences. A passage of at most ``k`` sentences is returned
    whole: at answer time the cited span is 1-3 sentences and is the evidence."""
    sents = split_sentences(passage) if isinstance(passage, str) else list(passage)
    if len(sents) <= k:
        return sents
    an = [analyse(s) for s in sents]
    c = analyse(claim)
    idf = _idf(an)
    default = max(idf.values(), default=1.0)
    # sorted: set order varies between processes (hash seed), and float sums in
    # a different order can break ties differently
    weight = {t: idf.get(t, default) for t in sorted(c.terms)}
    for t in c.names:
        if t in weight:
            weight[t] *= 2.0
    chosen: list[int] = []
    covered: set[str] = set()
    covered_nums: set[str] = set()
    for _ in range(k):
        best, best_gain = -1, 0.0
        for i, s in enumerate(an):
            if i in chosen:
                continue
            gain = sum(w for t, w in weight.items() if t in s.terms and t not in covered)
            gain += 2.0 * len((c.numbers & s.numbers) - covered_nums)
            # small bonus for overlap already covered: prefers the on-topic sentence on ties
            gain += 0.1 * sum(w for t, w in weight.items() if t in s.terms and t in covered)
            if gain > best_gain:
                best, best_gain = i, gain
        if best < 0:
            break
        chosen.append(best)
        covered |= an[best].terms
        covered_nums |= an[best].numbers
    if not chosen:
        chosen = [0]
    return [sents[i] for i in sorted(chosen)]


_SPACES = re.compile(r"\s+")


# Verifying one answer compares each claim with every candidate span, and a
# streamed answer is re-verified as it grows: the same few hundred span texts
# are canonicalised thousands of times without this cache.
@lru_cache(maxsize=16384)
def _canon(text: str) -> str:
    return _SPACES.sub(" ", fold(text)).strip().lower()


def is_verbatim(claim: str, passage: str) -> bool:
    """The claim appears in the passage word for word (case, spacing, quotes and
    a final full stop aside). Such a claim is extractive and must score 1.0."""
    cl = _canon(claim).rstrip(".!? ")
    return bool(cl) and cl in _canon(passage)


_LEADING_PRONOUN = re.compile(r"(it|its|they|their|he|his|she|her)\b", re.I)
# "It could be years before ...", "It is unclear whether ...", "It was not known what ...":
# an "it" that stands for nothing (the clause after it is the subject)
EXPLETIVE_IT = re.compile(
    r"^It\s+(?:(?:is|was|will be|would be|could be|may be|might be|can be|has been|had been|remains|remained|seems|"
    r"seemed|appears|appeared)\s+(?:(?:not|still|too|far|very|immediately|now|also|already|yet)\s+)*"
    r"(?:(?:unclear|clear|known|unknown|possible|impossible|likely|unlikely|uncertain|important|necessary|hard|"
    r"difficult|easy|early|(?:\w+\s+)?(?:years|months|weeks|days|hours|decades|time))\s+(?:to|that|before|until|"
    r"whether|when|what|who|how|why|if|for)\b|(?:expected|hoped|feared|estimated|thought|believed|reported|said)"
    r"\s+that\b)|"
    r"(?:takes|took|will take|could take|may take|would take)\s+(?:\w+\s+){0,2}(?:years|months|weeks|days|hours|"
    r"decades|time)\b)")
_POSSESSIVES = frozenset({"its", "their", "his", "her"})


def is_resolved_quote(claim: str, passage_sentences: Sequence[str]) -> bool:
    """The claim is a passage sentence quoted word for word except its leading
    pronoun, which is replaced by the phrase the sentence just before it opens
    with: "They did not focus on new budget lines." after "The SIG's first
    meetings focused on launching initiatives." quoted as "The SIG's first
    meetings did not focus on new budget lines." It says what the two sentences
    say together, so it is as extractive as a quote. Only the opening phrase of
    the neighbour before counts (at most twelve words), never a name from
    elsewhere in the passage."""
    cl = _canon(claim).rstrip(".!? ")
    for k, (before, sentence) in enumerate(zip(passage_sentences, passage_sentences[1:])):
        if _names_what_demonstrative_points_to(cl, before, sentence):
            return True
        if cl == joined_with_which(_canon(before), _canon(sentence)).rstrip(".!? "):
            return True
        m = _LEADING_PRONOUN.match(sentence.strip())
        if not m or EXPLETIVE_IT.match(sentence.strip()):
            continue
        rest = _canon(sentence.strip()[m.end():]).rstrip(".!? ")
        if not rest or not cl.endswith(rest):
            continue
        head = cl[: len(cl) - len(rest)].strip()
        if m.group(1).lower() in _POSSESSIVES:
            if not head.endswith(("'s", "'")):
                continue
            head = head[:-2] if head.endswith("'s") else head[:-1]
        if _opens_with(before, head):
            return True
        # two steps: "They did not focus on budget lines." after "Its first meetings
        # focused on ..." after "The SIG ...": "The SIG's first meetings did not focus ..."
        b = _LEADING_PRONOUN.match(before.strip())
        if k > 0 and b and b.group(1).lower() in _POSSESSIVES:
            owner, _, owned = head.partition("'s ")
            b_rest = _canon(before.strip()[b.end():])
            if owner and owned and b_rest.startswith(owned + " ") and _opens_with(passage_sentences[k - 1], owner):
                return True
    return False


# "Howard Ames is State Veterinarian." restates "... said State Veterinarian Dr. Howard Ames"
HONORIFIC = r"(?:dr|mr|mrs|ms|prof|rev|sen|rep|gen|col|lt|sgt|capt)\.?"
_IDENTITY_CLAIM = re.compile(r"^(?P<name>[\w.'-]+(?: [\w.'-]+){0,4}) (?:is|was) (?:(?P<det>a|an|the) )?(?P<title>.+)$")
NOT_IN_TITLES = frozenset("said says told tells according to by from for with at in on as and or but which who whom "
                           "whose that when while after before because if".split())


def is_stated_identity(claim: str, passage_sentences: Sequence[str]) -> bool:
    """The claim says who someone is, in the words a passage sentence gives them
    with: the title before the name ("Howard Ames is State Veterinarian." from
    "... said State Veterinarian Dr. Howard Ames"; "Mira Feldstein is an analyst
    of Harborview Securities." from "Analyst Mira Feldstein of Harborview
    Securities said") or the apposition after it ("Andrea Kowal is a researcher
    at ..." from "Andrea Kowal, a researcher at ..."). It says what the sentence
    says of them, so it is as extractive as a quote."""
    m = _IDENTITY_CLAIM.match(_canon(claim).rstrip(".!? "))
    if m is None:
        return False
    name, det, title = m.group("name"), m.group("det"), m.group("title")
    for sentence in passage_sentences:
        text = _canon(sentence)
        if det and re.search(rf"(?:^|\W){re.escape(name)},(?: \d{{1,3}},)? {det} {re.escape(title)}(?:,|;|\.(?:\s|$)|$)",
                             text):
            return True
        # an office with no article: "Theo Grant, chair of the musicians' negotiating committee"
        if not det and re.search(rf"(?:^|\W){re.escape(name)}, {re.escape(title)}(?:,|;|\.(?:\s|$)|$)", text) and \
                " of " in title:
            return True
        # the apposition before the name: "and an existing investor, Solenne Ventures"
        if det and len(title.split()) <= 5 and re.search(
                rf"(?:^|\W){det} {re.escape(title)}, {re.escape(name)}(?:[,.;]|\s+and\b|$)", text):
            return True
        head, _, place = title.partition(" of ")
        for t, after in ((title, ""), (head, f" of {place}") if place else (title, "")):
            words_ = t.split()
            if not words_ or len(words_) > 6 or set(words_) & NOT_IN_TITLES:
                continue
            if re.search(rf"(?:^|\W){re.escape(t)} (?:{HONORIFIC} )?{re.escape(name)}{re.escape(after)}(?:\W|$)", text):
                return True
    return False


_DEMONSTRATIVE = re.compile(r"(?:these|those|this|that) ([a-z]+)\b", re.I)
# "This is meant to ...", "That will ...": "this" standing for what the sentence before says
THIS_DOES = re.compile(r"^(?:this|that) (?=(?:is|was|will|would|could|can|should|may|might|means|meant|lets|"
                       r"allows|helps|makes|gives|puts|keeps|leaves|follows|comes|marks|brings|adds)\b)", re.I)


def joined_with_which(before: str, sentence: str) -> str:
    """"X. This is meant to let Y." as one sentence: "X, which is meant to let
    Y."; '' when the second does not open with "this" standing for the first.
    It says what the two say together, so it is as extractive as a quote."""
    m = THIS_DOES.match(sentence.strip())
    body = before.strip()
    if not m or not body.endswith(".") or body.endswith(("?", "!", ":")) or '"' in body[-3:]:
        return ""
    return body[:-1].rstrip() + ", which " + sentence.strip()[m.end():]


def _names_what_demonstrative_points_to(claim: str, before: str, sentence: str) -> bool:
    """``claim`` (canonical) is ``sentence`` with its opening "Those teams"
    replaced by "the" and the whole noun phrase of ``before`` that ends in the
    same noun: "The state, FEMA and SBA teams counted ..." from "... after
    state, FEMA and SBA teams spent a week ..." then "Those teams counted ...".
    The phrase must start where ``before``'s phrase starts (after a verb, a
    preposition or the sentence's start), so "The SBA teams" is not it."""
    m = _DEMONSTRATIVE.match(sentence.strip())
    if not m:
        return False
    rest = _canon(sentence.strip()[m.end():]).rstrip(".!? ")
    if not rest or not claim.endswith(rest):
        return False
    head = claim[: len(claim) - len(rest)].strip()
    words = head.split()
    if len(words) < 2 or len(words) > 9 or words[-1] != m.group(1).lower():
        return False
    phrase = " ".join(words[1:]) if words[0] == "the" else head
    opening = _canon(before)
    at = opening.find(phrase)
    while at >= 0:
        ends_whole = opening[at + len(phrase):at + len(phrase) + 1] in ("", " ", ",", ".", ";")
        preceding = opening[:at].rstrip().split()
        starts_whole = not preceding or (preceding[-1] not in (",", "and", "or") and not preceding[-1].endswith(",")
                                         and (at == 0 or opening[at - 1] == " "))
        if ends_whole and starts_whole and not (preceding and preceding[-1][:1].isdigit()):
            return True
        at = opening.find(phrase, at + 1)
    return False


def is_pronoun_chain(second: str, third: str) -> bool:
    """"Its first meetings focused on ..." then "They did not ...": two sentences
    each opening with a pronoun, the first a possessive."""
    m = _LEADING_PRONOUN.match(second.strip())
    return bool(m and m.group(1).lower() in _POSSESSIVES and _LEADING_PRONOUN.match(third.strip()))


def _opens_with(sentence: str, head: str) -> bool:
    """Does ``sentence`` open with the phrase ``head`` (at most twelve words), whole,
    or with a short opening phrase and a comma before it ("Under the new
    framework, cooperation areas ...": the subject follows the comma)?"""
    opening = _canon(sentence)
    if not head or len(head.split()) > 12:
        return False
    if not opening.startswith(head + " "):
        lead_in, comma, rest = opening.partition(", ")
        if not comma or len(lead_in.split()) > 6 or not rest.startswith(head + " "):
            return False
        opening = rest
    following = opening[len(head) + 1:].split()[0]
    # "Reports made to 2-1-1 helped ...": a phrase cut before what
    # qualifies it is not what the pronoun stands for
    return following.strip(",") not in _QUALIFIERS


_QUALIFIERS = frozenset({
    "of", "in", "for", "to", "from", "that", "which", "who", "whose", "with", "on", "at", "by", "and", "or",
    "made", "said", "known", "called", "named", "based", "held", "set", "given", "taken", "run", "led",
})


def coverage(claim: Analysed, text: Analysed) -> float:
    """How much of the claim ``text`` holds: its content terms (names count
    double) and numbers (double), as a share of the claim's total weight."""
    weights = {t: (2.0 if t in claim.names else 1.0) for t in claim.terms}
    total = sum(weights.values()) + 2.0 * len(claim.numbers)
    if not total:
        return 0.0
    got = sum(w for t, w in weights.items() if t in text.terms) + 2.0 * len(claim.numbers & text.numbers)
    return got / total


def shortlist(claim: str, texts: Sequence[str], n: int) -> list[int]:
    """Indices of the ``n`` texts most likely to support ``claim``, best first:
    those holding it verbatim, then by ``coverage``; the shorter text first on
    ties (the more exact quote). Microseconds per text, so a caller with a
    hundred candidate spans runs the model on these few only."""
    c = analyse(claim)

    def key(i: int) -> tuple[bool, float, int]:
        text = texts[i]
        return (not is_verbatim(claim, text), -coverage(c, analyse(text)), len(text))

    return sorted(range(len(texts)), key=key)[:n]
