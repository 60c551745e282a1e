"""``qa-service eval``: the grounding eval harness on the command line.

    eval run        score the pipeline on question datasets (retrieval, citations,
                    faithfulness, refusals, correctness, latency); --gate for CI
    eval calibrate  measure a grounding checker on (document, summary, consistent) pairs
    eval compare    show what regressed between two runs
    eval suggestions  score each article's takeaways and suggested questions after
                    pre-generation (cited questions, boilerplate, key facts, duplicates)
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from qa_service.cli.common import UserError, open_services, print_json, read_documents
from qa_service.settings import Settings

if TYPE_CHECKING:
    from qa_service.evaluation.datasets import EvalItem
    from qa_service.grounding.checker import GroundingChecker
    from qa_service.services import Services

ROOT = Path(__file__).resolve().parents[2]
EXIT_GATE_FAILED = 1


def _evals_path(*parts: str) -> Path:
    """evals/... in the working directory, else in the source tree."""
    local = Path("evals", *parts)
    return local if local.exists() else ROOT.joinpath("evals", *parts)


def _progress(total: int, desc: str):  # noqa: ANN202 - tqdm
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="q", file=sys.stderr, disable=None, leave=False)


# ---------------------------------------------------------------------- run
def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.evaluation.datasets import DatasetError, dataset_files, load_datasets
    from qa_service.evaluation.gate import GateConfigError, check, load_thresholds
    from qa_service.evaluation.report import terminal_table, write_report
    from qa_service.evaluation.runner import run_eval

    if args.k < 1:
        raise UserError("--k must be at least 1")
    try:
        paths = [Path(p) for p in args.dataset] if args.dataset else dataset_files(_evals_path("datasets"))
        items = load_datasets(paths)
    except DatasetError as exc:
        raise UserError(str(exc)) from None
    if args.limit:
        items = items[: args.limit]
    thresholds = None
    gate_config = Path(args.gate_config) if args.gate_config else _evals_path("gate.toml")
    if args.gate:
        try:
            thresholds = load_thresholds(gate_config)
        except GateConfigError as exc:
            raise UserError(str(exc)) from None

    tmp: Path | None = None
    services = None
    try:
        if args.corpus:
            tmp = Path(tempfile.mkdtemp(prefix="qa-eval-"))
            # a private embedded index: never write eval corpora into a shared chroma server
            settings = settings.model_copy(update={"data_dir": tmp / "data", "chroma_host": ""})
            services = _ingest(settings, [Path(p) for p in args.corpus])
        else:
            services = open_services(settings)
            if not services.store.document_ids():
                raise UserError(f"no documents in {settings.data_dir}: run `qa-service ingest` first, "
                                "or pass --corpus PATH to ingest into a temporary data dir")
        _check_items(services, items)
        checker = _checker(args.checker, settings, services)
        with _progress(len(items), "eval") as bar:
            answerer = None if args.retrieval_only else services.answerer(args.generator)
            run = run_eval(services.index, answerer, checker, items, k=args.k, progress=bar.update,
                           config={"datasets": [str(p) for p in paths],
                                   "corpus": [str(p) for p in args.corpus] if args.corpus else None,
                                   "data_dir": None if tmp else str(settings.data_dir)})
    finally:
        if services is not None:
            services.close()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    gate_ok = True
    if thresholds is not None:
        results = check(run["summary"], thresholds, retrieval_only=args.retrieval_only)
        gate_ok = all(r.passed for r in results)
        run["gate"] = {"config": str(gate_config), "passed": gate_ok,
                       "results": [{"metric": r.metric, "bound": r.bound, "threshold": r.threshold,
                                    "value": r.value, "passed": r.passed, "text": r.describe()} for r in results]}
    if args.report:
        run_path, html_path = write_report(run, Path(args.report))
        print(f"report: {html_path} (data: {run_path})", file=sys.stderr)
    if args.json:
        out = dict(run["summary"])
        if "gate" in run:
            out["gate"] = {"passed": gate_ok, "failed": [r["text"] for r in run["gate"]["results"] if not r["passed"]]}
        print_json(out)
    else:
        print(terminal_table(run))
    if thresholds is not None:
        for r in run["gate"]["results"]:
            if not r["passed"]:
                print(f"gate: FAIL {r['text']}", file=sys.stderr)
        print(f"gate: {'passed' if gate_ok else 'failed'} ({gate_config})", file=sys.stderr)
    return 0 if gate_ok else EXIT_GATE_FAILED


def _ingest(settings: Settings, paths: list[Path]) -> Services:
    from tqdm import tqdm

    docs, _ = read_documents(paths)
    if not docs:
        raise UserError(f"no documents found in {', '.join(str(p) for p in paths)}")
    services = open_services(settings, need_data=False)
    with tqdm(total=len(docs), desc="ingest", unit="doc", file=sys.stderr, disable=None, leave=False) as bar:
        services.index.ingest(docs, progress=bar.update)
    return services


def _check_items(services: Services, items: list[EvalItem]) -> None:
    known = set(services.store.document_ids())
    unknown_articles = sorted({i.article_id for i in items if i.article_id and i.article_id not in known})
    if unknown_articles:
        raise UserError(f"dataset names article(s) not in the corpus: {', '.join(unknown_articles)}")
    unknown_docs = sorted({d for i in items for d in i.expected_doc_ids if d not in known})
    if unknown_docs:
        shown = ", ".join(unknown_docs[:5]) + (" ..." if len(unknown_docs) > 5 else "")
        print(f"warning: {len(unknown_docs)} expected document id(s) are not in the corpus: {shown}",
              file=sys.stderr)


def _checker(kind: str, settings: Settings, services: Services) -> GroundingChecker:
    if kind == "llm":
        if not settings.llm_configured:
            raise UserError("--checker llm needs an LLM endpoint: set QA_LLM_BASE_URL (and QA_LLM_MODEL)")
        from qa_service.services import make_llm_judge

        return make_llm_judge(settings, 0.5)
    if kind == "offline":
        return services.checker
    from qa_service.grounding.checker import make_checker

    return make_checker(kind, settings.support_threshold, settings.support_coverage_floor)


# ---------------------------------------------------------------------- calibrate
def cmd_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.evaluation.calibrate import calibrate
    from qa_service.evaluation.datasets import DatasetError, load_calibration

    try:
        rows = load_calibration(Path(args.dataset))
    except DatasetError as exc:
        raise UserError(str(exc)) from None
    if args.limit:
        rows = rows[: args.limit]
    threshold = settings.support_threshold if args.threshold is None else args.threshold
    if not 0.0 <= threshold <= 1.0:
        raise UserError("--threshold must be between 0 and 1")
    if args.checker == "llm":
        if not settings.llm_configured:
            raise UserError("--checker llm needs an LLM endpoint: set QA_LLM_BASE_URL (and QA_LLM_MODEL)")
        from qa_service.evaluation.llm_judge import JudgeError
        from qa_service.services import make_llm_judge

        checker = make_llm_judge(settings, 0.5 if args.threshold is None else threshold)
    else:
        from qa_service.grounding.checker import make_checker

        JudgeError = RuntimeError  # noqa: N806 - offline checkers raise nothing of the kind
        floor = settings.support_coverage_floor if args.coverage_floor is None else args.coverage_floor
        checker = make_checker(args.checker, threshold, floor)
    try:
        with _progress(len(rows), "calibrate") as bar:
            result = calibrate(checker, rows, progress=bar.update)
    except JudgeError as exc:
        raise UserError(f"the LLM judge failed: {exc}") from None
    result["dataset"] = str(args.dataset)
    if args.json:
        print_json(result)
        return 0
    print(f"{result['checker']} on {args.dataset} (threshold {result['threshold']})")
    print(f"  n                      {result['n']}")
    print(f"  balanced accuracy      {result['balanced_accuracy']:.3f}")
    print(f"  unsupported precision  {result['unsupported_precision']:.3f}")
    print(f"  unsupported recall     {result['unsupported_recall']:.3f}")
    print(f"  supported precision    {result['supported_precision']:.3f}")
    print(f"  supported recall       {result['supported_recall']:.3f}")
    best = result["best_threshold_in_sample"]
    print(f"  (best threshold on these pairs, in-sample: {best['threshold']} -> {best['balanced_accuracy']:.3f})")
    fitted = result.get("fitted")
    if fitted:
        cv = fitted["cross_validated"]
        print(f"  weights fitted on {fitted['on']}; {fitted['cv']} cross-validated: balanced accuracy "
              f"{cv['balanced_accuracy']:.3f}, unsupported precision {cv['unsupported_precision']:.3f}, "
              f"recall {cv['unsupported_recall']:.3f}")
    return 0


# ---------------------------------------------------------------------- compare
def cmd_compare(args: argparse.Namespace, settings: Settings) -> int:  # noqa: ARG001
    from qa_service.evaluation.compare import compare_runs, render_comparison
    from qa_service.evaluation.report import load_run

    try:
        a = load_run(Path(args.run_a))
        b = load_run(Path(args.run_b))
    except (FileNotFoundError, ValueError) as exc:
        raise UserError(str(exc)) from None
    result = compare_runs(a, b, tolerance=args.tolerance)
    if args.json:
        print_json(result)
    else:
        print(render_comparison(result, args.run_a, args.run_b))
    return EXIT_GATE_FAILED if args.fail_on_regression and result["regressed"] else 0


# ---------------------------------------------------------------------- suggestions
def cmd_suggestions(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.evaluation.article_report import gate, terminal_table, write_report
    from qa_service.evaluation.article_runner import run_article_eval
    from qa_service.evaluation.datasets import DatasetError
    from qa_service.evaluation.keyfacts import load_keyfacts

    keyfacts_path = Path(args.keyfacts) if args.keyfacts else _evals_path("suggestions", "keyfacts.jsonl")
    try:
        keyfacts = load_keyfacts(keyfacts_path)
    except DatasetError as exc:
        raise UserError(str(exc)) from None
    if args.suggest_at_ingest:
        settings = settings.model_copy(update={"suggest_at_ingest": args.suggest_at_ingest})
    tmp: Path | None = None
    services = None
    try:
        if args.corpus:
            tmp = Path(tempfile.mkdtemp(prefix="qa-eval-"))
            settings = settings.model_copy(update={"data_dir": tmp / "data", "chroma_host": ""})
            services = _ingest(settings, [Path(p) for p in args.corpus])
        else:
            services = open_services(settings)
        articles = [d.id for d in services.store.documents(kind="article")]
        if args.article:
            unknown = sorted(set(args.article) - set(articles))
            if unknown:
                raise UserError(f"no article with id {', '.join(map(repr, unknown))} in the corpus")
            articles = [a for a in articles if a in set(args.article)]
        articles.sort()
        if args.limit:
            articles = articles[: args.limit]
        if not articles:
            raise UserError("no articles to evaluate (documents with kind: article)")
        with _progress(len(articles), "pre-generate") as bar:
            bar.unit = "article"
            run = run_article_eval(services.store, services.answers, services.pregenerator, keyfacts, articles,
                                   progress=bar.update, embed=services.embedding_cache.embed,
                                   config={"corpus": [str(p) for p in args.corpus] if args.corpus else None,
                                           "keyfacts": str(keyfacts_path),
                                           "suggest_at_ingest": settings.suggest_at_ingest,
                                           "auto_publish": settings.auto_publish,
                                           "llm": settings.llm_configured})
    finally:
        if services is not None:
            services.close()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    failed = gate(run["summary"])
    run["gate"] = {"passed": not failed, "failed": failed}
    if args.report:
        run_path, html_path = write_report(run, Path(args.report))
        print(f"report: {html_path} (data: {run_path})", file=sys.stderr)
    if args.json:
        print_json({**run["summary"], "gate": run["gate"]})
    else:
        print(terminal_table(run))
    if args.gate:
        for text in failed:
            print(f"gate: FAIL {text}", file=sys.stderr)
        print(f"gate: {'failed' if failed else 'passed'}", file=sys.stderr)
        return EXIT_GATE_FAILED if failed else 0
    return 0


# ---------------------------------------------------------------------- register
def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="evals: answer datasets, the grounding checker, run comparison, suggestions",
                       description=__doc__.split("\n\n")[1] if __doc__ else None,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    esub = p.add_subparsers(dest="eval_command", metavar="EVAL_COMMAND")
    p.set_defaults(func=lambda a, s: (p.print_help(), 2)[1])

    r = esub.add_parser(
        "run", help="score the pipeline on question datasets",
        description="Run every question of the datasets through the pipeline (Services over QA_DATA_DIR, or a "
                    "temporary data dir with --corpus) and score retrieval (hits@1/5/10, mrr by document), "
                    "citations (validity, precision, recall), faithfulness, refusals, correctness against "
                    "expected facts, latency and tokens. See evals/README.md for the definitions.")
    r.add_argument("--dataset", action="append", metavar="FILE",
                   help="a JSON Lines dataset (repeatable; default: every evals/datasets/*.jsonl)")
    r.add_argument("--generator", choices=["extractive", "openai"],
                   help="answer generator (default: openai when an LLM is configured, else extractive)")
    r.add_argument("--retrieval-only", action="store_true",
                   help="score retrieval only (no answers): fast, for large datasets and corpora")
    r.add_argument("--k", type=int, default=50,
                   help="chunks retrieved for the retrieval metrics (documents ranked by best chunk; default 50)")
    r.add_argument("--corpus", action="append", metavar="PATH",
                   help="ingest these files/directories into a temporary data dir and evaluate on it "
                        "(repeatable; default: use the ingested QA_DATA_DIR)")
    r.add_argument("--checker", choices=["offline", "lexical", "llm"], default="offline",
                   help="grounding checker that judges citations and faithfulness (default: offline, the "
                        "pipeline's own; llm: the LLM judge at QA_LLM_BASE_URL)")
    r.add_argument("--report", metavar="DIR", help="write DIR/run.json and DIR/report.html")
    r.add_argument("--gate", action="store_true", help="exit 1 if a metric is below the thresholds of --gate-config")
    r.add_argument("--gate-config", metavar="FILE", help="gate thresholds (default: evals/gate.toml)")
    r.add_argument("--limit", type=int, metavar="N", help="only the first N questions")
    r.add_argument("--json", action="store_true", help="print the summary object as JSON")
    r.set_defaults(func=cmd_run)

    c = esub.add_parser(
        "calibrate", help="measure a grounding checker on labelled (document, summary) pairs",
        description="Judge each summary against its document and report n, balanced accuracy and precision/"
                    "recall of the unsupported class. Lines need `document`, `summary` and `consistent` "
                    "(e.g. ../shared/benchmarks/summedits-news/evaluation.jsonl).")
    c.add_argument("--dataset", required=True, metavar="FILE", help="JSON Lines with document, summary, consistent")
    c.add_argument("--checker", choices=["offline", "lexical", "llm"], default="offline",
                   help="offline (calibrated, default), lexical (the older heuristic) or llm (judge)")
    c.add_argument("--threshold", type=float, help="support threshold (default: QA_SUPPORT_THRESHOLD)")
    c.add_argument("--coverage-floor", type=float,
                   help="answer-time coverage floor of the offline checker (default: QA_SUPPORT_COVERAGE_FLOOR; "
                        "0 measures the fitted model alone)")
    c.add_argument("--limit", type=int, metavar="N", help="only the first N pairs")
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.set_defaults(func=cmd_calibrate)

    m = esub.add_parser("compare", help="show what regressed between two runs",
                        description="Compare run B against run A (each a --report directory or its run.json): "
                                    "summary metrics and the questions whose outcome changed.")
    m.add_argument("run_a", metavar="RUN_A", help="the baseline run (e.g. evals/results/baseline)")
    m.add_argument("run_b", metavar="RUN_B", help="the run to check")
    m.add_argument("--tolerance", type=float, default=0.0, help="ignore metric drops up to this much (absolute)")
    m.add_argument("--fail-on-regression", action="store_true", help="exit 1 when anything regressed")
    m.add_argument("--json", action="store_true", help="print the comparison as JSON")
    m.set_defaults(func=cmd_compare)

    g = esub.add_parser(
        "suggestions", help="score each article's takeaways and suggested questions after pre-generation",
        description="Pre-generate every article as ingest does (Services over QA_DATA_DIR, or a temporary data dir "
                    "with --corpus), then score what readers and editors get: the share of articles with at least "
                    "4 cited suggested questions shown, the share of takeaways that are labelled boilerplate, the "
                    "share of articles whose takeaways or questions carry the labelled key fact, duplicate "
                    "questions, and pre-generation time per article. See evals/README.md. Example: qa-service eval "
                    "suggestions --corpus evals/corpora/newsroom --corpus evals/corpora/vermont-flooding-2025 "
                    "--report evals/results/suggestions")
    g.add_argument("--corpus", action="append", metavar="PATH",
                   help="ingest these files/directories into a temporary data dir first (repeatable; default: "
                        "the ingested QA_DATA_DIR, whose stored questions and takeaways are then replaced)")
    g.add_argument("--keyfacts", metavar="FILE",
                   help="labels: key fact and boilerplate per article (default evals/suggestions/keyfacts.jsonl)")
    g.add_argument("--article", action="append", metavar="ID", help="only this article (repeatable)")
    g.add_argument("--limit", type=int, metavar="N", help="only the first N articles (by id)")
    g.add_argument("--suggest-at-ingest", choices=["never", "llm", "always"],
                   help="override QA_SUGGEST_AT_INGEST for this run")
    g.add_argument("--report", metavar="DIR", help="write DIR/run.json and DIR/report.html")
    g.add_argument("--gate", action="store_true",
                   help="exit 1 below the targets (>= 90%% of articles with 4 cited questions, <= 2%% boilerplate "
                        "takeaways)")
    g.add_argument("--json", action="store_true", help="print the summary as JSON")
    g.set_defaults(func=cmd_suggestions)
