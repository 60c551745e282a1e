"""App data in SQLite: each article's suggested questions, every version of every
stored answer (nothing is ever deleted), the typed-question cache, and the
takeaways. Readers see only published versions; editors see all.

Versioning rules:
- the first version of a question's answer is published at once (a page must
  never wait on an LLM); later regenerations are drafts unless auto_publish;
- publishing a version archives the previously published one, in one
  transaction; rollback is publishing an older version;
- versions are only ever inserted or have their status changed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .corpus_store import connect
from .models import Answer

VersionStatus = Literal["draft", "published", "archived"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    text TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    origin TEXT NOT NULL DEFAULT 'curated',   -- curated | generated | editor
    pinned INTEGER NOT NULL DEFAULT 0,
    hidden INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_article ON questions(article_id, hidden, position);
CREATE TABLE IF NOT EXISTS answer_versions (
    id TEXT PRIMARY KEY,
    question_id TEXT NOT NULL REFERENCES questions(id),
    status TEXT NOT NULL,                     -- draft | published | archived
    created_at REAL NOT NULL,
    author TEXT NOT NULL,                     -- 'system' or an editor's name
    generator TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    prompt_version TEXT NOT NULL DEFAULT '',
    corpus_version INTEGER NOT NULL DEFAULT 0,
    grounding_score REAL,
    answer_json TEXT NOT NULL,
    source_doc_ids TEXT NOT NULL DEFAULT '[]',
    stale INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS versions_question ON answer_versions(question_id, status);
CREATE TABLE IF NOT EXISTS typed_answers (
    key TEXT PRIMARY KEY,                     -- article + normalised question + corpus version
    article_id TEXT NOT NULL,
    question TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS takeaways (
    article_id TEXT PRIMARY KEY,
    takeaways_json TEXT NOT NULL,
    corpus_version INTEGER NOT NULL,
    created_at REAL NOT NULL
);
"""


@dataclass
class StoredQuestion:
    id: str
    article_id: str
    text: str
    position: int
    origin: str
    pinned: bool
    hidden: bool


@dataclass
class AnswerVersion:
    id: str
    question_id: str
    status: VersionStatus
    created_at: float
    author: str
    generator: str
    model: str
    prompt_version: str
    corpus_version: int
    grounding_score: float | None
    answer: Answer
    source_doc_ids: list[str]
    stale: bool
    note: str


def question_id(article_id: str, text: str) -> str:
    """Stable id from the article and the normalised question text."""
    norm = " ".join(text.lower().split())
    return "q-" + hashlib.sha256(f"{article_id}\x00{norm}".encode()).hexdigest()[:12]


def typed_key(article_id: str | None, question: str, corpus_version: int) -> str:
    norm = " ".join(question.lower().split()).rstrip("?!. ")
    return hashlib.sha256(f"{article_id or ''}\x00{norm}\x00{corpus_version}".encode()).hexdigest()


def grounding_score(answer: Answer) -> float | None:
    """Mean support score of the answer's citations; None when nothing is cited."""
    if not answer.citations:
        return None
    return round(sum(c.score for c in answer.citations) / len(answer.citations), 4)


