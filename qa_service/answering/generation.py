"""The generator seam. A generator turns a question and numbered passages into a
draft answer whose sentences carry [n] markers; the draft is never shown before
``citations.verify`` has checked every sentence against the passages."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from qa_service.models import RetrievedChunk, Usage

if TYPE_CHECKING:
    from qa_service.answering.plan import AnswerPlan


@dataclass
class Passage:
    """A retrieved chunk as the generator sees it, numbered from 1."""

    n: int
    chunk: RetrievedChunk

    @property
    def text(self) -> str:
        return self.chunk.text


@dataclass
class Draft:
    text: str
    generator: str
    usage: Usage | None = None
    prompt_version: str = ""
    fallback_reason: str = ""
    notes: list[str] = field(default_factory=list)


class GenerationError(RuntimeError):
    """The generator could not produce a draft (timeout, server error, ...)."""


class Generator(Protocol):
    """Writes a draft from the numbered passages. ``plan`` is the answer plan
    (which sentences answer, what is missing): the extractive generator writes
    it out; a model may use it or write from the passages alone."""

    name: str

    def generate(self, question: str, passages: Sequence[Passage], plan: AnswerPlan | None = None) -> Draft: ...

    def stream(self, question: str, passages: Sequence[Passage],
               plan: AnswerPlan | None = None) -> Iterator[str | Draft]:
        """Text deltas as they arrive, then the final Draft."""
        ...
