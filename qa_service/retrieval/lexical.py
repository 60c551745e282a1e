"""How much a term says: BM25's inverse document frequency of a stemmed term
over the corpus's chunks, read from the database's lexical index (store.lexical)
and remembered for the current corpus version. Evidence ranking weighs the
question's terms with it. Only terms that were asked about are ever held, in a
bounded cache, never the corpus's vocabulary."""

from __future__ import annotations

import threading
from collections import OrderedDict

from qa_service.store.corpus import CorpusStore
from qa_service.store.lexical import idf, index_token


class TermWeights:
    def __init__(self, store: CorpusStore, size: int = 50_000) -> None:
        self.store = store
        self.size = size
        self._version = -1
        self._chunks = 0
        self._idf: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def idf(self, term: str) -> float:
        """IDF of a stemmed term (as ``qa_service.text.terms`` makes them); a term
        no chunk holds weighs as much as the rarest one."""
        token = index_token(term)
        version = self.store.version()
        with self._lock:
            if version != self._version:
                self._idf.clear()
                self._version = version
                self._chunks = -1
            if token in self._idf:
                self._idf.move_to_end(token)
                return self._idf[token]
        found, chunks = self.store.chunk_frequencies([token])
        value = idf(max(1, found.get(token, 0)), chunks)
        with self._lock:
            if self._version == version:
                self._idf[token] = value
                while len(self._idf) > self.size:
                    self._idf.popitem(last=False)
        return value
