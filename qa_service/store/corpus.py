"""The corpus in the database: documents (full text and metadata), chunks
(offsets and text) and the lexical index over both (store.lexical), written
together in one transaction per document. Chroma holds only vectors; text
lives here, where it is cheap to keep and exact to quote."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from qa_service.models import Chunk, Document, FlaggedSentence, UnknownArticle
from qa_service.store import lexical
from qa_service.store.db import Database, Step, in_batches, marks

# Versioned schema: append a step, never edit one that has shipped.
MIGRATIONS = [
    Step(sqlite="""
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
""", postgres="""
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
    ingested_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_article ON documents(article_id);
CREATE INDEX IF NOT EXISTS documents_kind ON documents(kind, published);
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
"""),
    lexical.migration(),
]


class CorpusStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.lexical = lexical.LexicalIndex(db.dialect)
        db.migrate("corpus", MIGRATIONS)

    def close(self) -> None:
        self.db.close()

    # ---- reading
    def version(self) -> int:
        value = self.db.scalar("SELECT value FROM corpus_meta WHERE key='version'")
        return int(value) if value is not None else 0

    def hashes(self) -> dict[str, str]:
        return {r["id"]: r["content_hash"] for r in self.db.query("SELECT id, content_hash FROM documents")}

    def get_document(self, doc_id: str) -> Document | None:
        row = self.db.one("SELECT * FROM documents WHERE id=?", (doc_id,))
        return _row_to_document(row) if row else None

    def get_documents(self, ids: Iterable[str]) -> dict[str, Document]:
        wanted = list(dict.fromkeys(ids))
        out: dict[str, Document] = {}
        for part in in_batches(wanted):
            for row in self.db.query(f"SELECT * FROM documents WHERE id IN ({marks(len(part))})", part):  # noqa: S608
                out[row["id"]] = _row_to_document(row)
        return out

    def titles(self, ids: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(ids))
        out: dict[str, str] = {}
        for part in in_batches(wanted):
            out.update((r["id"], r["title"]) for r in self.db.query(
                f"SELECT id, title FROM documents WHERE id IN ({marks(len(part))})", part))  # noqa: S608
        return out

    def marked_spans(self, ids: Iterable[str]) -> dict[str, tuple[list[tuple[int, int]], list[tuple[int, int]]]]:
        """(flagged text spans, boilerplate spans) of these documents, by id:
        what retrieval carries on each chunk, read without the documents' text."""
        wanted = list(dict.fromkeys(ids))
        out: dict[str, tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
        for part in in_batches(wanted):
            for r in self.db.query(f"SELECT id, meta_json FROM documents WHERE id IN ({marks(len(part))})", part):  # noqa: S608
                meta = json.loads(r["meta_json"] or "{}")
                flagged = [(f["start"], f["end"]) for f in meta.get("flagged", []) if f.get("field", "text") == "text"]
                out[r["id"]] = (flagged, [(s, e) for s, e in meta.get("boilerplate", [])])
        return out

    def article(self, article_id: str) -> Document:
        """The article with this id; UnknownArticle if there is none (a source's
        id is not an article's)."""
        doc = self.get_document(article_id)
        if doc is None or doc.kind != "article":
            raise UnknownArticle(article_id)
        return doc

    def documents(self, kind: str | None = None) -> list[Document]:
        if kind:
            rows = self.db.query("SELECT * FROM documents WHERE kind=? ORDER BY published DESC, id", (kind,))
        else:
            rows = self.db.query("SELECT * FROM documents ORDER BY id")
        return [_row_to_document(r) for r in rows]

    def articles_drawing_on(self, doc_ids: Iterable[str]) -> list[str]:
        """The articles whose scope holds any of ``doc_ids`` (themselves, a listed
        source, or a record naming them as its article), in ``documents(kind=
        "article")`` order; two light queries, no document text read."""
        changed = set(doc_ids)
        if not changed:
            return []
        owners: set[str] = set()
        for batch in in_batches(sorted(changed)):
            sql = f"SELECT article_id FROM documents WHERE id IN ({marks(len(batch))})"  # noqa: S608
            owners |= {r["article_id"] for r in self.db.query(sql, batch) if r["article_id"]}
        out = []
        for r in self.db.query("SELECT id, meta_json FROM documents WHERE kind='article' ORDER BY published DESC, id"):
            if r["id"] in changed or r["id"] in owners or \
                    changed & set(json.loads(r["meta_json"] or "{}").get("sources", [])):
                out.append(r["id"])
        return out

    def document_ids(self) -> list[str]:
        return [r["id"] for r in self.db.query("SELECT id FROM documents ORDER BY id")]

    def counts(self) -> dict[str, int]:
        """How many documents, and how many of them are articles."""
        row = self.db.one("SELECT COUNT(*), SUM(CASE WHEN kind='article' THEN 1 ELSE 0 END) FROM documents")
        return {"documents": int(row[0] or 0), "articles": int(row[1] or 0)}

    def chunk_ids(self, doc_id: str) -> list[str]:
        return [r["id"] for r in self.db.query("SELECT id FROM chunks WHERE doc_id=? ORDER BY ordinal", (doc_id,))]

    def all_chunk_ids(self) -> set[str]:
        return {r["id"] for r in self.db.query("SELECT id FROM chunks")}

    def chunks(self, ids: Iterable[str] | None = None) -> list[Chunk]:
        if ids is None:
            rows = self.db.query("SELECT * FROM chunks ORDER BY doc_id, ordinal")
        else:
            rows = []
            for part in in_batches(list(ids)):
                rows.extend(self.db.query(f"SELECT * FROM chunks WHERE id IN ({marks(len(part))})", part))  # noqa: S608
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
        ids += [r["id"] for r in self.db.query("SELECT id FROM documents WHERE article_id=?", (article_id,))]
        ids = list(dict.fromkeys(ids))
        existing = {r["id"] for r in self.db.query(f"SELECT id FROM documents WHERE id IN ({marks(len(ids))})", ids)}  # noqa: S608
        return [i for i in ids if i in existing]

    # ---- the lexical index
    def search_chunks(self, query: str, n: int, doc_ids: list[str] | None = None) -> list[tuple[str, str, float]]:
        """BM25 over chunks: ``(chunk_id, doc_id, score)``, best first."""
        with self.db.read() as conn:
            return [(h.key, h.doc_id, h.score) for h in self.lexical.search(conn, "chunk", query, n, doc_ids)]

    def search_documents(self, query: str, n: int, doc_ids: list[str] | None = None) -> list[tuple[str, float]]:
        """BM25 over whole documents (title and text): ``(doc_id, score)``, best first."""
        with self.db.read() as conn:
            return [(h.doc_id, h.score) for h in self.lexical.search(conn, "doc", query, n, doc_ids)]

    def chunk_frequencies(self, words: list[str]) -> tuple[dict[str, int], int]:
        """How many chunks hold each index term, and how many chunks there are."""
        with self.db.read() as conn:
            return self.lexical.frequencies(conn, "chunk", words), self.lexical.size(conn, "chunk")[0]

    # ---- writing (one transaction per call, so a crash never leaves half a document)
    def put_document(self, doc: Document, chunks: list[Chunk]) -> None:
        self.put_documents([(doc, chunks)])

    def put_documents(self, docs: list[tuple[Document, list[Chunk]]]) -> None:
        """Store documents with their chunks and index them, replacing earlier
        versions, all in one transaction (several per transaction: the lexical
        index merges its segments once per commit, not once per document)."""
        if not docs:
            return
        now = time.time()
        with self.db.write(lock="corpus") as conn:
            for part in in_batches([d.id for d, _ in docs]):
                conn.execute(f"DELETE FROM chunks WHERE doc_id IN ({marks(len(part))})", part)  # noqa: S608
            conn.executemany(
                "INSERT INTO documents (id,title,kind,publisher,url,published,label,article_id,"
                "meta_json,text,content_hash,path,ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (id) DO UPDATE SET title=excluded.title, kind=excluded.kind, "
                "publisher=excluded.publisher, url=excluded.url, published=excluded.published, "
                "label=excluded.label, article_id=excluded.article_id, meta_json=excluded.meta_json, "
                "text=excluded.text, content_hash=excluded.content_hash, path=excluded.path, "
                "ingested_at=excluded.ingested_at",
                [(d.id, d.title, d.kind, d.publisher, d.url, d.published, d.label, d.article_id,
                  json.dumps({"sources": d.sources, "questions": d.questions, "takeaways": d.takeaways,
                              "flagged": [f.model_dump() for f in d.flagged], "boilerplate": d.boilerplate}),
                  d.text, d.content_hash(), d.path, now) for d, _ in docs],
            )
            conn.executemany(
                'INSERT INTO chunks (id,doc_id,ordinal,start,"end",heading,tokens,text) VALUES (?,?,?,?,?,?,?,?)',
                [(c.id, c.doc_id, c.ordinal, c.start, c.end, c.heading, c.tokens, c.text) for _, cs in docs for c in cs],
            )
            self.lexical.put(conn, [(d.id, f"{d.title}\n{d.text}", [(c.id, c.embed_text) for c in cs]) for d, cs in docs])
            self._bump(conn)

    def delete_document(self, doc_id: str) -> None:
        with self.db.write(lock="corpus") as conn:
            self.lexical.delete(conn, [doc_id])
            conn.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
            conn.execute("DELETE FROM documents WHERE id=?", (doc_id,))
            self._bump(conn)

    @staticmethod
    def _bump(conn: Any) -> None:
        conn.execute(
            "INSERT INTO corpus_meta (key, value) VALUES ('version', '1') "
            "ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(corpus_meta.value AS INTEGER) + 1 AS TEXT)"
        )


def _row_to_document(row: Any) -> Document:
    meta = json.loads(row["meta_json"] or "{}")
    return Document(
        id=row["id"], title=row["title"], text=row["text"], kind=row["kind"], publisher=row["publisher"],
        url=row["url"], published=row["published"], label=row["label"], article_id=row["article_id"],
        sources=meta.get("sources", []), questions=meta.get("questions", []), takeaways=meta.get("takeaways", []),
        path=row["path"], flagged=meta.get("flagged", []), boilerplate=meta.get("boilerplate", []),
    )
