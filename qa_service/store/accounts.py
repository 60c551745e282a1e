"""People and what they leave behind: users (readers and editors), login
sessions, API tokens for scripts, article votes, helpful marks on answers,
comments, and the audit log of editor actions.

Lives in the same SQLite file as the corpus and answers (``settings.sqlite_path``)
in its own tables. Secrets are never stored: passwords as bcrypt hashes, session
and API tokens as their sha256 (a leaked database does not let anyone log in).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import bcrypt

from qa_service.store.db import connect, migrate

Role = Literal["reader", "editor"]
VoteKind = Literal["interesting", "support"]

ROLES: tuple[str, ...] = ("reader", "editor")
VOTE_KINDS: tuple[str, ...] = ("interesting", "support")
MIN_PASSWORD = 8
MAX_PASSWORD = 200  # characters
BCRYPT_MAX_BYTES = 72  # bcrypt reads no further: longer passwords are hashed with SHA-256 first, never truncated
MAX_COMMENT = 2000
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,31}$")
SESSION_TTL = 30 * 24 * 3600.0
API_TOKEN_PREFIX = "qat_"

# Versioned schema: append a step, never edit one that has shipped.
MIGRATIONS = ["""
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'reader',
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);
CREATE TABLE IF NOT EXISTS api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at REAL NOT NULL,
    last_used_at REAL
);
CREATE TABLE IF NOT EXISTS votes (
    user_id INTEGER NOT NULL REFERENCES users(id),
    article_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    value INTEGER NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (user_id, article_id, kind)
);
CREATE INDEX IF NOT EXISTS votes_article ON votes(article_id, kind);
CREATE TABLE IF NOT EXISTS feedback (
    user_id INTEGER NOT NULL REFERENCES users(id),
    question_id TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (user_id, question_id)
);
CREATE INDEX IF NOT EXISTS feedback_question ON feedback(question_id);
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    text TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS comments_article ON comments(article_id, created_at);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
"""]


class AccountError(ValueError):
    """Bad account input; the message is meant for the person who typed it."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str

    @property
    def is_editor(self) -> bool:
        return self.role == "editor"


@dataclass(frozen=True)
class Comment:
    id: int
    article_id: str
    user_name: str
    text: str
    created_at: float


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: float
    actor: str
    action: str
    target: str
    detail: str


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _secret(password: str) -> bytes:
    """What bcrypt hashes: the password's UTF-8, or, when bcrypt would cut it
    (over 72 bytes, or a NUL inside), its SHA-256 in base64 (44 bytes), so every
    character counts. Passwords that fit are hashed as they always were."""
    raw = password.encode("utf-8", "surrogatepass")
    if len(raw) > BCRYPT_MAX_BYTES or b"\x00" in raw:
        return base64.b64encode(hashlib.sha256(raw).digest())
    return raw


