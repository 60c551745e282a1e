"""The embedding seam: anything that turns texts into unit vectors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from qa_service.settings import Settings


class Embedder(Protocol):
    #: Identifies the model; a collection built with one name refuses another.
    name: str

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """L2-normalised vectors, one per text, in order."""
        ...


def make_embedder(settings: Settings) -> Embedder:
    """The configured embedder: local ONNX MiniLM by default, OpenAI when asked."""
    if settings.embedder == "openai":
        from qa_service.adapters.openai_embeddings import OpenAIEmbedder

        return OpenAIEmbedder(settings)
    if settings.embedder != "local":
        raise ValueError(f"QA_EMBEDDER must be 'local' or 'openai', not {settings.embedder!r}")
    from qa_service.adapters.onnx_minilm import OnnxMiniLMEmbedder

    return OnnxMiniLMEmbedder(batch_size=settings.embed_batch)

