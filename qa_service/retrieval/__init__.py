"""Retrieval: the corpus index (chunk text in SQLite, vectors in chroma, BM25
over chunks and whole documents), the embedding seam, and hybrid search fused
by reciprocal rank fusion."""
