"""The OpenAI-compatible generator against a real HTTP server on 127.0.0.1 that
speaks the protocol (tests/llm_fake_server.py): answers with usage, streamed and
not, model text verified, and every failure (stall, 500, 429, down, 4xx) ending
in the extractive fallback with the reason said."""

from __future__ import annotations

import threading

import pytest

from qa_service.answering.generation import Draft, GenerationError, Passage
from qa_service.models import Answer
from qa_service.services import make_llm_generator

from .conftest import ARTICLE_ID, reconfigured
from .llm_fake_server import FakeOpenAI, Reply, closed_port, sources_in
from .test_answering import assert_citations_verify

QUESTION = "Who chairs the Security Implementation Group?"
# The sources say no chair has been named: the honest status, whichever generator writes the text.
STATUS = "not_in_sources"
TRUE_SENTENCE = "The Security Implementation Group (SIG) is a bilateral working group of the United States and Mexico."
CHAIR_SENTENCE = "No single permanent chair has been publicly identified."
INVENTED = "The SIG is chaired by the King of Norway, who was appointed in 1999."


def passage_with(request: dict, sentence: str) -> int:
    return next(n for n, text in sources_in(request).items() if sentence in text)


def model_answer(request: dict) -> Reply:
    """A model that gets one citation number wrong and invents a sentence."""
    right = passage_with(request, TRUE_SENTENCE)
    chair = passage_with(request, CHAIR_SENTENCE)
    wrong = next(n for n in sources_in(request) if n not in (right, chair))
    return Reply(text=f"{TRUE_SENTENCE} [Source {wrong}]\n{INVENTED} [{right}] {CHAIR_SENTENCE} [{chair}]")


@pytest.fixture
def fake():
    server = FakeOpenAI(model_answer).start()
    yield server
    server.stop()


def with_llm(svc, base_url: str, **overrides):  # noqa: ANN001, ANN201
    """Services over the seeded data dir, configured for an LLM at ``base_url``."""
    return reconfigured(svc, **{
        "llm_base_url": base_url, "llm_model": "fake-model", "llm_timeout": 1.0, "llm_retries": 2,
        "llm_backoff": 0.01, "llm_max_answer_tokens": 64, **overrides,
    })


def check_model_text_verified(svc, answer: Answer) -> None:  # noqa: ANN001
    assert answer.status == STATUS
    assert_citations_verify(svc, answer)
    assert TRUE_SENTENCE in answer.answer
    assert CHAIR_SENTENCE in answer.answer
    assert "Norway" not in answer.answer  # the invented sentence never reaches a reader
    assert any("Norway" in d for d in answer.dropped_sentences)
    # the mis-numbered sentence is re-attached to the passage that supports it
    cite_for_true = next(c for c in answer.citations
                         if answer.answer.find(f"[{c.n}]") > answer.answer.find(TRUE_SENTENCE))
    assert cite_for_true.doc_id == "sig-meetings-mission-firewall"
    assert TRUE_SENTENCE in cite_for_true.quote


def test_answer_through_the_llm_has_usage_generator_and_verified_citations(seeded, fake) -> None:  # noqa: ANN001
    svc = with_llm(seeded, fake.base_url)
    answer = svc.answerer().ask(QUESTION, ARTICLE_ID)
    assert answer.generator == "openai:fake-model"
    assert answer.usage is not None and (answer.usage.prompt_tokens, answer.usage.completion_tokens) == (123, 45)
    assert answer.fallback_reason == ""
    assert answer.prompt_version.startswith("answer@")
    check_model_text_verified(svc, answer)
    dumped = answer.model_dump(exclude_none=True)  # what `ask --json` prints
    assert dumped["usage"] == {"prompt_tokens": 123, "completion_tokens": 45}


def test_request_puts_sources_first_question_last_and_streams(seeded, fake) -> None:  # noqa: ANN001
    svc = with_llm(seeded, fake.base_url)
    svc.answerer().ask(QUESTION, ARTICLE_ID)
    (req,) = fake.chat_requests
    assert req["stream"] is True and req["stream_options"] == {"include_usage": True}
    assert req["max_tokens"] == 64 and req["model"] == "fake-model"
    system, user = req["messages"]
    assert system["role"] == "system" and "never instructions" in system["content"]
    assert user["content"].index(TRUE_SENTENCE) < user["content"].index(QUESTION)
    assert user["content"].rstrip().endswith("Answer with citations:")


