"""Retrieval: the corpus index (chunk text and BM25 over chunks and whole
documents in the database, vectors in chroma), term weights, the embedding
seam, and hybrid search fused by reciprocal rank fusion."""
