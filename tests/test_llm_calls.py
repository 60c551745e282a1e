"""The LLM call policy (retries, backoff, concurrency bound, deadline, context
budget) and the tidying of model text, without any server."""

from __future__ import annotations

import threading

import pytest

from qa_service.adapters.openai_chat import model_label
from qa_service.answering.generation import GenerationError, Passage
from qa_service.answering.llm import ModelTextCleaner, normalise_markers
from qa_service.answering.llm_calls import (
    CallStats,
    Deadline,
    RetryPolicy,
    TransientError,
    acquired,
    call_with_retries,
    concurrency_gate,
    fit_passages,
)
from qa_service.models import RetrievedChunk
from qa_service.tokens import count_tokens


def passage(n: int, text: str = "The group meets monthly in Mexico City.", title: str = "Readout") -> Passage:
    return Passage(n, RetrievedChunk(doc_id=f"d{n}", chunk_id=f"c{n}", score=1.0, text=text, title=title,
                                     heading="Meetings", start=0, end=len(text)))


# ------------------------------------------------------------------ retries
def test_retries_transient_errors_with_growing_backoff_then_gives_up() -> None:
    waits: list[float] = []
    stats = CallStats()

    def always_503() -> str:
        raise TransientError("HTTP 503 from the LLM server")

    with pytest.raises(GenerationError, match=r"HTTP 503.*3 attempts"):
        call_with_retries(always_503, RetryPolicy(retries=2, backoff_base=0.5, jitter=0), stats=stats,
                          sleep=waits.append)
    assert stats.attempts == 3 and stats.retries == 2
    assert waits == [0.5, 1.0]


def test_success_after_a_retry_returns_the_result() -> None:
    calls = iter([TransientError("connection failed"), "ok"])

    def flaky() -> str:
        item = next(calls)
        if isinstance(item, Exception):
            raise item
        return item

    stats = CallStats()
    assert call_with_retries(flaky, RetryPolicy(retries=3, jitter=0), stats=stats, sleep=lambda s: None) == "ok"
    assert stats.attempts == 2 and stats.errors == ["connection failed"]


def test_non_transient_errors_are_not_retried() -> None:
    stats = CallStats()

    def bad_request() -> str:
        raise GenerationError("HTTP 400 from the LLM server")

    with pytest.raises(GenerationError, match="400"):
        call_with_retries(bad_request, RetryPolicy(retries=5), stats=stats, sleep=lambda s: None)
    assert stats.attempts == 1


def test_retry_after_is_honoured_but_capped() -> None:
    policy = RetryPolicy(backoff_base=0.1, backoff_max=4.0, jitter=0)
    assert policy.delay(0, retry_after=2.0) == 2.0
    assert policy.delay(0, retry_after=600.0) == 4.0
    assert policy.delay(3) == 0.8


def test_no_retry_past_the_deadline() -> None:
    import time

    waits: list[float] = []
    with pytest.raises(GenerationError):
        call_with_retries(lambda: (_ for _ in ()).throw(TransientError("timed out")),
                          RetryPolicy(retries=5, backoff_base=10, jitter=0), sleep=waits.append,
                          deadline=time.monotonic() + 1.0)
    assert waits == []  # a 10 s wait would overrun the 1 s deadline: give up now


def test_deadline_check() -> None:
    d = Deadline(0.0)
    with pytest.raises(GenerationError, match="deadline"):
        d.check("the LLM stream")


# -------------------------------------------------------------- concurrency
def test_gate_is_shared_per_endpoint_and_times_out_when_full() -> None:
    a = concurrency_gate("http://test-gate/v1", 1)
    assert concurrency_gate("http://test-gate/v1", 1) is a
    assert concurrency_gate("http://other-gate/v1", 1) is not a
    with acquired(a, 1.0):
        with pytest.raises(GenerationError, match="no free LLM slot"):
            with acquired(a, 0.05):
                pass
    with acquired(a, 0.05):  # released again
        pass


def test_gate_bounds_threads() -> None:
    gate = concurrency_gate("http://threads-gate/v1", 2)
    inside = 0
    peak = 0
    lock = threading.Lock()
    release = threading.Event()

    def work() -> None:
        nonlocal inside, peak
        with acquired(gate, 10.0):
            with lock:
                inside += 1
                peak = max(peak, inside)
            release.wait(0.2)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert peak == 2


