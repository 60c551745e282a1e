"""Answers from any OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp
server, Ollama) through the ``openai`` SDK."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import openai

from ..generation import Draft, GenerationError, Passage
from ..models import Usage
from ..prompts import load_prompt
from ..settings import Settings
from .openai_client import make_openai_client


def format_sources(passages: Sequence[Passage]) -> str:
    blocks = []
    for p in passages:
        head = f"[{p.n}] {p.chunk.title}"
        if p.chunk.heading:
            head += f" ({p.chunk.heading})"
        blocks.append(f"{head}\n{p.text}")
    return "\n\n".join(blocks)


class OpenAIChatGenerator:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model = settings.llm_model or "default"
        self.name = f"openai:{self.model}"
        self.prompt = load_prompt("answer")
        self._client = make_openai_client(settings)

    def _messages(self, question: str, passages: Sequence[Passage]) -> list[dict[str, str]]:
        # Sources first, question last: a server's prefix cache then serves
        # follow-up questions on the same sources.
        return self.prompt.render(sources=format_sources(passages), question=question)

    def generate(self, question: str, passages: Sequence[Passage]) -> Draft:
        try:
            resp = self._client.chat.completions.create(
                model=self.model, messages=self._messages(question, passages),  # type: ignore[arg-type]
                max_tokens=self.settings.llm_max_answer_tokens, temperature=0.1,
            )
        except openai.OpenAIError as exc:
            raise GenerationError(f"{type(exc).__name__}: {exc}") from exc
        text = resp.choices[0].message.content or ""
        usage = Usage(prompt_tokens=resp.usage.prompt_tokens, completion_tokens=resp.usage.completion_tokens) \
            if resp.usage else None
        return Draft(text=text, generator=self.name, usage=usage, prompt_version=self.prompt.id)

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str | Draft]:
        parts: list[str] = []
        usage = None
        try:
            stream = self._client.chat.completions.create(
                model=self.model, messages=self._messages(question, passages),  # type: ignore[arg-type]
                max_tokens=self.settings.llm_max_answer_tokens, temperature=0.1, stream=True,
                stream_options={"include_usage": True},
            )
            for event in stream:
                if event.usage:
                    usage = Usage(prompt_tokens=event.usage.prompt_tokens,
                                  completion_tokens=event.usage.completion_tokens)
                for choice in event.choices:
                    delta = choice.delta.content or ""
                    if delta:
                        parts.append(delta)
                        yield delta
        except openai.OpenAIError as exc:
            raise GenerationError(f"{type(exc).__name__}: {exc}") from exc
        yield Draft(text="".join(parts), generator=self.name, usage=usage, prompt_version=self.prompt.id)