class AccountStore:
    def __init__(self, path: Path, *, bcrypt_rounds: int = 12, session_ttl: float = SESSION_TTL) -> None:
        self._conn = connect(path)
        self._lock = threading.RLock()
        self._rounds = bcrypt_rounds
        self._session_ttl = session_ttl
        migrate(self._conn, "accounts", MIGRATIONS)
        # A hash to compare against when the name is unknown, so a failed login
        # takes as long whether or not the name exists.
        self._dummy_hash = bcrypt.hashpw(b"not-a-password", bcrypt.gensalt(self._rounds))

    @property
    def conn(self) -> sqlite3.Connection:
        return self._conn

    def close(self) -> None:
        self._conn.close()

    # ------------------------------------------------------------------ users
    def create_user(self, name: str, password: str, role: str = "reader") -> User:
        name = (name or "").strip()
        if not NAME_RE.match(name):
            raise AccountError("Names are 2-32 characters: letters, digits, '.', '_' or '-', starting with a letter or digit.")
        if role not in ROLES:
            raise AccountError(f"Unknown role {role!r} (use {' or '.join(ROLES)}).")
        password = password or ""
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"Passwords need at least {MIN_PASSWORD} characters.")
        if len(password) > MAX_PASSWORD:
            raise AccountError(f"Passwords can be at most {MAX_PASSWORD} characters long.")
        hashed = bcrypt.hashpw(_secret(password), bcrypt.gensalt(self._rounds)).decode()
        with self._lock:
            try:
                cur = self._conn.execute(
                    "INSERT INTO users (name, password_hash, role, created_at) VALUES (?,?,?,?)",
                    (name, hashed, role, time.time()),
                )
            except sqlite3.IntegrityError:
                raise AccountError(f"The name {name!r} is taken.") from None
        return User(id=int(cur.lastrowid or 0), name=name, role=role)

    def get_user(self, name: str) -> User | None:
        row = self._conn.execute("SELECT id, name, role FROM users WHERE name=?", ((name or "").strip(),)).fetchone()
        return _user(row) if row else None

    def get_user_by_id(self, user_id: int) -> User | None:
        row = self._conn.execute("SELECT id, name, role FROM users WHERE id=?", (user_id,)).fetchone()
        return _user(row) if row else None

    def users(self) -> list[User]:
        return [_user(r) for r in self._conn.execute("SELECT id, name, role FROM users ORDER BY name")]

    def set_role(self, name: str, role: str) -> User:
        if role not in ROLES:
            raise AccountError(f"Unknown role {role!r} (use {' or '.join(ROLES)}).")
        with self._lock:
            self._conn.execute("UPDATE users SET role=? WHERE name=?", (role, name))
        user = self.get_user(name)
        if user is None:
            raise AccountError(f"No user named {name!r}.")
        return user

    def set_password(self, name: str, password: str) -> None:
        if len(password or "") < MIN_PASSWORD:
            raise AccountError(f"Passwords need at least {MIN_PASSWORD} characters.")
        if len(password) > MAX_PASSWORD:
            raise AccountError(f"Passwords can be at most {MAX_PASSWORD} characters long.")
        user = self.get_user(name)
        if user is None:
            raise AccountError(f"No user named {name!r}.")
        hashed = bcrypt.hashpw(_secret(password), bcrypt.gensalt(self._rounds)).decode()
        with self._lock:
            self._conn.execute("UPDATE users SET password_hash=? WHERE id=?", (hashed, user.id))
            # A new password ends every open session.
            self._conn.execute("DELETE FROM sessions WHERE user_id=?", (user.id,))

    def authenticate(self, name: str, password: str) -> User | None:
        row = self._conn.execute(
            "SELECT id, name, role, password_hash FROM users WHERE name=?", ((name or "").strip(),)
        ).fetchone()
        secret = _secret(password or "")
        if row is None or len(password or "") > MAX_PASSWORD:
            bcrypt.checkpw(b"wrong", self._dummy_hash)
            return None
        if not bcrypt.checkpw(secret, row["password_hash"].encode()):
            return None
        return _user(row)

    # --------------------------------------------------------------- sessions
    def create_session(self, user_id: int) -> str:
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self._lock:
            self._conn.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?,?,?,?)",
                (_sha256(token), user_id, now, now + self._session_ttl),
            )
        return token

    def user_for_session(self, token: str | None) -> User | None:
        if not token:
            return None
        row = self._conn.execute(
            "SELECT u.id, u.name, u.role, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
            "WHERE s.token_hash=?", (_sha256(token),)
        ).fetchone()
        if row is None:
            return None
        if row["expires_at"] < time.time():
            self.delete_session(token)
            return None
        return _user(row)

    def delete_session(self, token: str | None) -> None:
        if not token:
            return
        with self._lock:
            self._conn.execute("DELETE FROM sessions WHERE token_hash=?", (_sha256(token),))

    # ------------------------------------------------------------- API tokens
    def create_api_token(self, user_name: str) -> str:
        user = self.get_user(user_name)
        if user is None:
            raise AccountError(f"No user named {user_name!r}.")
        token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._lock:
            self._conn.execute(
                "INSERT INTO api_tokens (token_hash, user_id, created_at) VALUES (?,?,?)",
                (_sha256(token), user.id, time.time()),
            )
        return token

    def user_for_api_token(self, token: str | None) -> User | None:
        if not token:
            return None
        digest = _sha256(token)
        row = self._conn.execute(
            "SELECT u.id, u.name, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash=?",
            (digest,),
        ).fetchone()
        if row is None:
            return None
        with self._lock:
            self._conn.execute("UPDATE api_tokens SET last_used_at=? WHERE token_hash=?", (time.time(), digest))
        return _user(row)

    def revoke_api_tokens(self, user_name: str) -> int:
        user = self.get_user(user_name)
        if user is None:
            raise AccountError(f"No user named {user_name!r}.")
        with self._lock:
            cur = self._conn.execute("DELETE FROM api_tokens WHERE user_id=?", (user.id,))
        return cur.rowcount

    # ------------------------------------------------------------------ votes
    def set_vote(self, user_id: int, article_id: str, kind: str, value: bool) -> None:
        if kind not in VOTE_KINDS:
            raise AccountError(f"Unknown vote kind {kind!r} (use {' or '.join(VOTE_KINDS)}).")
        with self._lock:
            self._conn.execute(
                "INSERT INTO votes (user_id, article_id, kind, value, updated_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT(user_id, article_id, kind) DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at",
                (user_id, article_id, kind, int(bool(value)), time.time()),
            )

    def vote_counts(self, article_id: str) -> dict[str, dict[str, int]]:
        counts = {kind: {"yes": 0, "total": 0} for kind in VOTE_KINDS}
        for row in self._conn.execute(
            "SELECT kind, SUM(value) AS yes, COUNT(*) AS total FROM votes WHERE article_id=? GROUP BY kind",
            (article_id,),
        ):
            if row["kind"] in counts:
                counts[row["kind"]] = {"yes": int(row["yes"] or 0), "total": int(row["total"])}
        return counts

    def user_votes(self, user_id: int, article_id: str) -> dict[str, bool]:
        return {
            r["kind"]: bool(r["value"])
            for r in self._conn.execute("SELECT kind, value FROM votes WHERE user_id=? AND article_id=?",
                                        (user_id, article_id))
        }

    # --------------------------------------------------------------- feedback
    def set_feedback(self, user_id: int, question_id: str, helpful: bool) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO feedback (user_id, question_id, helpful, updated_at) VALUES (?,?,?,?) "
                "ON CONFLICT(user_id, question_id) DO UPDATE SET helpful=excluded.helpful, updated_at=excluded.updated_at",
                (user_id, question_id, int(bool(helpful)), time.time()),
            )

    def feedback_counts(self, question_id: str) -> dict[str, int]:
        row = self._conn.execute(
            "SELECT COALESCE(SUM(helpful),0) AS helpful, COUNT(*) AS total FROM feedback WHERE question_id=?",
            (question_id,),
        ).fetchone()
        return {"helpful": int(row["helpful"]), "unhelpful": int(row["total"]) - int(row["helpful"])}

    def user_feedback(self, user_id: int, question_id: str) -> bool | None:
        row = self._conn.execute("SELECT helpful FROM feedback WHERE user_id=? AND question_id=?",
                                 (user_id, question_id)).fetchone()
        return bool(row["helpful"]) if row else None

    def unhelpful_questions(self, min_unhelpful: int = 1) -> dict[str, dict[str, int]]:
        """Questions readers marked not helpful at least ``min_unhelpful`` times."""
        rows = self._conn.execute(
            "SELECT question_id, SUM(helpful) AS helpful, COUNT(*) AS total FROM feedback GROUP BY question_id "
            "HAVING COUNT(*) - SUM(helpful) >= ?", (min_unhelpful,)
        )
        return {r["question_id"]: {"helpful": int(r["helpful"]), "unhelpful": int(r["total"]) - int(r["helpful"])}
                for r in rows}

    # --------------------------------------------------------------- comments
    def add_comment(self, user_id: int, article_id: str, text: str) -> Comment:
        text = (text or "").strip()
        if not text:
            raise AccountError("A comment cannot be empty.")
        if len(text) > MAX_COMMENT:
            raise AccountError(f"Comments can be at most {MAX_COMMENT} characters long.")
        user = self.get_user_by_id(user_id)
        if user is None:
            raise AccountError("Unknown user.")
        now = time.time()
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO comments (article_id, user_id, text, created_at) VALUES (?,?,?,?)",
                (article_id, user_id, text, now),
            )
        return Comment(id=int(cur.lastrowid or 0), article_id=article_id, user_name=user.name, text=text,
                       created_at=now)

    def comments(self, article_id: str) -> list[Comment]:
        rows = self._conn.execute(
            "SELECT c.id, c.article_id, u.name AS user_name, c.text, c.created_at FROM comments c "
            "JOIN users u ON u.id = c.user_id WHERE c.article_id=? ORDER BY c.created_at, c.id", (article_id,)
        )
        return [Comment(id=r["id"], article_id=r["article_id"], user_name=r["user_name"], text=r["text"],
                        created_at=r["created_at"]) for r in rows]

    # ------------------------------------------------------------------ audit
    def audit(self, actor: str, action: str, target: str, detail: str = "") -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?,?,?,?,?)",
                (time.time(), actor, action, target, detail),
            )

    def audit_log(self, limit: int = 100) -> list[AuditEntry]:
        rows = self._conn.execute("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (max(1, int(limit)),))
        return [AuditEntry(id=r["id"], at=r["at"], actor=r["actor"], action=r["action"], target=r["target"],
                           detail=r["detail"]) for r in rows]


def _user(row: sqlite3.Row) -> User:
    return User(id=int(row["id"]), name=row["name"], role=row["role"])