def test_streamed_answer_sends_verified_deltas_then_the_final_answer(seeded, fake) -> None:  # noqa: ANN001
    svc = with_llm(seeded, fake.base_url)
    events = list(svc.answerer().ask_stream(QUESTION, ARTICLE_ID))
    kinds = [e.kind for e in events]
    assert kinds[0] == "retrieval" and kinds[-1] == "done" and "error" not in kinds
    deltas = "".join(e.data["text"] for e in events if e.kind == "delta")
    assert TRUE_SENTENCE in deltas and "Norway" not in deltas  # unverified text is never streamed
    final = Answer.model_validate(events[-1].data["answer"])
    assert final.usage is not None and final.usage.completion_tokens == 45
    check_model_text_verified(svc, final)


def test_non_streaming_generate_returns_usage_and_cleaned_text(seeded, fake) -> None:  # noqa: ANN001
    svc = with_llm(seeded, fake.base_url)
    passages = [Passage(i + 1, c) for i, c in enumerate(svc.answerer().retrieve(QUESTION, ARTICLE_ID))]
    gen = make_llm_generator(svc.settings)
    draft = gen.generate(QUESTION, passages)
    assert isinstance(draft, Draft)
    assert draft.usage is not None and (draft.usage.prompt_tokens, draft.usage.completion_tokens) == (123, 45)
    assert "[Source" not in draft.text  # "[Source n]" rewritten as "[n]" for verification
    assert fake.chat_requests[0].get("stream") in (None, False)
    assert gen.last_stats.attempts == 1


def test_stall_mid_stream_times_out_and_falls_back(seeded) -> None:  # noqa: ANN001
    server = FakeOpenAI(lambda req: Reply(text=f"{TRUE_SENTENCE} [1] {CHAIR_SENTENCE}", stall_after_chunks=3)).start()
    try:
        svc = with_llm(seeded, server.base_url, llm_timeout=0.5)
        events = list(svc.answerer().ask_stream(QUESTION, ARTICLE_ID))
    finally:
        server.stop()
    answer = Answer.model_validate(events[-1].data["answer"])
    assert answer.generator == "extractive"
    assert "timed out" in answer.fallback_reason and "stream broke" in answer.fallback_reason
    assert any(e.kind == "error" and e.data["recoverable"] for e in events)
    assert answer.status == STATUS and answer.citations
    assert_citations_verify(svc, answer)
    assert len(server.chat_requests) == 1  # text had flowed: no retry splices two generations


def test_stall_before_any_byte_is_retried_then_falls_back(seeded) -> None:  # noqa: ANN001
    server = FakeOpenAI(lambda req: Reply(stall_before=True)).start()
    try:
        svc = with_llm(seeded, server.base_url, llm_timeout=0.3, llm_retries=1)
        answer = svc.answerer().ask(QUESTION, ARTICLE_ID)
    finally:
        server.stop()
    assert answer.generator == "extractive"
    assert "timed out" in answer.fallback_reason and "2 attempts" in answer.fallback_reason
    assert len(server.chat_requests) == 2


def test_server_error_is_retried_our_way_only_then_falls_back(seeded) -> None:  # noqa: ANN001
    server = FakeOpenAI(lambda req: Reply(status=500)).start()
    try:
        svc = with_llm(seeded, server.base_url, llm_retries=2)
        answer = svc.answerer().ask(QUESTION, ARTICLE_ID)
    finally:
        server.stop()
    # 1 try + 2 retries, and no SDK retries multiplied on top
    assert len(server.chat_requests) == 3
    assert answer.generator == "extractive"
    assert "HTTP 500" in answer.fallback_reason and "3 attempts" in answer.fallback_reason
    assert answer.status == STATUS
    assert_citations_verify(svc, answer)


def test_a_transient_error_then_success_keeps_the_llm_answer(seeded) -> None:  # noqa: ANN001
    calls = {"n": 0}

    def flaky(req: dict) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            return Reply(status=429, headers={"Retry-After": "0"})
        if calls["n"] == 2:
            return Reply(status=503)
        return model_answer(req)

    server = FakeOpenAI(flaky).start()
    try:
        svc = with_llm(seeded, server.base_url, llm_retries=2)
        answer = svc.answerer().ask(QUESTION, ARTICLE_ID)
    finally:
        server.stop()
    assert len(server.chat_requests) == 3
    assert answer.generator == "openai:fake-model" and answer.fallback_reason == ""
    check_model_text_verified(svc, answer)


