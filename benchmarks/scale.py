"""A corpus of about 100k chunks: ingest, search and a serving worker's start.

Embeddings come from a fast, deterministic embedder (hashed word counts, 384
dimensions) served over the OpenAI embeddings protocol on 127.0.0.1 by a
process of its own (`--embedding-server`), through the service's real
OpenAI embeddings adapter: embedding costs almost nothing, so what is
measured is everything else. The corpus is generated: words drawn from a
Zipf-distributed vocabulary, each document with its own topic words, like the
term statistics of news.

Prints: documents, chunks, tokens; ingest time, the part spent embedding and
the rest; search p50/p95 (and the first search of a fresh process) with
hits@10 of questions made from one document's sentence; a `serve` worker's
start-up (process start to answering /healthz), its first typed answer (the
first search of the process) and its memory after 20 answers.

    .venv/bin/python benchmarks/scale.py                        # 100k chunks, SQLite
    .venv/bin/python benchmarks/scale.py --chunks 20000
    .venv/bin/python benchmarks/scale.py --database-url postgresql://...   # PostgreSQL
    .venv/bin/python benchmarks/scale.py --tree /path/to/other/checkout    # before/after
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIMS = 384
WORD = re.compile(r"[a-z0-9]+")


# ------------------------------------------------------------ the embedder
def embed(text: str):  # noqa: ANN201 - a numpy vector
    import numpy as np

    words = WORD.findall(text.lower())
    if not words:
        vec = np.zeros(DIMS)
        vec[0] = 1.0
        return vec
    codes = np.array([zlib.crc32(w.encode()) for w in words], dtype=np.uint64)
    signs = np.where(codes & 1, 1.0, -1.0)
    vec = np.bincount((codes >> 1) % DIMS, weights=signs, minlength=DIMS)
    norm = float(np.linalg.norm(vec)) or 1.0
    return vec / norm


def serve_embeddings(port: int) -> None:
    """An OpenAI-protocol embeddings endpoint (chat completions answer 404)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # One write per response, sent at once: headers and body written apart
        # would wait ~40 ms on the client's delayed ACK (Nagle).
        disable_nagle_algorithm = True
        wbufsize = 1 << 16

        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            if not self.path.endswith("/embeddings"):
                self._send(404, {"error": {"message": "only embeddings here", "type": "not_found"}})
                return
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            data = [{"object": "embedding", "index": i, "embedding": [round(x, 6) for x in embed(t).tolist()]}
                    for i, t in enumerate(texts)]
            self._send(200, {"object": "list", "data": data, "model": body.get("model", "hash"),
                             "usage": {"prompt_tokens": 0, "total_tokens": 0}})

        def _send(self, status: int, payload: dict) -> None:
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


# --------------------------------------------------------------- the corpus
SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 4)))))
    return sorted(words)


def make_docs(n_docs: int, words_per_doc: int, seed: int = 7):  # noqa: ANN201 - list[Document]
    from qa_service.models import Document

    rng = random.Random(seed)
    vocab = vocabulary(40_000, rng)
    weights = [1.0 / (rank + 1) ** 1.07 for rank in range(len(vocab))]
    docs = []
    for i in range(n_docs):
        topic = rng.sample(vocab[500:20_000], 25)
        common = rng.choices(vocab, weights=weights, k=words_per_doc)
        sentences, words = [], []
        for w in common:
            words.append(rng.choice(topic) if rng.random() < 0.25 else w)
            if len(words) >= rng.randint(10, 22):
                sentences.append(" ".join(words).capitalize() + ".")
                words = []
        title = " ".join(rng.sample(topic, 5)).title()
        paras = [" ".join(sentences[p:p + 5]) for p in range(0, len(sentences), 5)]
        article = i % 100 == 0
        docs.append(Document(id=f"{'art' if article else 'src'}-{i:06d}", title=title, text="\n\n".join(paras),
                             kind="article" if article else "source",
                             sources=[f"src-{j:06d}" for j in range(i + 1, min(i + 4, n_docs))] if article else []))
    return docs


