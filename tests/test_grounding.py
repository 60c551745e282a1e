"""The grounding checkers: the shipped cross-encoder (real ONNX model, and a
fake PairModel where only the checker's own logic is under test), the
figures its model card states, and the LLM judge against a real HTTP server
on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from qa_service.evaluation.calibrate import lodo_table, training_thresholds
from qa_service.grounding.alignment import select_evidence, shortlist, split_sentences
from qa_service.grounding.checker import (
    MODEL_DIR,
    CrossEncoderChecker,
    LexicalGroundingChecker,
    load_card,
    training_results,
)
from qa_service.services import make_checker
from qa_service.settings import Settings

from .conftest import CORPUS, ROOT, SHARED

NEWS = SHARED / "benchmarks" / "summedits-news" / "evaluation.jsonl"
PASSAGE = ("The bilateral Security Implementation Group is scheduled to meet on January 23. "
           "The group was tasked with delivering tangible actions to counter cartels.")


class RecordingModel:
    """A PairModel that records what it is asked and answers a fixed logit."""

    def __init__(self, logit: float = 2.0) -> None:
        self.logit = logit
        self.pairs: list[tuple[str, str]] = []

    def logits(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        self.pairs += list(pairs)
        return [self.logit] * len(pairs)


@pytest.fixture(scope="module")
def checker() -> CrossEncoderChecker:
    made = make_checker("crossencoder")
    assert isinstance(made, CrossEncoderChecker)
    return made


def _load_module(name: str):  # noqa: ANN202
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "evals" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------- checker logic
def test_verbatim_quotes_score_one_without_the_model() -> None:
    model = RecordingModel(logit=-9.0)
    checker = CrossEncoderChecker(model)
    assert checker.score("The group was tasked with delivering tangible actions to counter cartels.", PASSAGE) == 1.0
    assert checker.score("The group was tasked with delivering tangible actions to counter cartels. [2]",
                         PASSAGE) == 1.0
    # up to case, accents, typographic quotes and spacing
    assert checker.score("the bilateral security implementation group is scheduled  to meet on January 23",
                         PASSAGE) == 1.0
    assert model.pairs == []


def test_a_quote_with_its_pronoun_resolved_from_the_sentence_before_scores_one() -> None:
    passage = ("The SIG's first meetings focused on launching initiatives such as Mission Firewall. "
               "They did not focus on announcing new budget lines. Its chair was not named.")
    model = RecordingModel(logit=-9.0)
    checker = CrossEncoderChecker(model)
    assert checker.score("The SIG's first meetings did not focus on announcing new budget lines. [1]", passage) == 1.0
    assert model.pairs == []
    # any other subject goes to the model (which here says no)
    assert checker.score("Mexico did not focus on announcing new budget lines.", passage) < checker.threshold
    # only the opening phrase of the sentence just before: not a name from further back,
    # and not when that sentence itself opens with a pronoun
    assert checker.score("Mission Firewall did not focus on announcing new budget lines.", passage) \
        < checker.threshold
    assert checker.score("The SIG's first meetings' chair was not named.", passage) < checker.threshold
    # nor a phrase cut before what qualifies it ("Reports made to 2-1-1 helped ...")
    cut = "Reports made to 2-1-1 helped the State. They are not registrations for FEMA assistance."
    assert checker.score("Reports are not registrations for FEMA assistance.", cut) < checker.threshold


def test_the_model_reads_each_unquoted_sentence_against_its_best_evidence() -> None:
    model = RecordingModel(logit=2.0)
    checker = CrossEncoderChecker(model)
    document = " ".join(f"Paragraph {i} talks about weather, sports and markets in general terms." for i in range(9))
    document += " " + PASSAGE
    claim = "The Security Implementation Group meets on January 23. It must counter cartels with tangible actions."
    assert checker.score(claim, document) == pytest.approx(0.8808, abs=1e-4)  # sigmoid(2)
    assert [c for c, _ in model.pairs] == split_sentences(claim)
    for claim_sentence, evidence in model.pairs:
        assert evidence == " ".join(select_evidence(claim_sentence, split_sentences(document), checker.k))
        assert "Security Implementation Group" in evidence or "cartels" in evidence
        assert "weather" not in evidence.split(".")[0] or "cartels" in evidence


def test_a_claim_scores_its_weakest_sentence() -> None:
    class ByClaim(RecordingModel):
        def logits(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
            return [-3.0 if "Canadian" in c else 3.0 for c, _ in pairs]

    checker = CrossEncoderChecker(ByClaim())
    good = "The Security Implementation Group will meet on January 23."
    assert checker.score(good, PASSAGE) > 0.9
    assert checker.score(good + " It will be chaired by the Canadian prime minister.", PASSAGE) < 0.1


def test_a_sentence_the_passage_barely_touches_scores_zero_without_the_model() -> None:
    model = RecordingModel(logit=5.0)
    checker = CrossEncoderChecker(model)
    assert checker.score("Mexico pays for the wall.", PASSAGE) == 0.0
    assert checker.score("Officials in Ottawa discussed fisheries quotas on Tuesday.", PASSAGE) == 0.0
    assert model.pairs == []
    assert 0 < checker.card.coverage_floor < 0.5


def test_empty_inputs_score_zero() -> None:
    checker = CrossEncoderChecker(RecordingModel(5.0))
    assert checker.score("", PASSAGE) == 0.0
    assert checker.score("[1]", PASSAGE) == 0.0
    assert checker.score("The group meets.", "") == 0.0


def test_scores_are_cached() -> None:
    model = RecordingModel(1.0)
    checker = CrossEncoderChecker(model)
    claim = "The Security Implementation Group will meet in January to counter cartels."
    first = checker.score(claim, PASSAGE)
    assert checker.score(claim, PASSAGE) == first
    assert len(model.pairs) == 1 and checker.model_calls == 1


def test_the_shortlist_puts_quotes_and_covering_spans_first() -> None:
    spans = ["Paragraph 1 talks about weather.", PASSAGE,
             "The group was tasked with delivering tangible actions to counter cartels.",
             "The group will report to ministers."]
    claim = "The group was tasked with delivering tangible actions to counter cartels."
    assert shortlist(claim, spans, 2) == [2, 1]  # both hold it verbatim: the shorter first
    assert shortlist("Which ministers will the group report to?", spans, 1) == [3]


def test_best_span_reads_few_spans_and_keeps_preferring_the_cited_passage() -> None:
    from qa_service.answering.citations import SHORTLIST, Span, best_span

    claim = "The group must deliver tangible actions against cartels."
    filler = [Span(1, "a", "", i, i + 1, f"Paragraph {i} talks about weather, sports and the group.")
              for i in range(40)]
    quote = Span(1, "a", "", 100, 150, claim)
    paraphrase = Span(2, "b", "", 0, 80, "The group was tasked with delivering tangible actions to counter cartels.")
    model = RecordingModel(logit=2.0)
    checker = CrossEncoderChecker(model)
    # quoted in passage 1: no model call at all
    assert best_span(claim, [*filler, quote, paraphrase], checker, set()) == (quote, 1.0)
    assert model.pairs == []
    # the sentence cites passage 2: its supporting span there wins, from a shortlist
    span, score = best_span(claim, [*filler, quote, paraphrase], checker, {2})
    assert span == paraphrase and score >= checker.threshold
    assert len(model.pairs) <= 2 * SHORTLIST


# ------------------------------------------------------------- the real model
def test_the_shipped_model_file_is_the_one_the_card_names() -> None:
    card = load_card()
    assert card.path.parent == MODEL_DIR and card.path.is_file()
    assert hashlib.sha256(card.path.read_bytes()).hexdigest() == card.sha256
    assert 0.0 < card.threshold <= card.threshold_max_ba < 1.0
    assert (MODEL_DIR / "MODEL_CARD.md").is_file()


def test_a_model_file_with_another_sha256_is_refused(tmp_path: Path) -> None:
    from qa_service.adapters.onnx_crossencoder import CrossEncoderModelError, OnnxCrossEncoder

    card = load_card()
    bad = tmp_path / "model.onnx"
    bad.write_bytes(card.path.read_bytes()[:-1] + b"x")
    model = OnnxCrossEncoder(bad, card.sha256, card.tokenizer_sha256)
    with pytest.raises(CrossEncoderModelError, match="sha256"):
        model.logits([("a claim", "a passage")])


def test_the_model_separates_a_faithful_sentence_from_its_negation(checker: CrossEncoderChecker) -> None:
    faithful = checker.score("The group must deliver tangible actions against cartels.", PASSAGE)
    negated = checker.score("The group was not tasked with delivering tangible actions to counter cartels.", PASSAGE)
    assert faithful >= checker.threshold
    assert negated < faithful and negated < checker.card.threshold_max_ba


def test_scores_are_deterministic_across_checkers(checker: CrossEncoderChecker) -> None:
    claim = "The group will meet on January 23 to counter cartels."
    assert make_checker("crossencoder").score(claim, PASSAGE) == checker.score(claim, PASSAGE)


def test_curated_takeaways_are_supported_by_the_article_body(checker: CrossEncoderChecker) -> None:
    """The article's takeaways paraphrase its body; each must verify against
    a shortlisted window, as TakeawayWriter.cite_in_article looks for it."""
    from qa_service.articles.takeaways import article_windows
    from qa_service.ingest.documents import load_paths

    from .conftest import ARTICLE_ID

    docs, _ = load_paths([CORPUS])
    doc = next(d for d in docs if d.id == ARTICLE_ID)
    assert len(doc.takeaways) == 5
    windows = [doc.text[s:e] for s, e in article_windows(doc)]
    for takeaway in doc.takeaways:
        assert max(checker.score(takeaway, windows[i]) for i in shortlist(takeaway, windows, 3)) \
            >= checker.threshold, takeaway


def test_honest_sentences_still_verify() -> None:
    """Held out from training: sentences of the seed corpus quoted or lightly
    rewritten, verified against their passage's candidate spans as
    citations.verify does (evals/grounding_rewrites.py). Issue 11: >= 0.98."""
    module = _load_module("grounding_rewrites")
    result = module.measure(module.build(CORPUS), make_checker("crossencoder"))
    overall = result["by_kind"]["all"]
    assert overall["n"] >= 150 and overall["via_model"] >= 15
    assert result["by_kind"]["verbatim"]["supported_recall"] == 1.0
    assert overall["supported_recall"] >= 0.98


def test_the_synthetic_seed_pairs_keep_their_takeaways() -> None:
    """evals/grounding_synthetic.py: the article's curated takeaways pass;
    the hand-written edits are mostly missed by this model (see MODEL_CARD.md),
    so only what it does hold is asserted."""
    from qa_service.evaluation.calibrate import calibrate

    rows = _load_module("grounding_synthetic").build(CORPUS)
    checker = make_checker("crossencoder")
    takeaways = [r for r in rows if r["id"].startswith("takeaway")]
    assert calibrate(checker, takeaways, bootstrap=0)["supported_recall"] == 1.0
    result = calibrate(checker, rows, bootstrap=0)
    assert result["n"] == len(rows) >= 60
    assert result["unsupported_recall"] > 0  # it catches some edits


# ------------------------------------------------------------- the card's figures
def test_the_card_thresholds_are_what_the_training_scores_give() -> None:
    """The thresholds in checker.json are recomputed from the committed
    held-out training scores: nobody can edit one without the other."""
    card = load_card()
    th = training_thresholds(training_results())
    assert th["answer_threshold"] == pytest.approx(card.threshold, abs=1e-4)
    assert th["max_ba_threshold"] == pytest.approx(card.threshold_max_ba, abs=1e-4)
    assert th["train_unsupported_precision"] >= th["precision_target"]


def test_the_leave_one_domain_out_table_covers_only_training_domains() -> None:
    results = training_results()
    table = lodo_table(results)
    domains = set(results["lodo"]["domains"])
    assert domains and domains <= {"ectsum", "podcast", "qmsumm", "sales_call", "sales_email", "samsum", "scitldr"}
    assert set(table) == domains | {"mean"}
    for domain in domains:
        row = table[domain]
        assert row["n"] == len(results["lodo"]["domains"][domain]["labels"]) > 100
        assert 0.0 <= row["balanced_accuracy"] <= 1.0 and 0.0 <= row["auc"] <= 1.0


def test_calibrate_prints_the_lodo_table_and_measures_a_dataset(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    from qa_service.cli.main import main

    data = tmp_path / "pairs.jsonl"
    rows = [
        {"document": PASSAGE, "summary": "The group was tasked with delivering tangible actions to counter cartels.",
         "consistent": True},
        {"document": PASSAGE, "summary": "Mexico pays for the wall.", "consistent": False},
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert main(["eval", "calibrate", "--dataset", str(data), "--bootstrap", "50", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"]["sha256"] == load_card().sha256
    assert "mean" in out["lodo"]
    assert out["thresholds"]["answer_threshold"] == pytest.approx(load_card().threshold, abs=1e-4)
    result = out["dataset"]
    assert result["n"] == 2 and result["balanced_accuracy"] == 1.0 and result["auc"] == 1.0
    assert result["at"]["max_ba"]["threshold"] == load_card().threshold_max_ba
    assert main(["eval", "calibrate"]) == 0
    text = capsys.readouterr().out
    assert "leave-one-domain-out" in text and "answer time" in text


def test_calibrate_rescores_a_domain_from_data_with_its_fold_model(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """`--fold-models DIR --train-data FILE`: a domain with a fold model is
    scored from the data, the others keep their committed scores."""
    import shutil

    from qa_service.cli.main import main

    folds = tmp_path / "folds"
    folds.mkdir()
    shutil.copy(load_card().path, folds / "ce_podcast.onnx")
    data = tmp_path / "train.jsonl"
    rows = [{"domain": "podcast", "document": PASSAGE, "consistent": True,
             "summary": "The group was tasked with delivering tangible actions to counter cartels."},
            {"domain": "podcast", "document": PASSAGE, "consistent": False, "summary": "Mexico pays for the wall."},
            {"domain": "samsum", "document": PASSAGE, "consistent": False, "summary": "Nothing to see."}]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["eval", "calibrate", "--fold-models", str(folds), "--train-data", str(data), "--json"]) == 0
    lodo = json.loads(capsys.readouterr().out)["lodo"]
    assert lodo["podcast"]["n"] == 2 and lodo["podcast"]["auc"] == 1.0
    committed = training_results()["lodo"]["domains"]
    for domain in set(committed) - {"podcast"}:
        assert lodo[domain]["n"] == len(committed[domain]["labels"])
    assert main(["eval", "calibrate", "--fold-models", str(folds)]) == 2


def test_lexical_baseline_and_names() -> None:
    assert isinstance(make_checker("lexical", 0.4), LexicalGroundingChecker)
    assert make_checker("lexical", 0.4).threshold == 0.4
    assert make_checker("crossencoder", 0.3).threshold == 0.3
    assert make_checker("crossencoder").threshold == load_card().threshold
    with pytest.raises(ValueError, match="unknown checker"):
        make_checker("nli")


def test_services_use_the_crossencoder_by_default(settings: Settings) -> None:
    from qa_service.services import Services

    checker = Services(settings).checker
    assert isinstance(checker, CrossEncoderChecker)
    assert settings.support_threshold is None and checker.threshold == load_card().threshold
    assert isinstance(Services(settings.model_copy(update={"checker": "lexical"})).checker, LexicalGroundingChecker)


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
    result = json.loads(capsys.readouterr().out)["dataset"]
    assert result["n"] == 4 and result["balanced_accuracy"] == 1.0
    assert result["unsupported_precision"] == 1.0 and result["unsupported_recall"] == 1.0
    assert result["checker"].startswith("llm-judge")


@pytest.mark.parametrize(("claim", "holds"), [
    ("The SIG's first meetings did not focus on announcing new budget lines.", True),
    ("The SIG's first meetings focused on launching Mission Firewall.", True),
    # the owner must be the phrase the first sentence opens with, the thing owned what the second names
    ("The group's first meetings did not focus on announcing new budget lines.", False),
    ("The SIG's last meetings did not focus on announcing new budget lines.", False),
])
def test_a_chain_of_two_pronouns_resolved_is_a_quote(claim: str, holds: bool) -> None:
    """'The SIG met twice.' 'Its first meetings focused on ...' 'They did not focus
    on ...': the third sentence with both pronouns resolved says what the three say."""
    from qa_service.grounding.alignment import is_resolved_quote

    sentences = ["The SIG met twice in January.", "Its first meetings focused on launching Mission Firewall.",
                 "They did not focus on announcing new budget lines."]
    assert is_resolved_quote(claim, sentences) is holds


