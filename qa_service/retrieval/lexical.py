"""BM25 over stemmed content terms, held in memory and rebuilt when the corpus
version changes. Two granularities: chunks, and whole documents (title + text),
which measured best on real news (see ../shared/OFFLINE.md)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from qa_service.text import terms


class BM25:
    def __init__(self, items: Iterable[tuple[str, str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.ids: list[str] = []
        self.lengths: list[int] = []
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for key, text in items:
            idx = len(self.ids)
            self.ids.append(key)
            counts = Counter(terms(text))
            self.lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                self.postings[term].append((idx, tf))
        n = len(self.ids)
        self.avg_len = (sum(self.lengths) / n) if n else 0.0
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: str, n: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        scores: dict[int, float] = defaultdict(float)
        for term in set(terms(query)):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for idx, tf in self.postings[term]:
                norm = self.k1 * (1 - self.b + self.b * self.lengths[idx] / (self.avg_len or 1))
                scores[idx] += idf * tf * (self.k1 + 1) / (tf + norm)
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        out: list[tuple[str, float]] = []
        for idx, score in ranked:
            key = self.ids[idx]
            if allowed is None or key in allowed:
                out.append((key, score))
                if len(out) >= n:
                    break
        return out

    def term_idf(self, words: Sequence[str]) -> list[float]:
        top = max(self.idf.values(), default=1.0)
        return [self.idf.get(w, top) for w in words]
