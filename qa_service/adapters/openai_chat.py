"""Answers from any OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp
server, Ollama) through the ``openai`` SDK.

Every way a call can fail (connection refused, timeout, a stall mid-stream,
429/5xx after our retries, a 4xx, a garbled stream) ends in ``GenerationError``,
so the answer pipeline falls back to the extractive generator. The SDK's own
retries are off (``max_retries=0``): ours are the only ones, counted in
``last_stats``."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath

import openai

from qa_service.answering.generation import Draft, GenerationError, Passage
from qa_service.answering.llm_calls import (
    Budget,
    CallStats,
    Deadline,
    RetryPolicy,
    TransientError,
    acquired,
    call_with_retries,
    concurrency_gate,
    fit_passages,
)
from qa_service.models import Usage
from qa_service.answering.prompts import Prompt, load_prompt
from qa_service.settings import Settings
from qa_service.text import sentence_spans
from qa_service.tokens import count_tokens
from qa_service.adapters.openai_client import make_openai_client

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"  # when only an API key is set (api.openai.com needs a model name)


def source_header(p: Passage) -> str:
    """"[n] Title > Section": the chunk's heading path already starts with the
    document title, which is not repeated."""
    head = f"[{p.n}] {p.chunk.title}"
    section = p.chunk.heading
    if section.startswith(p.chunk.title):
        section = section[len(p.chunk.title):].lstrip(" >")
    return f"{head} > {section}" if section else head


def format_sources(passages: Sequence[Passage]) -> str:
    return "\n\n".join(f"{source_header(p)}\n{p.text}" for p in passages)


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


# ------------------------------------------------------------ model output
_SOURCE_MARKER = re.compile(
    r"[\[(\u3010]\s*(?:sources?|src|ref(?:erence)?|passage|doc(?:ument)?)?\s*\.?\s*"
    r"\^?(\d{1,2}(?:\s*(?:,|;|and|&)\s*\d{1,2})*)\s*[\])\u3011]",
    re.IGNORECASE,
)
_ANSWER_LABEL = re.compile(r"^\s*(?:\*\*)?(?:answer|response)(?:\s+with\s+citations)?\s*:(?:\*\*)?\s*", re.I)
_THINK = re.compile(r"<think>.*?</think>", re.S)
_WS = re.compile(r"\s+")
_ENDS_SENTENCE = re.compile(r"[.!?:][\"'\u201d\u2019)\]]*(?:\s*\[[\d,\s]*\])*\s*$")


def normalise_markers(sentence: str, valid: set[int]) -> str:
    """Rewrite the citation styles models use ("[Source 2]", "(2)", "[^2]",
    "【2】", "[1 and 3]") as "[2]" / "[1, 3]" so verification can read them.
    Numbers that name no passage are dropped: they are hints, never trusted.
    A parenthesised number is only a marker when it names a passage."""

    def repl(m: re.Match[str]) -> str:
        nums = [int(x) for x in re.findall(r"\d+", m.group(1))]
        known = [n for n in nums if n in valid]
        is_paren = m.group(0).startswith("(")
        has_word = bool(re.search(r"[A-Za-z]", m.group(0).split(m.group(1))[0]))
        if is_paren and not has_word and not known:
            return m.group(0)  # "(2)" that names no passage is just text
        return f"[{', '.join(str(n) for n in known)}]" if known else ""

    return _SOURCE_MARKER.sub(repl, sentence)


class ModelTextCleaner:
    """Tidies a model's text as it streams, one complete sentence at a time:
    citation styles normalised, repeated sentences and echoed source headers
    dropped, "Answer:" labels and <think> blocks removed. The final Draft text
    is exactly the concatenation of what ``feed``/``finish`` returned, so the
    streamed and the final answers agree."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.valid = {p.n for p in passages}
        self.headers = set()
        for p in passages:
            # a model that echoes a source's header line (or any part of it)
            self.headers.add(self._key(source_header(p)))
            self.headers.add(self._key(p.chunk.title))
            for part in p.chunk.heading.split(">"):
                self.headers.add(self._key(part))
            self.headers.add(self._key(f"{p.chunk.title} ({p.chunk.heading})"))
        self.headers.discard("")
        self.dropped = 0  # sentences removed (echoes, repeats, cut off)
        self.seen: set[str] = set()
        self.pending = ""
        self.started = False

    @staticmethod
    def _key(text: str) -> str:
        text = _SOURCE_MARKER.sub(" ", text)
        return _WS.sub(" ", re.sub(r"[^\w\s]", " ", text.lower())).strip()

    def feed(self, delta: str) -> str:
        self.pending += delta
        return self._drain(final=False)

    def finish(self, truncated: bool = False) -> str:
        """The rest of the text. ``truncated``: the model hit its token limit, so
        a last sentence without a full stop was cut off mid-claim: drop it."""
        return self._drain(final=True, truncated=truncated)

    def _drain(self, final: bool, truncated: bool = False) -> str:
        text = _THINK.sub("", self.pending)
        think = text.find("<think>")
        hold_from = think if think >= 0 and not final else None
        if think >= 0 and final:
            text = text[:think]  # an unterminated reasoning block is not an answer
        work = text if hold_from is None else text[:hold_from]
        spans = sentence_spans(work)
        if not final:
            spans = spans[:-1]  # the last sentence may still be growing
        if not spans:
            self.pending = text
            return ""
        out: list[str] = []
        pos = 0
        for i, (s, e) in enumerate(spans):
            gap = work[pos:s]
            if not self.started:
                gap = gap.lstrip()
            out.append(gap)
            sentence = work[s:e]
            cut_off = truncated and i == len(spans) - 1 and not _ENDS_SENTENCE.search(sentence)
            cleaned = "" if cut_off else self._clean(sentence)
            self.dropped += not cleaned
            out.append(cleaned)
            pos = e
        self.pending = text[pos:]
        if final:
            self.pending = ""
        cleaned = "".join(out)
        return cleaned.rstrip() if final else cleaned

    def _clean(self, sentence: str) -> str:
        if not self.started:
            sentence = _ANSWER_LABEL.sub("", sentence)
        sentence = normalise_markers(sentence, self.valid)
        key = self._key(sentence)
        if not key or key in self.headers:
            return ""
        if len(key.split()) >= 4:
            if key in self.seen:
                return ""  # small models loop; a repeated sentence adds nothing
            self.seen.add(key)
        self.started = True
        return sentence


