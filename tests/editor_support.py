"""Helpers shared by the editor tests: a generator whose every call gives a
different (still extractive, so verifiable) answer, and account set-up."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator, Sequence

from qa_service.answering.generation import Draft, Passage

EDITOR_PASSWORD = "editor-password"
READER_PASSWORD = "reader-password"


class TrimmingGenerator:
    """The extractive generator's sentences, one fewer on each call (at least
    one): regenerations give visibly different texts that still verify."""

    name = "test-trimming"

    def __init__(self, extractive) -> None:  # noqa: ANN001
        self.extractive = extractive
        self._calls = itertools.count(1)

    def generate(self, question: str, passages: Sequence[Passage], plan=None) -> Draft:  # noqa: ANN001
        k = next(self._calls)
        if plan is not None:
            plan = dataclasses.replace(plan, details=plan.details[: max(0, len(plan.details) - k)],
                                       items=plan.items[: max(1, len(plan.items) - k)] if plan.items else [])
        return Draft(text=self.extractive.compose(plan) if plan is not None else "", generator=self.name)

    def stream(self, question: str, passages: Sequence[Passage], plan=None) -> Iterator[str | Draft]:  # noqa: ANN001
        draft = self.generate(question, passages, plan)
        yield draft.text
        yield draft


def make_users(services) -> dict[str, str]:  # noqa: ANN001
    """An editor and a reader, with API tokens; returns the tokens."""
    accounts = services.accounts
    accounts.create_user("edna", EDITOR_PASSWORD, role="editor")
    accounts.create_user("rita", READER_PASSWORD, role="reader")
    return {"editor": accounts.create_api_token("edna"), "reader": accounts.create_api_token("rita")}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
