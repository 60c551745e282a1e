"""Which generated (suggested) questions still wait for an editor's look, in
SQLite beside the questions: a generated question is *pending* from the
moment it is stored until an editor shows, hides, pins, publishes or edits
it, and is *reviewed* after. The review queue lists the pending ones
(editor.review). Kept in its own table so the questions table is untouched."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from qa_service.store.db import connect, immediate, migrate

# Versioned schema: append a step, never edit one that has shipped.
MIGRATIONS = ["""
CREATE TABLE IF NOT EXISTS question_reviews (
    question_id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    state TEXT NOT NULL,                      -- pending | reviewed
    kind TEXT NOT NULL DEFAULT '',            -- what the question asks (what_is, next, why, how_much, ...)
    source TEXT NOT NULL DEFAULT '',          -- who wrote it: offline, openai:<model>
    shown INTEGER NOT NULL DEFAULT 0,         -- shown to readers when stored (the article had no other question)
    created_at REAL NOT NULL,
    reviewed_at REAL,
    reviewer TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS question_reviews_article ON question_reviews(article_id, state);
"""]


@dataclass
class QuestionReview:
    question_id: str
    article_id: str
    state: str
    kind: str
    source: str
    shown: bool
    created_at: float
    reviewed_at: float | None
    reviewer: str


class SuggestionReviews:
    def __init__(self, path: Path) -> None:
        self._conn = connect(path)
        self._lock = threading.RLock()
        migrate(self._conn, "question_reviews", MIGRATIONS)

    def close(self) -> None:
        self._conn.close()

    def add_pending(self, question_id: str, article_id: str, *, kind: str = "", source: str = "",
                    shown: bool = False) -> None:
        """A generated question was stored: it waits for an editor (again,
        if it was reviewed before and came back)."""
        with immediate(self._conn, self._lock):
            self._conn.execute(
                "INSERT INTO question_reviews (question_id, article_id, state, kind, source, shown, created_at) "
                "VALUES (?,?,?,?,?,?,?) ON CONFLICT(question_id) DO UPDATE SET state='pending', kind=excluded.kind, "
                "source=excluded.source, shown=excluded.shown, reviewed_at=NULL, reviewer=''",
                (question_id, article_id, "pending", kind, source, int(shown), time.time()))

    def mark_reviewed(self, question_id: str, reviewer: str) -> bool:
        """An editor acted on the question; True if it was pending."""
        with immediate(self._conn, self._lock):
            cur = self._conn.execute(
                "UPDATE question_reviews SET state='reviewed', reviewed_at=?, reviewer=? "
                "WHERE question_id=? AND state='pending'", (time.time(), reviewer, question_id))
            return cur.rowcount > 0

    def get(self, question_id: str) -> QuestionReview | None:
        row = self._conn.execute("SELECT * FROM question_reviews WHERE question_id=?", (question_id,)).fetchone()
        return _review(row) if row else None

    def pending(self, article_id: str | None = None) -> dict[str, QuestionReview]:
        """Pending reviews by question id (of one article, or all)."""
        sql = "SELECT * FROM question_reviews WHERE state='pending'"
        params: tuple[str, ...] = ()
        if article_id is not None:
            sql += " AND article_id=?"
            params = (article_id,)
        return {r["question_id"]: _review(r) for r in self._conn.execute(sql, params)}


def _review(row) -> QuestionReview:  # noqa: ANN001 - a sqlite3.Row
    return QuestionReview(question_id=row["question_id"], article_id=row["article_id"], state=row["state"],
                          kind=row["kind"], source=row["source"], shown=bool(row["shown"]),
                          created_at=row["created_at"], reviewed_at=row["reviewed_at"], reviewer=row["reviewer"])
