"""The lexical index, in the database: BM25 over stemmed content terms, for
chunks and for whole documents (title + text), kept in step with the corpus
tables in the same transaction as every document write.

What is indexed is the output of ``qa_service.text.terms`` (the stemmer every
lexical signal of the service uses), reduced to ``[a-z0-9]`` and joined by
spaces, so an engine's tokenizer only splits on those spaces. Beside the
engine's index, ``lexical_df`` (rows holding each term) and ``lexical_size``
(rows and their total length) are kept in the same transaction: they give
IDF and the average length without scanning anything.

- SQLite: FTS5 tables (``chunk_fts``, ``doc_fts``) over ``chunk_terms`` and
  ``doc_terms`` (external content, kept in step by triggers), ranked by FTS5's
  ``bm25()``: k1 1.2, b 0.75, idf ``log((N - n + 0.5) / (n + 0.5))``, which is
  ~0 for a term in half the rows or more.
- PostgreSQL: a ``tsvector`` column with a GIN index finds the rows; BM25 is
  computed in SQL from each row's term frequencies (``jsonb``), with the same
  k1 and b and idf ``log(1 + (N - n + 0.5) / (n + 0.5))`` (the in-memory
  BM25's, which stays positive).

Search stays fast on a large corpus by letting the rare terms find the rows:
the rarest query terms whose rows add up to at most ``SELECTIVE_ROWS``
postings are ranked by the engine, the best ``4 n`` of those rows get the
common terms' part of their score added from their stored terms, and the best
``n`` are returned (when fewer than ``n`` rows hold the rarer terms, the next
terms join them, up to all terms). Scores are full BM25 scores; what is given
up is a row holding none of the rarer terms, which only its common words could
have ranked. A query whose terms are all rare enough, and a search within some
documents (an article's scope, whose rows are scored directly), get the
engine's exact ranking.

Nothing is held in process memory: a worker starts without building anything.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qa_service.store.db import Connection, Step, in_batches, marks
from qa_service.text import terms

K1 = 1.2
B = 0.75
_NOT_TERM = re.compile(r"[^a-z0-9]")
# The rarest query terms whose rows add up to at most this many postings are
# ranked by the engine; the rest are scored on the candidates only. PostgreSQL
# reads each candidate's term frequencies from its jsonb (decompressed per
# row), so it gets fewer. Measured on 100k generated chunks: SQLite 4000 ->
# chunk search p50 9 ms; PostgreSQL 1000 -> chunks 13 ms, documents 27 ms, with
# 92% of the full ranking's best 10 chunks (4000: 32 ms, 85 ms, 98%).
SELECTIVE_ROWS = {"sqlite": 4000, "postgres": 1000}
# The engine ranks this many times n rows by the rarer terms; the best n of
# them by every term are returned. Documents are long, so adding their common
# terms' part costs more: fewer of them. (Measured on 100k generated chunks:
# the best 10 chunks are 99% those of the full ranking, the best 50 92%; the
# best 50 documents 99.7%.)
WIDEN = {"chunk": 4, "doc": 2}
# A search within documents scores their rows directly up to this many rows.
SCOPE_ROWS = 3000
# SQLite's idf for a term in half the rows or more.
FTS5_FLOOR = 1e-6

# kind -> (table, key column)
_TABLES = {"chunk": ("chunk_terms", "chunk_id"), "doc": ("doc_terms", "doc_id")}


def index_token(term: str) -> str:
    """A stemmed term as the index stores it: reduced to ``[a-z0-9]``, so no
    engine's tokenizer splits it further ("covid-19" -> "covid19")."""
    return _NOT_TERM.sub("", term.lower())


def index_terms(text: str) -> list[str]:
    """The terms of ``text`` as the index stores them."""
    # terms() are lowercase already; most are plain [a-z0-9] and need no rewriting
    out = [t if t.isascii() and t.isalnum() else index_token(t) for t in terms(text)]
    return [t for t in out if t]


