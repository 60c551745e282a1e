"""Readers' load on the article page, over loopback: C concurrent readers for
S seconds against `qa-service serve` with 1 and with N workers, and against a
bare FastAPI page of the same size served the same way (benchmarks/bare_page.py),
in the same run. Prints requests/s, latency p50/p95/p99 and errors for each,
the page's throughput as a share of the bare page's, and 304 revalidations
(If-None-Match with the page's ETag) on their own line. Each target is
measured --rounds times, the targets in turn, and the medians are printed,
so a neighbour's load on a shared machine falls on all of them alike.

The load comes from Debian's `wrk` (C, so the client takes little of the CPU
it measures; `apt-get install wrk`), or from a small asyncio client in this
file (--client asyncio) where wrk is missing. Figures, never assertions: on a
shared machine they vary from run to run, so compare rows of one run.

    .venv/bin/python benchmarks/reader_load.py                     # 1 and 2 workers, 200 readers, 20 s each
    .venv/bin/python benchmarks/reader_load.py --workers 1 2 4 --seconds 10
    .venv/bin/python benchmarks/reader_load.py --tree /path/to/other/checkout --workers 1   # before/after
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "us-mexico-security-cooperation"

WRK_SCRIPT = """
local etag = os.getenv("IF_NONE_MATCH")
if etag and etag ~= "" then wrk.headers["If-None-Match"] = etag end
local statuses = {}
response = function(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "p50": %f, "p95": %f, "p99": %f, "connect": %d, "read": %d, "write": %d, "timeout": %d, "status_errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, e.connect, e.read, e.write, e.timeout, e.status))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def qa_command(tree: Path) -> list[str]:
    """`qa-service` from a given checkout (this one by default), with this interpreter."""
    code = f"import sys; sys.path.insert(0, {str(tree)!r}); from qa_service.cli.main import main; raise SystemExit(main())"
    return [sys.executable, "-c", code]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QA_", "PROMETHEUS_"))}
    env.update(extra)
    return env


@contextmanager
def running(cmd: list[str], env: dict[str, str], url: str, log: Path, cwd: Path) -> Iterator[None]:
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(url, timeout=5).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server and its worker processes
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# ------------------------------------------------------------------- clients
def load_wrk(url: str, connections: int, seconds: int, etag: str, work: Path) -> dict[str, float]:
    script = work / "report.lua"
    script.write_text(WRK_SCRIPT)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url],
        env={**os.environ, "IF_NONE_MATCH": etag}, capture_output=True, text=True, check=True,
    ).stdout
    data = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    errors = data["connect"] + data["read"] + data["write"] + data["timeout"] + data["status_errors"]
    return {"rps": data["requests"] / data["seconds"], "p50": data["p50"], "p95": data["p95"], "p99": data["p99"],
            "errors": errors, "timeouts": data["timeout"]}


