"""What every command shares: the user-error type (printed, exit 2), opening
the data dir's services, JSON output, reading corpus files, the actor name
recorded on editor actions, and progress bars on stderr."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa_service.settings import Settings

if TYPE_CHECKING:
    from tqdm import tqdm

    from qa_service.ingest.documents import LoadProblem
    from qa_service.models import Document
    from qa_service.services import Services

EXIT_USER_ERROR = 2


class UserError(Exception):
    """A problem with what the user asked for: printed as one line, exit code 2."""


def open_services(settings: Settings, *, need_data: bool = True) -> Services:
    """The services over the settings' data dir. ``need_data``: the command
    reads what ``ingest`` wrote, so a missing SQLite database is a user error,
    and nothing is created looking for it (a PostgreSQL database is there or
    not: connecting says which)."""
    from qa_service.services import Services

    if need_data and not settings.uses_postgres and not settings.sqlite_path.is_file():
        raise UserError(f"no data in {settings.data_dir.resolve()} (looked for {settings.sqlite_path.name}): "
                        "run `qa-service ingest` first, or point --data-dir / QA_DATA_DIR at a data dir")
    return Services(settings)


def print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2))


def read_documents(paths: Sequence[Path], *, default_kind: str = "source",
                   defaulted: set[str] | None = None) -> tuple[list[Document], list[LoadProblem]]:
    """Load documents from files or directories; bad files are reported on
    stderr by path and skipped, a missing path is a user error."""
    from qa_service.ingest.documents import load_paths

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UserError(f"no such file or directory: {', '.join(missing)}")
    docs, problems = load_paths(paths, default_kind=default_kind, defaulted=defaulted)
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    return docs, problems


def actor(args: argparse.Namespace) -> str:
    """Who an editor action is recorded as: --as NAME, else cli:$USER."""
    if getattr(args, "as_user", None):
        return str(args.as_user)
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "cli"


def progress(desc: str, *, total: int | None = None, unit: str = "doc", quiet: bool = False, **extra: Any) -> tqdm:
    """A progress bar on stderr (hidden when not a terminal, or ``quiet`` for --json)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=True if quiet else None, **extra)
