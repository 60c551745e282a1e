"""The ``qa-service`` entry point: the parser (each command module registers
its subcommands) and the one place errors become exit codes. Options fall
back to QA_* environment variables (see README); user errors print one clear
line and exit 2, never a stack trace."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from qa_service.cli import corpus, db, editor, llm, serve
from qa_service.cli import eval as eval_commands
from qa_service.cli.common import EXIT_USER_ERROR, UserError
from qa_service.models import UnknownArticle
from qa_service.store.db import DatabaseUnavailable
from qa_service.settings import Settings, get_settings

COMMAND_MODULES = (corpus, llm, serve, eval_commands, editor, db)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qa-service",
        description="Cited follow-up answers for news articles, from the article and its source documents.",
        epilog="Settings come from QA_* environment variables (see README); QA_DATA_DIR picks the data dir.",
    )
    parser.add_argument("--data-dir", help="data directory (env QA_DATA_DIR, default ./data)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def _settings(args: argparse.Namespace) -> Settings | None:
    """The settings, or None after printing which QA_* value is bad."""
    try:
        return Settings(data_dir=Path(args.data_dir)) if args.data_dir else get_settings()
    except Exception as exc:  # pydantic ValidationError: a bad QA_* value
        errors = getattr(exc, "errors", None)
        if callable(errors):
            for err in errors():
                name = "QA_" + "_".join(str(p) for p in err["loc"]).upper()
                print(f"error: bad setting {name}={err.get('input')!r}: {err['msg']}", file=sys.stderr)
        else:
            print(f"error: bad settings: {exc}", file=sys.stderr)
        return None


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USER_ERROR
    settings = _settings(args)
    if settings is None:
        return EXIT_USER_ERROR
    try:
        return int(args.func(args, settings) or 0)
    except (UserError, UnknownArticle, DatabaseUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise  # the reader of our output went away: main() ends quietly
    except Exception as exc:  # noqa: BLE001 - last resort: one line, not a trace
        from qa_service.adapters.chroma_store import EmbedderMismatchError

        if isinstance(exc, EmbedderMismatchError):
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USER_ERROR
        if "QA_DEBUG" in os.environ:
            raise
        print(f"error: {type(exc).__name__}: {exc} (set QA_DEBUG=1 for details)", file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(argv)
    except BrokenPipeError:
        # `qa-service --help | head`: the reader went away. Point stdout at
        # /dev/null so the interpreter's final flush does not complain either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
