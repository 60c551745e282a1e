"""Vendor translation only: each module turns one vendor's API into one of our
seams (chroma -> VectorStore, OpenAI chat -> ChatModel, OpenAI embeddings and
the ONNX MiniLM -> Embedder, llama.cpp -> a local OpenAI-compatible server).
The only place vendor SDKs are imported; no domain logic lives here."""
