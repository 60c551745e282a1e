"""Linguistic analysis as the domain sees it: sentences, words with their part
of speech and syntactic head, and named entities, in our own small types.

The ``Analyzer`` seam is implemented by adapters/spacy_nlp.py (spaCy's
en_core_web_sm, offline); question analysis, answer composition, takeaways
and suggested questions all read the same ``Parse``. Verb inflection
(``inflect``) is written here, for the few forms answers need ("did ...
send" -> "sent", "does ... meet" -> "meets")."""

from __future__ import annotations

import re

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

# Entity labels (OntoNotes, as en_core_web_sm uses them) grouped by what a
# question can ask for.
PERSON_LABELS = frozenset({"PERSON"})
ORG_LABELS = frozenset({"ORG", "NORP"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
DATE_LABELS = frozenset({"DATE", "TIME"})
NUMBER_LABELS = frozenset({"CARDINAL", "QUANTITY"})
MONEY_LABELS = frozenset({"MONEY"})
PERCENT_LABELS = frozenset({"PERCENT"})
NAME_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART"})

# Nouns for groups of people: who a change reaches.
GROUP_NOUNS = frozenset("""
residents resident customers customer workers worker employees employee students student patients patient families
family households household homeowners homeowner renters renter tenants tenant farmers farmer businesses business
passengers passenger travelers travellers traveler riders rider drivers driver commuters commuter voters voter
taxpayers taxpayer members member users user parents parent children child teachers teacher consumers consumer
shoppers shopper owners owner investors investor fans fan people musicians musician nurses nurse doctors doctor
retirees retiree veterans veteran seniors senior immigrants immigrant applicants applicant borrowers borrower
landlords landlord communities community towns town cities city schools school hospitals hospital employers employer
staff crews crew officers officer inmates inmate defendants defendant victims victim survivors survivor athletes
athlete players player viewers viewer readers reader subscribers subscriber clients client buyers buyer sellers
seller growers grower ranchers rancher fishermen truckers trucker pilots pilot airlines airline carriers carrier
""".split())


# Common nouns that say what kind of thing a name is when they stand before it
# ("the cybersecurity firm Blackwater Point", "home goods chain Northfield").
KIND_NOUNS = frozenset("""
firm company chain group agency association organization organisation union university college school program
programme fund law act bill office department ministry commission council board coalition nonprofit non-profit
startup maker manufacturer retailer bank lender insurer network institute center centre foundation court committee
party team club carrier airline utility developer operator provider regulator watchdog platform initiative project
plan system service start-up outlet publisher broadcaster newspaper magazine biotech drugmaker automaker charity
""".split())


@dataclass(frozen=True)
class Word:
    text: str
    lemma: str
    pos: str  # universal part of speech: NOUN, VERB, AUX, PROPN, ...
    tag: str  # fine-grained tag: VBD, VBZ, NNS, ...
    dep: str  # dependency label: nsubj, aux, ROOT, ...
    head: int  # index of the syntactic head in Parse.words (itself for the root)
    start: int  # character offset into Parse.text
    entity: str = ""  # entity label when the word is inside a named entity

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True)
class Entity:
    text: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Parse:
    text: str
    words: tuple[Word, ...]
    entities: tuple[Entity, ...]
    sentences: tuple[tuple[int, int], ...]  # character spans
    noun_chunks: tuple[tuple[int, int], ...]  # character spans of base noun phrases

    def subtree(self, index: int) -> list[int]:
        """Indices of the word at ``index`` and every word under it, in order."""
        children: dict[int, list[int]] = {}
        for i, w in enumerate(self.words):
            if w.head != i:
                children.setdefault(w.head, []).append(i)
        out, todo = [], [index]
        while todo:
            i = todo.pop()
            out.append(i)
            todo.extend(children.get(i, []))
        return sorted(out)

    def span_text(self, indices: Sequence[int]) -> str:
        if not indices:
            return ""
        return self.text[self.words[min(indices)].start:self.words[max(indices)].end]

    def entity_labels(self) -> set[str]:
        return {e.label for e in self.entities}


class Analyzer(Protocol):
    name: str

    def parse(self, text: str) -> Parse:
        """Sentences, words (tags, heads) and entities of ``text``."""
        ...

    def parse_many(self, texts: Sequence[str]) -> list[Parse]:
        """``parse`` for many texts at once (batched, cached)."""
        ...


# ------------------------------------------------------------- verb forms
# Common English verbs (base forms). The small parser often tags a verb in a
# question as a noun ("did the strike last", "does the window open"); this list
# is the tie-breaker when several words could be the verb.
COMMON_VERBS = frozenset("""
accept access accuse achieve acquire act add address adjust admit adopt advance affect afford agree aim allocate
believe feel hope
allow alter announce answer appeal appear apply appoint appropriate approve argue arrest arrive ask assess assign
assist attack attempt attend attract authorize avoid award back ban base bear beat become begin believe belong
benefit bid block boost borrow break bring build burn buy calculate call cancel care carry cast catch cause
celebrate challenge change charge check choose claim clear close collapse collect combine come comment commit
compare compete complain complete comply conclude conduct confirm connect consider consist contain continue
contribute control convert convict cooperate coordinate cost count cover create crest criticize cross cut damage
deal debate decide declare decline defeat defend define delay deliver demand deny deploy describe design destroy
detect determine develop die differ disappear discover discuss dismiss display disrupt distribute divide do drive
drop earn ease eat elect eliminate emerge employ enable encourage end enforce engage enjoy ensure enter establish
estimate evacuate evaluate examine exceed exist expand expect expire explain explode export expose extend face fail
fall feed feel fight file fill finance find finish fire fix flee flood fly focus follow force forecast forget form
found freeze fund gain gather generate get give go govern grant grow guarantee handle happen harm head hear help
hide hire hit hold host hurt identify ignore impact implement import impose improve include increase indicate
inform injure inspect install intend introduce invest investigate invite involve issue join judge jump justify keep
kill know land last launch lay lead learn leave lend let lift limit link list live load lose lower maintain make
manage mark match matter mean measure meet mention merge miss monitor move name need negotiate note notice notify
object obtain occur offer open operate oppose order organize outline overturn owe own participate pass pay perform
permit pick place plan play plead point predict prefer prepare present preserve press prevent process produce
promise promote propose protect protest prove provide publish pull purchase push qualify raise reach react read
receive recognize recommend record recover reduce refer reflect refuse regulate reject release rely remain remove
rent reopen repair replace reply report represent request require rescue resign resolve respond rest restore
restrict result resume retire return reveal review rise rule run save say schedule search see seek seem seize sell
send serve set settle share shift ship shoot show shut sign sink sit slow solve speak spend split spread stand
start state stay steal step stop strike struggle study submit succeed sue suffer suggest supply support survive
suspend take talk target teach tell tend test testify think threaten throw tie total track trade train transfer
translate travel treat trigger try turn understand unite unlock update urge use vary visit vote wait walk want warn
watch weaken win withdraw work worry write yield
""".split())
_IRREGULAR = {  # lemma: (past, past participle)
    "arise": ("arose", "arisen"), "be": ("was", "been"), "bear": ("bore", "borne"), "beat": ("beat", "beaten"),
    "become": ("became", "become"), "begin": ("began", "begun"), "bend": ("bent", "bent"), "bet": ("bet", "bet"),
    "bid": ("bid", "bid"), "bind": ("bound", "bound"), "bite": ("bit", "bitten"), "bleed": ("bled", "bled"),
    "blow": ("blew", "blown"), "break": ("broke", "broken"), "bring": ("brought", "brought"),
    "build": ("built", "built"), "burn": ("burned", "burned"), "buy": ("bought", "bought"),
    "cast": ("cast", "cast"), "catch": ("caught", "caught"), "choose": ("chose", "chosen"),
    "come": ("came", "come"), "cost": ("cost", "cost"), "cut": ("cut", "cut"), "deal": ("dealt", "dealt"),
    "dig": ("dug", "dug"), "do": ("did", "done"), "draw": ("drew", "drawn"), "drink": ("drank", "drunk"),
    "drive": ("drove", "driven"), "eat": ("ate", "eaten"), "fall": ("fell", "fallen"), "feed": ("fed", "fed"),
    "feel": ("felt", "felt"), "fight": ("fought", "fought"), "find": ("found", "found"), "flee": ("fled", "fled"),
    "fly": ("flew", "flown"), "forbid": ("forbade", "forbidden"), "forecast": ("forecast", "forecast"),
    "forget": ("forgot", "forgotten"), "freeze": ("froze", "frozen"), "get": ("got", "gotten"),
    "give": ("gave", "given"), "go": ("went", "gone"), "grow": ("grew", "grown"), "hang": ("hung", "hung"),
    "have": ("had", "had"), "hear": ("heard", "heard"), "hide": ("hid", "hidden"), "hit": ("hit", "hit"),
    "hold": ("held", "held"), "hurt": ("hurt", "hurt"), "keep": ("kept", "kept"), "know": ("knew", "known"),
    "lay": ("laid", "laid"), "lead": ("led", "led"), "leave": ("left", "left"), "lend": ("lent", "lent"),
    "let": ("let", "let"), "lie": ("lay", "lain"), "lose": ("lost", "lost"), "make": ("made", "made"),
    "mean": ("meant", "meant"), "meet": ("met", "met"), "overcome": ("overcame", "overcome"),
    "oversee": ("oversaw", "overseen"), "pay": ("paid", "paid"), "put": ("put", "put"), "quit": ("quit", "quit"),
    "read": ("read", "read"), "rebuild": ("rebuilt", "rebuilt"), "ride": ("rode", "ridden"),
    "ring": ("rang", "rung"), "rise": ("rose", "risen"), "run": ("ran", "run"), "say": ("said", "said"),
    "see": ("saw", "seen"), "seek": ("sought", "sought"), "sell": ("sold", "sold"), "send": ("sent", "sent"),
    "set": ("set", "set"), "shake": ("shook", "shaken"), "shed": ("shed", "shed"), "shoot": ("shot", "shot"),
    "show": ("showed", "shown"), "shut": ("shut", "shut"), "sing": ("sang", "sung"), "sink": ("sank", "sunk"),
    "sit": ("sat", "sat"), "sleep": ("slept", "slept"), "speak": ("spoke", "spoken"),
    "spend": ("spent", "spent"), "split": ("split", "split"), "spread": ("spread", "spread"),
    "stand": ("stood", "stood"), "steal": ("stole", "stolen"), "stick": ("stuck", "stuck"),
    "strike": ("struck", "struck"), "swear": ("swore", "sworn"), "sweep": ("swept", "swept"),
    "swim": ("swam", "swum"), "take": ("took", "taken"), "teach": ("taught", "taught"),
    "tear": ("tore", "torn"), "tell": ("told", "told"), "think": ("thought", "thought"),
    "throw": ("threw", "thrown"), "undergo": ("underwent", "undergone"), "understand": ("understood", "understood"),
    "undertake": ("undertook", "undertaken"), "uphold": ("upheld", "upheld"), "upset": ("upset", "upset"),
    "wake": ("woke", "woken"), "wear": ("wore", "worn"), "win": ("won", "won"), "withdraw": ("withdrew", "withdrawn"),
    "withhold": ("withheld", "withheld"), "write": ("wrote", "written"),
}
# an irregular past or participle and the verb it is a form of ("left": "leave", "won": "win")
IRREGULAR_FORMS = {form: lemma for lemma, forms in _IRREGULAR.items() for form in forms if form != lemma}
_VOWELS = set("aeiou")


def _doubles_final(lemma: str) -> bool:
    """stop -> stopped, plan -> planned (short words ending consonant-vowel-consonant)."""
    # one syllable only: "open" -> "opened", not "openned"
    syllables = len(re.findall(r"[aeiou]+", lemma))
    return (len(lemma) >= 3 and lemma[-1] not in _VOWELS | set("wxy") and lemma[-2] in _VOWELS
            and lemma[-3] not in _VOWELS and len(lemma) <= 4 and syllables == 1)


def inflect(lemma: str, tag: str) -> str:
    """``lemma`` in the form of a Penn tag: VBD (past), VBN (past participle),
    VBZ (3rd person singular), VBG (-ing); anything else: the lemma."""
    low = lemma.lower()
    if tag in ("VBD", "VBN"):
        if low in _IRREGULAR:
            form = _IRREGULAR[low][0 if tag == "VBD" else 1]
        elif low.endswith("e"):
            form = low + "d"
        elif low.endswith("y") and len(low) > 1 and low[-2] not in _VOWELS:
            form = low[:-1] + "ied"
        elif _doubles_final(low):
            form = low + low[-1] + "ed"
        else:
            form = low + "ed"
    elif tag == "VBZ":
        if low == "be":
            form = "is"
        elif low == "have":
            form = "has"
        elif low.endswith(("s", "sh", "ch", "x", "z", "o")):
            form = low + "es"
        elif low.endswith("y") and len(low) > 1 and low[-2] not in _VOWELS:
            form = low[:-1] + "ies"
        else:
            form = low + "s"
    elif tag == "VBG":
        if low.endswith("ie"):
            form = low[:-2] + "ying"
        elif low.endswith("e") and not low.endswith(("ee", "ye", "oe")):
            form = low[:-1] + "ing"
        elif _doubles_final(low):
            form = low + low[-1] + "ing"
        else:
            form = low + "ing"
    else:
        form = low
    return form[0].upper() + form[1:] if lemma[:1].isupper() else form
