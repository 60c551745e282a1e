"""How we call an LLM, whatever the vendor: retries with backoff on transient
failures, a process-wide bound on concurrent calls, deadlines, and a context
budget that fits the retrieved passages into the model's window.

Vendor-neutral on purpose: the adapter tells us which of its exceptions are
transient (``is_transient``); everything that gives up raises
``GenerationError`` so the answer pipeline can fall back to the extractive
generator."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from qa_service.answering.generation import GenerationError, Passage
from qa_service.tokens import count_tokens, get_encoding

T = TypeVar("T")


# ------------------------------------------------------------------- retries
@dataclass
class RetryPolicy:
    """``retries`` extra attempts after the first, waiting base * 2**i (capped,
    with jitter) in between; a server's Retry-After wins when it says more."""

    retries: int = 2
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    jitter: float = 0.1

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        wait = min(self.backoff_max, self.backoff_base * (2 ** attempt))
        wait += random.uniform(0, self.jitter * wait)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.backoff_max))
        return wait


@dataclass
class CallStats:
    """What happened on one logical call, for tests, logs and benchmarks."""

    attempts: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def retries(self) -> int:
        return max(0, self.attempts - 1)


class TransientError(Exception):
    """Raised by an adapter to say: this failure is worth another attempt."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def call_with_retries(
    attempt: Callable[[], T],
    policy: RetryPolicy,
    *,
    stats: CallStats | None = None,
    sleep: Callable[[float], None] = time.sleep,
    deadline: float | None = None,
) -> T:
    """Run ``attempt`` until it succeeds, raises a non-transient error, or the
    retries (or the monotonic ``deadline``) run out. ``attempt`` raises
    ``TransientError`` for failures worth retrying and ``GenerationError`` for
    the rest."""
    stats = stats if stats is not None else CallStats()
    last: TransientError | None = None
    for i in range(policy.retries + 1):
        stats.attempts += 1
        try:
            return attempt()
        except TransientError as exc:
            last = exc
            stats.errors.append(str(exc))
            if i == policy.retries:
                break
            wait = policy.delay(i, exc.retry_after)
            if deadline is not None and time.monotonic() + wait >= deadline:
                break
            sleep(wait)
    tries = f"{stats.attempts} attempt{'s' if stats.attempts != 1 else ''}"
    raise GenerationError(f"{last} (gave up after {tries})")


# --------------------------------------------------------------- concurrency
_GATES: dict[str, threading.BoundedSemaphore] = {}
_GATES_LOCK = threading.Lock()


def concurrency_gate(key: str, limit: int) -> threading.BoundedSemaphore:
    """One semaphore per endpoint (and limit) for the whole process: generators
    are cheap objects built per request, the bound must hold across them."""
    name = f"{key}#{limit}"
    with _GATES_LOCK:
        gate = _GATES.get(name)
        if gate is None:
            gate = _GATES[name] = threading.BoundedSemaphore(limit)
        return gate


@contextmanager
def acquired(gate: threading.BoundedSemaphore, wait_seconds: float) -> Iterator[None]:
    """Hold a slot of ``gate``; waiting longer than ``wait_seconds`` for one is a
    GenerationError (the reader gets the extractive answer instead of a queue)."""
    if not gate.acquire(timeout=wait_seconds):
        raise GenerationError(f"no free LLM slot within {wait_seconds:.0f}s (too many concurrent calls)")
    try:
        yield
    finally:
        gate.release()


# ------------------------------------------------------------ context budget
# Chat templates add a few tokens per message, and the server's tokenizer is not
# tiktoken's: keep a margin so an estimate a little low never overflows.
TEMPLATE_OVERHEAD_TOKENS = 32
ESTIMATE_MARGIN = 0.9
MIN_PASSAGE_TOKENS = 48


@dataclass
class Budget:
    passages: list[Passage]
    prompt_tokens: int  # our estimate of the rendered prompt (tiktoken cl100k)
    dropped: int = 0  # passages left out
    truncated: bool = False  # the last passage kept was cut to fit

    @property
    def note(self) -> str:
        parts = []
        if self.dropped:
            parts.append(f"{self.dropped} passage(s) left out")
        if self.truncated:
            parts.append("last passage truncated")
        return f"context budget: {', '.join(parts)}" if parts else ""


def fit_passages(
    passages: Sequence[Passage],
    render: Callable[[Sequence[Passage]], list[dict[str, str]]],
    *,
    context_tokens: int,
    max_answer_tokens: int,
) -> Budget:
    """The passages (in retrieval order, best first) that fit in the window with
    ``max_answer_tokens`` left for the answer. ``render`` builds the messages
    for a list of passages, so the fixed parts (system prompt, question) are
    counted exactly as they will be sent."""
    available = int(context_tokens * ESTIMATE_MARGIN) - max_answer_tokens - TEMPLATE_OVERHEAD_TOKENS

    def cost(ps: Sequence[Passage]) -> int:
        return sum(count_tokens(m["content"]) + 4 for m in render(ps))

    fixed = cost([])
    if fixed > available:
        raise GenerationError(
            f"the prompt alone needs ~{fixed} tokens but only {available} fit "
            f"(QA_LLM_CONTEXT_TOKENS={context_tokens}, QA_LLM_MAX_ANSWER_TOKENS={max_answer_tokens})"
        )
    kept: list[Passage] = []
    used = fixed
    truncated = False
    for p in passages:
        with_p = cost([*kept, p])
        if with_p <= available:
            kept.append(p)
            used = with_p
            continue
        room = available - used
        if room >= MIN_PASSAGE_TOKENS:
            short = _truncate(p, room - 16)  # the passage header costs a few tokens
            if short is not None:
                kept.append(short)
                used = cost(kept)
                truncated = True
        break
    return Budget(passages=kept, prompt_tokens=used, dropped=len(passages) - len(kept), truncated=truncated)


def _truncate(p: Passage, tokens: int) -> Passage | None:
    """The passage cut to at most ``tokens`` tokens, at a sentence end if one is
    near; the cut copy is for the prompt only (citations verify against the
    full passages)."""
    if tokens <= 0:
        return None
    enc = get_encoding()
    ids = enc.encode(p.text, disallowed_special=())
    text = enc.decode(ids[:tokens])
    end = max(text.rfind(". "), text.rfind(".\n"))
    if end > len(text) // 2:
        text = text[: end + 1]
    chunk = p.chunk.model_copy(update={"text": text})
    return Passage(p.n, chunk)


# ------------------------------------------------------------------ deadline
class Deadline:
    """A monotonic deadline for a whole call, streams included: a server that
    trickles tokens forever is cut off even though each read is in time."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def check(self, what: str = "LLM call") -> None:
        if time.monotonic() > self.at:
            raise GenerationError(f"{what} exceeded its {self.seconds:.0f}s deadline")
