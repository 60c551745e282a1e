"""What the service counts, in the Prometheus format: the only module that
imports ``prometheus_client``.

- ``qa_http_request_duration_seconds{method, route, status}``: every request,
  by route template (``/articles/{article_id}``), never by raw path.
- ``qa_answer_duration_seconds{generator, status}``: generated answers
  (typed questions), by the generator that wrote them.
- ``qa_llm_tokens_total{generator, kind}``: prompt and completion tokens.
- ``qa_cache_requests_total{cache, result}``: the article page cache (``hit``,
  ``miss``, ``not_modified``) and the typed-answer cache (``hit``, ``miss``).
- ``qa_job_queue_depth{status}``: jobs queued and running, read from the
  database when scraped.

With several worker processes, ``serve`` points ``PROMETHEUS_MULTIPROC_DIR``
at a fresh directory before the workers start; each worker then writes its
figures there and ``/metrics`` (whichever worker answers) adds them all up.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUEST_SECONDS = Histogram(
    "qa_http_request_duration_seconds", "HTTP request latency by route template.",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
ANSWER_SECONDS = Histogram(
    "qa_answer_duration_seconds", "Time to generate a typed question's answer, by generator.",
    ["generator", "status"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0),
)
LLM_TOKENS = Counter("qa_llm_tokens", "LLM tokens used by generated answers.", ["generator", "kind"])
CACHE_REQUESTS = Counter("qa_cache_requests", "Cache lookups by cache and result.", ["cache", "result"])


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(method, route, str(status)).observe(seconds)


def observe_answer(generator: str, status: str, seconds: float, prompt_tokens: int = 0,
                   completion_tokens: int = 0) -> None:
    name = generator or "none"
    ANSWER_SECONDS.labels(name, status).observe(seconds)
    if prompt_tokens:
        LLM_TOKENS.labels(name, "prompt").inc(prompt_tokens)
    if completion_tokens:
        LLM_TOKENS.labels(name, "completion").inc(completion_tokens)


def count_cache(cache: str, result: str) -> None:
    CACHE_REQUESTS.labels(cache, result).inc()


class _QueueDepth(Collector):
    def __init__(self, depth: Callable[[], dict[str, int]]) -> None:
        self.depth = depth

    def collect(self):  # noqa: ANN201 - prometheus_client's collector protocol
        family = GaugeMetricFamily("qa_job_queue_depth", "Background jobs by status (read when scraped).",
                                   labels=["status"])
        for status, count in sorted(self.depth().items()):
            family.add_metric([status], count)
        yield family


def exposition(queue_depth: Callable[[], dict[str, int]] | None = None) -> bytes:
    """Every figure in the text format: all worker processes' when running
    several, this process's otherwise; plus the job queue's depth."""
    if os.environ.get(MULTIPROCESS_ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    if queue_depth is not None:
        extra = CollectorRegistry()
        extra.register(_QueueDepth(queue_depth))
        text += generate_latest(extra)
    return text
