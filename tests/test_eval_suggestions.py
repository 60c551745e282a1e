"""The suggestions-and-takeaways eval: its metrics on hand-made records
(each can fail), the labels file's checks, and `qa-service eval
suggestions` end to end on two articles of the newsroom corpus."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qa_service.evaluation.article_metrics import ArticleInput, QuestionRecord, question_kind, score_article, summarise
from qa_service.evaluation.datasets import DatasetError
from qa_service.evaluation.keyfacts import load_keyfacts
from qa_service.models import Answer, Citation, Document, Gap

from .conftest import ROOT

KEYFACTS = ROOT / "evals" / "suggestions" / "keyfacts.jsonl"
DOC = Document(id="a", title="Mill to close", kind="article",
               text="By Jo Ng\n\nThe mill will close in May, cutting 300 jobs.\n\nSign up for our newsletter.")


def answer(quote: str, start: int, status: str = "answered", gaps: list[Gap] | None = None) -> Answer:
    c = Citation(n=1, doc_id="a", quote=quote, start=start, end=start + len(quote))
    return Answer(question="q", status=status, answer=f"{quote} [1]", citations=[c], gaps=gaps or [])


def test_the_metrics_count_what_they_say() -> None:
    lede = "The mill will close in May, cutting 300 jobs."
    at = DOC.text.index(lede)
    questions = [
        QuestionRecord("How many jobs will the mill cut?", "generated", False, answer(lede, at)),
        QuestionRecord("How many jobs does the mill cut?", "generated", False, answer(lede, at)),  # a duplicate
        QuestionRecord("When will the mill close?", "generated", True, answer(lede, at)),  # hidden: stored only
        QuestionRecord("What is not yet known about the buyer?", "generated", False,
                       answer(lede, at, "not_in_sources", [Gap(aspect="buyer", statement=lede, cited=True)])),
        QuestionRecord("Who owns the mill?", "generated", False,
                       Answer(question="q", status="not_in_sources", answer="The sources do not say.")),
    ]
    takeaways = [{"text": lede, "citations": [{"doc_id": "a", "start": at, "end": at + len(lede), "quote": lede}]},
                 {"text": "Sign up for our newsletter.", "citations": []}]
    record = score_article(ArticleInput(DOC, questions, takeaways, ["300 jobs"], ["By Jo Ng",
                                                                                 "Sign up for our newsletter."]))
    assert record["shown"] == 4 and record["shown_cited"] == 3 and record["stored_cited"] == 4
    assert [t["boilerplate"] for t in record["takeaways"]] == [False, True]
    assert [t["cited_article"] for t in record["takeaways"]] == [True, False]
    assert record["key_fact_in_takeaways"] and record["key_fact_in_questions"]
    assert ["How many jobs will the mill cut?", "How many jobs does the mill cut?"] in record["duplicates"]
    summary = summarise([record])
    assert summary["share_takeaways_boilerplate"] == 0.5
    assert summary["share_with_4_shown_cited"] == 0.0 and summary["share_with_4_stored_cited"] == 1.0
    assert summary["duplicate_pairs"] == len(record["duplicates"]) >= 1


@pytest.mark.parametrize(("question", "kind"), [
    ("What is the Regional Transit Authority?", "what_is"), ("Who is Maria Lopez?", "what_is"),
    ("When will the terminal open?", "next"), ("Why did the board vote no?", "why"),
    ("How many flights were canceled?", "how_much"), ("By what vote did the board approve it?", "how_much"),
    ("Who will receive the rebate?", "affected"), ("What is not yet known about the buyer?", "unknown"),
    ("Where is the plant?", "other"),
])
def test_question_kinds_are_read_off_the_wording(question: str, kind: str) -> None:
    assert question_kind(question) == kind


def test_the_labels_are_checked(tmp_path: Path) -> None:
    labels = load_keyfacts(KEYFACTS)
    assert len(labels) >= 36 and all(label.key_fact for label in labels.values())
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"article_id": "a", "key_fact": "x"}\n{"article_id": "a", "key_fact": "y"}\n')
    with pytest.raises(DatasetError, match="labelled twice"):
        load_keyfacts(bad)
    bad.write_text('{"article_id": "a"}\n')
    with pytest.raises(DatasetError, match="key_fact"):
        load_keyfacts(bad)
    with pytest.raises(DatasetError, match="no such"):
        load_keyfacts(tmp_path / "missing.jsonl")


def test_every_label_is_in_its_article() -> None:
    corpora = ROOT / "evals" / "corpora"
    from qa_service.evaluation.metrics import fact_found
    from qa_service.ingest.documents import load_paths

    docs, _ = load_paths([corpora / "newsroom", corpora / "vermont-flooding-2025", ROOT / "corpus"])
    by_id = {d.id: d for d in docs}
    for label in load_keyfacts(KEYFACTS).values():
        doc = by_id[label.article_id]
        assert fact_found(" | ".join(label.facts), doc.text), label.article_id
        assert all(piece in doc.text for piece in label.boilerplate), label.article_id


@pytest.mark.slow
def test_eval_suggestions_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from qa_service.cli.main import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("nr-bell-creek-wildfire.md", "nr-battery-recycler-funding.md"):
        shutil.copy(ROOT / "evals" / "corpora" / "newsroom" / name, corpus / name)
    report = tmp_path / "report"
    code = main(["eval", "suggestions", "--corpus", str(corpus), "--keyfacts", str(KEYFACTS), "--report", str(report),
                 "--json", "--gate"])
    out = json.loads(capsys.readouterr().out)
    assert out["articles"] == 2 and out["labelled_articles"] == 2
    assert code == (0 if out["gate"]["passed"] else 1)
    assert out["share_takeaways_boilerplate"] == 0.0
    run = json.loads((report / "run.json").read_text())
    assert run["kind"] == "suggestions" and len(run["records"]) == 2
    html = (report / "report.html").read_text()
    assert "<script" not in html and "Bell Creek Fire" in html
    assert main(["eval", "suggestions", "--corpus", str(corpus), "--article", "nope"]) == 2
    assert "no article with id" in capsys.readouterr().err
