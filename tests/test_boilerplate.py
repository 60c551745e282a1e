"""Page furniture (bylines, datelines, promos, photo credits, related links,
corrections) is recognised at ingest, in every house style of the eval
corpora, and ordinary news sentences are not mistaken for it."""

from __future__ import annotations

import json

import pytest

from qa_service.ingest.boilerplate import boilerplate_spans, dateline_length, is_boilerplate, mark_boilerplate
from qa_service.ingest.documents import load_paths
from qa_service.text import sentence_spans

from .conftest import CORPUS, ROOT

EVALS = ROOT / "evals"
LABELS = {json.loads(line)["article_id"]: json.loads(line)
          for line in (EVALS / "suggestions" / "keyfacts.jsonl").read_text().splitlines() if line.strip()}


@pytest.fixture(scope="module")
def documents():  # noqa: ANN201
    docs, problems = load_paths([EVALS / "corpora" / "newsroom", EVALS / "corpora" / "vermont-flooding-2025", CORPUS])
    assert not problems
    return {d.id: d for d in docs}


def test_every_labelled_piece_of_furniture_is_found(documents) -> None:  # noqa: ANN001
    missed = []
    for article_id, label in LABELS.items():
        doc = documents[article_id]
        spans = boilerplate_spans(doc.text)
        for piece in label["boilerplate"]:
            at = doc.text.find(piece)
            assert at >= 0, f"{article_id}: label not in the text: {piece!r}"
            covered = sum(max(0, min(e, at + len(piece)) - max(s, at)) for s, e in spans)
            if covered < len(piece):
                missed.append(f"{article_id}: {piece!r}")
    assert not missed, "\n".join(missed)


def test_no_story_sentence_is_taken_for_furniture(documents) -> None:  # noqa: ANN001
    wrong = []
    for article_id, label in LABELS.items():
        doc = documents[article_id]
        for s, e in boilerplate_spans(doc.text):
            found = doc.text[s:e].strip()
            if not any(found in piece or piece in found for piece in label["boilerplate"]):
                wrong.append(f"{article_id}: {found!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("sentence", [
    "By Thursday, officials had evacuated 3,000 people.",
    "By 5 p.m., 186 businesses had applied, seeking a combined $4.3 million.",
    "By March, prices had doubled.",
    "By the end of the year, the plant will employ 250 people.",
    "Residents can sign up for the county's emergency alerts, officials said, after the siren failed.",
    "The newsletter industry has grown, the report said.",
    "Photographs of the damage circulated widely on Tuesday.",
    "Contributing factors included heavy rain and saturated soil.",
    "This story has been told many times in the valley.",
    "Officials updated the evacuation map on Monday.",
    "Get the latest figures from the state's dashboard, officials said.",
    "Files seized in the raid filled 40 boxes.",
    "FILE transfers were blocked by the outage, the company said.",
    "The council will share this plan with residents on Monday.",
    "With files missing, investigators had to rebuild the case.",
    "Residents, including Mayor Ana Ruiz (@MayorRuiz), attended the meeting.",
])
def test_news_sentences_that_look_like_furniture_are_news(sentence: str) -> None:
    assert not is_boilerplate(sentence)
    assert boilerplate_spans(sentence) == []


@pytest.mark.parametrize(("line", "dateline"), [
    ("REDDING, Calif. (CWS) — A wildfire grew to 4,200 acres.", "REDDING, Calif. (CWS) — "),
    ("SEATTLE, Jan 24 (Ledgerline) - Brightwave Software said it would cut jobs.", "SEATTLE, Jan 24 (Ledgerline) - "),
    ("WASHINGTON (AP) — The Senate voted 78-21 on Wednesday.", "WASHINGTON (AP) — "),
    ("Sept 19 (Ledgerline) - Hanseong will build a plant.", "Sept 19 (Ledgerline) - "),
    ("BOSTON — The founder was sentenced on Thursday.", "BOSTON — "),
    ("The Senate voted 78-21 on Wednesday.", ""),
    ("NASA said the launch — planned for May — would slip.", ""),
    ("Officials (including the mayor) — and residents — met.", ""),
    # a broadcaster's dateline in running case, with or without a place, a dash or a space
    ("Washington (CNN)The Senate voted on Tuesday to pass the bill.", "Washington (CNN)"),
    ("(CNN Business) — Elon Musk said Tuesday that he would buy Twitter.", "(CNN Business) — "),
    ("Hong Kong (Reuters) - Shares rose on Monday.", "Hong Kong (Reuters) - "),
    ("(The Senate) voted on Tuesday.", ""),
    # a feed that turned the dash into ASCII: a spaced hyphen after a city in capitals
    ("LISBON - Portugal's parliament approved the budget on Friday.", "LISBON - "),
    ("SAN JOSE -- A jury found the former executive guilty.", "SAN JOSE -- "),
    ("NATO - the alliance - met in Brussels.", ""),
    ("The Boston-New York train was late.", ""),
])
def test_a_dateline_opening_a_lede_is_furniture_and_the_lede_is_not(line: str, dateline: str) -> None:
    assert dateline_length(line) == len(dateline)
    spans = boilerplate_spans(line)
    assert spans == ([(0, len(dateline.rstrip()))] if dateline else [])


