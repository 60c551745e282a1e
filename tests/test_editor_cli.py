"""The editor commands in-process through qa_service.cli.main.main over the seeded
data dir: accounts, a token that works against the API, regenerate, review,
versions and publish, and clear errors for bad input."""

from __future__ import annotations

import io
import json

import pytest

from qa_service.cli.main import main

from .conftest import ARTICLE_ID

pytestmark = pytest.mark.slow


@pytest.fixture
def data_dir(seeded, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("QA_DATA_DIR", str(seeded.settings.data_dir))
    monkeypatch.setenv("QA_BCRYPT_ROUNDS", "4")
    from qa_service.settings import get_settings

    get_settings.cache_clear()
    yield seeded.settings.data_dir
    get_settings.cache_clear()


def run(capsys, monkeypatch, *argv: str, stdin: str = "") -> tuple[int, str, str]:  # noqa: ANN001
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_users_tokens_regenerate_review_publish(data_dir, seeded, capsys, monkeypatch) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, monkeypatch, "users", "add", "edna", "--role", "editor", "--password-stdin",
                       stdin="a long password\n")
    assert code == 0 and "created editor edna" in out
    assert seeded.accounts.authenticate("edna", "a long password").role == "editor"

    code, _, err = run(capsys, monkeypatch, "users", "add", "bob", "--password-stdin", stdin="short\n")
    assert code == 2 and "at least 8" in err
    code, _, err = run(capsys, monkeypatch, "users", "add", "edna", "--password-stdin", stdin="a long password\n")
    assert code == 2 and "taken" in err

    code, out, _ = run(capsys, monkeypatch, "tokens", "create", "edna")
    token = out.strip()
    assert code == 0 and out == token + "\n" and token.startswith("qat_")
    assert seeded.accounts.user_for_api_token(token).name == "edna"
    code, _, err = run(capsys, monkeypatch, "tokens", "create", "ghost")
    assert code == 2 and "No user named 'ghost'" in err

    code, out, _ = run(capsys, monkeypatch, "versions", "--article", ARTICLE_ID, "--json")
    questions = json.loads(out)
    qid = questions[0]["id"]
    assert questions[0]["versions"] == 1

    code, out, _ = run(capsys, monkeypatch, "regenerate", "--article", ARTICLE_ID, "--question", qid, "--json",
                       "--as", "edna")
    assert code == 0
    made = json.loads(out)["versions"][0]
    assert made["status"] == "draft" and made["author"] == "edna"

    code, out, _ = run(capsys, monkeypatch, "review", "--json")
    queue = {it["question_id"]: it for it in json.loads(out)}
    assert made["id"] in queue[qid]["drafts"] and "draft" in queue[qid]["reasons"]

    code, out, _ = run(capsys, monkeypatch, "publish", "--article", ARTICLE_ID, "--question", qid, made["id"])
    assert code == 0 and made["id"] in out
    code, out, _ = run(capsys, monkeypatch, "versions", "--article", ARTICLE_ID, "--question", qid, "--json")
    statuses = {v["id"]: v["status"] for v in json.loads(out)}
    assert statuses[made["id"]] == "published" and list(statuses.values()).count("archived") == 1
    assert any(e.action == "publish" and e.actor.startswith("cli") for e in seeded.accounts.audit_log())


def test_regenerate_all_and_errors(data_dir, capsys, monkeypatch) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, monkeypatch, "regenerate", "--article", ARTICLE_ID, "--all", "--takeaways", "--json")
    assert code == 0
    result = json.loads(out)
    assert len(result["versions"]) >= 6 and all(v["status"] == "draft" for v in result["versions"])
    assert result["takeaways"]["status"] == "draft"
    code, _, err = run(capsys, monkeypatch, "regenerate", "--article", "nope", "--all")
    assert code == 2 and "no article with id 'nope'" in err
    code, _, err = run(capsys, monkeypatch, "regenerate", "--article", ARTICLE_ID)
    assert code == 2 and "say what to regenerate" in err
    code, _, err = run(capsys, monkeypatch, "regenerate", "--article", ARTICLE_ID, "--question", "q-nope")
    assert code == 2 and "no question 'q-nope'" in err


# --------------------------------------------- issue 13, finding 11: tokens, passwords, sessions
def _app_client(seeded):  # noqa: ANN001, ANN202 - a TestClient on the same database, as a running server would be
    from fastapi.testclient import TestClient

    from qa_service.web.app import create_app

    from .conftest import SAME_SITE

    seeded.settings.access_log = False  # its log lines would go to the stderr capsys reads
    return TestClient(create_app(services=seeded), headers=SAME_SITE)


