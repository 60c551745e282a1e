"""The offline generator: writes the answer plan out as text, with the
passages' own sentences, each with its [n] marker. No model, so nothing can be
invented.

The shape follows the question: the sentence that answers leads; a list
question becomes a bulleted list, one cited item a line; a false premise
leads with the sentence that corrects it. Sentences are lightly tidied so
they read on their own: a leading connective ("However, ...") is dropped, and
a leading pronoun is replaced by what it stands for ("They also agreed..." ->
"Both sides also agreed...") when the checker still finds the rewrite
supported by the two source sentences; otherwise the sentence it leans on is
shown before it. What the sources do not say is added by the pipeline, from
the plan's gaps."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from qa_service.answering.evidence import ANAPHORA, BACK_REFERENCE, CONNECTIVE, Evidence
from qa_service.answering.generation import Draft, Passage
from qa_service.answering.plan import AnswerPlan
from qa_service.grounding.alignment import EXPLETIVE_IT, joined_with_which
from qa_service.grounding.checker import GroundingChecker
from qa_service.language import Parse

# "The two" stands for something only when no noun follows ("The two agreed", not "The two governments")
_PRONOUN = re.compile(r"^(It|They|He|She|The group|This group|The two(?!\s+[a-z]+s\b)(?!-)|Both sides|Its|Their|His|Her)\b")
_POSSESSIVE = ("Its", "Their", "His", "Her")
# the longest subject a pronoun is replaced with ("Households that already receive
# 3SquaresVT and live in the four counties"); the checker's resolved quotes allow as many
SUBJECT_WORDS = 12
# "Those teams counted ...": a demonstrative and the noun it points back with
_DEMONSTRATIVE = re.compile(r"^(?:These|Those|This|That)\s+([a-z]+)\b")


class ExtractiveGenerator:
    name = "extractive"

    def __init__(self, checker: GroundingChecker | None = None) -> None:
        self.checker = checker

    # ----------------------------------------------------------- sentences
    def _resolve(self, ev: Evidence) -> str:
        """The sentence as it reads on its own (see the module docstring);
        an empty string when it cannot stand alone."""
        text = ev.text.strip()
        bare = CONNECTIVE.sub("", text, count=1)
        if bare != text and bare:
            text = bare[0].upper() + bare[1:]
        if BACK_REFERENCE.search(text):
            return ""  # shown after the sentence it refers back to, or not at all
        if text[:1].islower() and ev.list_item:
            return ""  # a bullet continuing its lead-in ("suffered physical damage ...") is shown after it
        if not ANAPHORA.match(text):
            return _as_sentence(text)
        if EXPLETIVE_IT.match(text):
            return _as_sentence(text)  # "It could be years before ...": no one to name, nothing to rewrite
        if ev.previous is None:
            return "" if _PRONOUN.match(text) else _as_sentence(text)
        named = self._demonstrative_named(ev, text)
        if named:
            return named
        antecedent, chain = _antecedent(ev)
        m = _PRONOUN.match(text)
        if antecedent and m and not _fits(m.group(1), antecedent, chain[0] if chain else None):
            antecedent = ""
        if antecedent and m and self.checker is not None:
            name = antecedent[0].upper() + antecedent[1:]
            if m.group(1) in _POSSESSIVE:
                name = re.sub(r"\s*\([^)]*\)$", "", name)  # "The Security Implementation Group (SIG)'s" reads badly
                name += "'" if name.endswith("s") else "'s"
            rewritten = name + text[m.end():]
            # the citation check quotes one sentence or two neighbours (three for a
            # chain of pronouns), so the rewrite must hold on exactly those
            if len(chain) > 2 or any(c.passage != ev.passage for c in chain):
                return ""
            window = " ".join([*(c.text for c in chain), ev.text])
            if self.checker.score(rewritten, window) >= self.checker.threshold:
                return _as_sentence(rewritten)
        return ""

    def _demonstrative_named(self, ev: Evidence, text: str) -> str:
        """"Those teams counted ..." after "... state, FEMA and SBA teams spent a
        week ..." reads "The state, FEMA and SBA teams counted ...": the noun
        phrase of the sentence before with the same head noun, when the checker
        finds the rewrite supported by the two sentences; '' otherwise."""
        m = _DEMONSTRATIVE.match(text)
        prev = ev.previous
        if m is None or self.checker is None or prev is None or prev.passage != ev.passage:
            return ""
        phrase = _noun_phrase(prev, _noun_lemma(ev, m.group(1)))
        if not phrase:
            return ""
        if not re.match(r"(?:the|a|an|its|their|his|her)\b", phrase, re.I):
            phrase = "the " + phrase
        rewritten = phrase[0].upper() + phrase[1:] + text[m.end():]
        if self.checker.score(rewritten, f"{prev.text} {ev.text}") >= self.checker.threshold:
            return _as_sentence(rewritten)
        return ""

    def _joined(self, prev: Evidence, ev: Evidence) -> str:
        """"X. This is meant to let Y." as "X, which is meant to let Y.": one
        sentence that leads with what the second adds; '' when the second does
        not open with "this" doing something, or the checker does not find the
        join supported by the two sentences."""
        if self.checker is None or prev.passage != ev.passage or prev.list_item != ev.list_item:
            return ""
        joined = joined_with_which(_as_sentence(prev.text.strip()), ev.text.strip())
        if joined and self.checker.score(joined, f"{prev.text} {ev.text}") >= self.checker.threshold:
            return _as_sentence(joined)
        return ""

    def _render(self, ev: Evidence, shown: list[Evidence], depth: int = 0) -> list[str]:
        """``ev`` as text lines with markers; the sentence it leans on first when
        it cannot stand alone (and the one that one leans on, up to two back)."""
        text = self._resolve(ev)
        if text:
            return [f"{text} [{ev.passage}]"]
        prev = ev.previous
        if prev is not None and prev not in shown:
            if depth >= 2:
                return []
            shown.append(prev)
            before = self._render(prev, shown, depth + 1)
            if not before:
                return []
            joined = self._joined(prev, ev) if before == [f"{_as_sentence(prev.text)} [{prev.passage}]"] else ""
            if joined:
                return [f"{joined} [{ev.passage}]"]
            return [*before, f"{_as_sentence(ev.text)} [{ev.passage}]"]
        if prev is None and (_PRONOUN.match(ev.text.strip()) or BACK_REFERENCE.search(ev.text)):
            return []  # "It was created in 2025" with nothing before it to say what "it" is
        return [f"{_as_sentence(ev.text)} [{ev.passage}]"]

    # ------------------------------------------------------------- compose
    def compose(self, plan: AnswerPlan) -> str:
        shown: list[Evidence] = []
        paragraphs: list[str] = []

        def para(evs: Sequence[Evidence]) -> str:
            lines: list[str] = []
            last: Evidence | None = None
            for ev in evs:
                if ev in shown:
                    continue
                shown.append(ev)
                if last is not None and ev.previous is last and _PRONOUN.match(ev.text.strip()):
                    # right after the sentence it leans on, "They" reads as written
                    lines.append(f"{_as_sentence(ev.text)} [{ev.passage}]")
                else:
                    lines.extend(self._render(ev, shown))
                last = ev
            return " ".join(lines)

        if plan.correction is not None:
            paragraphs.append(para([plan.correction]))
            return "\n\n".join(p for p in paragraphs if p)
        if not plan.answered:
            cited = [p.cited_gap for p in plan.parts if p.cited_gap is not None]
            for block in (cited, plan.background):
                text = para(block)
                if text:
                    paragraphs.append(text)
            return "\n\n".join(paragraphs)
        if plan.list_intro and plan.lead and plan.items:
            shown.append(plan.lead[0])
            intro = CONNECTIVE.sub("", plan.lead[0].text.strip(), count=1).rstrip(" .:;")
            paragraphs.append(intro[0].upper() + intro[1:] + ":")
        elif plan.identity and plan.lead:
            # "Howard Ames is State Veterinarian. [1]", then the sentence it restates
            lead = para(plan.lead)
            paragraphs.append(f"{plan.identity} [{plan.lead[0].passage}] {lead}".strip())
        else:
            paragraphs.append(para(plan.lead))
        if plan.items:
            bullets = []
            for ev in _reading_order(plan.items):
                if ev in shown:
                    continue
                shown.append(ev)
                bullets.append("- " + " ".join(self._render(ev, shown)))
            if bullets:
                paragraphs.append("\n".join(bullets))
        if plan.details:
            paragraphs.append(para(_reading_order(plan.details)))
        cited_gaps = [p.cited_gap for p in plan.parts if p.cited_gap is not None]
        if cited_gaps:
            paragraphs.append(para(cited_gaps))
        return "\n\n".join(p for p in paragraphs if p)

    # --------------------------------------------------------- Generator
    def generate(self, question: str, passages: Sequence[Passage], plan: AnswerPlan | None = None) -> Draft:
        text = self.compose(plan) if plan is not None else ""
        return Draft(text=text, generator=self.name)

    def stream(self, question: str, passages: Sequence[Passage],
               plan: AnswerPlan | None = None) -> Iterator[str | Draft]:
        draft = self.generate(question, passages, plan)
        for piece in draft.text.split(" "):
            yield piece + " "
        yield draft


def _reading_order(evs: Sequence[Evidence]) -> list[Evidence]:
    """Sentences grouped by document (in the order documents first appear),
    in reading order within one."""
    order: dict[str, int] = {}
    for ev in evs:
        order.setdefault(ev.doc_id, len(order))
    return sorted(evs, key=lambda e: (order[e.doc_id], e.start))


def _antecedent(ev: Evidence) -> tuple[str, list[Evidence]]:
    """What a leading pronoun of ``ev`` stands for: the subject of the nearest
    sentence before it (up to three back) whose subject is not itself a
    pronoun; and the sentences from there to ``ev``."""
    chain: list[Evidence] = []
    prev = ev.previous
    for _ in range(3):
        if prev is None:
            break
        chain.insert(0, prev)
        subject = _subject_of(prev)
        if subject:
            return subject, chain
        owned = _possessed(prev)
        if owned and len(chain) == 1 and prev.previous is not None and prev.previous.passage == prev.passage:
            # "Its first meetings focused on ..." after "The SIG ...": "They" are the SIG's first meetings
            owner = _subject_of(prev.previous)
            if owner and _fits(owned[0], owner, prev.previous):
                return f"{owner}'s {owned[1]}", [prev.previous, prev]
        if not ANAPHORA.match(prev.text):
            break
        prev = prev.previous
    return "", chain


def _noun_lemma(ev: Evidence, word: str) -> str:
    """The lemma of ``word`` as the sentence's second word, when it is a noun there."""
    parse = ev.parse
    if parse is None or len(parse.words) < 2 or parse.words[1].text != word or parse.words[1].pos != "NOUN":
        return ""
    return parse.words[1].lemma.lower()


