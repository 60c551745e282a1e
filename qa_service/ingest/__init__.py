"""Ingest, stage one: reading corpus files (Markdown with YAML front matter,
JSON Lines) into Documents, and cutting them into token-sized chunks that are
exact spans of their document. Writing chunks into the index is
``retrieval.index.CorpusIndex.ingest``."""