def test_tokens_are_listed_without_secrets_expire_and_are_revoked_by_id(data_dir, seeded, capsys,  # noqa: ANN001
                                                                         monkeypatch) -> None:
    seeded.accounts.create_user("edna", "long enough", role="editor")
    seeded.accounts.create_user("rita", "long enough")
    code, out, err = run(capsys, monkeypatch, "tokens", "create", "edna")
    token = out.strip()
    assert code == 0 and out == token + "\n"  # the token alone on stdout
    default_days = seeded.settings.token_ttl_days
    [made] = seeded.accounts.api_tokens("edna")
    assert made.expires_at - made.created_at == pytest.approx(default_days * 86400)
    assert f"token {made.id} for edna: expires " in err and " UTC" in err
    code, out, err = run(capsys, monkeypatch, "tokens", "create", "rita", "--days", "0", "--json")
    forever = json.loads(out)
    assert forever["expires_at"] is None and forever["token"].startswith("qat_") and forever["user"] == "rita"
    code, _, err = run(capsys, monkeypatch, "tokens", "create", "rita", "--days", "-1")
    assert code == 2 and "negative" in err

    code, out, _ = run(capsys, monkeypatch, "tokens", "list")
    assert code == 0 and token not in out and forever["token"] not in out
    header, *rows = out.splitlines()
    assert header.split() == ["ID", "USER", "CREATED", "LAST", "USED", "EXPIRES", "STATUS"]
    assert [r.split()[0] for r in rows] == [made.id, forever["id"]] and "never" in rows[1]
    code, out, _ = run(capsys, monkeypatch, "tokens", "list", "--user", "edna", "--json")
    [listed] = json.loads(out)
    assert listed["id"] == made.id and "token" not in listed and listed["expired"] is False
    code, _, err = run(capsys, monkeypatch, "tokens", "list", "--user", "ghost")
    assert code == 2 and "No user named 'ghost'" in err

    with _app_client(seeded) as client:
        edna = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/me", headers=edna).status_code == 200
        code, out, _ = run(capsys, monkeypatch, "tokens", "revoke", made.id)
        assert code == 0 and f"revoked token {made.id} of edna" in out
        assert client.get("/api/me", headers=edna).status_code == 401  # at once
        code, _, err = run(capsys, monkeypatch, "tokens", "revoke", made.id)
        assert code == 2 and f"No API token with id '{made.id}'" in err and "tokens list" in err
        # an expired token is refused too
        rita = {"Authorization": f"Bearer {forever['token']}"}
        assert client.get("/api/me", headers=rita).status_code == 200
        seeded.accounts.db.execute("UPDATE api_tokens SET expires_at=1 WHERE id=?", (forever["id"],))
        assert client.get("/api/me", headers=rita).status_code == 401
    code, out, _ = run(capsys, monkeypatch, "tokens", "list", "--user", "rita")
    assert out.splitlines()[1].split()[-1] == "expired"
    actions = [(e.action, e.target) for e in seeded.accounts.audit_log()]
    assert ("revoke-token", "edna") in actions and ("create-token", "rita") in actions


def test_users_passwd_reads_stdin_follows_the_rules_and_ends_sessions(data_dir, seeded, capsys,  # noqa: ANN001
                                                                       monkeypatch) -> None:
    seeded.accounts.create_user("ana", "old password")
    with _app_client(seeded) as browser:
        assert browser.post("/api/login", json={"name": "ana", "password": "old password"}).status_code == 200
        token = seeded.accounts.create_api_token("ana")
        for stdin, message in (("short\n", "at least 8"), ("", "no password on stdin"),
                               ("x" * 201 + "\n", "at most 200")):
            code, out, err = run(capsys, monkeypatch, "users", "passwd", "ana", "--password-stdin", stdin=stdin)
            assert code == 2 and message in err and "Traceback" not in err
            assert stdin.strip() == "" or stdin.strip() not in out + err  # never echoed
        code, _, err = run(capsys, monkeypatch, "users", "passwd", "ghost", "--password-stdin", stdin="long enough\n")
        assert code == 2 and "No user named 'ghost'" in err
        code, _, err = run(capsys, monkeypatch, "users", "passwd", "ana")  # stdin is no terminal: say how
        assert code == 2 and "--password-stdin" in err
        assert browser.get("/api/me").status_code == 200  # nothing changed so far

        code, out, err = run(capsys, monkeypatch, "users", "passwd", "ana", "--password-stdin",
                             stdin="a new password\n")
        assert code == 0 and "a new password" not in out + err
        assert "password of ana changed; 1 session(s) ended, 0 API token(s) revoked" in out
        assert browser.get("/api/me").status_code == 401  # the old session is over
        assert browser.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200  # kept
        assert seeded.accounts.authenticate("ana", "old password") is None
        assert seeded.accounts.authenticate("ana", "a new password") is not None

        code, out, _ = run(capsys, monkeypatch, "users", "passwd", "ana", "--password-stdin", "--revoke-tokens",
                           "--json", stdin="another password\r\n")
        assert code == 0 and json.loads(out) == {"name": "ana", "sessions_revoked": 0, "tokens_revoked": 1}
        assert browser.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
        assert seeded.accounts.authenticate("ana", "another password") is not None  # \r\n is not part of it
    assert any(e.action == "set-password" and e.target == "ana" for e in seeded.accounts.audit_log())


def test_users_revoke_sessions_logs_a_user_out_everywhere(data_dir, seeded, capsys, monkeypatch) -> None:  # noqa: ANN001
    seeded.accounts.create_user("edna", "long enough", role="editor")
    token = seeded.accounts.create_api_token("edna")
    with _app_client(seeded) as laptop, _app_client(seeded) as phone:
        for browser in (laptop, phone):
            assert browser.post("/api/login", json={"name": "edna", "password": "long enough"}).status_code == 200
            assert browser.get("/editor", follow_redirects=False).status_code == 200
        code, out, _ = run(capsys, monkeypatch, "users", "revoke-sessions", "edna")
        assert code == 0 and out.strip() == "edna: 2 session(s) ended"
        for browser in (laptop, phone):
            gone = browser.get("/editor", follow_redirects=False)
            assert gone.status_code == 303 and gone.headers["location"].startswith("/login")
            assert browser.get("/api/me").status_code == 401
        assert laptop.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        code, out, _ = run(capsys, monkeypatch, "users", "revoke-sessions", "edna", "--tokens", "--json")
        assert json.loads(out) == {"name": "edna", "sessions_revoked": 0, "tokens_revoked": 1}
        assert laptop.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    code, _, err = run(capsys, monkeypatch, "users", "revoke-sessions", "ghost")
    assert code == 2 and "No user named 'ghost'" in err
