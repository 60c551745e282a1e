"""Cost of the grounding checker on this machine, as answers use it.

1. Time per answer sentence against its cited span: sentences of the seed
   corpus that are not quoted verbatim (light rewrites and hand-written
   paraphrases, so each one reaches the model), each scored once against the
   span it would cite, with a cold score cache. Verbatim sentences are timed
   apart: they never reach the model.
2. The end-to-end verification of a typical answer (citations.verify): five
   sentences, three paraphrased and two quoted, against eight retrieved chunks
   of the seed corpus (100+ candidate spans), with the spans shortlisted to
   the few the model reads; and, for comparison, what scoring every span
   would cost (the same calls, without the shortlist).
3. The package size the model adds (the tokenizer is the embedder's, shared).

Run: .venv/bin/python benchmarks/grounding_speed.py [--repeat 3] [--threads N]
Figures only: never a timed assertion. The machine may be shared; run it a
few times and read the median.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "evals"))

import grounding_rewrites  # noqa: E402
import grounding_synthetic  # noqa: E402

from qa_service.answering import citations  # noqa: E402
from qa_service.answering.generation import Passage  # noqa: E402
from qa_service.grounding.alignment import is_verbatim  # noqa: E402
from qa_service.grounding.checker import MODEL_DIR, CrossEncoderChecker  # noqa: E402
from qa_service.ingest.chunking import chunk_document  # noqa: E402
from qa_service.ingest.documents import load_paths  # noqa: E402
from qa_service.models import RetrievedChunk  # noqa: E402
from qa_service.services import make_checker  # noqa: E402
from qa_service.text import sentences_keeping_markers  # noqa: E402


def fresh(checker: CrossEncoderChecker) -> CrossEncoderChecker:
    """The same loaded model with an empty score cache."""
    return CrossEncoderChecker(checker.model, checker.threshold, checker.card)


def per_sentence(checker: CrossEncoderChecker) -> dict:
    rows = grounding_rewrites.build(ROOT / "corpus")
    model_rows = [r for r in rows if not any(is_verbatim(r["claim"], s.text) for s in r["spans"])]
    verbatim_rows = [r for r in rows if r["kind"] == "verbatim"][:50]
    times, calls = [], 0
    for r in model_rows:
        span = citations.shortlisted(r["claim"], r["spans"], set(), 1)[0]  # the span it would cite
        c = fresh(checker)
        t0 = time.perf_counter()
        c.score(r["claim"], span.text)
        times.append((time.perf_counter() - t0) * 1e3)
        calls += c.model_calls
    quoted = []
    for r in verbatim_rows:
        c = fresh(checker)
        span = next(s for s in r["spans"] if is_verbatim(r["claim"], s.text))
        t0 = time.perf_counter()
        c.score(r["claim"], span.text)
        quoted.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return {"sentences_via_model": len(times), "model_calls": calls,
            "ms_per_sentence_median": round(statistics.median(times), 2),
            "ms_per_sentence_p90": round(times[int(0.9 * (len(times) - 1))], 2),
            "verbatim_ms_per_sentence_median": round(statistics.median(quoted), 4)}


def typical_answer() -> tuple[str, list[Passage]]:
    docs, _ = load_paths([ROOT / "corpus"])
    by_id = {d.id: d for d in docs}
    passages: list[Passage] = []
    for doc_id in (grounding_synthetic.ARTICLE, grounding_synthetic.STATEMENT, grounding_synthetic.SIG):
        for chunk in chunk_document(by_id[doc_id])[:3]:
            if len(passages) < 8:
                passages.append(Passage(len(passages) + 1, RetrievedChunk(
                    doc_id=chunk.doc_id, chunk_id=chunk.id, score=1.0, start=chunk.start, end=chunk.end,
                    text=chunk.text, title=by_id[doc_id].title)))
    paraphrases = [claim for doc_id, claim in grounding_synthetic.PARAPHRASES
                   if doc_id in (grounding_synthetic.ARTICLE, grounding_synthetic.SIG)][:3]
    spans = citations.candidate_spans(passages)
    quotes = [s.text for s in spans if len(s.text.split()) > 8 and s.text.endswith(".")][:2]
    sentences = [paraphrases[0], quotes[0], paraphrases[1], quotes[1], paraphrases[2]]
    return " ".join(f"{s} [{i % len(passages) + 1}]" for i, s in enumerate(sentences)), passages


def per_answer(checker: CrossEncoderChecker, repeat: int) -> dict:
    draft, passages = typical_answer()
    spans = citations.candidate_spans(passages)
    times, calls = [], 0
    verified = None
    for _ in range(repeat):
        c = fresh(checker)
        t0 = time.perf_counter()
        verified = citations.verify(draft, passages, c)
        times.append((time.perf_counter() - t0) * 1e3)
        calls = c.model_calls
    # every span scored, as verify did before the shortlist (one pass is enough to see it)
    c = fresh(checker)
    t0 = time.perf_counter()
    for claim in (s.split(" [")[0] for s in draft.split("] ") if s):
        for span in spans:
            c.score(claim, span.text)
    all_spans_ms = (time.perf_counter() - t0) * 1e3
    return {"sentences": len(sentences_keeping_markers(draft)), "passages": len(passages), "candidate_spans": len(spans),
            "shortlist": citations.SHORTLIST, "verify_ms_median": round(statistics.median(times), 1),
            "model_calls": calls, "sentences_kept": verified.supported if verified else 0,
            "without_shortlist_ms": round(all_spans_ms, 1), "without_shortlist_model_calls": c.model_calls}


def size() -> dict:
    files = {p.name: p.stat().st_size for p in sorted(MODEL_DIR.iterdir()) if p.is_file()}
    return {"files": files, "total_mb": round(sum(files.values()) / 1e6, 2),
            "tokenizer": "shared with the embedder (adapters/minilm/tokenizer.json): adds nothing"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="passes over the typical answer (median reported)")
    ap.add_argument("--threads", type=int, default=0, help="onnxruntime intra-op threads (0: its default)")
    args = ap.parse_args()
    checker = make_checker("crossencoder")
    assert isinstance(checker, CrossEncoderChecker)
    if args.threads:
        checker.model.threads = args.threads
    checker.score("A warm-up claim about the group.", "The group met on Tuesday to discuss warm-up claims.")
    result = {"model": checker.name, "per_sentence": per_sentence(checker),
              "per_answer": per_answer(checker, args.repeat), "size": size()}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