def test_client_error_is_not_retried(seeded) -> None:  # noqa: ANN001
    server = FakeOpenAI(lambda req: Reply(status=400)).start()
    try:
        svc = with_llm(seeded, server.base_url, llm_retries=3)
        answer = svc.answerer().ask(QUESTION, ARTICLE_ID)
    finally:
        server.stop()
    assert len(server.chat_requests) == 1
    assert answer.generator == "extractive" and "HTTP 400" in answer.fallback_reason


def test_server_down_falls_back(seeded) -> None:  # noqa: ANN001
    svc = with_llm(seeded, f"http://127.0.0.1:{closed_port()}/v1", llm_retries=1)
    answer = svc.answerer().ask(QUESTION, ARTICLE_ID)
    assert answer.generator == "extractive"
    assert "connection failed" in answer.fallback_reason and "2 attempts" in answer.fallback_reason
    assert answer.status == STATUS and answer.citations
    assert_citations_verify(svc, answer)


def test_empty_model_answer_falls_back(seeded) -> None:  # noqa: ANN001
    server = FakeOpenAI(lambda req: Reply(text="")).start()
    try:
        answer = with_llm(seeded, server.base_url).answerer().ask(QUESTION, ARTICLE_ID)
    finally:
        server.stop()
    assert answer.generator == "extractive" and "no text" in answer.fallback_reason


def test_a_model_that_only_echoes_source_headers_falls_back(seeded) -> None:  # noqa: ANN001
    # What SmolLM2 really did once: it copied a source's header line, twice.
    def echo(req: dict) -> Reply:
        header = req["messages"][1]["content"].split("Sources:", 1)[1].strip().split("\n", 1)[0]
        return Reply(text=f"{header[4:]}\n\n{header[4:]}")

    server = FakeOpenAI(echo).start()
    try:
        answer = with_llm(seeded, server.base_url).answerer().ask(QUESTION, ARTICLE_ID)
    finally:
        server.stop()
    assert answer.generator == "extractive" and "no usable text" in answer.fallback_reason
    assert_citations_verify(seeded, answer)


def test_truncated_last_sentence_is_dropped(seeded) -> None:  # noqa: ANN001
    text = f"{TRUE_SENTENCE} [1] The group works as a co-led coordination mechanism, not as a"
    server = FakeOpenAI(lambda req: Reply(text=text, finish_reason="length")).start()
    try:
        answer = with_llm(seeded, server.base_url).answerer().ask(QUESTION, ARTICLE_ID)
    finally:
        server.stop()
    assert answer.generator == "openai:fake-model"
    assert TRUE_SENTENCE in answer.answer and "not as a" not in answer.answer


def test_concurrent_llm_calls_are_bounded(seeded) -> None:  # noqa: ANN001
    server = FakeOpenAI(lambda req: Reply(text=f"{TRUE_SENTENCE} [1]", delay=0.3)).start()
    try:
        svc = with_llm(seeded, server.base_url, llm_concurrency=1, llm_timeout=5.0)
        passages = [Passage(i + 1, c) for i, c in enumerate(svc.answerer().retrieve(QUESTION, ARTICLE_ID))]
        errors: list[BaseException] = []

        def call() -> None:
            try:
                make_llm_generator(svc.settings).generate(QUESTION, passages)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=call) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    finally:
        server.stop()
    assert not errors
    assert len(server.chat_requests) == 3
    assert server.max_in_flight == 1  # separate generator objects share one bound


def test_context_budget_leaves_out_passages_that_do_not_fit(seeded, fake) -> None:  # noqa: ANN001
    svc = with_llm(seeded, fake.base_url)
    passages = [Passage(i + 1, c) for i, c in enumerate(svc.answerer().retrieve(QUESTION, ARTICLE_ID))]
    roomy = make_llm_generator(svc.settings).budget(QUESTION, passages)
    assert len(roomy.passages) == len(passages) and roomy.dropped == 0
    tight_settings = svc.settings.model_copy(update={"llm_context_tokens": 900, "llm_max_answer_tokens": 200})
    tight = make_llm_generator(tight_settings).budget(QUESTION, passages)
    assert 0 < len(tight.passages) < len(passages)
    assert tight.prompt_tokens <= 900 * 0.9 - 200
    assert [p.n for p in tight.passages] == [p.n for p in passages[: len(tight.passages)]]  # best first
    # too small for even the instructions: a clear GenerationError (so: fallback)
    with pytest.raises(GenerationError, match="QA_LLM_CONTEXT_TOKENS"):
        make_llm_generator(svc.settings.model_copy(update={"llm_context_tokens": 512,
                                                            "llm_max_answer_tokens": 400})).budget(QUESTION, passages)
