"""What news pages carry besides the story: bylines and datelines, timestamps,
photo credits and captions, newsletter and sign-up promos, "Related:" and
"Read more:" links, "contributed to this report", social-media and donation
appeals, print-edition notes, advertisement markers.

``is_boilerplate`` recognises such a sentence or line, so it is never chosen
as a takeaway, never quoted as evidence and never turned into a question. The
patterns describe how news sites word these things in general (they were
written from the conventions of wire services, newspapers and broadcasters),
not any one site."""

from __future__ import annotations

import re

_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|" \
         r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_TIME = r"\d{1,2}:\d{2}\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:[A-Z]{2,4}T|ET|CT|PT|MT|GMT|UTC)?"
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|\d{{4}}-\d\d-\d\d)"

_PATTERNS = [
    # bylines: "By Jane Doe", "By Jane Doe, Staff Writer", "By A and B, Associated Press"
    r"^by\s+(?:[A-Z0-9][\w.'’-]*\s*){1,4}(?:(?:,|and|&)\s*(?:[A-Z][\w.'’-]+\s*){1,4})*"
    r"(?:[,|]\s*[\w .,:'’&|@-]{0,90})?$",
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
    r"^(?:photo|photos|photographs?|images?|illustration|video)\s+by\b",
    r"\((?:AP|AFP|Reuters|Getty)\s+Photo[^)]*\)|\bvia Getty Images\b|\b(?:AP|AFP)\s+Photo/",
    r"^(?:watch|listen|video|audio|podcast|slideshow|gallery)\s*:",
    r"^(?:watch|listen|tune in)\b.*\b(?:tonight|live|at \d|on (?:air|demand))\b",
    r"\b(?:photo|image|illustration)\s*(?:credit)?\s*:\s*[A-Z][\w.'’ -]+(?:/[A-Z][\w.'’ -]+)?\s*$",
    # promos, newsletters, subscriptions, apps
    r"\bsign(?:ing)? up\b.*\b(?:newsletter|briefing|digest|alerts?|here|today|now|free)\b|^sign up (?:for|to)\b",
    r"\b(?:subscribe|subscribing)\b.*\b(?:newsletter|today|now|to our|for|here|podcast|channel)\b",
    r"\bnewsletter\b.*\b(?:inbox|every|weekly|daily|delivered|sign|subscribe)\b",
    r"\b(?:in|to) your inbox\b",
    r"^this (?:story|article|piece|report) (?:is|was) (?:part of|from|produced|originally|first)\b",
    r"\b(?:download|get) (?:our|the) (?:free )?(?:[\w.' -]{1,30} )?app\b",
    r"^(?:click|tap) here\b|\bclick here to\b",
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
]
_BOILERPLATE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.I)


def is_boilerplate(text: str) -> bool:
    """Is this sentence or line page furniture rather than part of the story?"""
    line = " ".join(text.split()).strip(" *_#>")
    if not line:
        return True
    return bool(_BOILERPLATE.search(line))
