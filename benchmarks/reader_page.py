"""Reader page and streaming benchmark against a real uvicorn server on 127.0.0.1.

Ingests the seed corpus into a temporary data dir (with its pre-generated
answers) unless --data-dir is given, serves the app, and prints:
- article page (HTML) and article API latency p50/p95 over --requests views;
- for --questions new typed questions: time to the first SSE event (retrieval),
  to the first delta, and to 'done', p50 and max;
- the same questions asked again (cached): time to 'done'.
Run: .venv/bin/python benchmarks/ingest_retrieval.py is the retrieval one; this is
     .venv/bin/python benchmarks/reader_page.py [--requests 200] [--questions 8]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa_service.settings import Settings  # noqa: E402

ARTICLE_ID = "us-mexico-security-cooperation"
QUESTIONS = [
    "Which Mexican agencies take part in the Security Implementation Group?",
    "What is Mission Firewall?",
    "How is security assistance for Mexico funded?",
    "What did the 2021 High-Level Security Dialogue agree?",
    "What does eTrace do?",
    "Who spoke by phone on January 15?",
    "What data do the two governments share about cargo?",
    "Is there dedicated funding for the SIG?",
    "What is the Bicentennial Framework?",
    "When will the Security Implementation Group meet?",
]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def ingest(data_dir: Path) -> None:
    from qa_service.ingest.documents import load_paths
    from qa_service.services import Services

    services = Services(Settings(data_dir=data_dir, corpus_dir=ROOT / "corpus"))
    docs, _ = load_paths([ROOT / "corpus"])
    summary = services.index.ingest(docs)
    services.pregenerator.after_ingest(summary.changed)


def serve(data_dir: Path, rate_limit: int):  # noqa: ANN201
    import uvicorn

    from qa_service.web.app import create_app

    app = create_app(Settings(data_dir=data_dir, rate_limit_per_minute=rate_limit))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{sock.getsockname()[1]}"


def stream_times(client: httpx.Client, base: str, question: str) -> dict[str, float]:
    started = time.perf_counter()
    marks: dict[str, float] = {}
    with client.stream("GET", f"{base}/api/articles/{ARTICLE_ID}/questions/stream",
                       params={"question": question}, timeout=120) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
                now = (time.perf_counter() - started) * 1000
                marks.setdefault("first_event", now)
                marks.setdefault(f"first_{kind}", now)
                if kind == "done":
                    marks["done"] = now
    return marks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="an already ingested data dir (default: ingest the seed corpus)")
    parser.add_argument("--requests", type=int, default=200, help="page views to time")
    parser.add_argument("--questions", type=int, default=8, help="new typed questions to stream (max 10)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    tmp = None
    data_dir = args.data_dir
    if data_dir is None:
        tmp = tempfile.TemporaryDirectory()
        data_dir = Path(tmp.name) / "data"
        t = time.perf_counter()
        ingest(data_dir)
        print(f"ingested the seed corpus with pre-generated answers in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    server, thread, base = serve(data_dir, rate_limit=1000)
    out: dict[str, object] = {}
    try:
        with httpx.Client() as client:
            client.get(f"{base}/articles/{ARTICLE_ID}")  # warm the templates
            for name, path in (("page_html", f"/articles/{ARTICLE_ID}"), ("article_api", f"/api/articles/{ARTICLE_ID}")):
                times = []
                for _ in range(args.requests):
                    t = time.perf_counter()
                    client.get(base + path).raise_for_status()
                    times.append((time.perf_counter() - t) * 1000)
                out[name] = {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(pct(times, 0.95), 2)}
            fresh = [stream_times(client, base, q) for q in QUESTIONS[: args.questions]]
            cached = [stream_times(client, base, q) for q in QUESTIONS[: args.questions]]
        for label, runs in (("stream_new", fresh), ("stream_cached", cached)):
            summary = {}
            for mark in ("first_event", "first_delta", "done"):
                values = [r[mark] for r in runs if mark in r]
                if values:
                    summary[mark] = {"p50_ms": round(statistics.median(values), 1), "max_ms": round(max(values), 1)}
            out[label] = summary
        out["questions"] = len(fresh)
    finally:
        server.should_exit = True
        thread.join(30)
        if tmp:
            tmp.cleanup()
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for key, value in out.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
