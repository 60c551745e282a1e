"""The ChatModel seam over any OpenAI-compatible chat endpoint (OpenAI, vLLM,
llama.cpp server, Ollama) through the ``openai`` SDK: requests out, text,
usage and errors back. Prompt layout and the tidying of model text are the
domain's (answering/llm.py).

Every way a call can fail (connection refused, timeout, a stall mid-stream,
429/5xx after our retries, a 4xx, a garbled stream) ends in ``GenerationError``,
so the answer pipeline falls back to the extractive generator. The SDK's own
retries are off (``max_retries=0``): ours are the only ones, counted in
``last_stats``."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import PurePath

import openai

from qa_service.adapters.openai_client import make_openai_client
from qa_service.answering.generation import GenerationError
from qa_service.answering.llm import ChatResult
from qa_service.answering.llm_calls import (
    CallStats,
    Deadline,
    RetryPolicy,
    TransientError,
    acquired,
    call_with_retries,
    concurrency_gate,
)
from qa_service.models import Usage
from qa_service.settings import Settings
from qa_service.tokens import count_tokens

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"  # when only an API key is set (api.openai.com needs a model name)


def model_label(model: str) -> str:
    """A short name for a model id: llama.cpp reports the GGUF path."""
    name = PurePath(model).name if "/" in model or model.endswith(".gguf") else model
    return name[:-5] if name.endswith(".gguf") else name


def _status_of(exc: openai.APIStatusError) -> int:
    return getattr(exc, "status_code", 0) or 0


def _retry_after(exc: openai.APIStatusError) -> float | None:
    try:
        value = exc.response.headers.get("retry-after")
        return float(value) if value else None
    except (AttributeError, ValueError):
        return None


def classify(exc: Exception) -> Exception:
    """Map an SDK (or transport) error to TransientError (retry) or
    GenerationError (give up now)."""
    if isinstance(exc, openai.APITimeoutError):
        return TransientError(f"timed out ({type(exc).__name__})")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        return TransientError(f"connection failed ({type(cause).__name__ if cause else type(exc).__name__})")
    if isinstance(exc, openai.APIStatusError):
        status = _status_of(exc)
        if status == 429 or status >= 500:
            return TransientError(f"HTTP {status} from the LLM server", _retry_after(exc))
        return GenerationError(f"HTTP {status} from the LLM server: {str(exc)[:200]}")
    return GenerationError(f"{type(exc).__name__}: {str(exc)[:200]}")


# ------------------------------------------------------------------ client
class OpenAIChatClient:
    """One OpenAI-compatible endpoint with our call policy: timeouts, retries
    (ours only), the process-wide concurrency bound and a deadline. Shared by
    the answer generator, the question suggester and the takeaway writer."""

    def __init__(
        self,
        settings: Settings,
        *,
        client: openai.OpenAI | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.model = settings.llm_model or (DEFAULT_OPENAI_MODEL if not settings.llm_base_url else "default")
        self.name = f"openai:{model_label(self.model)}"
        self.policy = RetryPolicy(retries=settings.llm_retries, backoff_base=settings.llm_backoff)
        self.gate = concurrency_gate(settings.llm_base_url or "openai", settings.llm_concurrency)
        self._sleep = sleep
        # One read timeout bounds every wait on the server, including the gaps
        # between streamed chunks (a stall mid-stream); connecting gets less.
        timeout = openai.Timeout(settings.llm_timeout, connect=min(5.0, settings.llm_timeout))
        self._client = client or make_openai_client(settings, timeout=timeout, max_retries=0)  # type: ignore[arg-type]
        self.last_stats = CallStats()

    def named(self, reported_model: str | None) -> str:
        # llama.cpp ignores the model we send and reports what it runs: name that.
        if not self.settings.llm_model and reported_model:
            return f"openai:{model_label(reported_model)}"
        return self.name

    def _request(self, messages: list[dict[str, str]], max_tokens: int | None, temperature: float | None,
                 **extra: object) -> dict[str, object]:
        return dict(
            model=self.model, messages=messages,
            max_tokens=max_tokens or self.settings.llm_max_answer_tokens,
            temperature=self.settings.llm_temperature if temperature is None else temperature, **extra,
        )

    def _open(self, request: dict[str, object], deadline: Deadline):  # noqa: ANN202
        def attempt():  # noqa: ANN202
            try:
                return self._client.chat.completions.create(**request)  # type: ignore[call-overload]
            except openai.OpenAIError as exc:
                raise classify(exc) from exc

        return call_with_retries(attempt, self.policy, stats=self.last_stats, sleep=self._sleep, deadline=deadline.at)

    def complete(self, messages: list[dict[str, str]], *, max_tokens: int | None = None,
                 temperature: float | None = None) -> ChatResult:
        """One non-streaming chat completion (GenerationError on any failure)."""
        self.last_stats = CallStats()
        deadline = Deadline(self.settings.llm_deadline)
        with acquired(self.gate, self.settings.llm_timeout):
            resp = self._open(self._request(messages, max_tokens, temperature), deadline)
        try:
            choice = resp.choices[0]
            raw = choice.message.content or ""
        except (AttributeError, IndexError, TypeError) as exc:
            raise GenerationError(f"malformed response from the LLM server ({type(exc).__name__})") from exc
        return ChatResult(text=raw, usage=usage_of(resp.usage, messages, raw),
                          model=self.named(getattr(resp, "model", None)),
                          truncated=getattr(choice, "finish_reason", None) == "length")

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int | None = None,
               temperature: float | None = None) -> Iterator[str | ChatResult]:
        """Text deltas as they arrive, then a ChatResult (its text is the raw
        whole). Retries cover opening the stream (connect, 429, 5xx before the
        first byte); once text has flowed a failure is final: the caller falls
        back rather than splice two different generations together."""
        self.last_stats = CallStats()
        deadline = Deadline(self.settings.llm_deadline)
        raw: list[str] = []
        usage_reported = None
        model = None
        finish_reason = None
        request = self._request(messages, max_tokens, temperature, stream=True,
                                stream_options={"include_usage": True})
        with acquired(self.gate, self.settings.llm_timeout):
            stream = self._open(request, deadline)
            try:
                for event in stream:
                    deadline.check("the LLM stream")
                    model = getattr(event, "model", None) or model
                    if getattr(event, "usage", None):
                        usage_reported = event.usage
                    for choice in event.choices or []:
                        finish_reason = getattr(choice, "finish_reason", None) or finish_reason
                        delta = (choice.delta.content or "") if choice.delta else ""
                        if delta:
                            raw.append(delta)
                            yield delta
            except GenerationError:
                raise
            except openai.OpenAIError as exc:
                raise GenerationError(f"stream broke after {len(raw)} chunk(s): {classify(exc)}") from exc
            except Exception as exc:  # noqa: BLE001 - a garbled stream must fall back, not crash the page
                raise GenerationError(f"stream broke after {len(raw)} chunk(s): {type(exc).__name__}: {exc}") from exc
            finally:
                close = getattr(stream, "close", None)
                if close:
                    close()
        text = "".join(raw)
        yield ChatResult(text=text, usage=usage_of(usage_reported, messages, text), model=self.named(model),
                         truncated=finish_reason == "length")


def usage_of(reported, messages: list[dict[str, str]], completion: str) -> Usage:  # noqa: ANN001
    if reported is not None and getattr(reported, "prompt_tokens", None) is not None:
        return Usage(prompt_tokens=reported.prompt_tokens or 0, completion_tokens=reported.completion_tokens or 0)
    # The server did not say: estimate with tiktoken, as the budget does.
    return Usage(prompt_tokens=sum(count_tokens(m["content"]) for m in messages),
                 completion_tokens=count_tokens(completion))


