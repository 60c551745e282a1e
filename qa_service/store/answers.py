"""App data in the database: each article's suggested questions, every version of every
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
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from qa_service.models import Answer
from qa_service.store.db import Database, Step

VersionStatus = Literal["draft", "published", "archived"]

# Versioned schema: append a step, never edit one that has shipped.
MIGRATIONS = [Step(sqlite="""
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
-- Every set of takeaways ever generated (editors publish one; the published one
-- is also copied into ``takeaways``, which is what the reader page reads).
CREATE TABLE IF NOT EXISTS takeaway_versions (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    status TEXT NOT NULL,                     -- draft | published | archived
    created_at REAL NOT NULL,
    author TEXT NOT NULL,
    generator TEXT NOT NULL,
    corpus_version INTEGER NOT NULL DEFAULT 0,
    grounding_score REAL,
    takeaways_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS takeaway_versions_article ON takeaway_versions(article_id, status);
""", postgres="""
CREATE TABLE IF NOT EXISTS questions (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    text TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    origin TEXT NOT NULL DEFAULT 'curated',
    pinned INTEGER NOT NULL DEFAULT 0,
    hidden INTEGER NOT NULL DEFAULT 0,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_article ON questions(article_id, hidden, position);
CREATE TABLE IF NOT EXISTS answer_versions (
    id TEXT PRIMARY KEY,
    question_id TEXT NOT NULL REFERENCES questions(id),
    status TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    author TEXT NOT NULL,
    generator TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    prompt_version TEXT NOT NULL DEFAULT '',
    corpus_version INTEGER NOT NULL DEFAULT 0,
    grounding_score DOUBLE PRECISION,
    answer_json TEXT NOT NULL,
    source_doc_ids TEXT NOT NULL DEFAULT '[]',
    stale INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS versions_question ON answer_versions(question_id, status);
CREATE TABLE IF NOT EXISTS typed_answers (
    key TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    question TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS takeaways (
    article_id TEXT PRIMARY KEY,
    takeaways_json TEXT NOT NULL,
    corpus_version INTEGER NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS takeaway_versions (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    author TEXT NOT NULL,
    generator TEXT NOT NULL,
    corpus_version INTEGER NOT NULL DEFAULT 0,
    grounding_score DOUBLE PRECISION,
    takeaways_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS takeaway_versions_article ON takeaway_versions(article_id, status);
""")]


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


@dataclass
class TakeawaysVersion:
    id: str
    article_id: str
    status: VersionStatus
    created_at: float
    author: str
    generator: str
    corpus_version: int
    grounding_score: float | None
    takeaways: list[dict[str, object]]


def takeaways_grounding(takeaways: list[dict[str, object]]) -> float | None:
    """Mean citation score over all takeaways; an uncited takeaway counts 0."""
    if not takeaways:
        return None
    scores = []
    for t in takeaways:
        cites = t.get("citations") or []
        scores.append(max((float(c.get("score", 0.0)) for c in cites), default=0.0))  # type: ignore[union-attr]
    return round(sum(scores) / len(scores), 4)


def question_id(article_id: str, text: str) -> str:
    """Stable id from the article and the normalised question text."""
    norm = " ".join(text.lower().split())
    return "q-" + hashlib.sha256(f"{article_id}\x00{norm}".encode()).hexdigest()[:12]


def typed_key(article_id: str | None, question: str, corpus_version: int) -> str:
    norm = " ".join(question.lower().split()).rstrip("?!. ")
    return hashlib.sha256(f"{article_id or ''}\x00{norm}\x00{corpus_version}".encode()).hexdigest()


def answer_provenance(answer: Answer, embedder_name: str = "") -> dict[str, str]:
    """What produced an answer, always filled: the LLM's model and prompt, or for
    the extractive generator the embedding model that ranked its sentences and
    'none' for the prompt it does not have."""
    gen = answer.generator or "none"
    if ":" in gen:
        model = gen.split(":", 1)[1]
    elif gen == "extractive":
        model = embedder_name or "extractive"
    else:
        model = "none"
    return {"model": model, "prompt_version": answer.prompt_version or "none"}


def grounding_score(answer: Answer) -> float | None:
    """Mean support score of the answer's citations; None when nothing is cited."""
    if not answer.citations:
        return None
    return round(sum(c.score for c in answer.citations) / len(answer.citations), 4)


class AnswerStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("answers", MIGRATIONS)

    # ------------------------------------------------------------- questions
    def ensure_question(self, article_id: str, text: str, origin: str = "curated", position: int | None = None) -> StoredQuestion:
        qid = question_id(article_id, text)
        with self.db.write(lock=f"article:{article_id}") as conn:
            row = conn.execute("SELECT * FROM questions WHERE id=?", (qid,)).fetchone()
            if row is None:
                if position is None:
                    row = conn.execute(
                        "SELECT COALESCE(MAX(position), -1) + 1 AS p FROM questions WHERE article_id=?", (article_id,)
                    ).fetchone()
                    position = int(row["p"])
                conn.execute(
                    "INSERT INTO questions (id, article_id, text, position, origin, created_at) VALUES (?,?,?,?,?,?)",
                    (qid, article_id, text.strip(), position, origin, time.time()),
                )
        q = self.get_question(qid)
        assert q is not None
        return q

    def get_question(self, qid: str) -> StoredQuestion | None:
        row = self.db.one("SELECT * FROM questions WHERE id=?", (qid,))
        return _question(row) if row else None

    def questions(self, article_id: str, include_hidden: bool = False) -> list[StoredQuestion]:
        sql = "SELECT * FROM questions WHERE article_id=?" + ("" if include_hidden else " AND hidden=0")
        rows = self.db.query(sql + " ORDER BY pinned DESC, position, created_at", (article_id,))
        return [_question(r) for r in rows]

    def update_question(self, qid: str, *, position: int | None = None, pinned: bool | None = None,
                        hidden: bool | None = None) -> None:
        with self.db.write() as conn:
            if position is not None:
                conn.execute("UPDATE questions SET position=? WHERE id=?", (position, qid))
            if pinned is not None:
                conn.execute("UPDATE questions SET pinned=? WHERE id=?", (int(pinned), qid))
            if hidden is not None:
                conn.execute("UPDATE questions SET hidden=? WHERE id=?", (int(hidden), qid))

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
        generator: str | None = None,
        model: str | None = None,
        prompt_version: str | None = None,
    ) -> AnswerVersion:
        """Insert a new version. ``publish=None``: publish only if the question has
        no published version yet (so readers always have an answer).
        ``generator``/``model``/``prompt_version`` override what is read off the answer."""
        vid = uuid.uuid4().hex[:16]
        generator = generator or answer.generator
        if model is None:
            model = answer.generator.split(":", 1)[1] if ":" in answer.generator else ""
        if prompt_version is None:
            prompt_version = answer.prompt_version
        # Recorded explicitly: an answer made without an LLM has no model or prompt.
        model = model or "none"
        prompt_version = prompt_version or "none"
        docs = sorted({c.doc_id for c in answer.citations} | {r.doc_id for r in answer.retrieved})
        with self.db.write(lock=f"question:{qid}") as conn:
            has_published = conn.execute(
                "SELECT 1 FROM answer_versions WHERE question_id=? AND status='published'", (qid,)
            ).fetchone()
            do_publish = (not has_published) if publish is None else publish
            if do_publish:
                conn.execute(
                    "UPDATE answer_versions SET status='archived' WHERE question_id=? AND status='published'",
                    (qid,),
                )
            conn.execute(
                "INSERT INTO answer_versions (id, question_id, status, created_at, author, generator, model, "
                "prompt_version, corpus_version, grounding_score, answer_json, source_doc_ids, note) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (vid, qid, "published" if do_publish else "draft", time.time(), author, generator, model,
                 prompt_version, corpus_version, grounding_score(answer), answer.model_dump_json(),
                 json.dumps(docs), note),
            )
        version = self.get_version(vid)
        assert version is not None
        return version

    def publish(self, vid: str) -> AnswerVersion:
        """Publish ``vid``; the previously published version becomes archived."""
        row = self.db.one("SELECT question_id FROM answer_versions WHERE id=?", (vid,))
        if row is None:
            raise KeyError(vid)
        with self.db.write(lock=f"question:{row['question_id']}") as conn:
            conn.execute(
                "UPDATE answer_versions SET status='archived' WHERE question_id=? AND status='published' AND id<>?",
                (row["question_id"], vid),
            )
            conn.execute("UPDATE answer_versions SET status='published' WHERE id=?", (vid,))
        version = self.get_version(vid)
        assert version is not None
        return version

    def discard(self, vid: str) -> AnswerVersion:
        """A discarded draft is archived, not deleted."""
        self.db.execute("UPDATE answer_versions SET status='archived' WHERE id=? AND status='draft'", (vid,))
        version = self.get_version(vid)
        if version is None:
            raise KeyError(vid)
        return version

    def get_version(self, vid: str) -> AnswerVersion | None:
        row = self.db.one("SELECT * FROM answer_versions WHERE id=?", (vid,))
        return _version(row) if row else None

    def versions(self, qid: str) -> list[AnswerVersion]:
        rows = self.db.query(
            "SELECT * FROM answer_versions WHERE question_id=? ORDER BY created_at DESC, id DESC", (qid,)
        )
        return [_version(r) for r in rows]

    def published(self, qid: str) -> AnswerVersion | None:
        row = self.db.one("SELECT * FROM answer_versions WHERE question_id=? AND status='published'", (qid,))
        return _version(row) if row else None

    def mark_stale(self, doc_ids: set[str]) -> list[AnswerVersion]:
        """Flag published and draft versions that cite or retrieved a changed document."""
        flagged = []
        with self.db.write() as conn:
            rows = conn.execute(
                "SELECT id, source_doc_ids FROM answer_versions WHERE status IN ('published','draft') AND stale=0"
            ).fetchall()
            for row in rows:
                if set(json.loads(row["source_doc_ids"])) & doc_ids:
                    conn.execute("UPDATE answer_versions SET stale=1 WHERE id=?", (row["id"],))
                    flagged.append(row["id"])
        return [v for v in (self.get_version(vid) for vid in flagged) if v]

    # ------------------------------------------------------- typed questions
    def get_typed(self, key: str) -> Answer | None:
        row = self.db.one("SELECT answer_json FROM typed_answers WHERE key=?", (key,))
        return Answer.model_validate_json(row["answer_json"]) if row else None

    def put_typed(self, key: str, article_id: str | None, answer: Answer) -> None:
        self.db.execute(
            "INSERT INTO typed_answers (key, article_id, question, answer_json, created_at) VALUES (?,?,?,?,?) "
            "ON CONFLICT (key) DO UPDATE SET article_id=excluded.article_id, question=excluded.question, "
            "answer_json=excluded.answer_json, created_at=excluded.created_at",
            (key, article_id or "", answer.question, answer.model_dump_json(), time.time()),
        )

    # ------------------------------------------------------ the reader's page
    def page_state(self, article_id: str) -> str:
        """A short fingerprint of everything the reader's page of this article
        shows from storage: the corpus version (the article and its sources), its
        visible questions in order with their published versions, and its
        published takeaways. Equal fingerprints mean equal pages, in every
        process; it is a few indexed reads, cheap enough to check often."""
        with self.db.read() as conn:
            version = conn.execute("SELECT value FROM corpus_meta WHERE key='version'").fetchone()
            questions = conn.execute(
                "SELECT q.id, q.text, q.position, q.pinned, q.hidden, v.id AS vid FROM questions q "
                "LEFT JOIN answer_versions v ON v.question_id = q.id AND v.status='published' "
                "WHERE q.article_id=? ORDER BY q.id", (article_id,)).fetchall()
            takeaways = conn.execute("SELECT created_at, corpus_version FROM takeaways WHERE article_id=?",
                                     (article_id,)).fetchone()
        parts = [article_id, version[0] if version else "0",
                 repr(tuple(takeaways) if takeaways else None),
                 *(repr(tuple(r)) for r in questions)]
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:20]

    # -------------------------------------------------------------- takeaways
    def put_takeaways(self, article_id: str, takeaways: list[dict[str, object]], corpus_version: int) -> None:
        """Publish these takeaways (the previous set is kept as an archived version)."""
        named = {str(t["generator"]) for t in takeaways if t.get("generator")}
        if len(named) == 1:
            generator = named.pop()
        else:
            generator = "curated" if takeaways and all(t.get("curated") for t in takeaways) else "extractive"
        self.add_takeaways_version(article_id, takeaways, author="system", generator=generator,
                                   corpus_version=corpus_version, publish=True)

    def _backfill_takeaways(self, conn: Any, article_id: str) -> None:
        """Takeaways stored before versions existed become the first (published) version."""
        if conn.execute("SELECT 1 FROM takeaway_versions WHERE article_id=?", (article_id,)).fetchone():
            return
        row = conn.execute("SELECT * FROM takeaways WHERE article_id=?", (article_id,)).fetchone()
        if row is None:
            return
        items = json.loads(row["takeaways_json"])
        conn.execute(
            "INSERT INTO takeaway_versions (id, article_id, status, created_at, author, generator, corpus_version, "
            "grounding_score, takeaways_json) VALUES (?,?,?,?,?,?,?,?,?)",
            (uuid.uuid4().hex[:16], article_id, "published", row["created_at"], "system", "unknown",
             row["corpus_version"], takeaways_grounding(items), row["takeaways_json"]),
        )

    @staticmethod
    def _show_takeaways(conn: Any, article_id: str, payload: str, corpus_version: int) -> None:
        """The published set, copied where the reader's page reads it."""
        conn.execute(
            "INSERT INTO takeaways (article_id, takeaways_json, corpus_version, created_at) VALUES (?,?,?,?) "
            "ON CONFLICT (article_id) DO UPDATE SET takeaways_json=excluded.takeaways_json, "
            "corpus_version=excluded.corpus_version, created_at=excluded.created_at",
            (article_id, payload, corpus_version, time.time()),
        )

    def add_takeaways_version(self, article_id: str, takeaways: list[dict[str, object]], *, author: str,
                              generator: str, corpus_version: int, publish: bool | None = None) -> TakeawaysVersion:
        """Insert a takeaways version; ``publish=None`` publishes only when none is published."""
        vid = uuid.uuid4().hex[:16]
        payload = json.dumps(takeaways)
        with self.db.write(lock=f"takeaways:{article_id}") as conn:
            self._backfill_takeaways(conn, article_id)
            has_published = conn.execute(
                "SELECT 1 FROM takeaway_versions WHERE article_id=? AND status='published'", (article_id,)
            ).fetchone()
            do_publish = (not has_published) if publish is None else publish
            if do_publish:
                conn.execute("UPDATE takeaway_versions SET status='archived' "
                             "WHERE article_id=? AND status='published'", (article_id,))
            conn.execute(
                "INSERT INTO takeaway_versions (id, article_id, status, created_at, author, generator, "
                "corpus_version, grounding_score, takeaways_json) VALUES (?,?,?,?,?,?,?,?,?)",
                (vid, article_id, "published" if do_publish else "draft", time.time(), author, generator,
                 corpus_version, takeaways_grounding(takeaways), payload),
            )
            if do_publish:
                self._show_takeaways(conn, article_id, payload, corpus_version)
        version = self.get_takeaways_version(vid)
        assert version is not None
        return version

    def get_takeaways_version(self, vid: str) -> TakeawaysVersion | None:
        row = self.db.one("SELECT * FROM takeaway_versions WHERE id=?", (vid,))
        return _takeaways_version(row) if row else None

    def takeaways_versions(self, article_id: str) -> list[TakeawaysVersion]:
        if self.db.one("SELECT 1 FROM takeaway_versions WHERE article_id=?", (article_id,)) is None:
            with self.db.write(lock=f"takeaways:{article_id}") as conn:
                self._backfill_takeaways(conn, article_id)
        rows = self.db.query(
            "SELECT * FROM takeaway_versions WHERE article_id=? ORDER BY created_at DESC, id DESC", (article_id,)
        )
        return [_takeaways_version(r) for r in rows]

    def publish_takeaways(self, vid: str) -> TakeawaysVersion:
        """Publish a takeaways version; the previously published one becomes archived."""
        found = self.db.one("SELECT article_id FROM takeaway_versions WHERE id=?", (vid,))
        if found is None:
            raise KeyError(vid)
        with self.db.write(lock=f"takeaways:{found['article_id']}") as conn:
            row = conn.execute("SELECT * FROM takeaway_versions WHERE id=?", (vid,)).fetchone()
            conn.execute("UPDATE takeaway_versions SET status='archived' "
                         "WHERE article_id=? AND status='published' AND id<>?", (row["article_id"], vid))
            conn.execute("UPDATE takeaway_versions SET status='published' WHERE id=?", (vid,))
            self._show_takeaways(conn, row["article_id"], row["takeaways_json"], row["corpus_version"])
        version = self.get_takeaways_version(vid)
        assert version is not None
        return version

    def discard_takeaways(self, vid: str) -> TakeawaysVersion:
        self.db.execute("UPDATE takeaway_versions SET status='archived' WHERE id=? AND status='draft'", (vid,))
        version = self.get_takeaways_version(vid)
        if version is None:
            raise KeyError(vid)
        return version

    # ------------------------------------------------- editor question ops
    def reorder_questions(self, article_id: str, ordered_ids: list[str]) -> None:
        """Positions follow ``ordered_ids``; questions not named keep their order after them."""
        with self.db.write(lock=f"article:{article_id}") as conn:
            named = set(ordered_ids)
            rest = [r["id"] for r in conn.execute(
                "SELECT id FROM questions WHERE article_id=? ORDER BY position, created_at", (article_id,)).fetchall()
                if r["id"] not in named]
            for position, qid in enumerate([*ordered_ids, *rest]):
                conn.execute("UPDATE questions SET position=? WHERE id=? AND article_id=?",
                             (position, qid, article_id))

    def list_versions(self, *, status: str | None = None, stale: bool | None = None,
                      article_id: str | None = None) -> list[AnswerVersion]:
        """Versions across questions, newest first (for review queues)."""
        sql = "SELECT v.* FROM answer_versions v JOIN questions q ON q.id = v.question_id WHERE 1=1"
        params: list[object] = []
        if status is not None:
            sql += " AND v.status=?"
            params.append(status)
        if stale is not None:
            sql += " AND v.stale=?"
            params.append(int(stale))
        if article_id is not None:
            sql += " AND q.article_id=?"
            params.append(article_id)
        rows = self.db.query(sql + " ORDER BY v.created_at DESC, v.id DESC", params)
        return [_version(r) for r in rows]

    def article_ids(self) -> list[str]:
        return [r["article_id"] for r in self.db.query("SELECT DISTINCT article_id FROM questions ORDER BY 1")]

    def get_takeaways(self, article_id: str) -> list[dict[str, object]] | None:
        row = self.db.one("SELECT takeaways_json FROM takeaways WHERE article_id=?", (article_id,))
        return json.loads(row["takeaways_json"]) if row else None


def _question(row: Any) -> StoredQuestion:
    return StoredQuestion(id=row["id"], article_id=row["article_id"], text=row["text"], position=row["position"],
                          origin=row["origin"], pinned=bool(row["pinned"]), hidden=bool(row["hidden"]))


def _takeaways_version(row: Any) -> TakeawaysVersion:
    return TakeawaysVersion(
        id=row["id"], article_id=row["article_id"], status=row["status"], created_at=row["created_at"],
        author=row["author"], generator=row["generator"], corpus_version=row["corpus_version"],
        grounding_score=row["grounding_score"], takeaways=json.loads(row["takeaways_json"]),
    )


def _version(row: Any) -> AnswerVersion:
    return AnswerVersion(
        id=row["id"], question_id=row["question_id"], status=row["status"], created_at=row["created_at"],
        author=row["author"], generator=row["generator"], model=row["model"], prompt_version=row["prompt_version"],
        corpus_version=row["corpus_version"], grounding_score=row["grounding_score"],
        answer=Answer.model_validate_json(row["answer_json"]), source_doc_ids=json.loads(row["source_doc_ids"]),
        stale=bool(row["stale"]), note=row["note"],
    )