def idf(df: int, n: int) -> float:
    """BM25's inverse document frequency (the +1 keeps it positive for common terms)."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def fts5_idf(df: int, n: int) -> float:
    """The inverse document frequency FTS5's bm25() uses."""
    value = math.log((n - df + 0.5) / (df + 0.5))
    return value if value > 0 else FTS5_FLOOR


_SIZE_TABLES = """
CREATE TABLE IF NOT EXISTS lexical_df (
    kind TEXT NOT NULL,
    term TEXT NOT NULL,
    df INTEGER NOT NULL,
    PRIMARY KEY (kind, term)
);
CREATE TABLE IF NOT EXISTS lexical_size (
    kind TEXT PRIMARY KEY,
    n BIGINT NOT NULL,
    total_length BIGINT NOT NULL
);
"""

SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunk_terms (
    rid INTEGER PRIMARY KEY,
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    terms TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunk_terms_doc ON chunk_terms(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts USING fts5(terms, content='chunk_terms', content_rowid='rid');
CREATE TRIGGER IF NOT EXISTS chunk_terms_insert AFTER INSERT ON chunk_terms BEGIN
    INSERT INTO chunk_fts(rowid, terms) VALUES (new.rid, new.terms);
END;
CREATE TRIGGER IF NOT EXISTS chunk_terms_delete AFTER DELETE ON chunk_terms BEGIN
    INSERT INTO chunk_fts(chunk_fts, rowid, terms) VALUES ('delete', old.rid, old.terms);
END;
CREATE TABLE IF NOT EXISTS doc_terms (
    rid INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,
    terms TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS doc_fts USING fts5(terms, content='doc_terms', content_rowid='rid');
CREATE TRIGGER IF NOT EXISTS doc_terms_insert AFTER INSERT ON doc_terms BEGIN
    INSERT INTO doc_fts(rowid, terms) VALUES (new.rid, new.terms);
END;
CREATE TRIGGER IF NOT EXISTS doc_terms_delete AFTER DELETE ON doc_terms BEGIN
    INSERT INTO doc_fts(doc_fts, rowid, terms) VALUES ('delete', old.rid, old.terms);
END;
""" + _SIZE_TABLES

POSTGRES_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunk_terms (
    rid BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    length INTEGER NOT NULL,
    tf JSONB NOT NULL,
    tsv TSVECTOR NOT NULL
);
CREATE INDEX IF NOT EXISTS chunk_terms_doc ON chunk_terms(doc_id);
CREATE INDEX IF NOT EXISTS chunk_terms_tsv ON chunk_terms USING GIN (tsv);
CREATE TABLE IF NOT EXISTS doc_terms (
    rid BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,
    length INTEGER NOT NULL,
    tf JSONB NOT NULL,
    tsv TSVECTOR NOT NULL
);
CREATE INDEX IF NOT EXISTS doc_terms_tsv ON doc_terms USING GIN (tsv);
""" + _SIZE_TABLES


@dataclass(frozen=True)
class Hit:
    key: str  # chunk id, or document id
    doc_id: str
    score: float


@dataclass(frozen=True)
class _Row:
    key: str
    doc_id: str
    tf: dict[str, int]
    length: int


class LexicalIndex:
    """Writes (inside the corpus store's transactions) and BM25 queries."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.idf = fts5_idf if dialect == "sqlite" else idf

    # ---------------------------------------------------------------- writes
    def put(self, conn: Connection, docs: Sequence[tuple[str, str, Sequence[tuple[str, str]]]]) -> None:
        """Index documents: ``(doc_id, title and text, [(chunk_id, chunk text), ...])``
        each, replacing what was indexed for them before."""
        self.delete(conn, [doc_id for doc_id, _, _ in docs])
        chunk_rows = [(cid, doc_id, index_terms(text)) for doc_id, _, chunks in docs for cid, text in chunks]
        doc_rows = [(doc_id, index_terms(doc_text)) for doc_id, doc_text, _ in docs]
        if self.dialect == "sqlite":
            conn.executemany("INSERT INTO chunk_terms (chunk_id, doc_id, terms) VALUES (?,?,?)",
                             [(cid, doc_id, " ".join(ts)) for cid, doc_id, ts in chunk_rows])
            conn.executemany("INSERT INTO doc_terms (doc_id, terms) VALUES (?,?)",
                             [(doc_id, " ".join(ts)) for doc_id, ts in doc_rows])
        else:
            conn.executemany(
                "INSERT INTO chunk_terms (chunk_id, doc_id, length, tf, tsv) VALUES (?,?,?,?,to_tsvector('simple', ?))",
                [(cid, doc_id, len(ts), json.dumps(Counter(ts)), " ".join(dict.fromkeys(ts)))
                 for cid, doc_id, ts in chunk_rows])
            conn.executemany(
                "INSERT INTO doc_terms (doc_id, length, tf, tsv) VALUES (?,?,?,to_tsvector('simple', ?))",
                [(doc_id, len(ts), json.dumps(Counter(ts)), " ".join(dict.fromkeys(ts))) for doc_id, ts in doc_rows])
        self._count(conn, "chunk", [(set(ts), len(ts)) for _, _, ts in chunk_rows], +1)
        self._count(conn, "doc", [(set(ts), len(ts)) for _, ts in doc_rows], +1)

    def delete(self, conn: Connection, doc_ids: Sequence[str]) -> None:
        for kind, (table, _) in _TABLES.items():
            old = [(set(r.tf), r.length) for r in self._rows(conn, kind, "doc_id", doc_ids)]
            if old:
                self._count(conn, kind, old, -1)
                for part in in_batches(list(doc_ids)):
                    conn.execute(f"DELETE FROM {table} WHERE doc_id IN ({marks(len(part))})", part)  # noqa: S608 - names are ours

    def _count(self, conn: Connection, kind: str, rows: list[tuple[set[str], int]], sign: int) -> None:
        """Add (or take away) rows to the document frequencies and sizes. Terms
        are written in sorted order, so two writers never wait on each other in a
        circle."""
        df: Counter[str] = Counter()
        for distinct, _ in rows:
            df.update(distinct)
        conn.executemany(
            "INSERT INTO lexical_df (kind, term, df) VALUES (?,?,?) "
            "ON CONFLICT (kind, term) DO UPDATE SET df = lexical_df.df + excluded.df",
            [(kind, term, sign * count) for term, count in sorted(df.items())],
        )
        conn.execute(
            "INSERT INTO lexical_size (kind, n, total_length) VALUES (?,?,?) ON CONFLICT (kind) DO UPDATE SET "
            "n = lexical_size.n + excluded.n, total_length = lexical_size.total_length + excluded.total_length",
            (kind, sign * len(rows), sign * sum(length for _, length in rows)),
        )
        if sign < 0:  # terms no row holds any more
            for part in in_batches(sorted(df)):
                conn.execute(f"DELETE FROM lexical_df WHERE kind=? AND df <= 0 AND term IN ({marks(len(part))})",  # noqa: S608
                             (kind, *part))

    # --------------------------------------------------------------- queries
    def search(self, conn: Connection, kind: str, query: str, n: int,
               doc_ids: Sequence[str] | None = None) -> list[Hit]:
        """The best ``n`` chunks (kind 'chunk') or documents (kind 'doc') for
        ``query`` by BM25, within ``doc_ids`` if given."""
        wanted = list(dict.fromkeys(index_terms(query)))
        if not wanted or n <= 0 or (doc_ids is not None and not doc_ids):
            return []
        rows, avg_len = self.size(conn, kind)
        if not rows:
            return []
        dfs = self.frequencies(conn, kind, wanted)
        weights = {t: self.idf(dfs[t], rows) for t in wanted if dfs.get(t)}
        present = sorted(weights, key=lambda t: dfs[t])  # rarest first
        if not present:
            return []
        if doc_ids is not None:
            scoped = self._rows(conn, kind, "doc_id", doc_ids, only=present, limit=SCOPE_ROWS + 1)
            if len(scoped) <= SCOPE_ROWS:
                return self._ranked(scoped, weights, avg_len)[:n]
        budget = SELECTIVE_ROWS[self.dialect]
        while True:
            selective, postings = [], 0
            for term in present:
                if selective and postings + dfs[term] > budget:
                    break
                selective.append(term)
                postings += dfs[term]
            common = present[len(selective):]
            if not common:
                return self._engine(conn, kind, present, weights, avg_len, n, doc_ids)
            partial = self._engine(conn, kind, selective, weights, avg_len, WIDEN[kind] * n, doc_ids)
            if len(partial) >= n:
                tf = {r.key: r for r in self._rows(conn, kind, _TABLES[kind][1], [h.key for h in partial], only=common)}
                full = [Hit(h.key, h.doc_id, h.score + _bm25(tf[h.key], common, weights, avg_len)) for h in partial]
                return sorted(full, key=lambda h: -h.score)[:n]
            # Too few rows hold the rarer terms: let the next terms find rows too.
            budget = max(4 * budget, postings + dfs[common[0]])

    def size(self, conn: Connection, kind: str) -> tuple[int, float]:
        """How many rows there are, and their average length in terms."""
        row = conn.execute("SELECT n, total_length FROM lexical_size WHERE kind=?", (kind,)).fetchone()
        if row is None or not row[0]:
            return 0, 0.0
        return int(row[0]), float(row[1]) / int(row[0])

    def frequencies(self, conn: Connection, kind: str, words: Sequence[str]) -> dict[str, int]:
        """How many rows hold each of ``words`` (index terms; absent ones are left out)."""
        found: dict[str, int] = {}
        for part in in_batches(list(dict.fromkeys(words))):
            found.update((r[0], int(r[1])) for r in conn.execute(
                f"SELECT term, df FROM lexical_df WHERE kind=? AND term IN ({marks(len(part))})",  # noqa: S608
                (kind, *part)).fetchall())
        return found

    def _engine(self, conn: Connection, kind: str, using: list[str], weights: dict[str, float], avg_len: float,
                n: int, doc_ids: Sequence[str] | None) -> list[Hit]:
        """The engine's own BM25 ranking of the rows holding any of ``using``, over those terms."""
        table, key = _TABLES[kind]
        if self.dialect == "sqlite":
            fts = f"{kind}_fts"
            scope, params = "", ['"' + '" OR "'.join(using) + '"']
            if doc_ids is not None:
                scope = f" AND rowid IN (SELECT rid FROM {table} WHERE doc_id IN ({marks(len(doc_ids))}))"
                params += list(doc_ids)
            rows = conn.execute(  # FTS5 ranks inside the virtual table; only the best n are joined to their ids
                f"SELECT t.{key}, t.doc_id, -s.rank FROM (SELECT rowid, rank FROM {fts} WHERE {fts} MATCH ?{scope} "  # noqa: S608
                f"ORDER BY rank LIMIT ?) s JOIN {table} t ON t.rid = s.rowid ORDER BY s.rank", (*params, n)).fetchall()
            return [Hit(r[0], r[1], float(r[2])) for r in rows]
        scope, params = "", [using, [weights[t] for t in using], " | ".join(using)]
        if doc_ids is not None:
            scope = " AND r.doc_id = ANY(?)"
            params.append(list(doc_ids))
        norm = f"{K1} * (1 - {B} + {B} * r.length / {avg_len:.6f})"
        rows = conn.execute(  # BM25: the sum over terms of idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))
            f"SELECT r.{key}, r.doc_id, (SELECT SUM(q.w * (r.tf->>q.term)::float8 * {K1 + 1} / "  # noqa: S608 - ours
            f"((r.tf->>q.term)::float8 + {norm})) FROM unnest(?::text[], ?::float8[]) AS q(term, w) "
            f"WHERE r.tf->>q.term IS NOT NULL) AS score FROM {table} r "
            f"WHERE r.tsv @@ to_tsquery('simple', ?){scope} ORDER BY score DESC LIMIT ?",
            (*params, n),
        ).fetchall()
        return [Hit(r[0], r[1], float(r[2])) for r in rows]

    def _rows(self, conn: Connection, kind: str, column: str, values: Iterable[str],
              only: Sequence[str] | None = None, limit: int | None = None) -> list[_Row]:
        """Stored rows whose ``column`` is one of ``values``, with their term
        frequencies (of the ``only`` terms, when given: a whole document's
        terms are thousands)."""
        table, key = _TABLES[kind]
        wanted = list(values)
        out: list[_Row] = []
        for part in in_batches(wanted):
            if self.dialect == "sqlite":
                rows = conn.execute(f"SELECT {key}, doc_id, terms FROM {table} WHERE {column} IN ({marks(len(part))})",  # noqa: S608
                                    part).fetchall()
                for r in rows:
                    if only is None:
                        tokens = r[2].split()
                        out.append(_Row(r[0], r[1], Counter(tokens), len(tokens)))
                        continue
                    # counted in C: each term padded by its own spaces, so repeats count too
                    padded = " " + r[2].replace(" ", "  ") + " "
                    counts = {t: c for t in only if (c := padded.count(f" {t} "))}
                    out.append(_Row(r[0], r[1], counts, r[2].count(" ") + 1 if r[2] else 0))
            else:
                rows = conn.execute(f"SELECT {key}, doc_id, tf, length FROM {table} WHERE {column} = ANY(?)",  # noqa: S608
                                    (list(part),)).fetchall()
                out.extend(_Row(r[0], r[1], r[2], int(r[3])) for r in rows)
            if limit is not None and len(out) >= limit:
                break
        return out

    @staticmethod
    def _ranked(rows: list[_Row], weights: dict[str, float], avg_len: float) -> list[Hit]:
        scored = [Hit(r.key, r.doc_id, _bm25(r, list(weights), weights, avg_len)) for r in rows]
        return sorted((h for h in scored if h.score > 0), key=lambda h: -h.score)


def _bm25(row: _Row, using: Sequence[str], weights: dict[str, float], avg_len: float) -> float:
    """The part of a row's BM25 score that ``using`` terms make."""
    norm = K1 * (1 - B + B * row.length / (avg_len or 1.0))
    score = 0.0
    for term in using:
        tf = row.tf.get(term)
        if tf:
            score += weights[term] * tf * (K1 + 1) / (tf + norm)
    return score


def migration() -> Step:
    """The corpus store's step that adds the lexical index, filling it from the
    documents and chunks already stored."""

    def backfill(conn: Connection, dialect: str) -> None:
        index = LexicalIndex(dialect)
        heading_chunks: dict[str, list[tuple[str, str]]] = {}
        for r in conn.execute("SELECT id, doc_id, heading, text FROM chunks ORDER BY doc_id, ordinal").fetchall():
            text = f"{r['heading']}\n{r['text']}" if r["heading"] else r["text"]
            heading_chunks.setdefault(r["doc_id"], []).append((r["id"], text))
        docs = conn.execute("SELECT id, title, text FROM documents").fetchall()
        index.put(conn, [(r["id"], f"{r['title']}\n{r['text']}", heading_chunks.get(r["id"], [])) for r in docs])

    return Step(sqlite=SQLITE_SCHEMA, postgres=POSTGRES_SCHEMA, python=backfill)
