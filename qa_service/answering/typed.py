"""Questions readers type: answered once, reused after.

- A question whose normalised text matches a suggested question of the article
  gets that question's published answer (what editors approved).
- Otherwise the answer is cached per (article, normalised question, corpus
  version) in the AnswerStore, so the same question costs nothing the second time
  and a changed corpus answers afresh.
- Concurrent identical questions generate once ("single flight"), across every
  worker process: the first caller claims the question in the shared
  ``Flights`` (store.limits: the database, or Redis) and generates on a worker
  thread; callers in the same process follow that flight's events as they
  come, callers in other processes wait for the outcome it leaves and replay
  it. A claim is a lease the generating process renews; if that process dies,
  a waiting caller takes over. A caller that goes away does not abort the
  generation, so its answer is still cached for the next reader.
- A per-client sliding-window limit (the shared ``Limiter``) applies only to
  questions that would start a new generation (cached answers and joining a
  flight are free), so a client's limit is the same whichever worker it reaches.

Knows nothing of HTTP: the web layer maps RateLimited to 429 and
UnknownArticle to 404.
"""

from __future__ import annotations

import json
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from qa_service import metrics
from qa_service.answering.pipeline import Answerer, AnswerEvent, normalise_question
from qa_service.models import Answer
from qa_service.store.answers import AnswerStore, typed_key
from qa_service.store.limits import Flights, Limiter

RATE_WINDOW = 60.0  # seconds: the limit is "per minute"
FLIGHT_LEASE = 30.0  # seconds a claim lasts unless renewed (renewed every third of it)
OUTCOME_KEEP = 120.0  # seconds an outcome waits for the callers following it from other processes


