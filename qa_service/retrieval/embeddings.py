"""The embedding seam: anything that turns texts into unit vectors, and a
process-wide cache in front of it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    #: Identifies the model; a collection built with one name refuses another.
    name: str

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """L2-normalised vectors, one per text, in order."""
        ...


class EmbeddingCache:
    """Embeds texts once per process; sentences recur across questions on an article."""

    def __init__(self, embedder: Embedder, size: int = 20000) -> None:
        self.embedder = embedder
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        # Web requests, editor jobs and pre-generation share one cache across threads.
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        with self._lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:  # embedded outside the lock: the model is the slow part
            for text, vec in zip(missing, self.embedder.embed(missing), strict=True):
                found[text] = np.asarray(vec, dtype=np.float32)
        with self._lock:
            for text, vec in found.items():
                self._cache[text] = vec
                self._cache.move_to_end(text)
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts])

    def clear(self) -> None:
        """Forget every vector (benchmarks measuring cold costs use it)."""
        with self._lock:
            self._cache.clear()
