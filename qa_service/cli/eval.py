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
            # a private embedded index and SQLite file: never write eval corpora into a
            # shared Chroma server or the configured database
            settings = settings.model_copy(update={"data_dir": tmp / "data", "chroma_host": "", "database_url": ""})
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
    from qa_service.services import make_checker

    return make_checker(kind, settings.support_threshold)


# ---------------------------------------------------------------------- calibrate
def _fmt(x: float) -> str:
    return "  -  " if x != x else f"{x:.3f}"  # NaN: a domain with one class


def _rescored_domains(args: argparse.Namespace, results: dict) -> dict:
    """Replace the committed held-out scores of each domain that has a fold
    model in --fold-models (ce_<domain>.onnx, trained without that domain) by
    scoring that domain's pairs of --train-data with it, through the checker."""
    from qa_service.evaluation.calibrate import calibrate
    from qa_service.evaluation.datasets import DatasetError, load_calibration
    from qa_service.services import make_checker

    try:
        rows = load_calibration(Path(args.train_data))
    except DatasetError as exc:
        raise UserError(str(exc)) from None
    domains = dict(results["lodo"]["domains"])
    folds = sorted(Path(args.fold_models).glob("ce_*.onnx"))
    if not folds:
        raise UserError(f"no fold models (ce_<domain>.onnx) in {args.fold_models}")
    for path in folds:
        domain = path.stem.removeprefix("ce_")
        mine = [r for r in rows if r.get("domain") == domain]
        if not mine:
            raise UserError(f"{args.train_data} has no pairs of domain {domain!r}")
        checker = make_checker("crossencoder", model=path)
        with _progress(len(mine), f"fold {domain}") as bar:
            result = calibrate(checker, mine, progress=bar.update, bootstrap=0, keep_scores=True)
        domains[domain] = {"labels": [bool(r["consistent"]) for r in mine], "scores": result["scores"],
                           "from": f"rescored with {path.name}"}
    return {**results, "lodo": {**results["lodo"], "domains": domains}}


def cmd_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.evaluation.calibrate import calibrate, lodo_table, training_thresholds
    from qa_service.evaluation.datasets import DatasetError, load_calibration
    from qa_service.grounding.checker import load_card, training_results

    if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
        raise UserError("--threshold must be between 0 and 1")
    if bool(args.fold_models) != bool(args.train_data):
        raise UserError("--fold-models and --train-data go together")
    card = load_card()
    results = training_results()
    if args.fold_models:
        results = _rescored_domains(args, results)
    out: dict = {"model": {"name": card.name, "sha256": card.sha256, "version": card.meta.get("version", "")},
                 "lodo": lodo_table(results), "lodo_recipe": results["lodo"].get("recipe", ""),
                 "thresholds": training_thresholds(results) | {"coverage_floor": card.coverage_floor}}
    if args.dataset:
        try:
            rows = load_calibration(Path(args.dataset))
        except DatasetError as exc:
            raise UserError(str(exc)) from None
        if args.limit:
            rows = rows[: args.limit]
        if args.checker == "llm":
            if not settings.llm_configured:
                raise UserError("--checker llm needs an LLM endpoint: set QA_LLM_BASE_URL (and QA_LLM_MODEL)")
            from qa_service.evaluation.llm_judge import JudgeError
            from qa_service.services import make_llm_judge

            checker = make_llm_judge(settings, 0.5 if args.threshold is None else args.threshold)
            fixed = {}
        else:
            from qa_service.services import make_checker

            JudgeError = RuntimeError  # noqa: N806 - offline checkers raise nothing of the kind
            threshold = settings.support_threshold if args.threshold is None else args.threshold
            checker = make_checker(args.checker, threshold)
            # the balanced threshold chosen on the training domains, measured here too
            fixed = {"max_ba": card.threshold_max_ba} if args.checker == "crossencoder" else {}
        try:
            with _progress(len(rows), "calibrate") as bar:
                result = calibrate(checker, rows, progress=bar.update, thresholds=fixed, bootstrap=args.bootstrap)
        except JudgeError as exc:
            raise UserError(f"the LLM judge failed: {exc}") from None
        result["dataset"] = str(args.dataset)
        out["dataset"] = result
    if args.json:
        print_json(out)
        return 0
    _print_calibration(out, card)
    return 0


