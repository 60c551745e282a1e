"""Ingest and retrieval benchmark on a generated news-like corpus.

Prints ingest throughput (tokens/s, chunks/s), retrieval latency p50/p95, peak
memory, and retrieval quality (hits@1/5/10 for questions built from one
document's sentence). Run: .venv/bin/python benchmarks/ingest_retrieval.py --docs 1000
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa_service.models import Document  # noqa: E402
from qa_service.services import Services  # noqa: E402
from qa_service.settings import Settings  # noqa: E402

CITIES = "Lagos Lima Oslo Hanoi Quito Accra Perth Porto Dakar Tunis Riga Cusco Malmo Tartu Graz Bergen Leeds Lyon".split()
AGENCIES = "ministry council court parliament regulator agency union committee police tribunal board".split()
TOPICS = ("water rates", "bridge repairs", "school meals", "port expansion", "wind farm permits", "bus fares",
          "hospital staffing", "housing grants", "flood defences", "rail timetables", "fishing quotas", "tax credits")
VERBS = "approved rejected delayed announced reviewed questioned funded suspended extended audited".split()


def make_doc(i: int, rng: random.Random, words: int) -> Document:
    city, topic, agency = rng.choice(CITIES), rng.choice(TOPICS), rng.choice(AGENCIES)
    code = f"{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.randint(100, 999)}"
    paras, count = [], 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            s = (f"The {rng.choice(AGENCIES)} in {city} {rng.choice(VERBS)} the {topic} plan known as {code} "
                 f"after {rng.randint(2, 40)} days of talks, officials said on day {rng.randint(1, 28)}.")
            if rng.random() < 0.3:
                s = (f"Critics in {rng.choice(CITIES)} said the {rng.choice(TOPICS)} debate showed why the "
                     f"{agency} must publish its figures, including {rng.randint(1000, 99999)} pages of records.")
            sentences.append(s)
            count += len(s.split())
        paras.append(" ".join(sentences))
    title = f"{city} {agency} {rng.choice(VERBS)} {topic} plan {code}"
    text = f"# {title}\n\n" + "\n\n".join(paras)
    return Document(id=f"news-{i:05d}", title=title, text=text, kind="source")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--words", type=int, default=500, help="approximate words per document")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    rng = random.Random(7)
    docs = [make_doc(i, rng, args.words) for i in range(args.docs)]
    with tempfile.TemporaryDirectory() as tmp:
        services = Services(Settings(data_dir=Path(tmp)))
        services.embedder.embed(["warm up"])  # model load is not ingest throughput
        started = time.perf_counter()
        summary = services.index.ingest(docs)
        ingest_s = time.perf_counter() - started

        again = time.perf_counter()
        services.index.ingest(docs)
        reingest_s = time.perf_counter() - again

        services.index.search("warm up the lexical index", k=10)
        latencies, hits = [], {1: 0, 5: 0, 10: 0}
        for q in range(args.queries):
            doc = docs[rng.randrange(len(docs))]
            sentence = rng.choice(doc.text.split("\n\n")[1:]).split(". ")[0]
            query = f"What happened with {doc.title.split(' plan ')[1]} in {doc.title.split()[0]}? {sentence[:80]}"
            t = time.perf_counter()
            found = [h.doc_id for h in services.index.search(query, k=10)]
            latencies.append((time.perf_counter() - t) * 1000)
            for n in hits:
                hits[n] += doc.id in found[:n]

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    q = statistics.quantiles(latencies, n=20)
    result = {
        "documents": args.docs, "chunks": summary.chunks, "tokens": summary.tokens,
        "ingest_seconds": round(ingest_s, 1),
        "ingest_tokens_per_s": round(summary.tokens / ingest_s),
        "ingest_chunks_per_s": round(summary.chunks / ingest_s, 1),
        "reingest_unchanged_seconds": round(reingest_s, 2),
        "search_ms_p50": round(statistics.median(latencies), 1), "search_ms_p95": round(q[18], 1),
        **{f"hits@{n}": round(count / args.queries, 3) for n, count in hits.items()},
        "peak_rss_mb": round(peak_mb),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:>28}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
