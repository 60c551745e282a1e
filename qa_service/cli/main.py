"""The ``qa-service`` command line: one entry point, subcommands named by verbs.
Options fall back to QA_* environment variables (see README); user errors print
one clear line and exit 2, never a stack trace."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from qa_service.settings import Settings, get_settings

if TYPE_CHECKING:
    from qa_service.ingest.documents import LoadProblem
    from qa_service.models import Document

EXIT_USER_ERROR = 2


class UserError(Exception):
    """A problem with what the user asked for: printed, exit code 2."""


def _services(settings: Settings):  # noqa: ANN202
    from qa_service.services import Services

    return Services(settings)


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2))


# ---------------------------------------------------------------------- ingest
def read_documents(paths: Sequence[Path]) -> tuple[list[Document], list[LoadProblem]]:
    """Load documents from files or directories; bad files are reported on
    stderr by path and skipped, a missing path is a user error."""
    from qa_service.ingest.documents import load_paths

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UserError(f"no such file or directory: {', '.join(missing)}")
    docs, problems = load_paths(paths)
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    return docs, problems


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    paths = [Path(p) for p in args.paths] or [settings.corpus_dir]
    docs, problems = read_documents(paths)
    services = _services(settings)
    with tqdm(total=len(docs), desc="ingest", unit="doc", file=sys.stderr, disable=args.json or None) as bar:
        summary = services.index.ingest(docs, prune=args.prune, progress=bar.update)
    extra: dict[str, object] = {}
    if not args.no_pregenerate:
        from qa_service.articles.pregeneration import after_ingest

        with tqdm(desc="answers", unit="q", file=sys.stderr, disable=args.json or None) as bar:
            extra = after_ingest(services, summary.changed, progress=bar.update)
    result = {**summary.as_dict(), "skipped": [str(p) for p in problems], **extra}
    if args.json:
        _print_json(result)
    else:
        print(
            f"added {len(summary.added)}, updated {len(summary.updated)}, unchanged {len(summary.unchanged)}, "
            f"removed {len(summary.removed)}; {summary.chunks} chunks written ({summary.embedded} embedded, "
            f"{summary.tokens} tokens); {len(problems)} skipped"
        )
        pre = extra.get("pregenerated")
        if isinstance(pre, dict) and pre.get("articles"):
            print(f"pre-generated {pre['answered'] + pre['not_in_sources']} answers for {pre['articles']} article(s)")
        if extra.get("stale_answers"):
            print(f"{len(extra['stale_answers'])} stored answer version(s) marked stale for review")
    return 0


# ---------------------------------------------------------------------- search
def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    services = _services(settings)
    if not services.store.document_ids():
        raise UserError(f"nothing is ingested in {settings.data_dir} yet: run `qa-service ingest` first")
    if args.article and services.store.get_document(args.article) is None:
        raise UserError(f"unknown article id {args.article!r}")
    if not args.query.strip():
        raise UserError("the query is empty")
    hits = services.index.search(args.query, k=args.k, article_id=args.article)
    if args.json:
        _print_json([h.model_dump(exclude={"text"}) | {"text": h.text} for h in hits])
        return 0
    if not hits:
        print("no results (is the corpus ingested? run: qa-service ingest)")
    for rank, hit in enumerate(hits, 1):
        snippet = " ".join(hit.text.split())[:160]
        print(f"{rank:>2}. {hit.score:.4f}  {hit.doc_id}  [{hit.start}:{hit.end}]\n    {snippet}")
    return 0


# ------------------------------------------------------------------------- ask
def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.answering.pipeline import UnknownArticleError

    services = _services(settings)
    if not services.store.document_ids():
        raise UserError(f"nothing is ingested in {settings.data_dir} yet: run `qa-service ingest` first")
    answerer = services.answerer(args.generator)
    try:
        answer = answerer.ask(args.question, args.article)
    except UnknownArticleError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        _print_json(answer.model_dump(exclude_none=True))
        return 0
    print(answer.answer)
    if answer.citations:
        print()
        for c in answer.citations:
            print(f"[{c.n}] {c.title} ({c.doc_id} {c.start}-{c.end})\n    \"{c.quote}\"")
    print(f"\nstatus: {answer.status} · generator: {answer.generator} · {answer.latency_ms:.0f} ms", file=sys.stderr)
    return 0


# ------------------------------------------------------------------------ main
Command = Callable[[argparse.Namespace, Settings], int]
EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qa-service",
        description="Cited follow-up answers for news articles, from the article and its source documents.",
        epilog="Settings come from QA_* environment variables (see README); QA_DATA_DIR picks the data dir.",
    )
    parser.add_argument("--data-dir", help="data directory (env QA_DATA_DIR, default ./data)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("ingest", help="read documents into the index (idempotent)",
                       description="Read Markdown/text files with YAML front matter and JSON Lines records into "
                                   "the index. Unchanged documents are skipped; changed ones replace their chunks.")
    p.add_argument("paths", nargs="*", help="files or directories (default: QA_CORPUS_DIR, ./corpus)")
    p.add_argument("--prune", action="store_true", help="remove indexed documents that are not in PATHS")
    p.add_argument("--no-pregenerate", action="store_true",
                   help="skip generating takeaways and suggested answers for changed articles")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="hybrid retrieval: show the best passages for a query")
    p.add_argument("query")
    p.add_argument("--article", help="search only this article and its sources")
    p.add_argument("--k", type=int, default=8, help="number of passages (default 8)")
    p.add_argument("--json", action="store_true", help="print results as JSON")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question with verified citations",
                       description="Answer a question from the indexed sources. Every citation is verified "
                                   "against the exact passage it quotes; if the sources do not cover the "
                                   "question the status is not_in_sources.")
    p.add_argument("question")
    p.add_argument("--article", help="answer from this article and its sources")
    p.add_argument("--generator", choices=["extractive", "openai"],
                   help="default: openai when QA_LLM_BASE_URL or a key is set, else extractive")
    p.add_argument("--json", action="store_true", help="print the answer in the JSON contract")
    p.set_defaults(func=cmd_ask)

    for add in EXTRA_COMMANDS:
        add(sub)
    return parser


def _load_extra_commands() -> None:
    """Commands of other modules register themselves here (serve, eval, ...)."""
    import importlib

    for module in ("qa_service.cli.llm", "qa_service.cli.serve", "qa_service.cli.eval", "qa_service.cli.editor"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        register = getattr(mod, "register", None)
        if register and register not in EXTRA_COMMANDS:
            EXTRA_COMMANDS.append(register)


def main(argv: Sequence[str] | None = None) -> int:
    _load_extra_commands()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USER_ERROR
    try:
        overrides = {"data_dir": Path(args.data_dir)} if args.data_dir else {}
        settings = Settings(**overrides) if overrides else get_settings()
    except Exception as exc:  # pydantic ValidationError: a bad QA_* value
        errors = getattr(exc, "errors", None)
        if callable(errors):
            for err in errors():
                name = "QA_" + "_".join(str(p) for p in err["loc"]).upper()
                print(f"error: bad setting {name}={err.get('input')!r}: {err['msg']}", file=sys.stderr)
        else:
            print(f"error: bad settings: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        return int(args.func(args, settings) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: one line, not a trace
        from qa_service.adapters.chroma_store import EmbedderMismatchError

        if isinstance(exc, EmbedderMismatchError):
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USER_ERROR
        if "QA_DEBUG" in __import__("os").environ:
            raise
        print(f"error: {type(exc).__name__}: {exc} (set QA_DEBUG=1 for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
