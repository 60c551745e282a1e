"""Grounding checker that asks an LLM judge (any OpenAI-compatible endpoint)
whether a claim is supported by a passage. Prompt: prompts/judge.md. Slow and
paid per call, so it is for evals (``eval calibrate --checker llm``,
``eval run --checker llm``), not for answer-time verification."""

from __future__ import annotations

import re
import threading

import openai

from qa_service.answering.prompts import load_prompt
from qa_service.settings import Settings
from qa_service.tokens import count_tokens
from qa_service.adapters.openai_client import make_openai_client

_VERDICT = re.compile(r"\b(UNSUPPORTED|SUPPORTED|NOT SUPPORTED|YES|NO)\b", re.I)


class JudgeError(RuntimeError):
    """The judge could not be reached or gave no verdict."""


class LLMJudgeChecker:
    """Scores 1.0 (supported) or 0.0 (not). Verdicts are cached per
    (claim, passage): evals ask the same pair more than once."""

    def __init__(self, settings: Settings, threshold: float = 0.5, *, client: openai.OpenAI | None = None) -> None:
        self.settings = settings
        self.threshold = threshold
        self.model = settings.llm_model or "default"
        self.name = f"llm-judge:{self.model}"
        self.prompt = load_prompt("judge")
        self._client = client or make_openai_client(settings, max_retries=settings.llm_retries)
        self._cache: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self.unparsed = 0  # answers that held no verdict (scored unsupported)
        self.calls = 0

    def _fit(self, passage: str) -> str:
        """Trim the passage so prompt and verdict fit the model's context."""
        budget = self.settings.llm_context_tokens - 400
        tokens = count_tokens(passage)
        if tokens <= budget:
            return passage
        keep = int(len(passage) * budget / tokens * 0.95)
        return passage[:keep] + " [...]"

    def verdict(self, claim: str, passage: str) -> str:
        messages = self.prompt.render(passage=self._fit(passage), claim=claim)
        try:
            resp = self._client.chat.completions.create(
                model=self.model, messages=messages,  # type: ignore[arg-type]
                max_tokens=8, temperature=0.0,
            )
        except openai.OpenAIError as exc:
            raise JudgeError(f"{type(exc).__name__}: {exc}") from exc
        self.calls += 1
        return resp.choices[0].message.content or ""

    def score(self, claim: str, passage: str) -> float:
        key = (claim, passage)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        text = self.verdict(claim, passage)
        match = _VERDICT.search(text)
        if match is None:
            self.unparsed += 1
            value = 0.0
        else:
            value = 1.0 if match.group(1).upper() in ("SUPPORTED", "YES") else 0.0
        with self._lock:
            self._cache[key] = value
        return value
