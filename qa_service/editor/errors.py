"""What editors can get wrong, as exceptions the front doors translate: the
web layer maps NotFound to 404, Conflict to 409 and the rest to 400 (EditRefused
with the reason for every refused sentence); the CLI prints the message."""

from __future__ import annotations

from dataclasses import dataclass


class EditorialError(Exception):
    """A request an editor can fix; the message says how."""


class NotFound(EditorialError):
    pass


class Conflict(EditorialError):
    pass


@dataclass
class SentenceProblem:
    sentence: str
    reason: str
    citation: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"sentence": self.sentence, "reason": self.reason, "citation": self.citation}


class EditRefused(EditorialError):
    """An edit with sentences whose citations do not verify. Nothing was stored."""

    def __init__(self, problems: list[SentenceProblem]) -> None:
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"refused: {first.sentence!r}: {first.reason}{more}")
