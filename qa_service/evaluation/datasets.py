"""Eval datasets: JSON Lines, one question a line.

Fields: ``question`` (required), ``id`` (optional, stable across runs so that
``eval compare`` can match questions; defaults to the file stem and line
number), ``article_id`` (answer from this article and its sources; omit to
search the whole corpus), ``expected_doc_ids`` (documents a good retrieval
finds), ``expected_facts`` (short strings a correct answer contains, matched
case- and accent-insensitively with punctuation collapsed; ``"a | b"`` accepts
either), ``answerable`` (default true; false when the corpus does not answer
the question), ``tags`` and ``forbidden`` (strings an answer must never
contain, e.g. what an injected instruction asks for), ``note`` (free text).

Answer-shape fields: ``type`` (factoid, list, yes_no, why, how, compare,
definition, gist, partial, unanswerable, false_premise, injection),
``lead_facts`` (at least one belongs in the answer's first sentence; default
the expected facts), ``gaps`` (for each asked element the sources do not give,
keywords naming it, ``a | b`` alternatives: an honest answer says so),
``premise`` and ``correction_facts`` (a false premise, and the phrases of the
cited correction; none when the sources never report it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError


class DatasetError(ValueError):
    """A dataset file that cannot be read: the message names file and line."""


QUESTION_TYPES = ("factoid", "list", "yes_no", "why", "how", "compare", "definition", "gist", "partial",
                  "unanswerable", "false_premise", "injection")


class EvalItem(BaseModel):
    id: str = ""
    question: str
    type: Literal["factoid", "list", "yes_no", "why", "how", "compare", "definition", "gist", "partial",
                  "unanswerable", "false_premise", "injection"] | None = None
    lead_facts: list[str] = Field(default_factory=list)
    gaps: list[str] = Field(default_factory=list)
    premise: str | None = None
    correction_facts: list[str] = Field(default_factory=list)
    article_id: str | None = None
    expected_doc_ids: list[str] = Field(default_factory=list)
    expected_facts: list[str] = Field(default_factory=list)
    answerable: bool = True
    tags: list[str] = Field(default_factory=list)
    forbidden: list[str] = Field(default_factory=list)
    note: str = ""
    dataset: str = ""  # file stem, filled in by the loader


def load_dataset(path: Path) -> list[EvalItem]:
    if not path.is_file():
        raise DatasetError(f"no such dataset file: {path}")
    items: list[EvalItem] = []
    seen: set[str] = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
        if not isinstance(raw, dict):
            raise DatasetError(f"{path}:{lineno}: expected a JSON object")
        try:
            item = EvalItem.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "line"
            raise DatasetError(f"{path}:{lineno}: {where}: {first['msg']}") from None
        if not item.question.strip():
            raise DatasetError(f"{path}:{lineno}: the question is empty")
        item.dataset = path.stem
        item.id = item.id or f"{path.stem}:{lineno}"
        if item.id in seen:
            raise DatasetError(f"{path}:{lineno}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise DatasetError(f"{path}: no questions in it")
    return items


def dataset_files(directory: Path) -> list[Path]:
    files = sorted(directory.glob("*.jsonl"))
    if not files:
        raise DatasetError(f"no *.jsonl datasets in {directory}")
    return files


def load_datasets(paths: list[Path]) -> list[EvalItem]:
    items: list[EvalItem] = []
    ids: set[str] = set()
    for path in paths:
        for item in load_dataset(path):
            if item.id in ids:
                raise DatasetError(f"{path}: id {item.id!r} also appears in another dataset")
            ids.add(item.id)
            items.append(item)
    return items


def load_calibration(path: Path) -> list[dict]:
    """Lines with ``document``, ``summary`` and ``consistent`` (SummEdits' shape)."""
    if not path.is_file():
        raise DatasetError(f"no such calibration file: {path}")
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
        missing = [k for k in ("document", "summary", "consistent") if not isinstance(raw, dict) or k not in raw]
        if missing:
            raise DatasetError(f"{path}:{lineno}: missing field(s) {', '.join(missing)}")
        if not isinstance(raw["consistent"], bool):
            raise DatasetError(f"{path}:{lineno}: consistent must be true or false")
        rows.append(raw)
    if not rows:
        raise DatasetError(f"{path}: no pairs in it")
    return rows
