"""Runs long editor jobs in the background: one worker thread per process
works through the queue, recording progress and results in the JobStore."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from qa_service.store.jobs import Job, JobStore

# A job's work: called with the job and a progress(done, total) callback; returns the result.
JobWork = Callable[[Job, Callable[[int, int], None]], dict[str, object]]


class JobRunner:
    """One worker thread that runs queued jobs in order. The thread exits when the
    queue is empty and is started again by the next submit, so an idle process
    holds no thread."""

    def __init__(self, store: JobStore) -> None:
        self.store = store
        self._queue: queue.Queue[tuple[str, JobWork]] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    def submit(self, kind: str, actor: str, work: JobWork, *, article_id: str = "",
               params: dict[str, object] | None = None) -> Job:
        job = self.store.create(kind, actor, article_id=article_id, params=params)
        with self._lock:
            self._idle.clear()
            self._queue.put((job.id, work))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="qa-jobs", daemon=True)
                self._thread.start()
        return job

    def _run(self) -> None:
        while True:
            with self._lock:
                try:
                    jid, work = self._queue.get_nowait()
                except queue.Empty:
                    self._thread = None
                    self._idle.set()
                    return
            job = self.store.get(jid)
            if job is None:
                continue
            self.store.start(jid)

            def progress(done: int, total: int, _jid: str = jid) -> None:
                self.store.progress(_jid, done, total)

            try:
                result = work(job, progress)
            except Exception as exc:  # noqa: BLE001 - a job's failure is recorded, never kills the worker
                self.store.fail(jid, f"{type(exc).__name__}: {exc}")
            else:
                self.store.finish(jid, result)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """For tests and shutdown: wait until every submitted job has finished."""
        return self._idle.wait(timeout)