def _noun_phrase(ev: Evidence, lemma: str) -> str:
    """The last noun phrase of ``ev`` headed by a noun with ``lemma``: the noun
    with the words before it that depend on it ("state, FEMA and SBA teams"),
    never what follows it; '' when there is none or it is long or points back
    itself."""
    parse = ev.parse
    if not lemma or parse is None:
        return ""
    for i in range(len(parse.words) - 1, -1, -1):
        w = parse.words[i]
        if w.pos != "NOUN" or w.lemma.lower() != lemma:
            continue
        first = i  # "state, FEMA and SBA teams": the last conjunct's phrase starts at the first
        while parse.words[first].dep == "conj" and parse.words[first].head < first:
            first = parse.words[first].head
        left = [j for j in parse.subtree(first) if j <= i]
        # only the unbroken run of words that ends at the noun
        start = i
        while start - 1 in left:
            start -= 1
        phrase = parse.span_text(list(range(start, i + 1)))
        if len(phrase.split()) > 8 or ANAPHORA.match(phrase) or _QUANTIFIED.match(phrase) or \
                re.match(r"(?:these|those|this|that)\b", phrase, re.I):
            return ""
        return phrase
    return ""


def _possessed(ev: Evidence) -> tuple[str, str] | None:
    """("Its", "first meetings") for a sentence whose subject is "Its first meetings"."""
    found = _main_subject(ev)
    if found is None:
        return None
    m = re.match(r"^(Its|Their|His|Her)\s+(.+)$", found[1])
    return (m.group(1), m.group(2)) if m and len(found[1].split()) <= 6 else None