@pytest.mark.parametrize("sentence", ["It could be years before anyone knows for sure.",
                                      "It is unclear whether the plan will work.",
                                      "It was not immediately clear what caused the fire."])
def test_an_it_that_stands_for_nothing_is_not_replaced_by_a_name(sentence: str) -> None:
    """'The team has requested more telescope time. It could be years before anyone
    knows.' -- 'The team could be years before anyone knows' is not what it says."""
    from qa_service.grounding.alignment import is_resolved_quote

    before = "The team has requested another 30 hours of telescope time."
    claim = "The team" + sentence[len("It"):]
    assert not is_resolved_quote(claim, [before, sentence])
    assert is_resolved_quote("The team was created in 2025.", [before, "It was created in 2025."])


@pytest.mark.parametrize(("claim", "holds"), [
    ("The state, FEMA and SBA teams counted 1,412 damaged homes.", True),
    ("The teams counted 1,412 damaged homes.", True),
    # a phrase cut out of the middle of the one the sentence before gives is not what "those teams" are
    ("The SBA teams counted 1,412 damaged homes.", False),
    ("The FEMA teams counted 1,412 damaged homes.", False),
    ("The state, FEMA and SBA teams counted 1,500 damaged homes.", False),
    ("The rescue teams counted 1,412 damaged homes.", False),
])
def test_a_demonstrative_replaced_by_the_phrase_before_is_a_quote(claim: str, holds: bool) -> None:
    """'... after state, FEMA and SBA teams spent a week ...' 'Those teams counted
    ...': the second with 'Those teams' replaced by the whole phrase it points to."""
    from qa_service.grounding.alignment import is_resolved_quote

    sentences = ["He asked for help on Sept. 23, after state, FEMA and SBA teams spent a week assessing damage.",
                 "Those teams counted 1,412 damaged homes."]
    assert is_resolved_quote(claim, sentences) is holds


