"""The grounding checkers: the calibrated offline one (shipped weights) and
the LLM judge against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from qa_service.grounding.checker import (
    FEATURES,
    CalibratedGroundingChecker,
    LexicalGroundingChecker,
    load_weights,
    make_checker,
)
from qa_service.settings import Settings

from .conftest import SHARED

SUMMEDITS = SHARED / "benchmarks" / "summedits-news" / "evaluation.jsonl"
PASSAGE = ("The bilateral Security Implementation Group is scheduled to meet on January 23. "
           "The group was tasked with delivering tangible actions to counter cartels.")


@pytest.fixture(scope="module")
def checker() -> CalibratedGroundingChecker:
    return CalibratedGroundingChecker(0.5)


def test_verbatim_quote_scores_one_with_or_without_markers(checker: CalibratedGroundingChecker) -> None:
    assert checker.score("The group was tasked with delivering tangible actions to counter cartels.", PASSAGE) == 1.0
    assert checker.score("The group was tasked with delivering tangible actions to counter cartels. [2]",
                         PASSAGE) == 1.0


def test_covered_paraphrase_is_supported(checker: CalibratedGroundingChecker) -> None:
    assert checker.score("The Security Implementation Group will meet on January 23.", PASSAGE) >= 0.5


@pytest.mark.parametrize("claim", [
    "The Security Implementation Group will meet on January 24.",   # changed number
    "The Security Implementation Group will meet on January 23 in Canada.",  # new name
    "The group was not tasked with delivering tangible actions to counter cartels.",  # negation
    "Mexico pays for the wall.",  # unrelated
    "Officials met to discuss security.",  # mostly not in the passage
])
def test_mismatches_are_unsupported(checker: CalibratedGroundingChecker, claim: str) -> None:
    assert checker.score(claim, PASSAGE) < 0.5


def test_number_words_and_ordinals_count_as_numbers(checker: CalibratedGroundingChecker) -> None:
    passage = "The company reported a fourth quarter decline in vaccine sales."
    good = checker.score("The company reported a decline in vaccine sales in the fourth quarter.", passage)
    bad = checker.score("The company reported a decline in vaccine sales in the third quarter.", passage)
    assert good >= 0.5 > bad


def test_each_sentence_must_be_supported(checker: CalibratedGroundingChecker) -> None:
    claim = ("The Security Implementation Group will meet on January 23. "
             "It will be chaired by the Canadian prime minister.")
    assert checker.score(claim, PASSAGE) < 0.5
    assert checker.score(claim.split(". ")[0] + ".", PASSAGE) >= 0.5


def test_long_documents_are_scored_against_their_best_window(checker: CalibratedGroundingChecker) -> None:
    filler = " ".join(f"Paragraph {i} talks about weather, sports and markets in general terms." for i in range(30))
    document = filler + " " + PASSAGE + " " + filler
    assert checker.score("The Security Implementation Group will meet on January 23.", document) >= 0.5
    assert checker.score("The Security Implementation Group will meet on March 3.", document) < 0.5


def test_empty_inputs_score_zero(checker: CalibratedGroundingChecker) -> None:
    assert checker.score("", PASSAGE) == 0.0
    assert checker.score("[1]", PASSAGE) == 0.0
    assert checker.score("The group meets.", "") == 0.0


def test_accents_compounds_and_aliases_are_paraphrase_not_new_names(checker: CalibratedGroundingChecker) -> None:
    body = ("During the call, the two officials reaffirmed the partnership between the United States and Mexico. "
            "They emphasized respect for sovereignty, and they also acknowledged that more must be done to "
            "confront the threats the two countries face together.")
    assert checker.score("They reaffirmed the U.S.-Mexico partnership and emphasized respect for sovereignty "
                         "while noting more must be done on shared threats.", body) >= 0.5
    names = "Secretary of State Marco Rubio spoke with Mexican Foreign Secretary Juan Ramón de la Fuente."
    assert checker.score("Rubio spoke with Juan Ramon de la Fuente, Mexico's foreign secretary.", names) >= 0.5
    assert checker.score("Rubio spoke with Juan Ramon de la Fuente, Canada's foreign secretary.", names) < 0.5
    # verbatim up to accents and punctuation is a quote
    assert checker.score("Secretary of State Marco Rubio spoke with Mexican Foreign Secretary Juan Ramon de la "
                         "Fuente", names) == 1.0


def test_curated_takeaways_are_supported_by_the_article_body(checker: CalibratedGroundingChecker) -> None:
    """The article's takeaways paraphrase its body (one joins two paragraphs'
    facts); each must verify against some window of one paragraph, as
    TakeawayWriter.cite_in_article looks for it."""
    from qa_service.articles.takeaways import article_windows
    from qa_service.ingest.documents import load_paths

    from .conftest import ARTICLE_ID, CORPUS

    docs, _ = load_paths([CORPUS])
    doc = next(d for d in docs if d.id == ARTICLE_ID)
    assert len(doc.takeaways) == 5
    windows = [doc.text[s:e] for s, e in article_windows(doc)]
    for takeaway in doc.takeaways:
        assert max(checker.score(takeaway, w) for w in windows) >= 0.5, takeaway


@pytest.mark.parametrize(("passage", "good", "bad"), [
    ("Vaccine sales declined in the fourth quarter.", "Vaccine sales fell in the fourth quarter.",
     "Vaccine sales increased in the fourth quarter."),
    ("Activists poured yellow and blue paint on the road.", "Activists poured blue and yellow paint on the road.",
     "Activists poured yellow and green paint on the road."),
    ("The protest marked the one-year anniversary of the invasion.",
     "The protest marked the invasion's one-year anniversary.",
     "The protest marked the one-month anniversary of the invasion."),
    ("The founder of the start-up was arrested on fraud charges.",
     "The startup's founder was arrested on fraud charges.",
     "The co-founder of the start-up was arrested on fraud charges."),
    ("The company guided for sales of $5bn in 2023.", "The company expects sales of $5 billion in 2023.",
     "The company guided for sales of $5mn in 2023."),
    ("The company expects sales of 19,650 units.", "The company expects sales of nearly 20,000 units.",
     "The company expects sales of 25,000 units."),
    ("He died 35 years ago, police said.", "He died 35 years ago.", "He died 36 years ago."),
    ("Revenue rose 30% on the year.", "Revenue rose 30 percent on the year.", "Revenue rose 3% on the year."),
    ("It plans to file for approval of its SARS-CoV-2 vaccine.",
     "It intends to file for approval of its SARS-CoV-2 vaccine.",
     "It plans to file for approval of its SARS-CoV-4 vaccine."),
    ("The SIG is not a single-agency body.", "The SIG is no single-agency body.",
     "The SIG is a single-agency body."),
])
def test_single_word_factual_edits_fail_where_paraphrase_passes(
    checker: CalibratedGroundingChecker, passage: str, good: str, bad: str
) -> None:
    assert checker.score(good, passage) >= 0.5, good
    assert checker.score(bad, passage) < 0.5, bad


def test_a_name_the_passage_never_mentions_fails_in_long_documents(checker: CalibratedGroundingChecker) -> None:
    filler = " ".join(f"Paragraph {i} talks about weather, sports and markets in general terms." for i in range(30))
    document = PASSAGE + " " + filler + " Officials in Ottawa were not consulted."
    # a name from elsewhere in the document may be a fair inference; an unseen one is not
    assert checker.score("The Security Implementation Group will meet on January 23 in Ottawa.", document) >= 0.5
    assert checker.score("The Security Implementation Group will meet on January 23 in Madrid.", document) < 0.5


def test_scores_are_cached_and_stable(checker: CalibratedGroundingChecker) -> None:
    claim = "The group will meet on January 23."
    first = checker.score(claim, PASSAGE)
    assert checker.score(claim, PASSAGE) == first
    assert CalibratedGroundingChecker(0.5).score(claim, PASSAGE) == first


def test_the_synthetic_seed_pairs_stay_well_judged() -> None:
    """A held-out check nobody fitted to (evals/grounding_synthetic.py):
    paraphrases of the seed corpus against factual edits of the same facts."""
    import importlib.util

    from .conftest import CORPUS, ROOT

    spec = importlib.util.spec_from_file_location("grounding_synthetic", ROOT / "evals" / "grounding_synthetic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from qa_service.evaluation.calibrate import calibrate

    rows = module.build(CORPUS)
    result = calibrate(CalibratedGroundingChecker(0.5), rows)
    assert result["n"] == len(rows) >= 60
    assert result["supported_recall"] >= 0.9  # paraphrases pass
    assert result["balanced_accuracy"] >= 0.8


def test_shipped_weights_match_the_features_and_their_signs() -> None:
    weights = load_weights()
    assert weights.features == FEATURES
    by_name = dict(zip(weights.features, weights.weights, strict=True))
    # agreement may only raise the score, mismatches only lower it
    assert by_name["coverage"] >= 0
    assert all(by_name[f] <= 0 for f in FEATURES if f != "coverage")
    assert by_name["novel_numbers"] < 0 and by_name["novel_names"] < 0 and by_name["negation_mismatch"] < 0
    meta = weights.meta
    assert meta["cv"] == "leave-one-document-out"
    assert 0.5 < meta["cv_metrics"]["balanced_accuracy"] <= 1.0


@pytest.mark.skipif(not SUMMEDITS.is_file(), reason="shared SummEdits benchmark not present")
def test_shipped_weights_reproduce_their_recorded_in_sample_figure() -> None:
    """The figure in the weights file is what the checker measures on the data
    (so nobody can edit one without the other)."""
    from qa_service.evaluation.calibrate import calibrate
    from qa_service.evaluation.datasets import load_calibration

    result = calibrate(CalibratedGroundingChecker(0.5), load_calibration(SUMMEDITS))
    recorded = load_weights().meta["in_sample_metrics"]
    assert result["n"] == 133
    assert result["balanced_accuracy"] == pytest.approx(recorded["balanced_accuracy"], abs=1e-4)
    # and it beats the older hand-tuned heuristic at the same threshold
    lexical = calibrate(LexicalGroundingChecker(0.5), load_calibration(SUMMEDITS))
    assert result["balanced_accuracy"] > lexical["balanced_accuracy"]


def test_make_checker_names() -> None:
    assert isinstance(make_checker("offline", 0.4), CalibratedGroundingChecker)
    assert make_checker("offline", 0.4).threshold == 0.4
    assert isinstance(make_checker("lexical"), LexicalGroundingChecker)
    with pytest.raises(ValueError, match="unknown checker"):
        make_checker("nli")


def test_services_use_the_calibrated_checker(settings: Settings) -> None:
    from qa_service.services import Services

    checker = Services(settings).checker
    assert isinstance(checker, CalibratedGroundingChecker)
    assert checker.threshold == settings.support_threshold


def test_extractive_answers_still_verify(seeded) -> None:  # noqa: ANN001
    from tests.conftest import ARTICLE_ID

    answer = seeded.answerer("extractive").ask("When will the Security Implementation Group meet?", ARTICLE_ID)
    assert answer.status == "answered"
    assert answer.citations and all(c.score == 1.0 for c in answer.citations)
    assert "January 23" in answer.answer


# ---------------------------------------------------------------- LLM judge
class _JudgeHandler(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat endpoint that judges by substring: SUPPORTED
    when the claim appears in the passage. Special claims test failure modes."""

    calls: list[dict] = []

    def log_message(self, *args) -> None:  # noqa: ANN002 - quiet
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls.append(body)
        user = body["messages"][-1]["content"]
        passage = user.split("Passage:\n", 1)[1].split("\n\nClaim: ", 1)[0]
        claim = user.split("\n\nClaim: ", 1)[1].split("\n\nIs every part", 1)[0]
        if "server error" in claim:
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error": {"message": "boom"}}')
            return
        verdict = "I cannot tell." if "mumble" in claim else ("SUPPORTED" if claim in passage else "UNSUPPORTED")
        payload = {"id": "x", "object": "chat.completion", "created": 0, "model": body.get("model", ""),
                   "choices": [{"index": 0, "finish_reason": "stop",
                                "message": {"role": "assistant", "content": verdict}}],
                   "usage": {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11}}
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def judge_server():
    _JudgeHandler.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _JudgeHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_llm_judge_scores_through_the_openai_client(judge_server: str, tmp_path: Path) -> None:
    from qa_service.evaluation.llm_judge import JudgeError
    from qa_service.services import make_llm_judge

    settings = Settings(data_dir=tmp_path, llm_base_url=judge_server, llm_model="judge-model", llm_retries=0)
    judge = make_llm_judge(settings)
    assert judge.name == "llm-judge:judge-model"
    assert judge.score("to counter cartels", PASSAGE) == 1.0
    assert judge.score("to help cartels", PASSAGE) == 0.0
    assert judge.score("to counter cartels", PASSAGE) == 1.0  # cached
    assert judge.calls == 2 and len(_JudgeHandler.calls) == 2
    request = _JudgeHandler.calls[0]
    assert request["model"] == "judge-model" and request["temperature"] == 0.0
    assert "SUPPORTED or UNSUPPORTED" in request["messages"][0]["content"]
    assert judge.score("mumble", PASSAGE) == 0.0 and judge.unparsed == 1
    with pytest.raises(JudgeError):
        judge.score("server error", PASSAGE)


def test_calibrate_cli_with_the_llm_judge(judge_server: str, tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    from qa_service.cli.main import main

    data = tmp_path / "pairs.jsonl"
    rows = [
        {"document": PASSAGE, "summary": "to counter cartels", "consistent": True},
        {"document": PASSAGE, "summary": "to help cartels", "consistent": False},
        {"document": PASSAGE, "summary": "scheduled to meet on January 23", "consistent": True},
        {"document": PASSAGE, "summary": "scheduled to meet on January 24", "consistent": False},
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    monkeypatch.setenv("QA_LLM_BASE_URL", judge_server)
    monkeypatch.setenv("QA_LLM_RETRIES", "0")
    assert main(["eval", "calibrate", "--dataset", str(data), "--checker", "llm", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 4 and result["balanced_accuracy"] == 1.0
    assert result["unsupported_precision"] == 1.0 and result["unsupported_recall"] == 1.0
    assert result["checker"].startswith("llm-judge")
