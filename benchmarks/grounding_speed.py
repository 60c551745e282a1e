"""Speed of the offline grounding checker as citations.verify uses it: every
answer sentence scored against every candidate span (each sentence of the seed
corpus, and each pair of neighbouring sentences).

Prints microseconds per ``score()`` call with cold caches (every text analysed
for the first time) and warm (the same pairs again, as the eval harness
re-scores them), and the SummEdits calibration time per pair (whole documents
as passages). Run: .venv/bin/python benchmarks/grounding_speed.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa_service import grounding  # noqa: E402
from qa_service.ingest.documents import load_paths  # noqa: E402
from qa_service.text import sentence_spans  # noqa: E402

CLAIMS = [
    "The program has a budget of 900 million dollars and is run by NATO.",
    "They reaffirmed the U.S.-Mexico partnership and emphasized respect for sovereignty while noting more must be "
    "done on shared threats.",
    "The Security Implementation Group will meet on January 23 to deliver actions against cartels.",
    "Officials said the ministerial in Washington would assess progress and identify gaps.",
    "Mission Firewall aims to extend eTrace to all 32 Mexican states.",
    "Congress has not created a dedicated funding stream for the SIG.",
]
SUMMEDITS = ROOT.parent / "shared" / "benchmarks" / "summedits-news" / "evaluation.jsonl"


def clear_caches() -> None:
    for fn in (grounding.analyse, grounding.analyse_claim, grounding.tokens, grounding.passage_index,
               grounding.word_key):
        fn.cache_clear()


def main() -> int:
    docs, _ = load_paths([ROOT / "corpus"])
    spans = []
    for doc in docs:
        sentences = sentence_spans(doc.text)
        for i, (s, e) in enumerate(sentences):
            spans.append(doc.text[s:e])
            if i + 1 < len(sentences):
                spans.append(doc.text[s:sentences[i + 1][1]])
    clear_caches()
    checker = grounding.CalibratedGroundingChecker()
    start = time.perf_counter()
    for claim in CLAIMS:
        for span in spans:
            checker.score(claim, span)
    calls = len(CLAIMS) * len(spans)
    cold = (time.perf_counter() - start) / calls
    start = time.perf_counter()
    for claim in CLAIMS:
        for span in spans:
            checker.score(claim, span)
    warm = (time.perf_counter() - start) / calls
    result = {"spans": len(spans), "calls": calls, "cold_us_per_call": round(cold * 1e6, 1),
              "warm_us_per_call": round(warm * 1e6, 2)}
    if SUMMEDITS.is_file():
        rows = [json.loads(line) for line in SUMMEDITS.read_text(encoding="utf-8").splitlines() if line.strip()]
        clear_caches()
        checker = grounding.CalibratedGroundingChecker()
        start = time.perf_counter()
        for row in rows:
            checker.score(row["summary"], row["document"])
        result["summedits_ms_per_pair"] = round((time.perf_counter() - start) / len(rows) * 1e3, 2)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