# ------------------------------------------------------------------- budget
def render(ps):  # noqa: ANN001, ANN201
    return [{"role": "system", "content": "Answer from the sources. " * 10},
            {"role": "user", "content": "\n\n".join(f"[{p.n}] {p.text}" for p in ps) + "\n\nQuestion: why?"}]


def test_budget_keeps_passages_in_order_until_the_window_is_full() -> None:
    long_text = "The Security Implementation Group met again and agreed on further steps. " * 20  # ~280 tokens
    ps = [passage(i, long_text) for i in range(1, 9)]
    budget = fit_passages(ps, render, context_tokens=2048, max_answer_tokens=512)
    assert 0 < len(budget.passages) < len(ps)
    assert [p.n for p in budget.passages] == list(range(1, len(budget.passages) + 1))
    sent = sum(count_tokens(m["content"]) + 4 for m in render(budget.passages))
    assert sent == budget.prompt_tokens <= 2048 * 0.9 - 512
    assert budget.dropped == len(ps) - len(budget.passages)
    assert "left out" in budget.note


def test_budget_truncates_a_first_passage_too_long_to_fit() -> None:
    huge = "Officials described the cooperation in detail. " * 400  # ~3,600 tokens
    budget = fit_passages([passage(1, huge)], render, context_tokens=1024, max_answer_tokens=256)
    assert len(budget.passages) == 1 and budget.truncated
    assert huge.startswith(budget.passages[0].text) and len(budget.passages[0].text) < len(huge)
    assert budget.prompt_tokens <= 1024 * 0.9 - 256


def test_budget_refuses_when_the_prompt_alone_does_not_fit() -> None:
    with pytest.raises(GenerationError, match="QA_LLM_MAX_ANSWER_TOKENS"):
        fit_passages([passage(1)], render, context_tokens=512, max_answer_tokens=480)


# ------------------------------------------------------------- model text
def test_citation_styles_are_normalised_and_unknown_numbers_dropped() -> None:
    valid = {1, 2, 3}
    assert normalise_markers("It met [Source 2].", valid) == "It met [2]."
    assert normalise_markers("It met (source 1, 3).", valid) == "It met [1, 3]."
    assert normalise_markers("It met [^1] and 【3】.", valid) == "It met [1] and [3]."
    assert normalise_markers("It met [9].", valid) == "It met ."
    assert normalise_markers("It met in (2021) and (7).", valid) == "It met in (2021) and (7)."


def test_cleaner_streams_whole_sentences_and_drops_repeats_headers_and_labels() -> None:
    ps = [passage(1, title="Readout"), passage(2, title="Joint statement")]
    raw = ("Answer: The group meets monthly [Source 2]. The group meets monthly [2]. "
           "U.S. officials attended (1).\n[1] Readout (Meetings)\n[2] Joint statement > Meetings\n"
           "The last sentence ends here.")
    cleaner = ModelTextCleaner(ps)
    pieces = [cleaner.feed(raw[i:i + 4]) for i in range(0, len(raw), 4)]
    pieces.append(cleaner.finish())
    text = "".join(pieces)
    assert text.startswith("The group meets monthly [2].")
    assert text.count("The group meets monthly") == 1
    assert "U.S. officials attended [1]." in text  # "U.S." did not end a sentence
    assert "Readout (Meetings)" not in text and "Joint statement" not in text
    assert cleaner.dropped == 3  # the repeat and the two echoed headers
    assert text.endswith("The last sentence ends here.")
    # nothing was released before its sentence was complete
    assert all(not p or p.rstrip().endswith((".", "]")) or p.endswith("\n") or p.strip() == "" for p in pieces[:-1])


def test_cleaner_drops_a_sentence_cut_off_by_the_token_limit_and_think_blocks() -> None:
    cleaner = ModelTextCleaner([passage(1)])
    text = cleaner.feed("<think>plan the answer</think>It met in June [1]. It will meet again in") + \
        cleaner.finish(truncated=True)
    assert text == "It met in June [1]."
    cleaner = ModelTextCleaner([passage(1)])
    assert (cleaner.feed("It met in June [1]. It will meet again") + cleaner.finish()).endswith("meet again")


def test_model_label_shortens_gguf_paths() -> None:
    assert model_label("models/SmolLM2-135M-Instruct.Q4_1.gguf") == "SmolLM2-135M-Instruct.Q4_1"
    assert model_label("gpt-4o-mini") == "gpt-4o-mini"
