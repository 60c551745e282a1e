"""Reading source files into Documents: Markdown/text with YAML front matter, and
JSON Lines records. Bad inputs become LoadProblems (reported by path, skipped),
never exceptions that stop an ingest.

Untrusted input is bounded before it is believed: YAML aliases are refused
(a 362-byte file of nested aliases once expanded into a 7-million-character
question), front matter and each of its fields have size caps, list items must
be plain strings, and an over-size file is reported without being read."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from qa_service.models import Document

# Caps on what one document may bring (characters, except MAX_FILE_BYTES).
MAX_FILE_BYTES = 20 * 1024 * 1024  # a Markdown/text file, checked before reading it
MAX_TEXT_CHARS = 5_000_000  # a document's body
MAX_FRONT_MATTER_CHARS = 64 * 1024
MAX_FIELD_CHARS = {"id": 200, "title": 500, "publisher": 200, "url": 2000, "published": 64, "label": 100,
                   "kind": 20, "article_id": 200}
MAX_ITEM_CHARS = {"questions": 300, "takeaways": 600, "sources": 200}  # each item of these lists
MAX_LIST_ITEMS = 100

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


def load_paths(paths: Iterable[Path], *, default_kind: str = "source",
               defaulted: set[str] | None = None) -> tuple[list[Document], list[LoadProblem]]:
    """Load every supported file under ``paths``; duplicate ids keep the first.
    ``default_kind``: the kind of a document that does not say ('article' for a
    folder of news stories with no front matter); the ids of those documents are
    added to ``defaulted`` when given."""
    docs: list[Document] = []
    problems: list[LoadProblem] = []
    seen: dict[str, str] = {}
    for path in iter_files(paths):
        if not path.exists():
            problems.append(LoadProblem(str(path), "no such file or directory"))
            continue
        suffix = path.suffix.lower()
        if suffix in TEXT_SUFFIXES:
            loaded = [_load_text_file(path, default_kind)]
        elif suffix in JSONL_SUFFIXES:
            loaded = list(_load_jsonl(path, default_kind))
        elif suffix == ".json":
            loaded = list(_load_json(path, default_kind))
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
                if defaulted is not None and item.kind_defaulted:
                    defaulted.add(item.id)
    return docs, problems


def _read_text(path: Path, max_bytes: int | None = MAX_FILE_BYTES) -> str | LoadProblem:
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        return LoadProblem(str(path), f"file is {size} bytes (at most {max_bytes}); skipped")
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
    if len(match.group(1)) > MAX_FRONT_MATTER_CHARS:
        raise ValueError(f"front matter is {len(match.group(1))} characters (at most {MAX_FRONT_MATTER_CHARS})")
    try:
        meta = yaml.load(match.group(1), Loader=_NoAliasLoader) or {}  # noqa: S506 - a SafeLoader, aliases refused
    except _AliasRefused as exc:
        raise ValueError(str(exc)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        raise ValueError(f"front matter is not valid YAML{where}") from None
    except RecursionError:
        raise ValueError("front matter is nested too deeply") from None
    if not isinstance(meta, dict):
        raise ValueError("front matter must be a YAML mapping")
    return meta, raw[match.end():]


class _AliasRefused(yaml.YAMLError):
    pass


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (``*name``, ``<<: *name``): expanding
    them is how a few hundred bytes become millions of characters."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN201
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise _AliasRefused(f"front matter uses a YAML alias (line {mark.line + 2}); aliases are not allowed")
        return super().compose_node(parent, index)


def _load_text_file(path: Path, default_kind: str = "source") -> Document | LoadProblem:
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
        meta["title"] = first[: MAX_FIELD_CHARS["title"]]
    return _make_document(meta, body, str(path), default_kind)


def _load_jsonl(path: Path, default_kind: str = "source") -> Iterator[Document | LoadProblem]:
    raw = _read_text(path, max_bytes=None)  # many records; each one is capped
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
        yield _record_document(record, where, default_kind)


def _load_json(path: Path, default_kind: str = "source") -> Iterator[Document | LoadProblem]:
    """A JSON file: one record, or an array of them (as JSON Lines records are)."""
    raw = _read_text(path, max_bytes=None)
    if isinstance(raw, LoadProblem):
        yield raw
        return
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        yield LoadProblem(str(path), f"invalid JSON ({exc.msg} at line {exc.lineno}); skipped")
        return
    records = data if isinstance(data, list) else [data]
    for i, record in enumerate(records, 1):
        yield _record_document(record, f"{path}[{i}]" if isinstance(data, list) else str(path), default_kind)


def _record_document(record: object, where: str, default_kind: str) -> Document | LoadProblem:
    """A JSON object as a document (JSON Lines and JSON files)."""
    if not isinstance(record, dict):
        return LoadProblem(where, "record is not a JSON object; skipped")
    meta = dict(record)
    # (news dumps name their fields in several ways: "content"/"body"/"article" for the text,
    # "headline" for the title, "date" for when it was published)
    body = meta.pop("text", None)
    for alias in ("content", "body", "article"):
        if body is None and alias in meta:
            body = meta.pop(alias)
    body = "" if body is None else body
    if "headline" in meta and "title" not in meta:
        meta["title"] = meta.pop("headline")
    for alias in ("published_at", "date", "publish_date", "published_date"):
        if alias in meta and "published" not in meta:
            meta["published"] = meta.pop(alias)
    if not meta.get("id") and isinstance(meta.get("url"), str) and meta["url"].strip():
        # a story's address is its identity: the same URL re-ingested is the same document
        meta["id"] = "url-" + hashlib.sha256(meta["url"].strip().encode("utf-8")).hexdigest()[:16]
    if "source" in meta and "publisher" not in meta:
        meta["publisher"] = meta.pop("source")
    if not isinstance(body, str):
        return LoadProblem(where, "'text' must be a string; skipped")
    return _make_document(meta, body, where, default_kind)


def _as_str(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _as_list(value: object, name: str = "list") -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        if len(value) > MAX_LIST_ITEMS:
            raise ValueError(f"{name} has {len(value)} items (at most {MAX_LIST_ITEMS})")
        out = []
        cap = MAX_ITEM_CHARS.get(name, 600)
        for i, item in enumerate(value):
            if isinstance(item, dict):  # {"text": ...} or {"question": ...}
                item = item.get("text") or item.get("question") or ""
            if isinstance(item, (list, dict)):
                raise ValueError(f"{name}[{i}] must be text, not a {type(item).__name__}")
            text = _as_str(item).strip()
            if len(text) > cap:
                raise ValueError(f"{name}[{i}] is {len(text)} characters (at most {cap})")
            if text:
                out.append(text)
        return out
    raise ValueError(f"{name}: expected a list, got {type(value).__name__}")


def _oversize(meta: dict[str, object], body: str) -> str | None:
    """Why this document is too big to take, or None."""
    if len(body) > MAX_TEXT_CHARS:
        return f"text is {len(body)} characters (at most {MAX_TEXT_CHARS})"
    for name, cap in MAX_FIELD_CHARS.items():
        value = meta.get(name)
        if isinstance(value, (list, dict)):
            return f"{name} must be text, not a {type(value).__name__}"
        if value is not None and len(_as_str(value)) > cap:
            return f"{name} is {len(_as_str(value))} characters (at most {cap})"
    return None


def _make_document(meta: dict[str, object], body: str, where: str,
                   default_kind: str = "source") -> Document | LoadProblem:
    if (reason := _oversize(meta, body)) is not None:
        return LoadProblem(where, f"{reason}; skipped")
    doc_id = _as_str(meta.get("id")).strip()
    if not doc_id:
        return LoadProblem(where, "missing 'id'; skipped")
    if not _ID_OK.match(doc_id):
        return LoadProblem(where, f"id {doc_id!r} must be letters, digits, '.', '_', ':' or '-'; skipped")
    if not body.strip():
        return LoadProblem(where, "no text; skipped")
    kind = _as_str(meta.get("kind") or default_kind).lower()
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
            sources=_as_list(meta.get("sources"), "sources"),
            questions=_as_list(meta.get("questions"), "questions"),
            takeaways=_as_list(meta.get("takeaways"), "takeaways"),
            article_id=_as_str(meta.get("article_id")),
            path=where,
            kind_defaulted=not meta.get("kind"),
        )
    except (ValidationError, ValueError) as exc:
        return LoadProblem(where, f"bad front matter ({exc}); skipped")
