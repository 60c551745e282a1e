"""Answering: from a reader's question to a cited Answer.

question analysis -> retrieval -> sentence evidence -> a draft (the extractive
generator offline, an LLM through the ChatModel seam otherwise) -> every
sentence verified against the passage span it cites -> Answer. Also the typed-
question cache with single flight and rate limits, and the prompt files'
loader. Knows nothing of HTTP, the CLI or vendors."""
