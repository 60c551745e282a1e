"""Commands on the corpus: ``ingest`` (read documents into the index and
pre-generate each article's takeaways and answers), ``search`` (hybrid
retrieval) and ``ask`` (an answer with verified citations)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qa_service.cli.common import UserError, open_services, print_json, progress, read_documents
from qa_service.settings import Settings


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    paths = [Path(p) for p in args.paths] or [settings.corpus_dir]
    defaulted: set[str] = set()
    docs, problems = read_documents(paths, default_kind=args.kind or "source", defaulted=defaulted)
    services = open_services(settings, need_data=False)
    if args.kind is None and defaulted:
        # a file that does not say its kind keeps the one it was ingested as (ingest --kind
        # article once, then plain re-ingests, must not turn the articles into sources)
        stored = {d.id for d in services.store.documents(kind="article")}
        docs = [d.model_copy(update={"kind": "article"}) if d.id in defaulted and d.id in stored else d for d in docs]
    with progress("ingest", total=len(docs), quiet=args.json) as bar:
        summary = services.index.ingest(docs, prune=args.prune, progress=bar.update)
    extra: dict[str, object] = {}
    if not args.no_pregenerate:
        with progress("answers", unit="q", quiet=args.json) as bar:
            extra = services.pregenerator.after_ingest(summary.changed, progress=bar.update)
    result = {**summary.as_dict(), "skipped": [str(p) for p in problems], **extra}
    if args.json:
        print_json(result)
        return 0
    print(f"added {len(summary.added)}, updated {len(summary.updated)}, unchanged {len(summary.unchanged)}, "
          f"removed {len(summary.removed)}; {summary.chunks} chunks written ({summary.embedded} embedded, "
          f"{summary.tokens} tokens); {len(problems)} skipped")
    if summary.flagged:
        count = sum(len(flags) for flags in summary.flagged.values())
        print(f"flagged {count} passage(s) addressed to AI systems in {len(summary.flagged)} document(s); "
              "they are kept out of answers, citations and takeaways (editors see them in review):")
        for doc_id, flags in summary.flagged.items():
            for flag, text in flags:
                where = f"[{flag.start}:{flag.end}]" if flag.field == "text" else flag.field
                shown = " ".join(text.split())
                shown = shown if len(shown) <= 100 else shown[:99] + "\u2026"
                print(f"  {doc_id} {where} {flag.reason}: {shown!r}")
    pre = extra.get("pregenerated")
    if isinstance(pre, dict) and pre.get("articles"):
        print(f"pre-generated {pre['answered'] + pre['not_in_sources']} answers for {pre['articles']} article(s)")
    repaired = summary.repaired or {}
    if repaired.get("deleted") or repaired.get("embedded"):
        print(f"reconciled the index: deleted {repaired['deleted']} vector(s) without a chunk, "
              f"embedded {repaired['embedded']} chunk(s) without a vector")
    if extra.get("stale_answers"):
        print(f"{len(extra['stale_answers'])} stored answer version(s) marked stale for review")  # type: ignore[arg-type]
    return 0


def cmd_pregenerate(args: argparse.Namespace, settings: Settings) -> int:
    """Fill what sits under articles: takeaways, answers to curated questions,
    and (unless --no-questions) generated suggested questions, for the named
    articles or every article; questions with a published answer are left alone."""
    services = open_services(settings)
    known = {d.id for d in services.store.documents(kind="article")}
    ids = args.article or sorted(known)
    unknown = [a for a in ids if a not in known]
    if unknown:
        raise UserError(f"no article with id {', '.join(map(repr, unknown))}")
    if args.missing:
        ids = [a for a in ids if services.answers.get_takeaways(a) is None
               or not services.answers.questions(a)]
    with progress("pre-generate", total=len(ids), unit="article", quiet=args.json) as bar:
        totals: dict[str, int] = {}
        for article_id in ids:
            summary = services.pregenerator.pregenerate([article_id], suggest=not args.no_questions,
                                                        only_missing=True, keep_takeaways=True)
            for key, value in summary.as_dict().items():
                totals[key] = totals.get(key, 0) + value
            bar.update(1)
    if args.json:
        print_json({"articles": len(ids), **{k: v for k, v in totals.items() if k != "articles"}})
    else:
        print(f"pre-generated {len(ids)} article(s): {totals.get('takeaways', 0)} takeaways, "
              f"{totals.get('answered', 0)} answered and {totals.get('not_in_sources', 0)} unanswered questions")
    return 0


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    """Check that SQLite and chroma hold the same chunks; --repair fixes them."""
    services = open_services(settings)
    if args.repair:
        with progress("re-embed", unit="chunk", quiet=args.json) as bar:
            result = services.index.repair(progress=bar.update)
    else:
        result = services.index.check()
    if args.json:
        print_json(result.as_dict())
    else:
        print(f"{result.chunks} chunks in SQLite, {result.vectors} vectors in chroma")
        if args.repair:
            print(f"repaired: deleted {result.deleted} vector(s) without a chunk, "
                  f"embedded {result.embedded} chunk(s) without a vector")
        if result.orphan_vectors:
            print(f"{len(result.orphan_vectors)} vector(s) have no chunk (e.g. {result.orphan_vectors[0]})")
        if result.missing_vectors:
            print(f"{len(result.missing_vectors)} chunk(s) have no vector (e.g. {result.missing_vectors[0]})")
        if result.ok:
            print("ok: every chunk has its vector and every vector its chunk")
        else:
            print("run `qa-service doctor --repair` to fix this", file=sys.stderr)
    return 0 if result.ok else 1


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    if not args.query.strip():
        raise UserError("the query is empty")
    services = open_services(settings)
    if args.article:
        services.store.article(args.article)
    hits = services.index.search(args.query, k=args.k, article_id=args.article)
    if args.json:
        print_json([h.model_dump(exclude={"text"}) | {"text": h.text} for h in hits])
        return 0
    if not hits:
        print("no results (is the corpus ingested? run: qa-service ingest)")
    for rank, hit in enumerate(hits, 1):
        snippet = " ".join(hit.text.split())[:160]
        print(f"{rank:>2}. {hit.score:.4f}  {hit.doc_id}  [{hit.start}:{hit.end}]\n    {snippet}")
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    services = open_services(settings)
    answerer = services.answerer(args.generator)
    reason = answerer.validate(args.question)
    if reason:
        raise UserError(reason)
    answer = answerer.ask(args.question, args.article)
    if args.json:
        print_json(answer.model_dump(exclude_none=True))
        return 0
    print(answer.answer)
    if answer.citations:
        print()
        for c in answer.citations:
            print(f"[{c.n}] {c.title} ({c.doc_id} {c.start}-{c.end})\n    \"{c.quote}\"")
    print(f"\nstatus: {answer.status} · generator: {answer.generator} · {answer.latency_ms:.0f} ms", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="read documents into the index (idempotent)",
                       description="Read Markdown/text files (YAML front matter optional), JSON Lines and JSON "
                                   "records into the index. Unchanged documents are skipped; changed ones replace "
                                   "their chunks. "
                                   "Then each changed article's takeaways and answers are pre-generated.")
    p.add_argument("paths", nargs="*", help="files or directories (default: QA_CORPUS_DIR, ./corpus)")
    p.add_argument("--prune", action="store_true",
                   help="remove indexed documents that are not in PATHS, and reconcile vectors with chunks")
    p.add_argument("--no-pregenerate", action="store_true",
                   help="skip generating takeaways and suggested answers for changed articles")
    p.add_argument("--kind", choices=("source", "article"),
                   help="what a document is when its front matter or record does not say: 'article' for a feed "
                        "of news stories (each gets takeaways and suggested questions), 'source' for the "
                        "statements and reports articles cite. Default: as it was ingested before, else source")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser(
        "pregenerate", help="fill takeaways and suggested questions for articles (all, or --article ID)",
        description="Store each article's takeaways, answers to its curated questions and generated suggested "
                    "questions (each kept only with a cited answer), as ingest does. With QA_SUGGEST_AT_INGEST=never "
                    "ingest costs about embedding alone; run this afterwards to add the questions. Questions that "
                    "already have a published answer, and stored takeaways, are left to editors.")
    p.add_argument("--article", action="append", metavar="ID", help="only this article (repeatable)")
    p.add_argument("--missing", action="store_true", help="only articles without takeaways or shown questions")
    p.add_argument("--no-questions", action="store_true", help="takeaways and curated answers only")
    p.add_argument("--json", action="store_true", help="print the totals as JSON")
    p.set_defaults(func=cmd_pregenerate)

    p = sub.add_parser("doctor", help="check that SQLite chunks and chroma vectors agree (--repair fixes them)",
                       description="Compare the chunk ids in SQLite with the vector ids in chroma. A process killed "
                                   "between the two writes of an ingest leaves vectors without a chunk; a lost "
                                   "chroma write leaves chunks without a vector. --repair deletes the first and "
                                   "embeds the second. Exit code 1 when they disagree (after --repair: if they "
                                   "still do). `ingest --prune` repairs too.")
    p.add_argument("--repair", action="store_true", help="delete orphan vectors and embed chunks that lack one")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_doctor)

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