def test_a_pronoun_resolved_to_the_subject_after_an_opening_phrase_is_a_quote() -> None:
    """'Under the framework, cooperation areas ... are carried out ...' 'They do
    not grant ...': the subject after the opening phrase is what 'They' is."""
    from qa_service.grounding.alignment import is_resolved_quote

    sentences = ["Under the framework, cooperation areas such as customs are carried out under both countries' laws.",
                 "They do not grant foreign agencies operational control."]
    assert is_resolved_quote("Cooperation areas do not grant foreign agencies operational control.", sentences)
    # a phrase from further into the sentence is not its subject
    assert not is_resolved_quote("Both countries do not grant foreign agencies operational control.", sentences)
    # nor is what follows a long opening
    long_opening = ["Under the framework the two governments signed last year in the capital, cooperation areas "
                    "are carried out under both countries' laws.", sentences[1]]
    assert not is_resolved_quote("Cooperation areas do not grant foreign agencies operational control.",
                                 long_opening)


@pytest.mark.parametrize(("claim", "holds"), [
    ("The program aims to expand eTrace to every state, which is meant to let police match seized weapons.", True),
    # the join must say what the two sentences say, word for word
    ("The program aims to expand eTrace to every state, which is meant to let police match all weapons.", False),
    ("The program aims to expand eTrace to every state, which lets police match seized weapons.", False),
])
def test_this_joined_to_the_sentence_it_stands_for_is_a_quote(claim: str, holds: bool) -> None:
    from qa_service.grounding.alignment import is_resolved_quote

    sentences = ["The program aims to expand eTrace to every state.", "This is meant to let police match seized weapons."]
    assert is_resolved_quote(claim, sentences) is holds