# ------------------------------------------------------------------ client
@dataclass
class ChatResult:
    text: str
    usage: Usage
    model: str  # the generator name, "openai:<model>"
    truncated: bool  # the model hit max_tokens


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


# --------------------------------------------------------------- generator
class OpenAIChatGenerator:
    """The Generator protocol over an OpenAI-compatible chat endpoint."""

    def __init__(
        self,
        settings: Settings,
        *,
        client: openai.OpenAI | None = None,
        sleep: Callable[[float], None] = time.sleep,
        prompt_name: str = "answer",
    ) -> None:
        self.settings = settings
        self.chat = OpenAIChatClient(settings, client=client, sleep=sleep)
        self.model = self.chat.model
        self.name = self.chat.name
        self.prompt: Prompt = load_prompt(prompt_name)
        self.last_budget: Budget | None = None

    @property
    def last_stats(self) -> CallStats:
        return self.chat.last_stats

    def render(self, question: str, passages: Sequence[Passage]) -> list[dict[str, str]]:
        # Sources first, question last: a server's prefix cache then serves
        # follow-up questions on the same sources.
        return self.prompt.render(sources=format_sources(passages), question=question)

    def budget(self, question: str, passages: Sequence[Passage]) -> Budget:
        return fit_passages(
            passages, lambda ps: self.render(question, ps),
            context_tokens=self.settings.llm_context_tokens,
            max_answer_tokens=self.settings.llm_max_answer_tokens,
        )

    def generate(self, question: str, passages: Sequence[Passage]) -> Draft:
        budget = self.last_budget = self.budget(question, passages)
        result = self.chat.complete(self.render(question, budget.passages))
        cleaner = ModelTextCleaner(budget.passages)
        text = cleaner.feed(result.text) + cleaner.finish(result.truncated)
        return self._draft(text, result, budget, cleaner)

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str | Draft]:
        budget = self.last_budget = self.budget(question, passages)
        cleaner = ModelTextCleaner(budget.passages)
        parts: list[str] = []
        result: ChatResult | None = None
        for item in self.chat.stream(self.render(question, budget.passages)):
            if isinstance(item, ChatResult):
                result = item
                break
            piece = cleaner.feed(item)
            if piece:
                parts.append(piece)
                yield piece
        assert result is not None  # the chat stream always ends with its result
        tail = cleaner.finish(result.truncated)
        if tail:
            parts.append(tail)
            yield tail
        yield self._draft("".join(parts), result, budget, cleaner)

    def _draft(self, text: str, result: ChatResult, budget: Budget, cleaner: ModelTextCleaner) -> Draft:
        if not text.strip():
            if result.text.strip():
                raise GenerationError(f"the LLM returned no usable text ({cleaner.dropped} sentence(s) were "
                                      "echoed source headers, repeats or cut off)")
            raise GenerationError("the LLM returned no text")
        notes = [n for n in (budget.note,) if n]
        stats = self.last_stats
        if stats.retries:
            notes.append(f"{stats.retries} retr{'y' if stats.retries == 1 else 'ies'}: " + "; ".join(stats.errors))
        return Draft(text=text, generator=result.model, usage=result.usage, prompt_version=self.prompt.id,
                     notes=notes)