# ------------------------------------------------------------------ helpers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=100_000, help="about this many chunks")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    parser.add_argument("--database-url", default="", help="QA_DATABASE_URL (default: SQLite in a temp dir)")
    parser.add_argument("--keep", type=Path, help="keep the data dir here")
    parser.add_argument("--embedding-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.embedding_server:
        serve_embeddings(args.embedding_server)
        return 0

    tree = args.tree.resolve()
    sys.path.insert(0, str(tree))
    from qa_service.ingest.chunking import chunk_document
    from qa_service.services import Services
    from qa_service.settings import Settings

    port = free_port()
    embedder_proc = subprocess.Popen([sys.executable, __file__, "--embedding-server", str(port)])
    data = args.keep or Path(tempfile.mkdtemp(prefix="scale-"))
    env = {"QA_DATA_DIR": str(data), "QA_EMBEDDER": "openai", "QA_OPENAI_EMBEDDING_MODEL": "hash-384",
           "QA_LLM_BASE_URL": f"http://127.0.0.1:{port}/v1", "QA_LLM_RETRIES": "0", "QA_EMBED_BATCH": "256",
           "QA_RATE_LIMIT_PER_MINUTE": "100000"}
    if args.database_url:
        env["QA_DATABASE_URL"] = args.database_url
    for key in [k for k in os.environ if k.startswith("QA_")]:
        del os.environ[key]
    os.environ.update(env)
    result: dict[str, object] = {"tree": str(tree), "database": args.database_url.split("@")[-1] or "sqlite"}
    try:
        # Size the corpus: documents of ~600 words make about this many chunks each.
        sample = make_docs(20, 600, seed=1)
        per_doc = statistics.mean(len(chunk_document(d, 256, 48)) for d in sample)
        docs = make_docs(max(1, round(args.chunks / per_doc)), 600)

        class TimedEmbedder:
            def __init__(self, inner) -> None:  # noqa: ANN001
                self.inner, self.name, self.seconds = inner, inner.name, 0.0

            def embed(self, texts):  # noqa: ANN001, ANN201
                started = time.perf_counter()
                try:
                    return self.inner.embed(texts)
                finally:
                    self.seconds += time.perf_counter() - started

        settings = Settings()
        from qa_service.services import make_embedder

        for _ in range(100):  # the embedding server may still be starting
            try:
                make_embedder(settings).embed(["ready?"])
                break
            except Exception:  # noqa: BLE001
                time.sleep(0.2)
        timed = TimedEmbedder(make_embedder(settings))
        services = Services(settings, embedder_override=timed)
        started = time.perf_counter()
        summary = services.index.ingest(docs)
        ingest_s = time.perf_counter() - started
        services.close()
        result.update(documents=len(docs), chunks=summary.chunks, tokens=summary.tokens,
                      ingest_seconds=round(ingest_s, 1), embedding_seconds=round(timed.seconds, 1),
                      ingest_without_embedding_seconds=round(ingest_s - timed.seconds, 1))

        # Search in a fresh process's view: new Services, first search first.
        fresh = Services(Settings())
        rng = random.Random(11)
        started = time.perf_counter()
        fresh.index.search("warm up the lexical index", k=10)
        result["first_search_ms"] = round((time.perf_counter() - started) * 1000, 1)
        latencies, hits = [], 0
        for _ in range(args.queries):
            doc = docs[rng.randrange(len(docs))]
            sentence = rng.choice(doc.text.split(". "))
            query = f"What about {doc.title.split()[0]}? {' '.join(sentence.split()[:12])}"
            t = time.perf_counter()
            found = fresh.index.search(query, k=10)
            latencies.append((time.perf_counter() - t) * 1000)
            hits += doc.id in [h.doc_id for h in found]
        fresh.close()
        q = statistics.quantiles(latencies, n=20)
        result.update(search_ms_p50=round(statistics.median(latencies), 1), search_ms_p95=round(q[18], 1),
                      **{"hits@10": round(hits / args.queries, 3)})

        # A serving worker: start-up, first answer (its first search), memory after 20 answers.
        web_port = free_port()
        code = f"import sys; sys.path.insert(0, {str(tree)!r}); from qa_service.cli.main import main; raise SystemExit(main())"
        log = (data / "serve.log").open("w")
        began = time.perf_counter()
        server = subprocess.Popen([sys.executable, "-c", code, "serve", "--port", str(web_port), "--no-access-log",
                                   "--log-level", "warning"], env={**os.environ}, stdout=log, stderr=log)
        try:
            serve_figures(server, f"http://127.0.0.1:{web_port}", docs, data, began, result)
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=60)
            log.close()
    finally:
        embedder_proc.terminate()
        embedder_proc.wait()
        if args.keep is None:
            import shutil

            shutil.rmtree(data, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:>34}: {value}")
    return 0


def serve_figures(server: subprocess.Popen, base: str, docs: list, data: Path, began: float,
                  result: dict[str, object]) -> None:
    """A serving worker's start-up, its first typed answer and its memory after 20."""
    import httpx

    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"serve did not start: {(data / 'serve.log').read_text()[-2000:]}")
        time.sleep(0.05)
    result["worker_ready_seconds"] = round(time.perf_counter() - began, 2)
    articles = [d for d in docs if d.kind == "article"]
    asked = []
    for i in range(20):
        art = articles[i % len(articles)]
        question = f"What did they say about {' '.join(art.title.split()[:2]).lower()} and item {i}?"
        t = time.perf_counter()
        r = httpx.post(f"{base}/api/articles/{art.id}/questions", json={"question": question}, timeout=600)
        asked.append((time.perf_counter() - t) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"typed question failed: {r.status_code} {r.text[:300]}")
    result.update(first_answer_ms=round(asked[0], 1), answer_ms_p50_after=round(statistics.median(asked[1:]), 1),
                  worker_rss_mb=round(rss_mb(server.pid)))


if __name__ == "__main__":
    raise SystemExit(main())