async def _asyncio_load(url: str, connections: int, seconds: int, etag: str) -> dict[str, float]:
    parts = urlsplit(url)
    request = (f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
               + (f"If-None-Match: {etag}\r\n" if etag else "") + "\r\n").encode()
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def reader() -> None:
        nonlocal errors
        r, w = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while time.monotonic() < stop:
                started = time.perf_counter()
                w.write(request)
                head = await asyncio.wait_for(r.readuntil(b"\r\n\r\n"), 10)
                status = int(head.split(b" ", 2)[1])
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await r.readexactly(length)
                latencies.append((time.perf_counter() - started) * 1000)
                errors += status >= 400
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
            errors += 1
        finally:
            w.close()

    began = time.monotonic()
    await asyncio.gather(*(reader() for _ in range(connections)))
    elapsed = time.monotonic() - began
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {"rps": len(latencies) / elapsed, "p50": q[49], "p95": q[94], "p99": q[98], "errors": errors,
            "timeouts": 0}


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds; errors added up."""
    out = {key: statistics.median(r[key] for r in runs) for key in ("rps", "p50", "p95", "p99")}
    out["errors"] = sum(r["errors"] for r in runs)
    return out


def load(client: str, url: str, connections: int, seconds: int, etag: str, work: Path) -> dict[str, float]:
    if client == "wrk":
        return load_wrk(url, connections, seconds, etag, work)
    return asyncio.run(_asyncio_load(url, connections, seconds, etag))


# ---------------------------------------------------------------------- main
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to measure")
    parser.add_argument("--connections", type=int, default=200, help="concurrent readers")
    parser.add_argument("--seconds", type=int, default=20, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per target, taken in turn (medians shown)")
    parser.add_argument("--client", choices=["wrk", "asyncio"], default="wrk" if shutil.which("wrk") else "asyncio")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--data-dir", type=Path, help="an ingested data dir (default: the seed corpus, ingested now)")
    parser.add_argument("--access-log", action="store_true", help="serve with the per-request log on")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="reader-load-"))
    qa = qa_command(args.tree.resolve())
    data = args.data_dir or work / "data"
    env = clean_env(QA_DATA_DIR=str(data))
    if args.data_dir is None:
        print(f"ingesting the seed corpus into {data} ...", file=sys.stderr)
        subprocess.run([*qa, "ingest", str(args.tree / "corpus")], env=env, cwd=work, check=True,
                       stdout=subprocess.DEVNULL)
    rows = []
    try:
        for workers in args.workers:
            port, bare_port = free_port(), free_port()
            page_url = f"http://127.0.0.1:{port}/articles/{ARTICLE}"
            bare_url = f"http://127.0.0.1:{bare_port}/page"
            cmd = [*qa, "serve", "--port", str(port), "--log-level", "warning"]
            if workers > 1:
                cmd += ["--workers", str(workers)]
            if not args.access_log:
                cmd.append("--no-access-log")
            bare = [sys.executable, "-m", "uvicorn", "bare_page:create_app", "--factory", "--app-dir",
                    str(ROOT / "benchmarks"), "--port", str(bare_port), "--workers", str(workers), "--no-access-log",
                    "--log-level", "warning"]
            with running(cmd, env, page_url, work / f"serve-{workers}.log", work):
                first = httpx.get(page_url)
                body, etag = first.content, first.headers.get("etag", "")
                (work / "page.html").write_bytes(body)
                httpx.get(page_url)  # warm: rendered and cached
                with running(bare, clean_env(BARE_PAGE_FILE=str(work / "page.html")), bare_url,
                             work / f"bare-{workers}.log", work):
                    # Rounds taken in turn, so a neighbour's load on a shared machine falls on all of them alike.
                    targets = [("article page", page_url, "", len(body)), ("bare FastAPI page", bare_url, "", len(body))]
                    if etag:
                        targets.insert(1, ("article page, 304", page_url, etag, 0))
                    runs: dict[str, list[dict[str, float]]] = {name: [] for name, _, _, _ in targets}
                    for _ in range(args.rounds):
                        for name, url, tag, _ in targets:
                            runs[name].append(load(args.client, url, args.connections, args.seconds, tag, work))
                    for name, _, _, size in targets:
                        rows.append({"target": name, "workers": workers, "bytes": size, **_median(runs[name])})
    finally:
        shutil.rmtree(work, ignore_errors=True)

    bare_rps = {r["workers"]: r["rps"] for r in rows if r["target"] == "bare FastAPI page"}
    for r in rows:
        r["share_of_bare"] = round(r["rps"] / bare_rps[r["workers"]], 2) if bare_rps.get(r["workers"]) else None
    if args.json:
        print(json.dumps({"client": args.client, "connections": args.connections, "seconds": args.seconds,
                          "rounds": args.rounds, "cores": os.cpu_count(), "rows": rows}, indent=2))
        return 0
    print(f"{args.connections} concurrent readers, {args.seconds} s each, median of {args.rounds} rounds taken in turn, "
          f"client {args.client}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, tree {args.tree}")
    print(f"{'target':<20} {'workers':>7} {'bytes':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'errors':>7} {'vs bare':>8}")
    for r in rows:
        share = f"{r['share_of_bare']:.2f}" if r["share_of_bare"] is not None else "-"
        print(f"{r['target']:<20} {r['workers']:>7} {r['bytes']:>7} {r['rps']:>8.0f} {r['p50']:>8.1f} "
              f"{r['p95']:>8.1f} {r['p99']:>8.1f} {int(r['errors']):>7} {share:>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
