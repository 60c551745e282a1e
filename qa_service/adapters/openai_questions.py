"""Suggested follow-up questions from any OpenAI-compatible chat endpoint,
through the shared client (adapters/openai_client.py) and a versioned prompt
(prompts/suggest_questions.md). Every suggestion is still answered and verified
before an editor or reader sees it."""

from __future__ import annotations

import re

import openai

from ..generation import GenerationError
from ..prompts import load_prompt
from ..settings import Settings
from .openai_client import make_openai_client

_NUMBERING = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s*")


class OpenAIQuestionSuggester:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model = settings.llm_model or "default"
        self.name = f"openai:{self.model}"
        self.prompt = load_prompt("suggest_questions")
        self._client = make_openai_client(settings)

    def suggest(self, article_text: str, existing: list[str], count: int = 5) -> list[str]:
        messages = self.prompt.render(article=article_text[:12000], existing="\n".join(existing) or "(none)",
                                      count=str(count))
        try:
            resp = self._client.chat.completions.create(
                model=self.model, messages=messages,  # type: ignore[arg-type]
                max_tokens=self.settings.llm_max_answer_tokens, temperature=0.3,
            )
        except openai.OpenAIError as exc:
            raise GenerationError(f"{type(exc).__name__}: {exc}") from exc
        lines = (resp.choices[0].message.content or "").splitlines()
        out = []
        for line in lines:
            q = _NUMBERING.sub("", line).strip().strip('"')
            if q.endswith("?") and 3 <= len(q.split()) <= 30:
                out.append(q)
        return out[:count]
