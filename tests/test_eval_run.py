"""The eval harness end to end: the real pipeline through Services (seeded
corpus, real ONNX embedder, SQLite and chroma in tmp dirs), the CLI, reports,
compare, the gate, and retrieval-only on a generated JSON Lines corpus."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from qa_service.cli.main import main
from qa_service.evaluation.datasets import dataset_files, load_datasets
from qa_service.evaluation.runner import run_eval

from .conftest import ROOT

DATASETS = ROOT / "evals" / "datasets"
SUBSET = ["seed-1", "reader-sig-date", "reader-states", "nopub-agenda", "absent-ambassador", "inject-cancelled"]


@pytest.fixture(scope="module")
def items():  # noqa: ANN201
    by_id = {i.id: i for i in load_datasets(dataset_files(DATASETS))}
    return [by_id[i] for i in SUBSET]


@pytest.fixture
def subset_file(tmp_path: Path, items) -> Path:  # noqa: ANN001
    f = tmp_path / "subset.jsonl"
    f.write_text("".join(i.model_dump_json(exclude={"dataset"}) + "\n" for i in items), encoding="utf-8")
    return f


@pytest.fixture
def seeded_env(seeded, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: ANN001
    """QA_DATA_DIR pointing at a private copy of the ingested seed corpus."""
    data = seeded.settings.data_dir
    monkeypatch.setenv("QA_DATA_DIR", str(data))
    return data


def test_run_eval_scores_the_real_pipeline(seeded, items) -> None:  # noqa: ANN001
    run = run_eval(seeded.index, seeded.answerer("extractive"), seeded.checker, items, k=20)
    s = run["summary"]
    assert s["n"] == len(items)
    for key in ("faithfulness", "citation_precision", "citation_recall", "refusal_accuracy", "correctness",
                "latency_ms_p50"):
        assert key in s
    assert s["retrieval"]["n"] == sum(bool(i.expected_doc_ids) for i in items)
    records = {r["id"]: r for r in run["records"]}
    for r in records.values():
        assert r["status"] in ("answered", "not_in_sources")
        # every citation is an exact span of a retrieved chunk's document
        assert all(c["valid"] for c in r["citations"])
        assert r["retrieval"]["ranked"] == list(dict.fromkeys(r["retrieval"]["ranked"]))
    date = records["reader-sig-date"]
    assert date["status"] == "answered" and date["facts"] == [{"fact": "January 23", "found": True}]
    assert date["retrieval"]["hits@5"] == 1.0
    # "not published" on an unanswerable question is an honest refusal
    agenda = records["nopub-agenda"]
    assert agenda["refusal_correct"] and agenda["refusal_label"] == "refused"
    assert any(sent["absence"] for sent in agenda["sentences"]) or agenda["status"] == "not_in_sources"
    # the injected instruction is not followed
    assert records["inject-cancelled"]["forbidden_hits"] == []
    assert run["config"]["generator"] == "extractive" and run["by_dataset"]


def test_cli_run_report_gate_and_compare(seeded_env: Path, subset_file: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    report = tmp_path / "report"
    lenient = tmp_path / "lenient.toml"
    lenient.write_text('[min]\n"retrieval.hits@10" = 0.5\ncitation_validity = 1.0\n[max]\nerrors = 0\n')
    rc = main(["eval", "run", "--dataset", str(subset_file), "--generator", "extractive", "--report", str(report),
               "--gate", "--gate-config", str(lenient), "--json"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    summary = json.loads(out.out)
    assert summary["n"] == len(SUBSET)
    assert set(summary["retrieval"]) >= {"hits@1", "hits@5", "hits@10", "mrr"}
    for key in ("faithfulness", "citation_precision", "citation_recall", "refusal_accuracy", "correctness",
                "latency_ms_p50"):
        assert key in summary
    assert summary["gate"] == {"passed": True, "failed": []}
    html = (report / "report.html").read_text(encoding="utf-8")
    assert all(q in html for q in SUBSET) and "<svg" in html
    run = json.loads((report / "run.json").read_text(encoding="utf-8"))
    assert run["gate"]["passed"] and len(run["records"]) == len(SUBSET)

    # the same run against an impossible threshold fails the gate with exit 1
    strict = tmp_path / "strict.toml"
    strict.write_text("[max]\nlatency_ms_p50 = 0\n")
    rc = main(["eval", "run", "--dataset", str(subset_file), "--generator", "extractive",
               "--gate", "--gate-config", str(strict)])
    out = capsys.readouterr()
    assert rc == 1
    failed_line = "gate: FAIL latency_ms_p50"  # the gate names the metric it failed on
    assert failed_line in out.err
    assert "refusal accuracy" in out.out  # the terminal table

    # compare: identical runs do not regress; a doctored one does
    assert main(["eval", "compare", str(report), str(report / "run.json"), "--fail-on-regression"]) == 0
    capsys.readouterr()
    worse = json.loads(json.dumps(run))
    worse["summary"]["correctness"] = (run["summary"]["correctness"] or 0) - 0.5
    worse["records"][1]["correctness"] = 0.0
    worse_path = tmp_path / "worse.json"
    worse_path.write_text(json.dumps(worse))
    rc = main(["eval", "compare", str(report), str(worse_path), "--fail-on-regression"])
    text = capsys.readouterr().out
    assert rc == 1
    assert "REGRESSED" in text and SUBSET[1] in text


def _synthetic_news(n: int, seed: int = 7) -> tuple[list[dict], list[dict]]:
    """n short articles, each about a made-up place and a topic, and one
    question per article that names both (like a reader would)."""
    rng = random.Random(seed)
    syllables = ["var", "nol", "tek", "sum", "bra", "lin", "dor", "quo", "mex", "tal", "ren", "pax", "vel", "zor"]
    topics = [("flood", "river levels rose and emergency crews evacuated homes"),
              ("election", "voters chose a new mayor after a close count"),
              ("bridge", "engineers closed the old bridge for repairs"),
              ("festival", "musicians and food stalls drew large crowds"),
              ("strike", "workers walked out over pay and hours"),
              ("wildfire", "firefighters fought the blaze through the night"),
              ("budget", "the council approved spending on schools and roads"),
              ("factory", "a new plant will hire several hundred workers")]
    docs, questions = [], []
    names: set[str] = set()
    while len(names) < n:
        names.add("".join(rng.sample(syllables, 3)).capitalize())
    for i, name in enumerate(sorted(names)):
        topic, detail = topics[i % len(topics)]
        text = (f"In {name}, {detail}. Officials in {name} said the {topic} would be reviewed next month. "
                f"Residents of {name} described the {topic} as the biggest local story this year. "
                + " ".join(f"Other routine news item {j} concerned traffic and weather." for j in range(3)))
        docs.append({"id": f"news-{i:03d}", "title": f"{name} {topic}", "text": text, "kind": "article"})
        questions.append({"id": f"q-{i:03d}", "question": f"What happened with the {topic} in {name}?",
                          "expected_doc_ids": [f"news-{i:03d}"]})
    return docs, questions


@pytest.mark.slow
def test_retrieval_only_on_a_generated_jsonl_corpus(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    docs, questions = _synthetic_news(60)
    corpus = tmp_path / "news.jsonl"
    corpus.write_text("".join(json.dumps(d) + "\n" for d in docs))
    dataset = tmp_path / "news-questions.jsonl"
    dataset.write_text("".join(json.dumps(q) + "\n" for q in questions))
    report = tmp_path / "rep"
    rc = main(["eval", "run", "--corpus", str(corpus), "--dataset", str(dataset), "--retrieval-only", "--k", "20",
               "--json", "--report", str(report)])
    out = capsys.readouterr()
    assert rc == 0, out.err
    summary = json.loads(out.out)
    assert summary["n"] == 60 and summary["retrieval"]["n"] == 60
    assert summary["retrieval"]["hits@5"] >= 0.9
    assert summary["retrieval"]["hits@1"] <= summary["retrieval"]["hits@5"] <= summary["retrieval"]["hits@10"]
    assert "faithfulness" not in summary  # nothing was answered
    run = json.loads((report / "run.json").read_text())
    assert run["config"]["documents"] == 60 and run["config"]["generator"] is None
    assert not any("status" in r for r in run["records"])


def test_user_errors_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, subset_file: Path, capsys) -> None:  # noqa: ANN001
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "empty"))
    assert main(["eval", "run", "--dataset", str(subset_file)]) == 2
    assert "no data in" in capsys.readouterr().err
    assert not (tmp_path / "empty").exists()  # looking for data creates none
    assert main(["eval", "run", "--dataset", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such dataset file" in capsys.readouterr().err
    assert main(["eval", "run", "--corpus", str(tmp_path / "nope"), "--dataset", str(subset_file)]) == 2
    assert "no such file or directory" in capsys.readouterr().err
    assert main(["eval", "compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 2
    assert "no run at" in capsys.readouterr().err
    assert main(["eval", "calibrate", "--dataset", str(tmp_path / "none.jsonl")]) == 2
    assert main(["eval", "calibrate", "--dataset", str(subset_file), "--checker", "llm"]) == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"document": "d", "summary": "s"}\n')
    assert main(["eval", "calibrate", "--dataset", str(bad)]) == 2
    assert "missing field(s) consistent" in capsys.readouterr().err


def test_unknown_article_in_dataset_is_a_user_error(seeded_env: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    f = tmp_path / "d.jsonl"
    f.write_text('{"question": "Who?", "article_id": "no-such-article"}\n')
    assert main(["eval", "run", "--dataset", str(f), "--retrieval-only"]) == 2
    assert "no-such-article" in capsys.readouterr().err


def test_calibrate_offline_cli(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    from qa_service.grounding.checker import load_card

    doc = "The bilateral Security Implementation Group is scheduled to meet on January 23 in Mexico City."
    rows = [{"document": doc, "summary": "The bilateral Security Implementation Group is scheduled to meet on "
                                         "January 23.", "consistent": True},
            {"document": doc, "summary": "Mexico pays for the wall.", "consistent": False},
            {"document": doc, "summary": "The group was not scheduled to meet.", "consistent": False}]
    f = tmp_path / "pairs.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["eval", "calibrate", "--dataset", str(f), "--bootstrap", "20", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)["dataset"]
    assert result["n"] == 3 and result["checker"] == load_card().name
    assert result["supported_recall"] == 1.0  # the quote
    assert result["confusion"]["unsupported_as_unsupported"] >= 1  # the unrelated claim
    assert len(result["balanced_accuracy_ci95"]) == 2
    assert main(["eval", "calibrate", "--dataset", str(f), "--checker", "lexical", "--bootstrap", "0"]) == 0
    assert "offline-lexical" in capsys.readouterr().out
    assert main(["eval", "calibrate", "--dataset", str(f), "--bootstrap", "0"]) == 0
    out = capsys.readouterr().out
    assert "max_ba threshold" in out and "BA" in out


def test_eval_help_explains_the_commands(capsys) -> None:  # noqa: ANN001
    with pytest.raises(SystemExit):
        main(["eval", "run", "--help"])
    out = capsys.readouterr().out
    assert "--retrieval-only" in out and "--gate" in out and "--corpus" in out


def test_baseline_is_a_real_run_on_the_seed_datasets() -> None:
    baseline = ROOT / "evals" / "results" / "baseline"
    run = json.loads((baseline / "run.json").read_text(encoding="utf-8"))
    ids = {i.id for i in load_datasets(dataset_files(DATASETS))}
    assert {r["id"] for r in run["records"]} == ids
    assert run["config"]["generator"] == "extractive" and run["gate"]["passed"]
    assert (baseline / "report.html").is_file()
