"""The command line as a new user meets it: clear errors with exit code 2,
nothing created by a read, output that may be cut short by a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa_service.cli.main import main

from .conftest import ARTICLE_ID

QA_SERVICE = Path(sys.executable).parent / "qa-service"


@pytest.mark.parametrize("question", ["", "   ", "?!"])
def test_ask_without_a_question_is_a_user_error(seeded, capsys, question: str) -> None:  # noqa: ANN001
    code = main(["--data-dir", str(seeded.settings.data_dir), "ask", question, "--article", ARTICLE_ID])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: The question") and "Traceback" not in err


@pytest.mark.parametrize("argv", [
    ["search", "cartels"],
    ["ask", "Who chairs the group?"],
    ["questions", "--article", ARTICLE_ID],
    ["takeaways", "--article", ARTICLE_ID],
    ["review"],
    ["versions", "--article", ARTICLE_ID],
    ["users", "list"],
    ["eval", "run", "--retrieval-only"],
])
def test_a_read_of_a_missing_data_dir_says_where_it_looked_and_creates_nothing(
        tmp_path: Path, capsys, argv: list[str]) -> None:  # noqa: ANN001
    missing = tmp_path / "nowhere" / "data"
    code = main(["--data-dir", str(missing), *argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert str(missing) in err and "qa-service ingest" in err
    assert not (tmp_path / "nowhere").exists()


def test_output_cut_short_by_a_closed_pipe_is_not_an_error(seeded) -> None:  # noqa: ANN001
    """`qa-service search ... --json | head -1`: the reader stops reading early."""
    env = {**os.environ, "QA_DATA_DIR": str(seeded.settings.data_dir)}
    proc = subprocess.Popen([str(QA_SERVICE), "search", "security cooperation", "--k", "40", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()  # like `head` exiting after its first lines
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err and "error" not in err


def test_db_upgrade_brings_either_database_to_the_current_schema(database_url: str, tmp_path: Path, capsys,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    import json

    from qa_service.store.db import open_database
    from qa_service.store.schema import COMPONENTS

    monkeypatch.setenv("QA_DATABASE_URL", database_url)
    code = main(["--data-dir", str(tmp_path / "data"), "db", "upgrade", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    expected = {component: len(steps) for component, steps in COMPONENTS.items()}
    assert set(expected) == {"corpus", "answers", "accounts", "jobs", "limits", "question_reviews"}
    assert out["versions"] == expected
    db = open_database(database_url)
    try:
        assert db.schema_versions() == expected  # recorded in the database itself
    finally:
        db.close()


def test_an_unreachable_postgres_is_one_clear_line(tmp_path: Path, capsys,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from .llm_fake_server import closed_port

    monkeypatch.setenv("QA_DATABASE_URL", f"postgresql://qa:secret@127.0.0.1:{closed_port()}/qa?connect_timeout=1")
    code = main(["--data-dir", str(tmp_path / "data"), "db", "upgrade"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: cannot connect to PostgreSQL at postgresql://qa:***@127.0.0.1:")
    assert "secret" not in err and "Traceback" not in err


def test_ingest_kind_article_makes_plain_news_files_articles(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    """A folder of news stories with no front matter (plain .txt, JSON Lines
    without 'kind'): `ingest --kind article` makes each an article with its
    takeaways and suggested questions; without it they are sources, as before."""
    import json

    from qa_service.settings import get_settings

    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "dam-repair.txt").write_text(
        "Dam repair to close Route 4 for six weeks\n\n"
        "State crews will close Route 4 at the Millbrook Dam for six weeks starting May 6 to repair the "
        "spillway, the transportation department said on Tuesday. The $12 million project is paid for with "
        "federal bridge money. Drivers will be detoured through Ashford, adding about 15 minutes to the trip. "
        "The dam was built in 1938 and last repaired in 1994, officials said.\n", encoding="utf-8")
    (feed / "wire.jsonl").write_text(json.dumps({
        "id": "library-hours", "title": "Library to add Sunday hours",
        "text": "The Harlow Public Library will open on Sundays from noon to 5 p.m. starting Sept. 8, the library "
                "board decided on Monday. The change costs about $60,000 a year, paid from a state grant. The "
                "library last opened on Sundays in 2009, before budget cuts."}) + "\n", encoding="utf-8")
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        assert main(["ingest", str(feed), "--kind", "article", "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["added"] == 2
        assert out["pregenerated"]["articles"] == 2 and out["pregenerated"]["takeaways"] == 2
        for article_id in ("dam-repair", "library-hours"):
            assert main(["takeaways", "--article", article_id, "--json"]) == 0
            assert json.loads(capsys.readouterr().out)["takeaways"]
        # a plain re-ingest keeps them articles (--kind is not needed again)
        assert main(["ingest", str(feed), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["unchanged"] == 2
        with pytest.raises(SystemExit):
            main(["ingest", str(feed), "--kind", "story"])
        assert "invalid choice" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()
