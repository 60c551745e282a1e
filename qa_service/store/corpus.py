"""The corpus in SQLite: documents (full text and metadata) and chunks (offsets
and text). Chroma holds only vectors; text lives here, where it is cheap to keep
and exact to quote."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from qa_service.models import Chunk, Document, UnknownArticle
from qa_service.store.db import connect, immediate, migrate

# Versioned schema: append a step, never edit one that has shipped.
MIGRATIONS = ["""
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    publisher TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    published TEXT NOT NULL DEFAULT '',
    label TEXT NOT NULL DEFAULT '',
    article_id TEXT NOT NULL DEFAULT '',
    meta_json TEXT NOT NULL DEFAULT '{}',
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    path TEXT NOT NULL DEFAULT '',
    ingested_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_article ON documents(article_id);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    heading TEXT NOT NULL DEFAULT '',
    tokens INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS corpus_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""]


class CorpusStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = connect(path)
        self._lock = threading.RLock()
        migrate(self._conn, "corpus", MIGRATIONS)

    def close(self) -> None:
        self._conn.close()

    # ---- reading
    def version(self) -> int:
        row = self._conn.execute("SELECT value FROM corpus_meta WHERE key='version'").fetchone()
        return int(row["value"]) if row else 0

    def hashes(self) -> dict[str, str]:
        return {r["id"]: r["content_hash"] for r in self._conn.execute("SELECT id, content_hash FROM documents")}

    def get_document(self, doc_id: str) -> Document | None:
        row = self._conn.execute("SELECT * FROM documents WHERE id=?", (doc_id,)).fetchone()
        return _row_to_document(row) if row else None

    def article(self, article_id: str) -> Document:
        """The article with this id; UnknownArticle if there is none (a source's
        id is not an article's)."""
        doc = self.get_document(article_id)
        if doc is None or doc.kind != "article":
            raise UnknownArticle(article_id)
        return doc

    def documents(self, kind: str | None = None) -> list[Document]:
        if kind:
            rows = self._conn.execute("SELECT * FROM documents WHERE kind=? ORDER BY published DESC, id", (kind,))
        else:
            rows = self._conn.execute("SELECT * FROM documents ORDER BY id")
        return [_row_to_document(r) for r in rows]

    def document_ids(self) -> list[str]:
        return [r["id"] for r in self._conn.execute("SELECT id FROM documents ORDER BY id")]

    def chunk_ids(self, doc_id: str) -> list[str]:
        return [r["id"] for r in self._conn.execute("SELECT id FROM chunks WHERE doc_id=? ORDER BY ordinal", (doc_id,))]

    def all_chunk_ids(self) -> set[str]:
        return {r["id"] for r in self._conn.execute("SELECT id FROM chunks")}

    def chunks(self, ids: Iterable[str] | None = None) -> list[Chunk]:
        if ids is None:
            rows = self._conn.execute("SELECT * FROM chunks ORDER BY doc_id, ordinal").fetchall()
        else:
            wanted = list(ids)
            rows = []
            for b in range(0, len(wanted), 500):
                part = wanted[b : b + 500]
                marks = ",".join("?" * len(part))
                rows.extend(self._conn.execute(f"SELECT * FROM chunks WHERE id IN ({marks})", part).fetchall())
        return [
            Chunk(id=r["id"], doc_id=r["doc_id"], ordinal=r["ordinal"], start=r["start"], end=r["end"],
                  heading=r["heading"], tokens=r["tokens"], text=r["text"])
            for r in rows
        ]

    def scope(self, article_id: str) -> list[str]:
        """The article, its listed sources, and records that name it as their article."""
        article = self.get_document(article_id)
        if article is None:
            return []
        ids = [article_id, *article.sources]
        ids += [r["id"] for r in self._conn.execute("SELECT id FROM documents WHERE article_id=?", (article_id,))]
        ids = list(dict.fromkeys(ids))
        existing = {r["id"] for r in self._conn.execute(
            f"SELECT id FROM documents WHERE id IN ({','.join('?' * len(ids))})", ids)}
        return [i for i in ids if i in existing]

    # ---- writing (one transaction per document, so a crash never leaves half a document)
    def put_document(self, doc: Document, chunks: list[Chunk]) -> None:
        meta = {"sources": doc.sources, "questions": doc.questions, "takeaways": doc.takeaways,
                "flagged": [f.model_dump() for f in doc.flagged], "boilerplate": doc.boilerplate}
        with immediate(self._conn, self._lock):
            self._conn.execute("DELETE FROM chunks WHERE doc_id=?", (doc.id,))
            self._conn.execute(
                "INSERT OR REPLACE INTO documents (id,title,kind,publisher,url,published,label,article_id,"
                "meta_json,text,content_hash,path,ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (doc.id, doc.title, doc.kind, doc.publisher, doc.url, doc.published, doc.label, doc.article_id,
                 json.dumps(meta), doc.text, doc.content_hash(), doc.path, time.time()),
            )
            self._conn.executemany(
                'INSERT INTO chunks (id,doc_id,ordinal,start,"end",heading,tokens,text) VALUES (?,?,?,?,?,?,?,?)',
                [(c.id, c.doc_id, c.ordinal, c.start, c.end, c.heading, c.tokens, c.text) for c in chunks],
            )
            self._bump()

    def delete_document(self, doc_id: str) -> None:
        with immediate(self._conn, self._lock):
            self._conn.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
            self._conn.execute("DELETE FROM documents WHERE id=?", (doc_id,))
            self._bump()

    def _bump(self) -> None:
        self._conn.execute(
            "INSERT INTO corpus_meta(key,value) VALUES('version','1') "
            "ON CONFLICT(key) DO UPDATE SET value=CAST(value AS INTEGER)+1"
        )


def _row_to_document(row: sqlite3.Row) -> Document:
    meta = json.loads(row["meta_json"] or "{}")
    return Document(
        id=row["id"], title=row["title"], text=row["text"], kind=row["kind"], publisher=row["publisher"],
        url=row["url"], published=row["published"], label=row["label"], article_id=row["article_id"],
        sources=meta.get("sources", []), questions=meta.get("questions", []), takeaways=meta.get("takeaways", []),
        path=row["path"], flagged=meta.get("flagged", []), boilerplate=meta.get("boilerplate", []),
    )
