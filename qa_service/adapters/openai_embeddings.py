"""Embeddings from an OpenAI-compatible ``/embeddings`` endpoint."""

from __future__ import annotations

from collections.abc import Sequence

from qa_service.adapters.openai_client import make_openai_client
from qa_service.settings import Settings


class OpenAIEmbedder:
    def __init__(self, settings: Settings) -> None:
        self.model = settings.openai_embedding_model
        self.name = f"openai:{self.model}"
        self.batch_size = settings.embed_batch
        self._client = make_openai_client(settings, max_retries=settings.llm_retries)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for b in range(0, len(texts), self.batch_size):
            resp = self._client.embeddings.create(model=self.model, input=list(texts[b : b + self.batch_size]))
            out.extend(d.embedding for d in sorted(resp.data, key=lambda d: d.index))
        return out
