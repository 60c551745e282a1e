"""Local LLM figures (not a test): llama.cpp server start time, prompt and
generation tokens/s, and answer latency through the whole pipeline (retrieval,
LLM stream, citation verification), cold and with the server's prefix cache.

    scripts/get-model && .venv/bin/python benchmarks/llm_local.py [--gguf PATH] [--max-tokens 128]

It ingests the seed corpus into a temporary data dir (no pre-generation). The
load average is printed with the figures: on a shared 2-core machine it moves
them a lot."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa_service.adapters.llamacpp_server import LlamaCppServer, default_gguf  # noqa: E402
from qa_service.ingest.documents import load_paths  # noqa: E402
from qa_service.services import Services  # noqa: E402
from qa_service.settings import Settings  # noqa: E402

ARTICLE_ID = "us-mexico-security-cooperation"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gguf", default=str(default_gguf()))
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--top-k", type=int, default=4)
    ap.add_argument("--ctx", type=int, default=4096)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()

    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    server = LlamaCppServer(Path(args.gguf), context_tokens=args.ctx, threads=args.threads)
    server.start()
    print(f"server start (load + health): {server.start_seconds:.2f} s")
    try:
        import httpx

        # Raw throughput from llama.cpp's own timings: one long prompt, one long generation.
        prompt = "Summarise the following text.\n\n" + ("The two governments agreed to continue security "
                                                          "cooperation and to meet again in February. " * 40)
        r = httpx.post(server.base_url + "/chat/completions", timeout=600, json={
            "messages": [{"role": "user", "content": prompt}], "max_tokens": args.max_tokens, "temperature": 0,
            "cache_prompt": False})
        t = r.json()["timings"]
        print(f"prompt processing: {t['prompt_n']} tokens at {t['prompt_per_second']:.0f} tokens/s")
        print(f"generation: {t['predicted_n']} tokens at {t['predicted_per_second']:.0f} tokens/s")

        data = Path(tempfile.mkdtemp(prefix="llm-bench-"))
        settings = Settings(data_dir=data, llm_base_url=server.base_url, llm_max_answer_tokens=args.max_tokens,
                            llm_context_tokens=args.ctx, top_k=args.top_k, llm_timeout=300)
        svc = Services(settings)
        docs, _ = load_paths([ROOT / "corpus"])
        svc.index.ingest(docs)
        questions = svc.store.get_document(ARTICLE_ID).questions
        answerer = svc.answerer()
        answerer.ask("warm up the embedder", ARTICLE_ID)
        rows = []
        for label in ("cold", "cached prefix"):
            for q in questions:
                started = time.perf_counter()
                first = None
                final = None
                for ev in answerer.ask_stream(q, ARTICLE_ID):
                    if ev.kind == "delta" and first is None:
                        first = time.perf_counter() - started
                    if ev.kind == "done":
                        final = ev.data["answer"]
                total = time.perf_counter() - started
                usage = final.get("usage") or {}
                rows.append((label, total, first, final["generator"], final["status"], usage))
                print(f"[{label}] {total:6.2f} s total, first verified text "
                      f"{'-' if first is None else f'{first:.2f} s'}, {final['generator']}, {final['status']}, "
                      f"{len(final['citations'])} citation(s), usage {usage}, "
                      f"{len(final.get('dropped_sentences', []))} sentence(s) dropped")
        for label in ("cold", "cached prefix"):
            times = [r[1] for r in rows if r[0] == label]
            print(f"answer latency {label}: p50 {statistics.median(times):.2f} s, max {max(times):.2f} s "
                  f"over {len(times)} questions")
        answered = sum(1 for r in rows if r[4] == "answered")
        print(f"answered with verified citations: {answered}/{len(rows)}; fell back: "
              f"{sum(1 for r in rows if r[3] == 'extractive')}")
    finally:
        server.stop()
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
