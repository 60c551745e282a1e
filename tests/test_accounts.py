"""AccountStore (users, sessions, tokens, votes, feedback, comments, audit) over
both databases (a real SQLite file and a real PostgreSQL server), and the web
auth dependencies through a tiny FastAPI app."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi import Depends, FastAPI, Request, Response
from fastapi.testclient import TestClient

from qa_service.store.accounts import AccountError, AccountStore, User
from qa_service.web.auth import (
    SESSION_COOKIE,
    current_user,
    login_response,
    logout_response,
    require_editor,
    require_user,
)


@pytest.fixture
def accounts(database) -> AccountStore:  # noqa: ANN001
    return AccountStore(database, bcrypt_rounds=4)


def test_create_and_authenticate(accounts: AccountStore) -> None:
    user = accounts.create_user("ana", "correct horse", role="editor")
    assert user == User(id=user.id, name="ana", role="editor")
    assert accounts.authenticate("ana", "correct horse") == user
    assert accounts.authenticate("ana", "wrong password") is None
    assert accounts.authenticate("nobody", "correct horse") is None
    reader = accounts.create_user("bob", "12345678")
    assert reader.role == "reader" and not reader.is_editor


def test_passwords_are_hashed_not_stored(accounts: AccountStore) -> None:
    accounts.create_user("ana", "correct horse")
    row = accounts.db.one("SELECT password_hash FROM users")
    assert "correct horse" not in row[0]
    assert row[0].startswith("$2")  # bcrypt


@pytest.mark.parametrize(
    ("name", "password", "role", "message"),
    [
        ("ana", "short", "reader", "at least 8"),
        ("ana", "", "reader", "at least 8"),
        ("", "long enough", "reader", "Names are"),
        ("a b", "long enough", "reader", "Names are"),
        ("<script>", "long enough", "reader", "Names are"),
        ("ana", "long enough", "admin", "Unknown role"),
        ("ana", "x" * 201, "reader", "at most 200"),
    ],
)
def test_bad_input_is_refused_with_a_message(accounts: AccountStore, name: str, password: str, role: str,
                                             message: str) -> None:
    with pytest.raises(AccountError, match=message):
        accounts.create_user(name, password, role)
    assert accounts.users() == []


def test_long_passwords_count_past_bcrypts_72_bytes(accounts: AccountStore) -> None:
    """bcrypt reads 72 bytes; longer passwords (and ones with a NUL) are hashed
    with SHA-256 first, so every character counts and none is cut off."""
    long = "correct horse battery staple " * 4  # 116 bytes
    accounts.create_user("lena", long)
    assert accounts.authenticate("lena", long) is not None
    assert accounts.authenticate("lena", long[:72]) is None
    assert accounts.authenticate("lena", long[:-1] + "!") is None
    accents = "\u00e9" * 40  # 40 characters, 80 bytes
    accounts.set_password("lena", accents)
    assert accounts.authenticate("lena", accents) is not None
    assert accounts.authenticate("lena", "\u00e9" * 36) is None
    accounts.create_user("nul", "before\x00after!")
    assert accounts.authenticate("nul", "before\x00after!") is not None
    assert accounts.authenticate("nul", "before") is None


def test_duplicate_names_are_refused_case_insensitively(accounts: AccountStore) -> None:
    accounts.create_user("Ana", "long enough")
    with pytest.raises(AccountError, match="taken"):
        accounts.create_user("ana", "another one")
    assert len(accounts.users()) == 1


def test_sessions(accounts: AccountStore) -> None:
    user = accounts.create_user("ana", "long enough")
    token = accounts.create_session(user.id)
    assert accounts.user_for_session(token) == user
    assert accounts.user_for_session(token + "x") is None
    assert accounts.user_for_session("") is None
    stored = accounts.db.scalar("SELECT token_hash FROM sessions")
    assert stored != token and len(stored) == 64
    accounts.delete_session(token)
    assert accounts.user_for_session(token) is None


def test_expired_session_is_refused(database) -> None:  # noqa: ANN001
    store = AccountStore(database, bcrypt_rounds=4, session_ttl=-1)
    user = store.create_user("ana", "long enough")
    assert store.user_for_session(store.create_session(user.id)) is None


def test_api_tokens(accounts: AccountStore) -> None:
    user = accounts.create_user("ed", "long enough", role="editor")
    token = accounts.create_api_token("ed")
    assert accounts.user_for_api_token(token) == user
    assert accounts.user_for_api_token("qat_nope") is None
    with pytest.raises(AccountError, match="No user"):
        accounts.create_api_token("ghost")
    assert accounts.revoke_api_tokens("ed") == 1
    assert accounts.user_for_api_token(token) is None


# ---------------------------------------------- issue 13, finding 11: tokens and passwords
def test_api_tokens_are_listed_by_id_and_revoked_one_at_a_time(accounts: AccountStore) -> None:
    accounts.create_user("ed", "long enough", role="editor")
    rita = accounts.create_user("rita", "long enough")
    first, info = accounts.issue_api_token("ed")
    second = accounts.create_api_token("ed")
    theirs = accounts.create_api_token("rita")
    listed = accounts.api_tokens("ed")
    assert listed[0].id == info.id and len(listed) == 2
    assert {t.user_name for t in accounts.api_tokens()} == {"ed", "rita"}
    hashes = [__import__("hashlib").sha256(t.encode()).hexdigest() for t in (first, second)]
    assert not any(secret in repr(listed) for secret in (first, second, *hashes))  # never the secret, nor its hash
    assert listed[0].last_used_at is None
    assert accounts.user_for_api_token(first) is not None
    assert accounts.api_tokens("ed")[0].last_used_at is not None  # the use was recorded
    # one token goes; the user's other tokens, and other users', keep working
    with pytest.raises(AccountError, match="No API token"):
        accounts.revoke_api_token(info.id, user_id=rita.id)  # not hers to revoke
    assert accounts.revoke_api_token(info.id).id == info.id
    assert accounts.user_for_api_token(first) is None
    assert accounts.user_for_api_token(second) is not None and accounts.user_for_api_token(theirs) is not None
    with pytest.raises(AccountError, match="No API token"):
        accounts.revoke_api_token(info.id)
    with pytest.raises(AccountError, match="No user"):
        accounts.api_tokens("ghost")


def test_api_tokens_expire(database) -> None:  # noqa: ANN001
    store = AccountStore(database, bcrypt_rounds=4, token_ttl=30 * 86400)
    store.create_user("ed", "long enough")
    token, info = store.issue_api_token("ed")
    assert info.expires_at is not None and info.expires_at - info.created_at == pytest.approx(30 * 86400)
    assert store.user_for_api_token(token) is not None and not store.api_tokens("ed")[0].expired()
    store.db.execute("UPDATE api_tokens SET expires_at=? WHERE id=?", (info.created_at, info.id))  # its day came
    assert store.user_for_api_token(token) is None
    assert store.api_tokens("ed")[0].expired()  # still listed, as expired
    forever, kept = store.issue_api_token("ed", ttl=0)
    assert kept.expires_at is None and store.user_for_api_token(forever) is not None
    with pytest.raises(AccountError, match="negative"):
        store.issue_api_token("ed", ttl=-1)


def test_tokens_made_before_ids_and_expiry_get_an_id_and_keep_working(database) -> None:  # noqa: ANN001
    """The migration that adds ids and expiry: older tokens are listed (by an
    id taken from their hash), never expire, and can be revoked."""
    import hashlib
    import time

    from qa_service.store.accounts import MIGRATIONS

    database.migrate("accounts", MIGRATIONS[:2])  # the schema before tokens had ids
    database.execute("INSERT INTO users (name, password_hash, role, created_at) VALUES ('old', 'x', 'reader', ?)",
                     (time.time(),))
    user_id = database.scalar("SELECT id FROM users WHERE name='old'")
    secret = "qat_made-before-the-migration"
    digest = hashlib.sha256(secret.encode()).hexdigest()
    database.execute("INSERT INTO api_tokens (token_hash, user_id, created_at) VALUES (?,?,?)",
                     (digest, user_id, time.time()))
    store = AccountStore(database, bcrypt_rounds=4)
    [token] = store.api_tokens("old")
    assert token.id == digest[:12] and token.expires_at is None and not token.expired()
    assert store.user_for_api_token(secret) is not None
    store.revoke_api_token(token.id)
    assert store.user_for_api_token(secret) is None


def test_a_new_password_ends_other_sessions_and_keeps_tokens(accounts: AccountStore) -> None:
    user = accounts.create_user("ana", "old password")
    here, elsewhere = accounts.create_session(user.id), accounts.create_session(user.id)
    token = accounts.create_api_token("ana")
    change = accounts.set_password("ana", "new password", keep_session=here)
    assert change.sessions_revoked == 1 and change.tokens_revoked == 0
    assert accounts.user_for_session(here) == user and accounts.user_for_session(elsewhere) is None
    assert accounts.user_for_api_token(token) == user
    assert accounts.authenticate("ana", "old password") is None
    assert accounts.authenticate("ana", "new password") == user
    # from the CLI nobody's session is kept; --revoke-tokens ends the tokens too
    change = accounts.set_password("ana", "newer password", revoke_tokens=True)
    assert change.sessions_revoked == 1 and change.tokens_revoked == 1
    assert accounts.user_for_session(here) is None and accounts.user_for_api_token(token) is None
    for bad, message in (("short", "at least 8"), ("x" * 201, "at most 200")):
        with pytest.raises(AccountError, match=message):
            accounts.set_password("ana", bad)
    with pytest.raises(AccountError, match="No user"):
        accounts.set_password("ghost", "long enough")


def test_revoking_a_users_sessions_logs_them_out_everywhere(accounts: AccountStore) -> None:
    ana = accounts.create_user("ana", "long enough")
    bob = accounts.create_user("bob", "long enough")
    sessions = [accounts.create_session(ana.id) for _ in range(3)]
    bobs = accounts.create_session(bob.id)
    assert accounts.session_count("ana") == 3
    assert accounts.revoke_sessions("ana", keep=sessions[0]) == 2
    assert [accounts.user_for_session(s) for s in sessions] == [ana, None, None]
    assert accounts.revoke_sessions("ANA") == 1 and accounts.session_count("ana") == 0
    assert accounts.user_for_session(bobs) == bob
    with pytest.raises(AccountError, match="No user"):
        accounts.revoke_sessions("ghost")


def test_votes_one_per_reader_per_kind(accounts: AccountStore) -> None:
    a = accounts.create_user("ana", "long enough")
    b = accounts.create_user("bob", "long enough")
    accounts.set_vote(a.id, "art", "interesting", True)
    accounts.set_vote(a.id, "art", "interesting", False)  # replaces the first
    accounts.set_vote(b.id, "art", "interesting", True)
    accounts.set_vote(b.id, "art", "support", False)
    accounts.set_vote(b.id, "other", "support", True)
    assert accounts.vote_counts("art") == {"interesting": {"yes": 1, "total": 2}, "support": {"yes": 0, "total": 1}}
    assert accounts.vote_counts("empty") == {"interesting": {"yes": 0, "total": 0}, "support": {"yes": 0, "total": 0}}
    assert accounts.user_votes(a.id, "art") == {"interesting": False}
    assert accounts.user_votes(b.id, "art") == {"interesting": True, "support": False}
    with pytest.raises(AccountError):
        accounts.set_vote(a.id, "art", "like", True)


def test_feedback(accounts: AccountStore) -> None:
    a = accounts.create_user("ana", "long enough")
    b = accounts.create_user("bob", "long enough")
    accounts.set_feedback(a.id, "q1", True)
    accounts.set_feedback(a.id, "q1", False)
    accounts.set_feedback(b.id, "q1", False)
    accounts.set_feedback(b.id, "q2", True)
    assert accounts.feedback_counts("q1") == {"helpful": 0, "unhelpful": 2}
    assert accounts.feedback_counts("q2") == {"helpful": 1, "unhelpful": 0}
    assert accounts.feedback_counts("q3") == {"helpful": 0, "unhelpful": 0}
    assert set(accounts.unhelpful_questions()) == {"q1"}
    assert accounts.user_feedback(a.id, "q1") is False


def test_comments(accounts: AccountStore) -> None:
    a = accounts.create_user("ana", "long enough")
    c = accounts.add_comment(a.id, "art", "  <b>first</b>  ")
    assert c.text == "<b>first</b>" and c.user_name == "ana"  # stored as typed; templates escape it
    accounts.add_comment(a.id, "art", "second")
    assert [x.text for x in accounts.comments("art")] == ["<b>first</b>", "second"]
    assert accounts.comments("other") == []
    with pytest.raises(AccountError, match="empty"):
        accounts.add_comment(a.id, "art", "   ")
    with pytest.raises(AccountError, match="at most"):
        accounts.add_comment(a.id, "art", "x" * 2001)


def test_audit_log_newest_first(accounts: AccountStore) -> None:
    accounts.audit("ed", "publish", "v1", "rollback")
    accounts.audit("ed", "discard", "v2")
    log = accounts.audit_log()
    assert [(e.action, e.target) for e in log] == [("discard", "v2"), ("publish", "v1")]
    assert log[1].detail == "rollback"
    assert len(accounts.audit_log(limit=1)) == 1


# ------------------------------------------------------------ web dependencies
@pytest.fixture
def client(accounts: AccountStore) -> TestClient:
    app = FastAPI()
    app.state.services = SimpleNamespace(accounts=accounts)

    @app.get("/me")
    def me(request: Request) -> dict:
        user = current_user(request)
        return {"user": user.name if user else None}

    @app.get("/reader-only")
    def reader_only(user: User = Depends(require_user)) -> dict:
        return {"user": user.name}

    @app.get("/editor-only")
    def editor_only(user: User = Depends(require_editor)) -> dict:
        return {"user": user.name}

    @app.post("/login")
    def login(request: Request, response: Response, name: str, password: str) -> dict:
        user = accounts.authenticate(name, password)
        if user is None:
            return {"ok": False}
        login_response(response, accounts.create_session(user.id), request)
        return {"ok": True}

    @app.post("/logout")
    def logout(request: Request, response: Response) -> dict:
        accounts.delete_session(request.cookies.get(SESSION_COOKIE))
        logout_response(response, request)
        return {"ok": True}

    with TestClient(app) as c:
        yield c


def test_guards_by_role(client: TestClient, accounts: AccountStore) -> None:
    accounts.create_user("ed", "long enough", role="editor")
    accounts.create_user("rita", "long enough")
    assert client.get("/me").json() == {"user": None}
    assert client.get("/reader-only").status_code == 401
    assert client.get("/editor-only").status_code == 401

    r = client.post("/login", params={"name": "rita", "password": "long enough"})
    cookie = r.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # plain http
    assert client.get("/me").json() == {"user": "rita"}
    assert client.get("/reader-only").status_code == 200
    assert client.get("/editor-only").status_code == 403

    client.post("/logout")
    assert client.get("/me").json() == {"user": None}
    assert client.get("/reader-only").status_code == 401


def test_bearer_token(client: TestClient, accounts: AccountStore) -> None:
    accounts.create_user("ed", "long enough", role="editor")
    token = accounts.create_api_token("ed")
    ok = client.get("/editor-only", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.json() == {"user": "ed"}
    assert client.get("/editor-only", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/editor-only", headers={"Authorization": token}).status_code == 401


def test_secure_cookie_over_https(accounts: AccountStore) -> None:
    accounts.create_user("ana", "long enough")
    app = FastAPI()
    app.state.services = SimpleNamespace(accounts=accounts)

    @app.post("/login")
    def login(request: Request, response: Response) -> dict:
        user = accounts.authenticate("ana", "long enough")
        assert user is not None
        login_response(response, accounts.create_session(user.id), request)
        return {}

    with TestClient(app, base_url="https://testserver") as c:
        assert "Secure" in c.post("/login").headers["set-cookie"]