def test_a_furniture_line_counts_whole_however_sentences_split_it() -> None:
    text = ("The fire grew overnight.\n\nHave a question about the recovery? Email our newsroom at news@example.org.\n\n"
            "Correction, Dec. 1, 2022: An earlier version of this article gave an incorrect year. It was 2010.\n")
    spans = boilerplate_spans(text)
    shown = [text[s:e] for s, e in spans]
    assert shown == ["Have a question about the recovery? Email our newsroom at news@example.org.",
                     "Correction, Dec. 1, 2022: An earlier version of this article gave an incorrect year. It was 2010."]
    # every sentence of those lines is inside a span, the story sentence is not
    for s, e in sentence_spans(text):
        inside = any(a <= s and e <= b for a, b in spans)
        assert inside == (text[s:e] != "The fire grew overnight.")


def test_ingest_stores_the_spans_and_retrieval_carries_them(services) -> None:  # noqa: ANN001
    docs, _ = load_paths([EVALS / "corpora" / "newsroom" / "nr-bell-creek-wildfire.md"])
    services.index.ingest(docs)
    stored = services.store.get_document("nr-bell-creek-wildfire")
    assert stored.boilerplate == mark_boilerplate(docs[0]).boilerplate != []
    texts = [stored.text[s:e] for s, e in stored.boilerplate]
    assert "By Jorge Ramírez and Emily Sato, Capitol Wire Service" in texts
    assert "REDDING, Calif. (CWS) —" in texts
    hits = services.index.search("who contributed to this report", k=8, article_id="nr-bell-creek-wildfire")
    credit = stored.text.index("Capitol Wire Service reporter Jim Haskell")
    assert any(h.is_boilerplate(credit, credit + 10) for h in hits if h.start <= credit < h.end)
    # re-ingesting the same files changes nothing
    again = services.index.ingest(docs)
    assert again.unchanged == ["nr-bell-creek-wildfire"]


def test_a_dateline_opening_the_lede_is_not_part_of_the_evidence() -> None:
    from qa_service.answering.evidence import passage_sentences
    from qa_service.answering.generation import Passage
    from qa_service.ingest.boilerplate import mark_boilerplate
    from qa_service.models import Document, RetrievedChunk

    text = ("July 22 (Ledgerline) - Northfield Home Stores said on Monday that hackers had stolen data of "
            "4.3 million customers. Shares fell 3.4% in morning trading.")
    doc = mark_boilerplate(Document(id="d", title="Breach", text=text, kind="article"))
    assert doc.boilerplate, "the dateline is recognised at ingest"
    chunk = RetrievedChunk(doc_id="d", chunk_id="d#0", score=1.0, start=0, end=len(text), text=text,
                           boilerplate=doc.boilerplate_spans(0, len(text)))
    sentences = [s[4] for s in passage_sentences([Passage(1, chunk)])]
    assert sentences[0].startswith("Northfield Home Stores said on Monday")
    start = passage_sentences([Passage(1, chunk)])[0][2]
    assert text[start:].startswith("Northfield")  # offsets still quote the document exactly


def test_evidence_keeps_the_markup_of_sentences_that_are_not_furniture() -> None:
    from qa_service.answering.evidence import passage_sentences
    from qa_service.answering.generation import Passage
    from qa_service.models import RetrievedChunk

    text = "In the letter, the Governor requests:\n\n- **Individual Assistance** for four counties.\n"
    chunk = RetrievedChunk(doc_id="d", chunk_id="d#0", score=1.0, start=0, end=len(text), text=text)
    sentences = [s[4] for s in passage_sentences([Passage(1, chunk)])]
    assert any("**Individual Assistance** for four counties." in s for s in sentences)


@pytest.mark.parametrize("line, dateline", [
    ("**Montpelier, Vt.** – Governor Daniel Hartwell today announced the program.", "**Montpelier, Vt.** –"),
    ("**WASHINGTON** – Low-interest federal disaster loans are available.", "**WASHINGTON** –"),
    ("**Deadline** – Applications are due May 1.", None),
])
def test_a_press_release_dateline_in_bold_is_furniture_and_a_bold_label_is_not(line: str, dateline: str | None) -> None:
    spans = boilerplate_spans(line)
    assert [line[a:b] for a, b in spans] == ([dateline] if dateline else [])


@pytest.mark.parametrize("line", [
    "A version of this story appeared in CNN's Meanwhile in China newsletter, a three-times-a-week update.",
    "This story has been updated with additional information.",
    "Get our free Pacific Wildfire newsletter",
    "Contributing: Jane Doe, USA TODAY",
    "Video above: Watch the president speak.",
    "Got a confidential news tip? We want to hear from you.",
    "Market data provided by Factset.",
    # a wire's caption for a file photo, with or without its credit
    "FILE - Workers repair a levee near Sacramento, Calif., on Jan. 9, 2023. The state will spend $200 million.",
    "FILE Senator Ruth Aldana speaks at a rally in Phoenix, Oct. 3, 2022.",
    "FILE PHOTO: A container ship is unloaded at the port of Rotterdam.",
    # a share widget, an embedded social post, an agency's credit line, a cross-reference
    "Share this article via email",
    "Flooding on Route 7 this morning pic.twitter.com/x1Y2z3 -- Valley Weather (@ValleyWx) March 3, 2024",
    "-- With files from The Canadian Press",
    "(Also see \"Drugmaker Cuts Outlook\" - Pharma Weekly, 4 Mar, 2024.)",
])
def test_more_newsroom_conventions_are_furniture(line: str) -> None:
    """Update notes, newsletter promos, contributor lines and data credits as
    broadcasters and papers word them."""
    assert is_boilerplate(line)
