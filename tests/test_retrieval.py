from __future__ import annotations

import pytest

from .conftest import ARTICLE_ID

# Each seed question and the source a reader would need for it.
SEED_QUESTIONS = [
    ("What is the Security Implementation Group and who chairs or participates in it?", "sig-meetings-mission-firewall"),
    ("What is a Security Ministerial—who attends and what powers or decisions can it make?",
     "high-level-security-dialogue-2021"),
    ("What specific actions or measures are being considered to stop the illicit flow of fentanyl and weapons?",
     "sig-meetings-mission-firewall"),
    ("What kinds of information-sharing initiatives are referenced and how will privacy or sovereignty concerns be "
     "handled?", "bicentennial-framework-action-plan"),
    ("How will progress be measured or reported from the January 23 meeting and the February Security Ministerial?",
     "joint-statement-2026-01-15"),
    ("Does this cooperation involve additional funding, deployments, or changes to border operations?",
     "crs-mexico-security-funding"),
]


@pytest.mark.parametrize(("question", "source"), SEED_QUESTIONS)
def test_seed_questions_retrieve_their_source(seeded, question: str, source: str) -> None:  # noqa: ANN001
    hits = seeded.index.search(question, k=5, article_id=ARTICLE_ID)
    assert source in [h.doc_id for h in hits]
    for h in hits:  # retrieved text is the exact document span
        assert seeded.store.get_document(h.doc_id).text[h.start : h.end] == h.text


def test_article_scope_limits_results_to_the_article_and_its_sources(seeded) -> None:  # noqa: ANN001
    from qa_service.models import Document

    stray = Document(id="stray-weather", title="Weather", text="Paris will be sunny with fentanyl-free skies.")
    seeded.index.ingest([stray, *seeded.store.documents()])
    scoped = seeded.index.search("Paris sunny skies", k=10, article_id=ARTICLE_ID)
    assert "stray-weather" not in {h.doc_id for h in scoped}
    unscoped = seeded.index.search("Paris sunny skies", k=10)
    assert unscoped[0].doc_id == "stray-weather"


def test_near_duplicate_chunks_are_removed(seeded) -> None:  # noqa: ANN001
    from qa_service.models import Document

    original = seeded.store.get_document("crs-mexico-security-funding")
    copy = Document(id="crs-copy", title=original.title, text=original.text, kind="source")
    seeded.index.ingest([copy, *seeded.store.documents()])
    hits = seeded.index.search("SIG-specific funding stream appropriations", k=8)
    texts = [h.text for h in hits]
    assert len(texts) == len(set(texts))
    assert {"crs-copy", "crs-mexico-security-funding"} & {h.doc_id for h in hits}
