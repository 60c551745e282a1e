"""LLMs as the answer pipeline sees them, whatever the vendor.

``ChatModel`` is the seam: a chat endpoint that completes or streams a list of
messages. Adapters (adapters/openai_chat.py) implement it; everything here is
vendor-neutral: how passages are laid out in a prompt, how a model's text is
tidied before verification (citation styles normalised, echoed source headers,
repeats and a cut-off last sentence dropped), and ``LLMGenerator``, the
Generator protocol over any ChatModel. Whatever the model writes is then
verified sentence by sentence like any draft (answering.citations)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from qa_service.answering.generation import Draft, GenerationError, Passage
from qa_service.answering.llm_calls import Budget, CallStats, fit_passages
from qa_service.answering.prompts import Prompt
from qa_service.models import Usage
from qa_service.text import sentence_spans


@dataclass
class ChatResult:
    text: str
    usage: Usage
    model: str  # the generator name, "openai:<model>"
    truncated: bool  # the model hit max_tokens


class ChatModel(Protocol):
    """One chat endpoint with its call policy (timeouts, retries, a concurrency
    bound, a deadline). Every failure is a GenerationError."""

    #: "vendor:model", recorded as the generator of what it writes
    name: str
    last_stats: CallStats

    def complete(self, messages: list[dict[str, str]], *, max_tokens: int | None = None,
                 temperature: float | None = None) -> ChatResult:
        """One non-streaming completion."""
        ...

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int | None = None,
               temperature: float | None = None) -> Iterator[str | ChatResult]:
        """Text deltas as they arrive, then the ChatResult (its text is the whole)."""
        ...


# ---------------------------------------------------------------- prompt layout
def source_header(p: Passage) -> str:
    """"[n] Title > Section": the chunk's heading path already starts with the
    document title, which is not repeated."""
    head = f"[{p.n}] {p.chunk.title}"
    section = p.chunk.heading
    if section.startswith(p.chunk.title):
        section = section[len(p.chunk.title):].lstrip(" >")
    return f"{head} > {section}" if section else head


REDACTED = "[text addressed to AI systems removed]"


def passage_text_for_model(p: Passage) -> str:
    """The passage as a model reads it: spans flagged at ingest as addressed to
    a model are replaced by a marker, so it never sees them as instructions
    (they could not be cited anyway; issue 13)."""
    text, base, out, pos = p.chunk.text, p.chunk.start, [], 0
    for s, e in sorted(p.chunk.flagged):
        s, e = max(s - base, pos), min(e - base, len(text))
        if s >= e:
            continue
        out += [text[pos:s], REDACTED]
        pos = e
    return "".join(out) + text[pos:]


def format_sources(passages: Sequence[Passage]) -> str:
    return "\n\n".join(f"{source_header(p)}\n{passage_text_for_model(p)}" for p in passages)


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


# --------------------------------------------------------------- generator
class LLMGenerator:
    """The Generator protocol over any ChatModel: the answer prompt with the
    passages that fit the model's window, the model's text tidied as it
    streams."""

    def __init__(self, chat: ChatModel, prompt: Prompt, *, context_tokens: int, max_answer_tokens: int) -> None:
        self.chat = chat
        self.name = chat.name
        self.prompt = prompt
        self.context_tokens = context_tokens
        self.max_answer_tokens = max_answer_tokens
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
            context_tokens=self.context_tokens, max_answer_tokens=self.max_answer_tokens,
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
