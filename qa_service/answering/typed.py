"""Questions readers type: answered once, reused after.

- A question whose normalised text matches a suggested question of the article
  gets that question's published answer (what editors approved).
- Otherwise the answer is cached per (article, normalised question, corpus
  version) in the AnswerStore, so the same question costs nothing the second time
  and a changed corpus answers afresh.
- Concurrent identical questions generate once ("single flight"): the first one
  starts a generation on a worker thread and every caller, the first included,
  follows that flight's events. A caller that goes away does not abort the
  generation, so its answer is still cached for the next reader.
- A per-client sliding-window limit applies only to questions that would start
  a new generation (cached answers and joining a flight are free).

Knows nothing of HTTP: the web layer maps RateLimited to 429 and
UnknownArticle to 404.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from qa_service.answering.pipeline import Answerer, AnswerEvent, normalise_question
from qa_service.models import Answer
from qa_service.store.answers import AnswerStore, typed_key


class RateLimited(Exception):
    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__(f"Too many new questions: at most {limit} a minute. Try again in {retry_after} s.")
        self.retry_after = retry_after


class RateLimiter:
    """At most ``limit`` hits per ``window`` seconds per client key (sliding window)."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may start another generation; 0 when it may now."""
        with self._lock:
            hits = self._prune(key)
            if len(hits) < self.limit:
                return 0
            return max(1, math.ceil(hits[0] + self.window - self._clock()))

    def hit(self, key: str) -> None:
        """Count one hit, or raise RateLimited."""
        with self._lock:
            hits = self._prune(key)
            if len(hits) >= self.limit:
                raise RateLimited(max(1, math.ceil(hits[0] + self.window - self._clock())), self.limit)
            hits.append(self._clock())

    def _prune(self, key: str) -> deque[float]:
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if not hits and len(self._hits) > 10_000:  # keep memory bounded under many one-off clients
            self._hits = {k: v for k, v in self._hits.items() if v}
            self._hits[key] = hits
        return hits


@dataclass
class Flight:
    """One generation in progress; any number of callers follow its events."""

    key: str
    events: list[AnswerEvent] = field(default_factory=list)
    finished: bool = False
    followers: int = 0  # callers that followed this flight (visible to tests and logs)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, event: AnswerEvent) -> None:
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def finish(self) -> None:
        with self.cond:
            self.finished = True
            self.cond.notify_all()

    def follow(self, timeout: float) -> Iterator[AnswerEvent]:
        """Every event so far, then each new one as it arrives, until done."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self.cond:
            self.followers += 1
        while True:
            with self.cond:
                while seen >= len(self.events) and not self.finished:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self.cond.wait(min(left, 1.0))
                batch = self.events[seen:]
                finished = self.finished
            seen += len(batch)
            yield from batch
            if finished and seen >= len(self.events):
                return
            if not batch and time.monotonic() >= deadline:
                yield AnswerEvent("error", {"message": "The answer took too long; please try again.",
                                            "recoverable": False})
                return


class TypedAnswers:
    def __init__(
        self,
        answers: AnswerStore,
        answerer: Callable[[], Answerer],
        corpus_version: Callable[[], int],
        *,
        rate_limit_per_minute: int = 10,
        workers: int = 1,
        timeout: float = 300.0,
    ) -> None:
        self.answers = answers
        self._make_answerer = answerer
        self._answerer_instance: Answerer | None = None
        self._answerer_lock = threading.Lock()
        self._corpus_version = corpus_version
        self.limiter = RateLimiter(rate_limit_per_minute)
        self.timeout = timeout
        # CPU-bound answering: one worker per core at most keeps page views responsive.
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="typed-answer")
        self._flights: dict[str, Flight] = {}
        self._lock = threading.Lock()
        self.generations = 0  # how many answers were actually generated (single flight is visible in tests)

    def _answerer(self) -> Answerer:
        """Built once, on first use (it loads the index and the embedder)."""
        with self._answerer_lock:
            if self._answerer_instance is None:
                self._answerer_instance = self._make_answerer()
            return self._answerer_instance

    def validate(self, question: str) -> str | None:
        """Why this question cannot be asked (empty, too long, no words), or None."""
        return self._answerer().validate(normalise_question(question))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    # ------------------------------------------------------------------ lookup
    def key(self, article_id: str, question: str) -> str:
        return typed_key(article_id, normalise_question(question), self._corpus_version())

    def stored(self, article_id: str, question: str) -> Answer | None:
        """An answer that needs no generation: a suggested question's published
        answer, or this question's cached answer on the current corpus."""
        norm = _norm(question)
        for q in self.answers.questions(article_id):
            if _norm(q.text) == norm:
                version = self.answers.published(q.id)
                if version is not None:
                    return version.answer
        return self.answers.get_typed(self.key(article_id, question))

    # -------------------------------------------------------------- answering
    def stream(self, article_id: str, question: str, client: str) -> Iterator[AnswerEvent]:
        """Events for this question: a stored answer at once, else the events of
        the (possibly shared) generation. Raises RateLimited before any event
        when this client would start too many generations."""
        cached = self.stored(article_id, question)
        if cached is not None:
            return iter(_replay(cached))
        return self._flight(article_id, question, client).follow(self.timeout)

    def answer(self, article_id: str, question: str, client: str) -> Answer:
        final: Answer | None = None
        message = "The answer could not be generated."
        for event in self.stream(article_id, question, client):
            if event.kind == "done":
                final = Answer.model_validate(event.data["answer"])
            elif event.kind == "error" and not event.data.get("recoverable"):
                message = str(event.data.get("message") or message)
        if final is None:
            raise RuntimeError(message)
        return final

    def _flight(self, article_id: str, question: str, client: str) -> Flight:
        key = self.key(article_id, question)
        with self._lock:
            flight = self._flights.get(key)
            if flight is not None:
                return flight  # joining costs nothing: no new generation
            # Checked again under the lock: a flight may have just finished and stored it.
            if self.answers.get_typed(key) is None:
                self.limiter.hit(client)
                flight = Flight(key)
                self._flights[key] = flight
                self._pool.submit(self._run, flight, article_id, question)
                return flight
        cached = self.answers.get_typed(key)
        done = Flight(key)
        for event in _replay(cached):  # type: ignore[arg-type]
            done.publish(event)
        done.finish()
        return done

    def _run(self, flight: Flight, article_id: str, question: str) -> None:
        try:
            final: Answer | None = None
            for event in self._answerer().ask_stream(question, article_id):
                if event.kind == "done":
                    final = Answer.model_validate(event.data["answer"])
                flight.publish(event)
            self.generations += 1
            if final is not None and final.status != "rejected":
                self.answers.put_typed(flight.key, article_id, final)
        except Exception as exc:  # noqa: BLE001 - a reader gets a message, the server keeps running
            flight.publish(AnswerEvent("error", {"message": f"The answer could not be generated ({type(exc).__name__}).",
                                                 "recoverable": False}))
        finally:
            with self._lock:
                self._flights.pop(flight.key, None)
            flight.finish()


def _norm(question: str) -> str:
    return " ".join(question.lower().split()).rstrip("?!. ")


def _replay(answer: Answer) -> list[AnswerEvent]:
    """A stored answer as the events a live one would have sent."""
    events = [AnswerEvent("retrieval", {"retrieved": [r.model_dump() for r in answer.retrieved], "cached": True})]
    if answer.answer:
        events.append(AnswerEvent("delta", {"text": answer.answer}))
    events += [AnswerEvent("citation", c.model_dump()) for c in answer.citations]
    events.append(AnswerEvent("done", {"answer": answer.model_dump(), "cached": True}))
    return events