class AnswerStore:
    def __init__(self, path: Path) -> None:
        self._conn = connect(path)
        self._lock = threading.RLock()
        self._conn.executescript(SCHEMA)

    @property
    def conn(self) -> sqlite3.Connection:
        return self._conn

    def close(self) -> None:
        self._conn.close()

    # ------------------------------------------------------------- questions
    def ensure_question(self, article_id: str, text: str, origin: str = "curated", position: int | None = None) -> StoredQuestion:
        qid = question_id(article_id, text)
        with self._lock:
            row = self._conn.execute("SELECT * FROM questions WHERE id=?", (qid,)).fetchone()
            if row is None:
                if position is None:
                    row = self._conn.execute(
                        "SELECT COALESCE(MAX(position), -1) + 1 AS p FROM questions WHERE article_id=?", (article_id,)
                    ).fetchone()
                    position = int(row["p"])
                self._conn.execute(
                    "INSERT INTO questions (id, article_id, text, position, origin, created_at) VALUES (?,?,?,?,?,?)",
                    (qid, article_id, text.strip(), position, origin, time.time()),
                )
        q = self.get_question(qid)
        assert q is not None
        return q

    def get_question(self, qid: str) -> StoredQuestion | None:
        row = self._conn.execute("SELECT * FROM questions WHERE id=?", (qid,)).fetchone()
        return _question(row) if row else None

    def questions(self, article_id: str, include_hidden: bool = False) -> list[StoredQuestion]:
        sql = "SELECT * FROM questions WHERE article_id=?" + ("" if include_hidden else " AND hidden=0")
        rows = self._conn.execute(sql + " ORDER BY pinned DESC, position, created_at", (article_id,))
        return [_question(r) for r in rows]

    def update_question(self, qid: str, *, position: int | None = None, pinned: bool | None = None,
                        hidden: bool | None = None) -> None:
        with self._lock:
            if position is not None:
                self._conn.execute("UPDATE questions SET position=? WHERE id=?", (position, qid))
            if pinned is not None:
                self._conn.execute("UPDATE questions SET pinned=? WHERE id=?", (int(pinned), qid))
            if hidden is not None:
                self._conn.execute("UPDATE questions SET hidden=? WHERE id=?", (int(hidden), qid))

    # -------------------------------------------------------------- versions
    def add_version(
        self,
        qid: str,
        answer: Answer,
        *,
        author: str = "system",
        corpus_version: int = 0,
        publish: bool | None = None,
        note: str = "",
    ) -> AnswerVersion:
        """Insert a new version. ``publish=None``: publish only if the question has
        no published version yet (so readers always have an answer)."""
        vid = uuid.uuid4().hex[:16]
        generator = answer.generator
        model = generator.split(":", 1)[1] if ":" in generator else ""
        docs = sorted({c.doc_id for c in answer.citations} | {r.doc_id for r in answer.retrieved})
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                has_published = self._conn.execute(
                    "SELECT 1 FROM answer_versions WHERE question_id=? AND status='published'", (qid,)
                ).fetchone()
                do_publish = (not has_published) if publish is None else publish
                if do_publish:
                    self._conn.execute(
                        "UPDATE answer_versions SET status='archived' WHERE question_id=? AND status='published'",
                        (qid,),
                    )
                self._conn.execute(
                    "INSERT INTO answer_versions (id, question_id, status, created_at, author, generator, model, "
                    "prompt_version, corpus_version, grounding_score, answer_json, source_doc_ids, note) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (vid, qid, "published" if do_publish else "draft", time.time(), author, generator, model,
                     answer.prompt_version, corpus_version, grounding_score(answer), answer.model_dump_json(),
                     json.dumps(docs), note),
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        version = self.get_version(vid)
        assert version is not None
        return version

    def publish(self, vid: str) -> AnswerVersion:
        """Publish ``vid``; the previously published version becomes archived."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                row = self._conn.execute("SELECT question_id FROM answer_versions WHERE id=?", (vid,)).fetchone()
                if row is None:
                    raise KeyError(vid)
                self._conn.execute(
                    "UPDATE answer_versions SET status='archived' WHERE question_id=? AND status='published' AND id<>?",
                    (row["question_id"], vid),
                )
                self._conn.execute("UPDATE answer_versions SET status='published' WHERE id=?", (vid,))
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        version = self.get_version(vid)
        assert version is not None
        return version

    def discard(self, vid: str) -> AnswerVersion:
        """A discarded draft is archived, not deleted."""
        with self._lock:
            self._conn.execute("UPDATE answer_versions SET status='archived' WHERE id=? AND status='draft'", (vid,))
        version = self.get_version(vid)
        if version is None:
            raise KeyError(vid)
        return version

    def get_version(self, vid: str) -> AnswerVersion | None:
        row = self._conn.execute("SELECT * FROM answer_versions WHERE id=?", (vid,)).fetchone()
        return _version(row) if row else None

    def versions(self, qid: str) -> list[AnswerVersion]:
        rows = self._conn.execute(
            "SELECT * FROM answer_versions WHERE question_id=? ORDER BY created_at DESC, rowid DESC", (qid,)
        )
        return [_version(r) for r in rows]

    def published(self, qid: str) -> AnswerVersion | None:
        row = self._conn.execute(
            "SELECT * FROM answer_versions WHERE question_id=? AND status='published'", (qid,)
        ).fetchone()
        return _version(row) if row else None

    def mark_stale(self, doc_ids: set[str]) -> list[AnswerVersion]:
        """Flag published and draft versions that cite or retrieved a changed document."""
        flagged = []
        with self._lock:
            for row in self._conn.execute(
                "SELECT * FROM answer_versions WHERE status IN ('published','draft') AND stale=0"
            ).fetchall():
                if set(json.loads(row["source_doc_ids"])) & doc_ids:
                    self._conn.execute("UPDATE answer_versions SET stale=1 WHERE id=?", (row["id"],))
                    flagged.append(row["id"])
        return [v for v in (self.get_version(vid) for vid in flagged) if v]

    # ------------------------------------------------------- typed questions
    def get_typed(self, key: str) -> Answer | None:
        row = self._conn.execute("SELECT answer_json FROM typed_answers WHERE key=?", (key,)).fetchone()
        return Answer.model_validate_json(row["answer_json"]) if row else None

    def put_typed(self, key: str, article_id: str | None, answer: Answer) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO typed_answers (key, article_id, question, answer_json, created_at) "
                "VALUES (?,?,?,?,?)",
                (key, article_id or "", answer.question, answer.model_dump_json(), time.time()),
            )

    # -------------------------------------------------------------- takeaways
    def put_takeaways(self, article_id: str, takeaways: list[dict[str, object]], corpus_version: int) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO takeaways (article_id, takeaways_json, corpus_version, created_at) "
                "VALUES (?,?,?,?)",
                (article_id, json.dumps(takeaways), corpus_version, time.time()),
            )

    def get_takeaways(self, article_id: str) -> list[dict[str, object]] | None:
        row = self._conn.execute("SELECT takeaways_json FROM takeaways WHERE article_id=?", (article_id,)).fetchone()
        return json.loads(row["takeaways_json"]) if row else None


def _question(row: sqlite3.Row) -> StoredQuestion:
    return StoredQuestion(id=row["id"], article_id=row["article_id"], text=row["text"], position=row["position"],
                          origin=row["origin"], pinned=bool(row["pinned"]), hidden=bool(row["hidden"]))


def _version(row: sqlite3.Row) -> AnswerVersion:
    return AnswerVersion(
        id=row["id"], question_id=row["question_id"], status=row["status"], created_at=row["created_at"],
        author=row["author"], generator=row["generator"], model=row["model"], prompt_version=row["prompt_version"],
        corpus_version=row["corpus_version"], grounding_score=row["grounding_score"],
        answer=Answer.model_validate_json(row["answer_json"]), source_doc_ids=json.loads(row["source_doc_ids"]),
        stale=bool(row["stale"]), note=row["note"],
    )
