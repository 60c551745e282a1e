"""Eval harness pieces without the pipeline: metrics, refusal detection,
datasets, gate, compare and the HTML report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa_service.evaluation.compare import compare_runs, render_comparison
from qa_service.evaluation.datasets import DatasetError, dataset_files, load_dataset, load_datasets
from qa_service.evaluation.gate import GateConfigError, check, load_thresholds
from qa_service.evaluation.metrics import (
    AnswerSentence,
    fact_found,
    is_absence_statement,
    judge_sentence,
    normalise,
    ranked_documents,
    refusal_kind,
    refusal_outcome,
    retrieval_scores,
    split_answer,
    summarise,
)
from qa_service.evaluation.report import render_html, terminal_table

from .conftest import ARTICLE_ID, CORPUS, ROOT

DATASETS = ROOT / "evals" / "datasets"


# ---------------------------------------------------------------- retrieval
def test_a_document_counts_once_however_many_chunks() -> None:
    ranked = ranked_documents(["a", "a", "a", "b", "a", "c"])
    assert ranked == ["a", "b", "c"]
    scores = retrieval_scores(ranked, ["b"])
    assert scores == {"hits@1": 0.0, "hits@5": 1.0, "hits@10": 1.0, "mrr": 0.5}
    assert retrieval_scores(ranked, ["z"])["mrr"] == 0.0
    assert retrieval_scores(ranked, ["c", "a"])["hits@1"] == 1.0


# ---------------------------------------------------------------- sentences
def test_split_answer_keeps_markers_with_their_sentence() -> None:
    text = ("The group meets on January 23. [1] It counters cartels [2].\n\n"
            "Participation includes:\n- The State Department [3]\n1. The Treasury sent a deputy. [3, 4]")
    sentences = split_answer(text)
    assert [s.text for s in sentences] == ["The group meets on January 23.", "It counters cartels.",
                                           "Participation includes:", "The State Department",
                                           "The Treasury sent a deputy."]
    assert [s.markers for s in sentences] == [[1], [2], [], [3], [3, 4]]
    assert not sentences[2].claim and all(s.claim for s in sentences if s is not sentences[2])


@pytest.mark.parametrize("sentence", [
    "The agenda for the January 23 meeting has not been published.",
    "The sources do not say who will attend.",
    "No detailed public protocol has been released.",
    "Officials haven't disclosed the budget.",
    "The attendance list is unknown.",
    "Neither statement specifies the decision-making rules.",
    "The date has yet to be announced.",
])
def test_absence_statements_are_recognised(sentence: str) -> None:
    assert is_absence_statement(sentence)


@pytest.mark.parametrize("sentence", [
    "Congress has not created a funding stream specifically for the SIG.",
    "The SIG is not a single-agency body.",
    "Mexico described the cooperation as taking place without subordination.",
    "The statement was published by the State Department.",
    "The group meets on January 23.",
])
def test_facts_are_not_absence_statements(sentence: str) -> None:
    assert not is_absence_statement(sentence)


def test_refusal_kinds_and_outcomes() -> None:
    absent = AnswerSentence("The agenda has not been published.", [1], absence=True)
    fact = AnswerSentence("The group meets on January 23.", [2])
    assert refusal_kind("not_in_sources", []) == "status"
    assert refusal_kind("answered", [absent]) == "absence"
    assert refusal_kind("answered", [absent, fact]) == "absence_with_context"
    assert refusal_kind("answered", [fact]) == ""
    # unanswerable
    assert refusal_outcome(False, "status", True) == (True, "refused")
    assert refusal_outcome(False, "absence", True) == (True, "refused")
    assert refusal_outcome(False, "absence_with_context", True) == (True, "refused")
    assert refusal_outcome(False, "absence_with_context", False) == (False, "hallucinated")
    assert refusal_outcome(False, "", True) == (False, "hallucinated")
    # answerable
    assert refusal_outcome(True, "status", True) == (False, "missed")
    assert refusal_outcome(True, "absence", True) == (False, "missed")
    assert refusal_outcome(True, "absence_with_context", True) == (True, "answered")
    assert refusal_outcome(True, "", True) == (True, "answered")


# ---------------------------------------------------------------- facts
def test_fact_matching_is_normalised() -> None:
    assert normalise("Juan Ramón de la Fuente!") == " juan ramon de la fuente "
    assert fact_found("Juan Ramón de la Fuente", "... and JUAN RAMON DE LA FUENTE spoke [2].")
    assert fact_found("one-year anniversary | one year", "It marks one year of cooperation.")
    assert fact_found("U.S.-Mexico", "the u s mexico border")
    assert not fact_found("23", "January 2023")  # whole tokens only
    assert not fact_found("ATF", "The state of affairs.")


# ---------------------------------------------------------------- citations
class SubstringChecker:
    """A checker whose verdicts are obvious: supported iff the claim's text
    (without the full stop) occurs in the passage."""

    name = "substring"
    threshold = 0.5

    def score(self, claim: str, passage: str) -> float:
        return 1.0 if claim.rstrip(".").lower() in passage.lower() else 0.0


def test_citation_precision_and_recall_per_sentence() -> None:
    checker = SubstringChecker()
    quotes = {1: "the group meets on january 23", 2: "cartels are the target"}
    supported = judge_sentence(AnswerSentence("The group meets on January 23.", [1, 2]), quotes, [], checker)
    assert supported.supported_by_citations
    assert supported.citation_support == {1: True, 2: False}  # [2] is irrelevant
    wrong = judge_sentence(AnswerSentence("The group meets on January 23.", [2]), quotes,
                           ["Intro. the group meets on january 23. Outro."], checker)
    assert not wrong.supported_by_citations and wrong.supported_by_passages
    uncited = judge_sentence(AnswerSentence("The group meets on January 23.", []), quotes, [], checker)
    assert not uncited.supported_by_citations and not uncited.supported_by_passages


def _record(**over) -> dict:  # noqa: ANN003
    base = {"id": "q1", "question": "Q?", "dataset": "d", "tags": ["t"], "answerable": True, "expected_facts": ["x"],
            "forbidden": [], "retrieval": {"expected": ["a"], "ranked": ["a"], "hits@1": 1.0, "hits@5": 1.0,
                                           "hits@10": 1.0, "mrr": 1.0},
            "status": "answered", "answer": "x [1]", "latency_ms": 10.0, "usage": None,
            "sentences": [{"text": "x", "markers": [1], "claim": True, "absence": False,
                           "supported_by_citations": True, "supported_by_passages": True}],
            "dropped_sentences": [], "citations": [{"n": 1, "doc_id": "a", "chunk_id": "a#0", "start": 0, "end": 1,
                                                    "quote": "x", "score": 1.0, "valid": True, "precise": True}],
            "refusal_kind": "", "refusal_correct": True, "refusal_label": "answered", "facts": [
                {"fact": "x", "found": True}], "forbidden_hits": [], "correctness": 1.0, "passages": []}
    base.update(over)
    return base


def test_unsupported_sentences_count_against_faithfulness() -> None:
    bad_sentence = {"text": "y", "markers": [], "claim": True, "absence": False,
                    "supported_by_citations": False, "supported_by_passages": False}
    ok = _record()
    bad = _record(id="q2", sentences=[ok["sentences"][0], bad_sentence], correctness=0.5)
    s = summarise([ok, bad])
    assert s["n"] == 2
    assert s["faithfulness"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["citation_recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["citation_precision"] == 1.0
    assert s["correctness"] == 0.75
    assert set(s["retrieval"]) >= {"hits@1", "hits@5", "hits@10", "mrr"}


# ---------------------------------------------------------------- gate
def test_gate_thresholds(tmp_path: Path) -> None:
    cfg = tmp_path / "gate.toml"
    cfg.write_text('[min]\n"retrieval.hits@5" = 0.9\nfaithfulness = 0.95\n[max]\nerrors = 0\n')
    thresholds = load_thresholds(cfg)
    summary = {"retrieval": {"hits@5": 0.95}, "faithfulness": 0.9, "errors": 0}
    results = {r.metric: r.passed for r in check(summary, thresholds)}
    assert results == {"retrieval.hits@5": True, "faithfulness": False, "errors": True}
    assert [r.metric for r in check(summary, thresholds, retrieval_only=True)] == ["retrieval.hits@5"]
    assert not check({}, thresholds)[0].passed  # a missing metric fails
    cfg.write_text("[min]\nfaithfulness = 'high'\n")
    with pytest.raises(GateConfigError, match="must be a number"):
        load_thresholds(cfg)
    with pytest.raises(GateConfigError, match="no gate config"):
        load_thresholds(tmp_path / "missing.toml")


def test_repository_gate_config_is_valid() -> None:
    thresholds = load_thresholds(ROOT / "evals" / "gate.toml")
    assert thresholds["min"]["faithfulness"] > 0.5


# ---------------------------------------------------------------- compare
def _run(records: list[dict]) -> dict:
    return {"summary": summarise(records), "records": records, "config": {}}


def test_compare_shows_regressions() -> None:
    a = _run([_record(), _record(id="q2")])
    worse = _record(id="q2", correctness=0.0, facts=[{"fact": "x", "found": False}], refusal_correct=False,
                    refusal_label="missed")
    b = _run([_record(), worse])
    result = compare_runs(a, b)
    assert result["regressed"]
    status = {m["metric"]: m["status"] for m in result["metrics"]}
    assert status["correctness"] == "regressed" and status["faithfulness"] == "same"
    assert [q["id"] for q in result["questions"]] == ["q2"]
    text = render_comparison(result, "A", "B")
    assert "REGRESSED" in text and "q2" in text
    assert not compare_runs(a, a)["regressed"]


# ---------------------------------------------------------------- report
def test_html_report_escapes_text_and_highlights_unsupported() -> None:
    evil = "<script>alert('x')</script>"
    bad_sentence = {"text": f"Claim {evil}", "markers": [1], "claim": True, "absence": False,
                    "supported_by_citations": False, "supported_by_passages": False}
    rec = _record(question=f"Why {evil}?", sentences=[bad_sentence])
    rec["citations"][0]["quote"] = f"quote {evil}"
    run = {"created": "now", "wall_seconds": 1.0, "config": {"generator": "g", "checker": "c",
                                                             "support_threshold": 0.5, "documents": 1},
           "summary": summarise([rec]), "by_dataset": {"d": summarise([rec])}, "by_tag": {}, "records": [rec]}
    html = render_html(run)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "class='unsupported'" in html and "<svg" in html
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")  # self-contained
    assert "dataset" in terminal_table(run)


# ---------------------------------------------------------------- datasets
def test_dataset_loader_reports_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "d.jsonl"
    f.write_text('{"question": "ok?"}\n{not json}\n')
    with pytest.raises(DatasetError, match=r"d.jsonl:2: not valid JSON"):
        load_dataset(f)
    f.write_text('{"question": "ok?", "answerable": "maybe"}\n')
    with pytest.raises(DatasetError, match=r"d.jsonl:1: answerable"):
        load_dataset(f)
    f.write_text('{"id": "a", "question": "x?"}\n{"id": "a", "question": "y?"}\n')
    with pytest.raises(DatasetError, match="duplicate id"):
        load_dataset(f)
    f.write_text('{"question": "x?"}\n')
    item = load_dataset(f)[0]
    assert item.id == "d:1" and item.answerable and item.dataset == "d"


def test_seed_datasets_meet_the_brief() -> None:
    import yaml

    items = load_datasets(sorted(DATASETS.glob("seed*.jsonl")))
    assert len(items) >= 40
    assert sum(not i.answerable for i in items) >= 10
    assert sum("adversarial" in i.tags for i in items) >= 5
    assert any("not_published" in i.tags for i in items)
    article = (CORPUS / f"{ARTICLE_ID}.md").read_text(encoding="utf-8")
    seed_questions = yaml.safe_load(article.split("---")[1])["questions"]
    assert set(seed_questions) <= {i.question for i in items}
    corpus_ids = {p.stem for p in CORPUS.glob("*.md")}
    corpus_text = " ".join(p.read_text(encoding="utf-8") for p in CORPUS.glob("*.md"))
    for item in items:
        assert item.article_id in (None, ARTICLE_ID)
        assert set(item.expected_doc_ids) <= corpus_ids, item.id
        for fact in item.expected_facts:  # facts are written from the corpus text
            assert fact_found(fact, corpus_text), (item.id, fact)
    assert json.loads((DATASETS / "seed-questions.jsonl").read_text().splitlines()[0])["id"] == "seed-1"


def test_every_dataset_fact_is_in_its_corpus() -> None:
    """evals/check_datasets.py: every expected, lead and correction fact of every
    dataset (seed, Vermont flooding, newsroom quiz) is verbatim in its corpus,
    ids are unique, key facts and boilerplate labels are in their articles."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, str(ROOT / "evals" / "check_datasets.py")], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "all checks passed" in run.stdout


def test_lead_of_a_list_answer_is_its_lead_in_with_the_first_item() -> None:
    from qa_service.evaluation.metrics import answer_shape, split_answer

    def lead(text: str) -> bool | None:
        return answer_shape("list", True, ["photographs", "tax return"], ["photographs"], [], [], "answered",
                            text, split_answer(text), [])["lead_correct"]

    listed = "Applicants will need:\n\n- photographs of the damage. [1]\n- the 2024 federal tax return. [2]"
    assert lead(listed) is True
    # a lead-in followed by background first is not a lead
    assert lead("Applicants will need: [1] Applications open on October 14. [2] Photographs help. [3]") is False
    assert lead("Applications open on October 14. [1]\n\n- photographs of the damage. [2]") is False
