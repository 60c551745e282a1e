"""Runs queued jobs: a JobWorker claims jobs from the queue (store.jobs), runs
each with the handler for its kind, renews its claim while it works, and
records progress, the result or the failure.

``qa-service worker`` runs one in the foreground; ``serve`` also runs one on a
thread of each web worker (QA_WEB_RUNS_JOBS, on by default, so a single
``serve`` needs nothing else). Either way every job goes through the same
queue, so any number of workers on any machines share the work and a job whose
worker was killed is retried by another.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

from qa_service.store.jobs import Job, JobStore

Progress = Callable[[int, int], None]
# A job's work: called with the job and a progress(done, total) callback; returns the result.
JobHandler = Callable[[Job, Progress], dict[str, object]]

log = logging.getLogger("qa_service.jobs")


class JobWorker:
    def __init__(self, store: JobStore, handler: JobHandler, *, lease: float = 30.0, poll: float = 1.0,
                 name: str | None = None) -> None:
        self.store = store
        self.handler = handler
        self.lease = lease
        self.poll = poll
        # Who holds a claim: host, pid and a nonce (a pid can be reused, a host can run many workers).
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> Job | None:
        """Claim one job and run it to the end; the job, or None when none waits."""
        job = self.store.claim(self.name, self.lease)
        if job is None:
            return None
        log.info("job %s (%s, attempt %d) claimed by %s", job.id, job.kind, job.attempts, self.name)
        renewing = threading.Event()

        def renew() -> None:
            # The work may block for minutes (an LLM call): the claim is renewed
            # beside it, and a worker that lost its claim says so in the log.
            while not renewing.wait(self.lease / 3):
                try:
                    if not self.store.renew(job.id, self.name, self.lease):
                        log.warning("job %s is no longer held by %s", job.id, self.name)
                        return
                except Exception:  # noqa: BLE001 - retried at the next beat; the lease has slack
                    log.exception("renewing job %s", job.id)

        beat = threading.Thread(target=renew, name=f"job-lease-{job.id}", daemon=True)
        beat.start()
        try:
            result = self.handler(job, lambda done, total: self.store.progress(job.id, done, total))
        except Exception as exc:  # noqa: BLE001 - a job's failure is recorded, never kills the worker
            log.exception("job %s failed", job.id)
            self.store.fail(job.id, self.name, f"{type(exc).__name__}: {exc}")
        else:
            self.store.finish(job.id, self.name, result)
        finally:
            renewing.set()
            beat.join()
        return job

    def run(self) -> None:
        """Work until ``stop()``: run every job there is, then look again every
        ``poll`` seconds (or at once when woken)."""
        while not self._stop.is_set():
            try:
                ran = self.run_once()
            except Exception:  # noqa: BLE001 - the database went away for a moment: try again later
                log.exception("claiming a job")
                ran = None
            if ran is None:
                self._wake.wait(self.poll)
                self._wake.clear()

    def wake(self) -> None:
        """Look for a job now (a job was just queued by this process)."""
        self._wake.set()

    def start(self) -> None:
        """Run on a daemon thread of this process."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self.run, name="qa-jobs", daemon=True)
            self._thread.start()

    def stop_soon(self) -> None:
        """Stop after the job in hand (safe from a signal handler)."""
        self._stop.set()
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        """Finish the job in hand, then stop; wait up to ``timeout`` for the thread."""
        self.stop_soon()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
