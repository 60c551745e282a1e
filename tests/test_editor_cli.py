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
