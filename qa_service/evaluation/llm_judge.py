"""A grounding checker that asks an LLM judge (any ChatModel) whether a claim
is supported by a passage. Prompt: prompts/judge.md. Slow and paid per call,
so it serves evals (``eval calibrate --checker llm``, ``eval run --checker
llm``), not answer-time verification."""

from __future__ import annotations

import re
import threading

from qa_service.answering.generation import GenerationError
from qa_service.answering.llm import ChatModel
from qa_service.answering.prompts import Prompt, load_prompt
from qa_service.tokens import count_tokens

_VERDICT = re.compile(r"\b(UNSUPPORTED|SUPPORTED|NOT SUPPORTED|YES|NO)\b", re.I)


class JudgeError(RuntimeError):
    """The judge could not be reached or gave no verdict."""


class LLMJudgeChecker:
    """Scores 1.0 (supported) or 0.0 (not). Verdicts are cached per
    (claim, passage): evals ask the same pair more than once."""

    def __init__(self, chat: ChatModel, threshold: float = 0.5, *, context_tokens: int = 8192,
                 prompt: Prompt | None = None) -> None:
        self.chat = chat
        self.threshold = threshold
        self.context_tokens = context_tokens
        self.name = "llm-judge:" + chat.name.split(":", 1)[-1]
        self.prompt = prompt or load_prompt("judge")
        self._cache: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self.unparsed = 0  # answers that held no verdict (scored unsupported)
        self.calls = 0

    def _fit(self, passage: str) -> str:
        """Trim the passage so prompt and verdict fit the model's context."""
        budget = self.context_tokens - 400
        tokens = count_tokens(passage)
        if tokens <= budget:
            return passage
        keep = int(len(passage) * budget / tokens * 0.95)
        return passage[:keep] + " [...]"

    def verdict(self, claim: str, passage: str) -> str:
        messages = self.prompt.render(passage=self._fit(passage), claim=claim)
        try:
            result = self.chat.complete(messages, max_tokens=8, temperature=0.0)
        except GenerationError as exc:
            raise JudgeError(str(exc)) from exc
        self.calls += 1
        return result.text

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