def _print_calibration(out: dict, card) -> None:  # noqa: ANN001 - CrossEncoderCard
    print(f"grounding model {out['model']['name']} ({out['model']['version']}; sha256 {card.sha256[:12]}...)")
    print("\nleave-one-domain-out on the training domains (each domain scored by a model that never saw it;")
    print("threshold: max balanced accuracy on the other domains' held-out scores)")
    if out["lodo_recipe"]:
        print(f"  fold models: {out['lodo_recipe']}")
    print(f"  {'domain':12s} {'n':>5s} {'BA':>6s} {'AUC':>6s}")
    for domain, row in out["lodo"].items():
        print(f"  {domain:12s} {row['n']:5d} {_fmt(row['balanced_accuracy']):>6s} {_fmt(row['auc']):>6s}")
    th = out["thresholds"]
    print(f"\nthresholds, chosen on {th['on']} (n={th['n']}):")
    print(f"  answer time  {th['answer_threshold']:.4f}  (unsupported precision >= {th['precision_target']:.2f}: "
          f"there {th['train_unsupported_precision']:.3f}, recall {th['train_unsupported_recall']:.3f})")
    print(f"  max BA       {th['max_ba_threshold']:.4f}")
    print(f"  coverage floor {th['coverage_floor']:.4f} ({card.coverage_floor_rule})")
    if (th["answer_threshold"], th["max_ba_threshold"]) != (card.threshold, card.threshold_max_ba):
        print(f"  NOTE: the model card says {card.threshold} and {card.threshold_max_ba}")
    result = out.get("dataset")
    if not result:
        return
    print(f"\n{result['checker']} on {result['dataset']}: n {result['n']}, AUC {_fmt(result['auc'])}")
    rows = [("checker threshold", result)] + [(f"{name} threshold", r) for name, r in result["at"].items()]
    print(f"  {'':20s} {'thr':>7s} {'BA':>6s} {'95% CI':>15s} {'unsupP':>7s} {'unsupR':>7s} {'suppR':>7s}")
    for label, r in rows:
        ci = r.get("balanced_accuracy_ci95")
        ci_text = f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""
        print(f"  {label:20s} {r['threshold']:7.4f} {r['balanced_accuracy']:6.3f} {ci_text:>15s} "
              f"{r['unsupported_precision']:7.3f} {r['unsupported_recall']:7.3f} {r['supported_recall']:7.3f}")
    best = result["best_threshold_in_sample"]
    print(f"  (best threshold on these pairs, in-sample and optimistic: {best['threshold']} -> "
          f"{best['balanced_accuracy']:.3f})")


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
    r.add_argument("--checker", choices=["offline", "crossencoder", "lexical", "llm"], default="offline",
                   help="grounding checker that judges citations and faithfulness (default: offline, the "
                        "pipeline's own, QA_CHECKER; llm: the LLM judge at QA_LLM_BASE_URL)")
    r.add_argument("--report", metavar="DIR", help="write DIR/run.json and DIR/report.html")
    r.add_argument("--gate", action="store_true", help="exit 1 if a metric is below the thresholds of --gate-config")
    r.add_argument("--gate-config", metavar="FILE", help="gate thresholds (default: evals/gate.toml)")
    r.add_argument("--limit", type=int, metavar="N", help="only the first N questions")
    r.add_argument("--json", action="store_true", help="print the summary object as JSON")
    r.set_defaults(func=cmd_run)

    c = esub.add_parser(
        "calibrate", help="the grounding checker's figures: held-out training domains, and labelled pairs",
        description="Print the shipped grounding model's leave-one-domain-out balanced accuracy per training "
                    "domain and its thresholds, recomputed from the held-out scores training committed "
                    "(qa_service/grounding/model/training_results.json; --fold-models re-scores domains from "
                    "data). With --dataset, judge each summary against its document and report AUC, balanced "
                    "accuracy with a bootstrap 95%% interval, and unsupported precision/recall, at the "
                    "answer-time threshold and at the max-balanced-accuracy threshold, both fixed on the "
                    "training domains. Lines need `document`, `summary` and `consistent` "
                    "(e.g. ../shared/benchmarks/summedits-news/evaluation.jsonl: measured, never fitted on).")
    c.add_argument("--dataset", metavar="FILE", help="JSON Lines with document, summary, consistent")
    c.add_argument("--checker", choices=["crossencoder", "lexical", "llm"], default="crossencoder",
                   help="crossencoder (the shipped model, default), lexical (model-free baseline) or llm (judge)")
    c.add_argument("--threshold", type=float,
                   help="support threshold (default: QA_SUPPORT_THRESHOLD, else the checker's own)")
    c.add_argument("--bootstrap", type=int, default=2000, help="resamples for the 95%% interval (0: none)")
    c.add_argument("--fold-models", metavar="DIR",
                   help="re-score each domain that has a fold model DIR/ce_<domain>.onnx (trained without it; "
                        "training/grounding/train_crossencoder.py --mode lodo) instead of its committed scores")
    c.add_argument("--train-data", metavar="FILE",
                   help="with --fold-models: the training pairs with a `domain` field "
                        "(../shared/benchmarks/summedits-other/train.jsonl)")
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