_QUANTIFIED = re.compile(r"^(?:no|every|each|any|some|none|neither|either|all|most|many|few|several)\b", re.I)


def _fits(pronoun: str, antecedent: str, source: Evidence | None) -> bool:
    """Can ``pronoun`` stand for ``antecedent``? "He"/"She" for a person, "It"
    for a thing, "They" for several, "The group" for a group; never a
    quantified phrase ("No single chair")."""
    if _QUANTIFIED.match(antecedent):
        return False
    labels = set()
    plural = " and " in antecedent or antecedent.split()[-1].endswith("s") and not antecedent.endswith("ss")
    if source is not None and source.parse is not None:
        labels = {e.label for e in source.parse.entities if e.text in antecedent}
        found = _main_subject(source)
        if found is not None and (found[1].startswith(antecedent) or antecedent.startswith(found[1])):
            # the parser's number beats the spelling ("Reports made to 2-1-1" are several)
            plural = plural or source.parse.words[found[2]].tag in ("NNS", "NNPS")
    low = pronoun.lower()
    if low in ("he", "she", "his", "her"):
        return "PERSON" in labels
    if low in ("it", "its"):
        return "PERSON" not in labels and not plural
    if low in ("they", "their", "the two", "both sides"):
        return plural
    if low.startswith(("the group", "this group")):
        return "group" in antecedent.lower() or bool(labels & {"ORG", "NORP"})
    return True


