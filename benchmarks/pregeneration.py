"""Pre-generation cost at ingest: takeaways and suggested questions per
article, against what embedding the articles costs.

Synthesises N articles (default 1,000) in a temporary directory by varying
the articles of the eval corpora (evals/corpora: newsroom and Vermont; their
sources are ingested once): each copy gets its own id, its numbers changed
and its paragraphs after the lede in another order. Then, on the same machine,
in one process:

1. ingest with embedding alone (what `qa-service ingest --no-pregenerate`
   does): seconds, articles/s, tokens/s;
2. takeaways alone for every article (QA_SUGGEST_AT_INGEST=never);
3. a fresh ingest with full pre-generation (takeaways and suggested
   questions, each answered and verified), as `qa-service ingest` does.

Prints the time per article (p50, p95, mean) of 2 and 3 and ingest
throughput with pre-generation on vs embedding alone. Sentence-level caches
(parses, sentence vectors) are emptied before each article, so no copy
reuses what its original's pre-generation computed. Figures only, never a
pass/fail. Run: .venv/bin/python benchmarks/pregeneration.py --docs 1000
(--articles-only: the copies come without source documents, as a news feed's
articles do; every answer is then written from the article alone)
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa_service import text  # noqa: E402
from qa_service.ingest.documents import load_paths  # noqa: E402
from qa_service.models import Document  # noqa: E402
from qa_service.services import Services  # noqa: E402
from qa_service.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [ROOT / "evals" / "corpora" / "newsroom", ROOT / "evals" / "corpora" / "vermont-flooding-2025"]
_NUMBER = re.compile(r"(?<![\w.])(\d{2,3}(?:,\d{3})*|\d{2,})(?![\w.])")


def vary(doc: Document, k: int, rng: random.Random) -> Document:
    """Copy ``k`` of an article: new id, other numbers, body paragraphs after the lede shuffled."""
    def number(m: re.Match[str]) -> str:
        value = int(m.group(1).replace(",", ""))
        if 1900 <= value <= 2100:
            return m.group(1)  # a year stays a year
        new = max(2, value + rng.randint(1, max(2, value // 10)))
        return f"{new:,}" if "," in m.group(1) else str(new)

    blocks = doc.text.split("\n\n")
    head, lede, rest = blocks[:1], blocks[1:4], blocks[4:]
    rng.shuffle(rest)
    text = _NUMBER.sub(number, "\n\n".join(head + lede + rest))
    return doc.model_copy(update={"id": f"{doc.id}-v{k:04d}", "text": text, "title": _NUMBER.sub(number, doc.title),
                                  "path": ""})


def write_corpus(directory: Path, n: int, seed: int, articles_only: bool = False) -> None:
    docs, problems = load_paths(CORPORA)
    if problems:
        raise SystemExit(f"cannot read the eval corpora: {problems[0]}")
    articles = [d for d in docs if d.kind == "article"]
    sources = [d for d in docs if d.kind != "article"]
    if articles_only:
        # a news feed: articles with no source documents (as most wire and web news comes)
        articles = [d.model_copy(update={"sources": []}) for d in articles]
        sources = []
    rng = random.Random(seed)
    for d in sources:
        _write(directory / f"{d.id}.md", d)
    for k in range(n):
        copy = vary(articles[k % len(articles)], k, rng)
        _write(directory / f"{copy.id}.md", copy)


def _write(path: Path, doc: Document) -> None:
    meta = {"id": doc.id, "title": doc.title, "kind": doc.kind, "publisher": doc.publisher, "url": doc.url,
            "published": doc.published, "label": doc.label, "sources": doc.sources}
    front = "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in meta.items() if v)
    path.write_text(f"---\n{front}\n---\n\n{doc.text}\n", encoding="utf-8")


def fresh_caches(services: Services) -> None:
    services.embedding_cache.clear()
    text.clear_caches()
    clear = getattr(services.analyzer, "clear_cache", None)
    if clear is not None:
        clear()


def stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    q = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99
    return {"p50": round(q[49], 3), "p95": round(q[94], 3), "mean": round(statistics.mean(values), 3)}


def pregenerate_each(services: Services, article_ids: list[str], label: str) -> tuple[list[float], float]:
    from tqdm import tqdm

    times = []
    started = time.perf_counter()
    for article_id in tqdm(article_ids, desc=label, unit="article", file=sys.stderr, disable=None):
        fresh_caches(services)
        t = time.perf_counter()
        services.pregenerator.after_ingest([article_id])
        times.append(time.perf_counter() - t)
    return times, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1000, help="articles to synthesise (default 1000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--articles-only", action="store_true",
                        help="articles without their source documents, as a news feed brings them")
    args = parser.parse_args()
    if args.docs < 1:
        parser.error("--docs must be at least 1")

    with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        write_corpus(corpus, args.docs, args.seed, articles_only=args.articles_only)
        docs, _ = load_paths([corpus])
        article_ids = sorted(d.id for d in docs if d.kind == "article")

        # 1. embedding alone
        plain = Services(Settings(data_dir=Path(tmp) / "embed-only", suggest_at_ingest="never"))
        plain.embedder.embed(["warm up"])
        plain.analyzer.parse("Warm up the parser.")
        t = time.perf_counter()
        summary = plain.index.ingest(docs)
        embed_s = time.perf_counter() - t
        tokens = summary.tokens
        # 2. takeaways alone, on the same index
        takeaway_times, takeaways_s = pregenerate_each(plain, article_ids, "takeaways")
        plain.close()

        # 3. a fresh ingest with full pre-generation
        full = Services(Settings(data_dir=Path(tmp) / "full", suggest_at_ingest="always"))
        full.embedder.embed(["warm up"])
        full.analyzer.parse("Warm up the parser.")
        t = time.perf_counter()
        full.index.ingest(docs)
        embed2_s = time.perf_counter() - t
        full_times, full_s = pregenerate_each(full, article_ids, "pre-generate")
        shown = sum(len(full.answers.questions(a)) for a in article_ids)
        full.close()

    n = len(article_ids)
    result = {
        "articles": n, "documents": len(docs), "tokens": tokens,
        "embedding_only": {"seconds": round(embed_s, 1), "articles_per_s": round(n / embed_s, 2),
                           "tokens_per_s": round(tokens / embed_s), "seconds_per_article": round(embed_s / n, 3)},
        "takeaways_only": {"seconds": round(takeaways_s, 1), "per_article": stats(takeaway_times)},
        "full_pregeneration": {"seconds": round(full_s, 1), "per_article": stats(full_times),
                               "questions_shown_per_article": round(shown / n, 2)},
        "ingest_with_pregeneration": {"seconds": round(embed2_s + full_s, 1),
                                      "articles_per_s": round(n / (embed2_s + full_s), 2)},
        "pregeneration_vs_embedding": round(full_s / embed2_s, 2),
        "takeaways_vs_embedding": round(takeaways_s / embed_s, 2),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{n} articles ({len(docs)} documents, {tokens} tokens)")
    print(f"embedding alone:            {embed_s:8.1f} s  {n / embed_s:6.2f} articles/s  {tokens / embed_s:8.0f} tokens/s"
          f"  ({embed_s / n:.3f} s/article)")
    tk = result["takeaways_only"]["per_article"]
    print(f"takeaways alone:            {takeaways_s:8.1f} s  p50 {tk['p50']:.3f}  p95 {tk['p95']:.3f}  "
          f"mean {tk['mean']:.3f} s/article  ({result['takeaways_vs_embedding']}x embedding)")
    fp = result["full_pregeneration"]["per_article"]
    print(f"full pre-generation:        {full_s:8.1f} s  p50 {fp['p50']:.3f}  p95 {fp['p95']:.3f}  "
          f"mean {fp['mean']:.3f} s/article  ({result['pregeneration_vs_embedding']}x embedding); "
          f"{result['full_pregeneration']['questions_shown_per_article']} questions shown per article")
    print(f"ingest with pre-generation: {embed2_s + full_s:8.1f} s  {n / (embed2_s + full_s):6.2f} articles/s "
          f"(embedding alone {n / embed_s:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
