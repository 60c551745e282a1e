"""The one place that builds an ``openai.OpenAI`` client."""

from __future__ import annotations

import openai

from qa_service.settings import Settings


def make_openai_client(settings: Settings, *, timeout: float | None = None, max_retries: int = 0) -> openai.OpenAI:
    # Retries are ours (with backoff and fallback); the SDK's own are turned off.
    return openai.OpenAI(
        base_url=settings.llm_base_url or None,
        api_key=settings.llm_api_key or "not-needed",  # local servers accept any key
        timeout=timeout if timeout is not None else settings.llm_timeout,
        max_retries=max_retries,
    )