def _subject_of(ev: Evidence) -> str:
    """The subject of a sentence, when it is a name or a noun phrase a pronoun
    can stand for ("Rubio and de la Fuente", "The bilateral Security
    Implementation Group"); '' otherwise."""
    found = _main_subject(ev)
    if found is None:
        return ""
    pos, text, head = found
    if len(text.split()) > SUBJECT_WORDS and ev.parse is not None:
        # "cooperation areas such as customs integration, biometrics, and ...":
        # the examples after the noun can go; what the phrase names stays
        words = ev.parse.words
        after = " ".join(w.text for w in words[head + 1:head + 3]).lower()
        if after.startswith(("such as", "including", ", including", ", such")):
            left = [j for j in ev.parse.subtree(head) if j <= head]
            start = head
            while start - 1 in left:
                start -= 1
            text = ev.parse.span_text(list(range(start, head + 1)))
    elif ev.parse is not None:
        text = _with_its_qualifier(ev.parse, head, text)
    if pos == "PRON" or len(text.split()) > SUBJECT_WORDS or ANAPHORA.match(text):
        return ""
    return text


# words that go on to qualify a noun ("Reports made to 2-1-1 helped ...")
_PARTICIPLES = frozenset({"made", "said", "known", "called", "named", "based", "held", "set", "given", "taken",
                          "run", "led", "filed", "sent", "issued", "received", "submitted"})


def _with_its_qualifier(parse: Parse, head: int, subject: str) -> str:
    """The subject with the participle phrase the parser cut off it: in
    "Reports made to 2-1-1 helped the State ..." the parser takes "made" for
    the main verb and "Reports" for its subject; the subject is everything up
    to the finite verb after the participle."""
    words = parse.words
    after = head + 1
    if after >= len(words) or words[after].text.lower() not in _PARTICIPLES or \
            not subject.endswith(words[head].text):
        return subject
    for j in range(after + 1, min(len(words), after + 8)):
        if words[j].tag in ("VBD", "VBZ", "VBP", "MD"):
            start = words[head].start - len(subject) + len(words[head].text)
            return parse.text[start:words[j - 1].end]
        if words[j].text in (",", ";", ":") or words[j].tag in ("WDT", "WP"):
            break
    return subject


def _main_subject(ev: Evidence) -> tuple[str, str, int] | None:
    """(its part of speech, the phrase, the index of its head word) of the
    subject of the sentence's main verb."""
    parse: Parse | None = ev.parse
    if parse is None:
        return None
    for i, w in enumerate(parse.words):
        if w.dep in ("nsubj", "nsubjpass") and parse.words[w.head].dep == "ROOT":
            return w.pos, parse.span_text(parse.subtree(i)), i
    return None


def _as_sentence(text: str) -> str:
    """A list item or a sentence, ending as a sentence ends ("...2025;" and
    "...; and" become "...2025.")."""
    text = re.sub(r"(?:[;,]\s*(?:and|or)?|\s+(?:and|or))\s*$", "", text.strip())
    return text if text[-1:] in ".!?:\"'”)" else text + "."
