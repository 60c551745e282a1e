from __future__ import annotations

import pytest

from qa_service.ingest.chunking import chunk_document
from qa_service.ingest.documents import load_paths
from qa_service.models import Document
from qa_service.tokens import count_tokens

from .conftest import CORPUS


@pytest.fixture(scope="module")
def seed_docs() -> list[Document]:
    docs, problems = load_paths([CORPUS])
    assert not problems
    return docs


@pytest.mark.parametrize(("size", "overlap"), [(32, 8), (64, 16), (128, 24), (256, 48)])
def test_offsets_round_trip_and_token_limit_holds(seed_docs: list[Document], size: int, overlap: int) -> None:
    for doc in seed_docs:
        chunks = chunk_document(doc, size, overlap)
        assert chunks, doc.id
        for chunk in chunks:
            assert doc.text[chunk.start : chunk.end] == chunk.text
            assert count_tokens(chunk.text) == chunk.tokens <= size
            assert chunk.doc_id == doc.id


def test_chunks_cover_every_sentence(seed_docs: list[Document]) -> None:
    from qa_service.text import is_heading_at, sentence_spans

    doc = seed_docs[0]
    chunks = chunk_document(doc, 64, 16)
    for s, e in sentence_spans(doc.text):
        if is_heading_at(doc.text, s):
            continue
        assert any(c.start <= s and e <= c.end for c in chunks), doc.text[s:e]


def test_ids_are_deterministic_and_unique(seed_docs: list[Document]) -> None:
    for doc in seed_docs:
        first = [c.id for c in chunk_document(doc, 128, 24)]
        again = [c.id for c in chunk_document(doc.model_copy(), 128, 24)]
        assert first == again
        assert len(set(first)) == len(first)


def test_unchanged_text_keeps_its_chunk_id_when_a_later_paragraph_changes() -> None:
    para = "The group met in January and agreed on a broad plan to share data across many agencies.\n\n"
    doc_a = Document(id="d", title="t", text=para + "## Later\n\nA closing remark follows here, at some length.")
    doc_b = Document(id="d", title="t", text=para + "## Later\n\nA different closing remark, also long enough.")
    ids_a = [c.id for c in chunk_document(doc_a, 24, 0)]
    ids_b = [c.id for c in chunk_document(doc_b, 24, 0)]
    assert len(ids_a) == len(ids_b) == 2
    assert ids_a[0] == ids_b[0]
    assert ids_a[-1] != ids_b[-1]


def test_headings_are_kept_as_context() -> None:
    text = "# Title\n\n## Funding\n\nCongress set the budget. It did not add a new line.\n\n## Border\n\nInspections rose."
    chunks = chunk_document(Document(id="d", title="t", text=text), 16, 0)
    by_text = {c.text: c.heading for c in chunks}
    assert any("Funding" in h for t, h in by_text.items() if "Congress" in t)
    assert any("Border" in h for t, h in by_text.items() if "Inspections" in t)


def test_a_sentence_longer_than_a_chunk_is_split_at_token_boundaries() -> None:
    long_sentence = " ".join(f"word{i}" for i in range(400)) + "."
    doc = Document(id="long", title="t", text=long_sentence)
    chunks = chunk_document(doc, 64, 8)
    assert len(chunks) > 3
    assert all(c.tokens <= 64 for c in chunks)
    assert "".join(doc.text[c.start : c.end] for c in chunks).replace(" ", "") == long_sentence.replace(" ", "")


def test_an_abbreviation_inside_markdown_emphasis_does_not_end_a_sentence() -> None:
    from qa_service.text import sentence_spans

    text = "**GOV. HARTWELL:** VTrans expects one lane open by October 24. (Gov. Smith spoke.) Done."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "**GOV. HARTWELL:** VTrans expects one lane open by October 24.", "(Gov. Smith spoke.)", "Done."]


def test_memoised_text_functions_hand_each_caller_its_own_copy() -> None:
    """sentence_spans, terms and held_terms are memoised; a caller that changes what
    it got back must not change what the next caller gets."""
    from qa_service.text import held_terms, sentence_spans, terms

    text = "FEMA approved the grants. Applicants have 60 days."
    spans, found, held = sentence_spans(text), terms(text), held_terms(text)
    spans.append((0, 1))
    found.append("extra")
    held.add("extra")
    assert sentence_spans(text) == [(0, 25), (26, 50)]
    assert "extra" not in terms(text) and "extra" not in held_terms(text)
    assert terms(text) == found[:-1] and held_terms(text) == held - {"extra"}
