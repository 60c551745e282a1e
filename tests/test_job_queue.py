"""The job queue with real `qa-service worker` processes, on both databases: a
worker killed with SIGKILL in the middle of a job (it waits on a stalled LLM)
loses nothing; another worker claims the job once its lease runs out and
finishes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ARTICLE_ID, CORPUS
from .test_editor_crash import StallingLLM

pytestmark = [pytest.mark.slow, pytest.mark.integration]
QA_SERVICE = Path(sys.executable).with_name("qa-service")


def _worker(services, tmp_path: Path, name: str, **extra: str) -> subprocess.Popen:  # noqa: ANN001
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_") and k != "OPENAI_API_KEY"}
    s = services.settings
    env.update({"QA_DATA_DIR": str(s.data_dir), "QA_CORPUS_DIR": str(CORPUS), "QA_DATABASE_URL": s.database_url,
                "QA_JOB_LEASE_SECONDS": "3", "QA_JOB_POLL_SECONDS": "0.2", **extra})
    log = (tmp_path / f"{name}.log").open("w")
    return subprocess.Popen([str(QA_SERVICE), "worker"], env=env, cwd=tmp_path, stdout=log, stderr=log)


def _wait_for(predicate, timeout: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_a_killed_workers_job_is_retried_by_another(seeded_on, tmp_path: Path) -> None:  # noqa: ANN001
    svc = seeded_on
    questions = svc.editorial.questions_to_regenerate(ARTICLE_ID)  # shown ones and suggestions awaiting review
    versions_before = svc.db.scalar("SELECT COUNT(*) FROM answer_versions")
    job = svc.editorial.submit_regeneration(ARTICLE_ID, "answers", "edna")  # queued: this process runs no worker
    assert svc.jobs.get(job.id).status == "queued"

    llm = StallingLLM()
    first = _worker(svc, tmp_path, "first", QA_LLM_BASE_URL=llm.base_url, QA_LLM_MODEL="stall",
                    QA_LLM_TIMEOUT="300", QA_LLM_RETRIES="0")
    second = None
    try:
        assert llm.request_seen.wait(timeout=240), (tmp_path / "first.log").read_text()[-3000:]
        held = svc.jobs.get(job.id)
        assert held.status == "running" and held.attempts == 1 and first.poll() is None
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        assert first.returncode == -signal.SIGKILL
        assert svc.jobs.get(job.id).status == "running", "a killed worker's job is not lost, nor finished"

        # Another worker (this one without the stalled LLM) takes it over once the lease ends.
        second = _worker(svc, tmp_path, "second")
        _wait_for(lambda: svc.jobs.get(job.id).finished, 300, "the job to finish on the second worker")
        done = svc.jobs.get(job.id)
        assert done.status == "done", (done.error, (tmp_path / "second.log").read_text()[-3000:])
        assert done.attempts == 2 and done.claimed_by != held.claimed_by
        assert done.done == done.total == len(questions)
        assert len(done.result["answers"]["versions"]) == len(questions)
        assert svc.db.scalar("SELECT COUNT(*) FROM answer_versions") == versions_before + len(questions)
        assert all(svc.answers.published(q.id) is not None for q in questions)
    finally:
        llm.stop()
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=60)


def test_a_worker_stops_between_jobs_on_sigterm(seeded, tmp_path: Path) -> None:  # noqa: ANN001
    proc = _worker(seeded, tmp_path, "idle")
    try:
        _wait_for(lambda: "waiting for jobs" in (tmp_path / "idle.log").read_text(), 120, "the worker to start")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
