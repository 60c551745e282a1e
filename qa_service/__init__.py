"""qa_service: cited follow-up answers for news articles, offline by default.

The data flows one way, and each stage has its own sub-package::

    ingest/      corpus files -> Documents -> chunks
    retrieval/   the index: text and BM25 in the database, chroma vectors; hybrid search
    grounding/   is this sentence supported by this passage?
    answering/   question -> evidence -> draft (extractive or LLM) -> verified citations -> Answer
    articles/    per-article products: takeaways, suggested questions, pre-generation
    store/       SQLite or PostgreSQL: corpus, answers and their versions, accounts, the job queue, shared limits
    editor/      what editors do: regenerate, edit, publish, review
    web/ cli/    the two front doors; they only translate to HTTP and to the terminal
    evaluation/  the eval harness
    adapters/    vendor translation only (chroma, OpenAI, ONNX, llama.cpp)

Top-level modules hold what every stage shares: ``models`` (typed domain
objects), ``settings``, ``text`` and ``tokens`` (text primitives), ``metrics``
(what is counted, for /metrics) and ``services`` (builds every piece once,
from Settings).
"""