class RateLimited(Exception):
    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__(f"Too many new questions: at most {limit} a minute. Try again in {retry_after} s.")
        self.retry_after = retry_after


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
        limiter: Limiter,
        flights: Flights,
        rate_limit_per_minute: int = 10,
        workers: int = 1,
        timeout: float = 300.0,
        poll: float = 0.1,
    ) -> None:
        self.answers = answers
        self._make_answerer = answerer
        self._answerer_instance: Answerer | None = None
        self._answerer_lock = threading.Lock()
        self._corpus_version = corpus_version
        self.limiter = limiter
        self.shared = flights
        self.rate_limit = rate_limit_per_minute
        self.timeout = timeout
        self.poll = poll
        # Who this process is in the shared flights (host, pid and a nonce: a pid can be reused).
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # CPU-bound answering: one worker per core at most keeps page views responsive.
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="typed-answer")
        self._flights: dict[str, Flight] = {}
        self._lock = threading.Lock()
        self._renewer: threading.Thread | None = None
        self.generations = 0  # answers generated by this process (single flight is visible in tests)

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
        found = self.answers.get_typed(self.key(article_id, question))
        metrics.count_cache("typed_answer", "hit" if found is not None else "miss")
        return found

    # -------------------------------------------------------------- answering
    def stream(self, article_id: str, question: str, client: str) -> Iterator[AnswerEvent]:
        """Events for this question: a stored answer at once, else the events of
        the (possibly shared) generation. Raises RateLimited before any event
        when this client would start too many generations."""
        cached = self.stored(article_id, question)
        if cached is not None:
            return iter(_replay(cached))
        return self._join_or_start(self.key(article_id, question), article_id, question, client)

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

    def _join_or_start(self, key: str, article_id: str, question: str, client: str) -> Iterator[AnswerEvent]:
        with self._lock:
            flight = self._flights.get(key)
            if flight is not None:
                return flight.follow(self.timeout)  # joining costs nothing: no new generation
            if not self.shared.claim(key, self.owner, FLIGHT_LEASE):
                return self._follow_elsewhere(key, article_id, question, client)
            # Checked again now that this process holds the question: a flight may
            # have just finished and stored it.
            cached = self.answers.get_typed(key)
            if cached is not None:
                self.shared.release(key, self.owner)
                return iter(_replay(cached))
            decision = self.limiter.hit(f"typed-question:{client}", self.rate_limit, RATE_WINDOW)
            if not decision.allowed:
                self.shared.release(key, self.owner)
                raise RateLimited(max(1, math.ceil(decision.retry_after)), self.rate_limit)
            flight = Flight(key)
            self._flights[key] = flight
            self._pool.submit(self._run, flight, article_id, question)
            self._keep_claims()
            return flight.follow(self.timeout)

    def _follow_elsewhere(self, key: str, article_id: str, question: str, client: str) -> Iterator[AnswerEvent]:
        """Another process is generating this answer: wait for the outcome it
        leaves, and replay it. If that process dies (its claim lapses) without
        one, answer here instead."""
        deadline = time.monotonic() + self.timeout
        delay = self.poll
        while time.monotonic() < deadline:
            state = self.shared.state(key)
            if state.status == "done" and state.outcome is not None:
                yield from _outcome_events(state.outcome)
                return
            if state.status == "free":
                cached = self.answers.get_typed(key)
                if cached is not None:
                    yield from _replay(cached)
                    return
                try:
                    yield from self._join_or_start(key, article_id, question, client)
                except RateLimited as exc:
                    yield AnswerEvent("error", {"message": str(exc), "recoverable": False})
                return
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)
        yield AnswerEvent("error", {"message": "The answer took too long; please try again.", "recoverable": False})

    def _run(self, flight: Flight, article_id: str, question: str) -> None:
        started = time.perf_counter()
        outcome: dict[str, object] = {"error": "The answer could not be generated."}
        try:
            final: Answer | None = None
            for event in self._answerer().ask_stream(question, article_id):
                if event.kind == "done":
                    final = Answer.model_validate(event.data["answer"])
                flight.publish(event)
            self.generations += 1
            if final is not None:
                outcome = {"answer": final.model_dump(mode="json")}
                usage = final.usage
                metrics.observe_answer(final.generator, final.status, time.perf_counter() - started,
                                       usage.prompt_tokens if usage else 0, usage.completion_tokens if usage else 0)
                if final.status != "rejected":
                    self.answers.put_typed(flight.key, article_id, final)
        except Exception as exc:  # noqa: BLE001 - a reader gets a message, the server keeps running
            message = f"The answer could not be generated ({type(exc).__name__})."
            outcome = {"error": message}
            flight.publish(AnswerEvent("error", {"message": message, "recoverable": False}))
        finally:
            try:
                self.shared.finish(flight.key, self.owner, json.dumps(outcome), OUTCOME_KEEP)
            finally:
                with self._lock:
                    self._flights.pop(flight.key, None)
                flight.finish()

    def _keep_claims(self) -> None:
        """Renew this process's claims while it generates (called under the lock)."""
        if self._renewer is not None and self._renewer.is_alive():
            return

        def renew() -> None:
            while True:
                time.sleep(FLIGHT_LEASE / 3)
                with self._lock:
                    keys = list(self._flights)
                    if not keys:
                        self._renewer = None
                        return
                for key in keys:
                    try:
                        self.shared.renew(key, self.owner, FLIGHT_LEASE)
                    except Exception:  # noqa: BLE001 - a missed renewal is retried; the lease has slack
                        pass

        self._renewer = threading.Thread(target=renew, name="typed-answer-claims", daemon=True)
        self._renewer.start()


def _norm(question: str) -> str:
    return " ".join(question.lower().split()).rstrip("?!. ")


def _replay(answer: Answer, cached: bool = True) -> list[AnswerEvent]:
    """A stored answer as the events a live one would have sent (``cached``:
    it was answered before this question was asked)."""
    events = [AnswerEvent("retrieval", {"retrieved": [r.model_dump() for r in answer.retrieved], "cached": cached})]
    if answer.answer:
        events.append(AnswerEvent("delta", {"text": answer.answer}))
    events += [AnswerEvent("citation", c.model_dump()) for c in answer.citations]
    events.append(AnswerEvent("done", {"answer": answer.model_dump(), "cached": cached}))
    return events


def _outcome_events(outcome: str) -> list[AnswerEvent]:
    """What another process's generation left, as events."""
    data = json.loads(outcome)
    if "answer" in data:
        return _replay(Answer.model_validate(data["answer"]), cached=False)
    return [AnswerEvent("error", {"message": str(data.get("error") or "The answer could not be generated."),
                                  "recoverable": False})]