@pytest.mark.parametrize(("claim", "holds"), [
    ("Howard Ames is State Veterinarian.", True),
    ("Howard Ames is the state veterinarian.", True),
    ("Mira Feldstein is an analyst of Harborview Securities.", True),
    ("Mira Feldstein is an analyst.", True),
    ("Andrea Kowal is a researcher at Lumen Ridge.", True),
    ("Derek Vance is the former chief executive of CardioLume.", True),
    # not the title the sentence gives, not the whole apposition, not the person it is given to
    ("Howard Ames is a dairy farmer.", False),
    ("Andrea Kowal is a researcher.", False),
    ("Mira Feldstein is State Veterinarian.", False),
    ("Howard Ames is a quarantine.", False),
    ("Solenne Ventures is an existing investor.", True),
    ("Theo Grant is chair of the negotiating committee.", True),
    ("Theo Grant is chair.", False),
    ("Solenne Ventures is an investment firm.", False),
])
def test_who_someone_is_in_the_words_their_sentence_gives_them_is_a_quote(claim: str, holds: bool) -> None:
    """'Howard Ames is State Veterinarian.' says what '... said State Veterinarian
    Dr. Howard Ames' says of him, so it verifies as a quote does; any other title does not."""
    from qa_service.grounding.alignment import is_stated_identity

    sentences = ["The herd was placed under quarantine, said State Veterinarian Dr. Howard Ames.",
                 "Analyst Mira Feldstein of Harborview Securities said customers may be stockpiling chips.",
                 '"That is everything a phishing crew needs," said Andrea Kowal, a researcher at Lumen Ridge.',
                 "The judge also ordered Derek Vance, 41, the former chief executive of CardioLume, to forfeit "
                 "$22 million.",
                 "The round drew two automakers and an existing investor, Solenne Ventures.",
                 '"We kept the orchestra whole," said bassist Theo Grant, chair of the negotiating committee.']
    assert is_stated_identity(claim, sentences) is holds
