"""Reading source files into Documents: Markdown/text with YAML front matter, and
JSON Lines records. Bad inputs become LoadProblems (reported by path, skipped),
never exceptions that stop an ingest."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from qa_service.models import Document

TEXT_SUFFIXES = {".md", ".markdown", ".txt"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
_ID_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$")


@dataclass(frozen=True)
class LoadProblem:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield child
        else:
            yield path


def load_paths(paths: Iterable[Path]) -> tuple[list[Document], list[LoadProblem]]:
    """Load every supported file under ``paths``; duplicate ids keep the first."""
    docs: list[Document] = []
    problems: list[LoadProblem] = []
    seen: dict[str, str] = {}
    for path in iter_files(paths):
        if not path.exists():
            problems.append(LoadProblem(str(path), "no such file or directory"))
            continue
        suffix = path.suffix.lower()
        if suffix in TEXT_SUFFIXES:
            loaded = [_load_text_file(path)]
        elif suffix in JSONL_SUFFIXES:
            loaded = list(_load_jsonl(path))
        else:
            problems.append(LoadProblem(str(path), f"unsupported file type {suffix or '(none)'}; skipped"))
            continue
        for item in loaded:
            if isinstance(item, LoadProblem):
                problems.append(item)
            elif item.id in seen:
                problems.append(LoadProblem(item.path, f"duplicate id {item.id!r} (first in {seen[item.id]}); skipped"))
            else:
                seen[item.id] = item.path
                docs.append(item)
    return docs, problems


def _read_text(path: Path) -> str | LoadProblem:
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        return LoadProblem(str(path), "binary file (NUL bytes); skipped")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return LoadProblem(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start}); skipped")


def split_front_matter(raw: str) -> tuple[dict[str, object], str]:
    """Split ``---\\nyaml\\n---\\nbody``. Raises ValueError on broken front matter."""
    if not raw.startswith("---"):
        return {}, raw
    match = re.match(r"^---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|$)", raw, re.S)
    if not match:
        raise ValueError("front matter opened with '---' but never closed")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        raise ValueError(f"front matter is not valid YAML{where}") from None
    if not isinstance(meta, dict):
        raise ValueError("front matter must be a YAML mapping")
    return meta, raw[match.end():]


def _load_text_file(path: Path) -> Document | LoadProblem:
    raw = _read_text(path)
    if isinstance(raw, LoadProblem):
        return raw
    try:
        meta, body = split_front_matter(raw)
    except ValueError as exc:
        return LoadProblem(str(path), f"{exc}; skipped")
    meta.setdefault("id", path.stem)
    if "title" not in meta:
        first = next((ln.strip("# ").strip() for ln in body.splitlines() if ln.strip()), path.stem)
        meta["title"] = first
    return _make_document(meta, body, str(path))


def _load_jsonl(path: Path) -> Iterator[Document | LoadProblem]:
    raw = _read_text(path)
    if isinstance(raw, LoadProblem):
        yield raw
        return
    for lineno, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield LoadProblem(where, f"invalid JSON ({exc.msg}); skipped")
            continue
        if not isinstance(record, dict):
            yield LoadProblem(where, "record is not a JSON object; skipped")
            continue
        meta = dict(record)
        body = meta.pop("text", "")
        if "published_at" in meta and "published" not in meta:
            meta["published"] = meta.pop("published_at")
        if "source" in meta and "publisher" not in meta:
            meta["publisher"] = meta.pop("source")
        if not isinstance(body, str):
            yield LoadProblem(where, "'text' must be a string; skipped")
            continue
        yield _make_document(meta, body, where)


def _as_str(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict):  # {"text": ...} or {"question": ...}
                item = item.get("text") or item.get("question") or ""
            if str(item).strip():
                out.append(str(item).strip())
        return out
    raise ValueError(f"expected a list, got {type(value).__name__}")


def _make_document(meta: dict[str, object], body: str, where: str) -> Document | LoadProblem:
    doc_id = _as_str(meta.get("id")).strip()
    if not doc_id:
        return LoadProblem(where, "missing 'id'; skipped")
    if not _ID_OK.match(doc_id):
        return LoadProblem(where, f"id {doc_id!r} must be letters, digits, '.', '_', ':' or '-'; skipped")
    if not body.strip():
        return LoadProblem(where, "no text; skipped")
    kind = _as_str(meta.get("kind") or "source").lower()
    if kind not in ("article", "source"):
        return LoadProblem(where, f"kind must be 'article' or 'source', not {kind!r}; skipped")
    try:
        return Document(
            id=doc_id,
            title=_as_str(meta.get("title") or doc_id).strip(),
            text=body,
            kind=kind,  # type: ignore[arg-type]
            publisher=_as_str(meta.get("publisher")),
            url=_as_str(meta.get("url")),
            published=_as_str(meta.get("published")),
            label=_as_str(meta.get("label")),
            sources=_as_list(meta.get("sources")),
            questions=_as_list(meta.get("questions")),
            takeaways=_as_list(meta.get("takeaways")),
            article_id=_as_str(meta.get("article_id")),
            path=where,
        )
    except (ValidationError, ValueError) as exc:
        return LoadProblem(where, f"bad front matter ({exc}); skipped")
