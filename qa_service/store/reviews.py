"""Which generated (suggested) questions still wait for an editor's look, in
the database beside the questions: a generated question is *pending* from the
moment it is stored until an editor shows, hides, pins, publishes or edits
it, and is *reviewed* after. The review queue lists the pending ones
(editor.review). Kept in its own table so the questions table is untouched."""

from __future__ import annotations

import time
from dataclasses import dataclass

from qa_service.store.db import Database, Step

# Versioned schema: append a step, never edit one that has shipped.
_TABLE = """
CREATE TABLE IF NOT EXISTS question_reviews (
    question_id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    state TEXT NOT NULL,                      -- pending | reviewed
    kind TEXT NOT NULL DEFAULT '',            -- what the question asks (what_is, next, why, how_much, ...)
    source TEXT NOT NULL DEFAULT '',          -- who wrote it: offline, openai:<model>
    shown INTEGER NOT NULL DEFAULT 0,         -- shown to readers when stored (the article had no other question)
    created_at {real} NOT NULL,
    reviewed_at {real},
    reviewer TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS question_reviews_article ON question_reviews(article_id, state);
"""
MIGRATIONS = [Step(sqlite=_TABLE.format(real="REAL"), postgres=_TABLE.format(real="DOUBLE PRECISION"))]


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
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("question_reviews", MIGRATIONS)

    def add_pending(self, question_id: str, article_id: str, *, kind: str = "", source: str = "",
                    shown: bool = False) -> None:
        """A generated question was stored: it waits for an editor (again,
        if it was reviewed before and came back)."""
        self.db.execute(
            "INSERT INTO question_reviews (question_id, article_id, state, kind, source, shown, created_at) "
            "VALUES (?,?,?,?,?,?,?) ON CONFLICT(question_id) DO UPDATE SET state='pending', kind=excluded.kind, "
            "source=excluded.source, shown=excluded.shown, reviewed_at=NULL, reviewer=''",
            (question_id, article_id, "pending", kind, source, int(shown), time.time()))

    def mark_reviewed(self, question_id: str, reviewer: str) -> bool:
        """An editor acted on the question; True if it was pending."""
        return self.db.execute(
            "UPDATE question_reviews SET state='reviewed', reviewed_at=?, reviewer=? "
            "WHERE question_id=? AND state='pending'", (time.time(), reviewer, question_id)) > 0

    def get(self, question_id: str) -> QuestionReview | None:
        row = self.db.one("SELECT * FROM question_reviews WHERE question_id=?", (question_id,))
        return _review(row) if row else None

    def pending(self, article_id: str | None = None) -> dict[str, QuestionReview]:
        """Pending reviews by question id (of one article, or all)."""
        sql = "SELECT * FROM question_reviews WHERE state='pending'"
        params: tuple[str, ...] = ()
        if article_id is not None:
            sql += " AND article_id=?"
            params = (article_id,)
        return {r["question_id"]: _review(r) for r in self.db.query(sql, params)}


def _review(row) -> QuestionReview:  # noqa: ANN001 - a store.db.Row
    return QuestionReview(question_id=row["question_id"], article_id=row["article_id"], state=row["state"],
                          kind=row["kind"], source=row["source"], shown=bool(row["shown"]),
                          created_at=row["created_at"], reviewed_at=row["reviewed_at"], reviewer=row["reviewer"])
