"""What news pages carry besides the story: bylines and datelines, timestamps,
photo credits and captions, newsletter and sign-up promos, "Related:" and
"Read more:" links, "contributed to this report", social-media and donation
appeals, print-edition notes, advertisement markers.

``is_boilerplate`` recognises such a sentence or line, so it is never chosen
as a takeaway, never quoted as evidence and never turned into a question.
``boilerplate_spans`` finds them in a whole document at ingest (a line of
furniture is furniture as a whole, however a sentence splitter cuts it: "Have
a question about the recovery? Email our newsroom at ..."; a correction note
with its own sentences), together with datelines that open a lede ("REDDING,
Calif. (CWS) — "), and ``mark_boilerplate`` stores them on the Document. The
patterns describe how news sites word these things in general (they were
written from the conventions of wire services, newspapers and broadcasters),
not any one site."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from qa_service.models import Document
from qa_service.text import sentence_spans

_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|" \
         r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_TIME = r"\d{1,2}:\d{2}\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:[A-Z]{2,4}T|ET|CT|PT|MT|GMT|UTC)?"
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|\d{{4}}-\d\d-\d\d)"

_PATTERNS = [
    # bylines: "By Jane Doe", "By Jane Doe, Staff Writer", "By A and B, Associated Press"
    # (names are capitalised words, not a time: "By Thursday, officials had ..." is news; a
    # tail with three lowercase words in a row is a clause, not a newsroom's name)
    rf"^by\s+(?!(?:{_WEEKDAY}|{_MONTH}|noon|midnight|then|now|law|far|contrast|comparison|mid|late|early)\b)"
    r"(?-i:(?:[A-Z][\w.'’-]*\s*){1,4})(?:(?:,|and|&)\s*(?-i:(?:[A-Z][\w.'’-]+\s*){1,4}))*"
    r"(?:[,|]\s*(?!(?-i:.*\b[a-z]+\s+[a-z]+\s+[a-z]+\b))[\w .,:'’&|@-]{0,90})?$",
    r"^[\w .&'’-]{2,40}\s(?:staff|staff reports?|wire reports|news services)$",
    r"^(?:story|words|text|reporting|report|written) by\b",
    r"\breporting by\b.*\bediting by\b|^(?:additional )?reporting by\b|^editing by\b",
    r"\bcontributed (?:to )?(?:this|the) (?:report|story|article)\b|\bcontributed reporting\b",
    # timestamps and datelines standing alone
    rf"^(?:(?:published|posted|updated|last updated|modified)\s*:?\s*)?{_DATE}\s*(?:,|at)?\s*(?:{_TIME})?"
    rf"(?:\s*[|,]?\s*(?:updated|modified)\s*:?\s*(?:{_DATE}\s*(?:,|at)?\s*)?(?:{_TIME})?)?\s*\.?$",
    rf"^(?:published|posted|updated|last updated)\b.{{0,40}}(?:{_DATE}|{_TIME})",
    rf"^(?:updated|posted|published)\s*:?\s*{_TIME}",
    r"^[A-Z][A-Z .,'-]{2,40}\s*(?:\([A-Za-z .&]{2,30}\))?\s*[—–-]{1,2}\s*$",
    rf"^(?:[A-Z][A-Z .'-]{{2,30}},\s*)?{_MONTH}\s+\d{{1,2}}\s*\([A-Za-z .&]{{2,30}}\)\s*[—–-]{{1,2}}\s*$",
    # photos, video, audio, graphics
    r"^(?:photo|photos|photograph|photographs|image|images|picture|video|graphic|illustration|caption)"
    r"(?:\s+(?:credit|caption|gallery|by))?\s*[:|]",
    r"^(?:photo|photos|photographs?|images?|illustration|video|graphic|chart|map)s?\s+by\b",
    r"^(?:courtesy(?: of)?|credit|credits|photo courtesy)\s*[:\w]",
    r"^\([^()]{2,60}\b(?:photo|photos|via|courtesy|file)\b[^()]{0,40}\)\.?$",
    # a wire's caption for a file photo: "FILE - Protesters gather ...", "FILE PHOTO: A view of ..."
    r"(?-i:^FILE(?: PHOTO)?(?:\s*[-\u2013\u2014:]+)?\s+[A-Z\"\u201c])",
    r"\((?:AP|AFP|Reuters|Getty)\s+Photo[^)]*\)|\bvia Getty Images\b|\b(?:AP|AFP)\s+Photo/",
    r"^(?:watch|listen|video|audio|podcast|slideshow|gallery)\s*:",
    r"^(?:watch|listen|tune in)\b.*\b(?:tonight|live|at \d|on (?:air|demand))\b",
    r"\b(?:photo|image|illustration)\s*(?:credit)?\s*:\s*[A-Z][\w.'’ -]+(?:/[A-Z][\w.'’ -]+)?\s*$",
    # promos, newsletters, subscriptions, apps
    # (a promo's sign-up is an order to the reader; "residents can sign up for alerts" is news)
    r"^sign(?:ing)? up\b|\bsign up (?:here|today|now|for free|free)\b|\bsign up for (?:our|my)\b|"
    r"\bsign(?:ing)? up\b.{0,80}\b(?:newsletter|briefing|digest)\b",
    r"\b(?:subscribe|subscribing)\b.*\b(?:newsletter|today|now|to our|for|here|podcast|channel)\b",
    r"\bnewsletter\b.*\b(?:inbox|every|weekly|daily|delivered|sign|subscribe)\b",
    r"\b(?:in|to) your inbox\b",
    r"^this (?:story|article|piece|report) (?:is|was) (?:part of|from|produced|originally|first)\b",
    r"\b(?:download|get) (?:our|the) (?:free )?(?:[\w.' -]{1,30} )?app\b",
    r"^(?:click|tap) here\b|\bclick here to\b",
    # reader appeals standing alone as a sentence ("Want more startup news?")
    r"^(?:want|like|love|enjoy|enjoying|enjoyed)\b.{0,40}\b(?:news|reading|read|newsletter|stor(?:y|ies)|"
    r"coverage|journalism)\?$",
    r"^(?:have|got) a (?:question|tip|news tip|story idea|story)\b.{0,80}\?$",
    r"^(?:email|e-mail|write to|text|call)\b.{0,60}\b[\w.+-]+@[\w-]+\.[\w.]+\b",
    r"^stay (?:up to date|up-to-date|informed|in the know|updated|connected)\b",
    r"^become a (?:member|subscriber|supporter|sustaining member)\b",
    r"^your first (?:month|week|year|\d+ (?:months|weeks))\b.{0,40}(?:\$|free)",
    r"\b(?:unlimited|full) (?:digital )?access\b.*\b(?:subscribe|subscription|\$)",
    r"\banswering (?:your|readers'?) questions\b",
    # share widgets, embedded social posts, agency credit lines, cross-references
    r"^(?:send|share|email|e-mail) this (?:page|story|article|post)\b",
    r"\bpic\.twitter\.com/|[-\u2013\u2014]\s*[^()]{1,60}\(@\w{1,15}\)\s*(?:" + _MONTH + r"\s+\d{1,2},\s+\d{4})?\s*$",
    r"^(?:[-\u2013\u2014]{1,2}\s*)?with (?:files|reporting|additional reporting) from\b",
    r"^\(\s*(?:also see|see also|related)\b",
    # links to other stories
    r"^(?:related|read more|more|see also|also read|recommended|more from [\w' ]+|read next|don't miss|"
    r"trending|up next|editor's picks?|most read|latest|more coverage|related coverage|more on this)\s*[:|—-]",
    # social media and contact
    r"^follow (?:us|[A-Z@][\w.@' -]{1,40})\b.*\b(?:on|@)\b.*\b(?:x|twitter|facebook|instagram|threads|bluesky|"
    r"tiktok|youtube|linkedin|mastodon)\b",
    r"\bfollow [\w.@' -]{1,40} on (?:x|twitter|facebook|instagram|threads|bluesky|tiktok|youtube|linkedin)\b",
    r"^follow\b.*\bhttps?://",
    r"^(?:have|got) a (?:news )?tip\b|\bsend (?:us )?(?:a|your) (?:news )?tip\b|\bsend it to\s+\S+@",
    r"^(?:have|got) a question\b.*(?:@|\bhere\b|\bemail\b|\bcall\b)",
    r"^(?:contact|email|e-mail|reach) (?:the )?(?:reporter|writer|author|us|newsroom)\b.*(?:@|at\s+\S+\.\w+)",
    # support, membership, ads, copyright, print edition
    r"\b(?:support|donate to|become a (?:member|subscriber))\b.*\b(?:journalism|reporting|newsroom|member|"
    r"donation|today)\b",
    r"\bis a (?:nonprofit|non-profit|independent),? (?:nonpartisan )?newsroom\b",
    r"\bsupported by (?:readers|members|listeners) like you\b",
    r"^advertisement$|^sponsored(?: content)?$|^ad$|^story continues below\b",
    r"^(?:copyright|©|\(c\))\s*(?:\d{4})?|\ball rights reserved\b",
    r"\bmay not be (?:published|broadcast|rewritten|redistributed)\b",
    r"\bappear(?:s|ed)? in print\b|\bprint edition\b|\bwith the headline:",
    r"^this (?:story|article|piece) (?:appears|appeared) in the\b.*\b(?:issue|edition)\b",
    r"^(?:disclosure|our standards|about this (?:story|article))\s*:",
    r"\bcomments are (?:closed|disabled)\b",
    r"^(?:correction|clarification|editor's note)\s*:",
    r"\ban earlier version of this (?:story|article|report)\b",
    r"^a version of this (?:story|article|report|piece) (?:first )?(?:appeared|ran|was published)\b",
    r"^this (?:story|article|report|post|page) (?:has been|was|will be) updated\b|^this is a developing story\b|"
    r"^this (?:story|article) is developing\b",
    r"^get (?:our|the) (?:free )?[\w.'’ -]{0,40}\bnewsletter\b",
    r"^contributing\s*:",
    r"^(?:video|audio|watch|listen) (?:above|below)\s*:",
    r"\bconfidential (?:news )?tip\b",
    r"^market data (?:provided|powered) by\b|^(?:data|quotes) (?:provided|delayed)\b.{0,40}\bminutes?\b",
]
_BOILERPLATE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.I)


def is_boilerplate(text: str) -> bool:
    """Is this sentence or line page furniture rather than part of the story?"""
    return _is_boilerplate_line(" ".join(text.split()).strip(" *_#>"))


@lru_cache(maxsize=65536)
def _is_boilerplate_line(line: str) -> bool:
    # cached: answering checks the same sentences of a passage again for every
    # question asked of it, and one search of the patterns costs ~0.1 ms
    return not line or bool(_BOILERPLATE.search(line))


# A dateline opening a lede: "REDDING, Calif. (CWS) — ", "SEATTLE, Jan 24 (Ledgerline) - ",
# "WASHINGTON (AP) — ", "Sept 19 (Ledgerline) - ", "BOSTON — ".
_CITY = r"[A-Z][A-Z.'\u2019-]+(?:\s+[A-Z][A-Z.'\u2019-]+){0,3}"
_STATE = r"(?:,\s*[A-Z][A-Za-z.]{0,10}(?:\s?[A-Z][A-Za-z.]{0,10})?)"
_DAY = rf"(?:,?\s*{_MONTH}\s+\d{{1,2}})"
_AGENCY = r"\([A-Za-z][A-Za-z .&'\u2019-]{0,30}\)"
_DASH = r"\s*(?:[\u2014\u2013]|--?)\s+"
_DATELINE = re.compile(
    rf"^(?:{_CITY}{_STATE}?{_DAY}?\s*{_AGENCY}{_DASH}"  # CITY[, State][, Mon D] (Agency) —
    # CITY[, State] — (no agency: a real dash, or a spaced hyphen where a feed turned it into ASCII)
    rf"|{_CITY}{_STATE}?{_DAY}?\s*(?:[\u2014\u2013]|\s--?)\s+"
    rf"|{_MONTH}\s+\d{{1,2}}\s*{_AGENCY}{_DASH})"  # Mon D (Agency) -
    r"(?=[\"\u201c\u2018'(]?[A-Z0-9])")


# A press release's dateline in bold: "**Montpelier, Vt.** – ", "**WASHINGTON** – "
# (a place: capitals, or a name with its state; not a bold label such as "**Deadline** –").
_BOLD_DATELINE = re.compile(rf"^(?:\*\*|__)(?:{_CITY}{_STATE}?|[A-Z][A-Za-z.'\u2019 -]{{1,30}}{_STATE}){_DAY}?"
                            rf"(?:\*\*|__){_DASH}"
                            r"(?=[\"\u201c\u2018'(]?[A-Z0-9])")


# A broadcaster's or wire's dateline in running case: "Washington (CNN)", "(CNN Business) — ",
# "Hong Kong (Reuters) - ": a place, or nothing, then the outlet's name in brackets.
_OUTLET = r"\((?:[A-Z]{2,6}(?:\s+[A-Z][a-z]+){0,2}|Reuters|Bloomberg|The Conversation)\)"
_OUTLET_DATELINE = re.compile(rf"^(?:[A-Z][A-Za-z.'\u2019-]+(?:\s+[A-Z][A-Za-z.'\u2019-]+){{0,3}}{_STATE}?{_DAY}?\s*)?"
                              rf"{_OUTLET}\s*(?:(?:[\u2014\u2013]|--?)\s*)?(?=[\"\u201c\u2018'(]?[A-Z0-9])")


def dateline_length(line: str) -> int:
    """Characters of the dateline that opens ``line`` (0 when there is none)."""
    m = _DATELINE.match(line)
    if not m:
        outlet = _OUTLET_DATELINE.match(line)
        return len(outlet.group(0)) if outlet else 0
    head = m.group(0)
    letters = [c for c in head.split("(")[0] if c.isalpha()]
    # the city part is capitals ("REDDING", "WASHINGTON"), or a month with an agency
    if "(" not in head and (len(letters) < 3 or not all(c.isupper() for c in letters)):
        return 0
    return len(head)


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of ``text`` that are page furniture: whole lines that
    are (or, read as one, a line whose sentences are), single sentences that
    are, and the dateline opening a paragraph. Sorted, not overlapping."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        lead = start + len(line) - len(line.lstrip())
        tail = end - (len(line) - len(line.rstrip()))
        if is_boilerplate(stripped):
            spans.append((lead, tail))
            continue
        bold = _BOLD_DATELINE.match(stripped)
        if bold:  # a press release's "**Montpelier, Vt.** – "
            spans.append((lead, lead + len(bold.group(0).rstrip())))
        body = stripped.lstrip("*_> ")
        cut = 0 if bold else dateline_length(body)
        if cut:
            at = lead + (len(stripped) - len(body))
            head = body[:cut]
            spans.append((lead, at + len(head.rstrip())))
        for s, e in sentence_spans(text, start, end):
            if is_boilerplate(text[s:e]):
                spans.append((s, e))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def mark_boilerplate(doc: Document) -> Document:
    """The document with its boilerplate spans found (ingest calls this for
    every document, whoever built it)."""
    spans = boilerplate_spans(doc.text)
    return doc if spans == list(doc.boilerplate) else doc.model_copy(update={"boilerplate": spans})


def trim_furniture(text: str, s: int, e: int, furniture: Sequence[tuple[int, int]]) -> int:
    """Where the sentence ``text[s:e]`` starts once page furniture at its
    start (a dateline) is cut off: ``e`` when it is furniture throughout."""
    for a, b in furniture:
        if a <= s < b:
            s = b
        elif s < a < e and b >= e:
            return e  # furniture to the end: the sentence says nothing of its own
    while s < e and text[s] in " \t*_-\u2014\u2013":
        s += 1
    return s
