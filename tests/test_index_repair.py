"""Chroma and SQLite agree again after a crash (issue 13, finding 7: a kill
between the chroma write and the SQLite commit left 256 orphan vectors, and
`ingest --prune` did not reconcile them).

An ingest in a child process is killed with SIGKILL exactly between the two
writes (its CorpusStore kills the process when asked to commit); vectors are
also deleted behind SQLite's back. `qa-service doctor` reports both kinds of
disagreement, `doctor --repair` (or `ingest --prune`) fixes them, and the two
sides then hold the same chunk ids, over the real chroma and SQLite files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qa_service.services import Services
from qa_service.settings import Settings

from .conftest import CORPUS

pytestmark = [pytest.mark.slow, pytest.mark.integration]

KILLED_INGEST = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from qa_service.ingest.documents import load_paths
    from qa_service.services import Services
    from qa_service.settings import Settings
    from qa_service.store.corpus import CorpusStore

    class KilledBeforeCommit(CorpusStore):
        # the vectors of the batch are written; the process dies before SQLite commits
        def put_documents(self, docs):
            os.kill(os.getpid(), signal.SIGKILL)

    services = Services(Settings(data_dir=Path(sys.argv[1])))
    services.__dict__["store"] = KilledBeforeCommit(services.db)
    docs, problems = load_paths([Path(sys.argv[2])])
    services.index.ingest(docs)
    print("not killed")
""")


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QA_DATA_DIR": str(data)}
    return subprocess.run([sys.executable, "-m", "qa_service.cli.main", *args], env=env, capture_output=True,
                          text=True, timeout=600)


def _new_sources(directory: Path, count: int = 8) -> Path:
    directory.mkdir()
    for i in range(count):
        paragraphs = "\n\n".join(f"Report {i} paragraph {j}: officials from agency {i}-{j} reviewed cargo "
                                 f"manifests, firearm traces and border inspections in district {j}." for j in range(12))
        (directory / f"report-{i}.md").write_text(f"---\nid: report-{i}\ntitle: Report {i}\n---\n{paragraphs}\n",
                                                  encoding="utf-8")
    return directory


def _sides(data: Path, embedder) -> tuple[set[str], set[str]]:  # noqa: ANN001
    services = Services(Settings(data_dir=data), embedder_override=embedder)
    try:
        return services.store.all_chunk_ids(), services.vectors.all_ids()
    finally:
        services.close()


def _kill_mid_ingest(data: Path, corpus: Path) -> None:
    env = {**os.environ, "QA_DATA_DIR": str(data)}
    done = subprocess.run([sys.executable, "-c", KILLED_INGEST, str(data), str(corpus)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stdout, done.stderr)


def test_kill_between_the_writes_then_doctor_repair_leaves_them_equal(tmp_path: Path, seeded_data_dir: Path,
                                                                      embedder) -> None:  # noqa: ANN001
    data = tmp_path / "data"
    shutil.copytree(seeded_data_dir, data)
    chunks_before, vectors_before = _sides(data, embedder)
    assert chunks_before == vectors_before

    _kill_mid_ingest(data, _new_sources(tmp_path / "new"))
    chunks, vectors = _sides(data, embedder)
    orphans = vectors - chunks
    assert chunks == chunks_before and orphans, "the kill left vectors that no chunk owns"

    # and some chunks lose their vectors behind SQLite's back
    services = Services(Settings(data_dir=data), embedder_override=embedder)
    lost = sorted(chunks)[:3]
    services.vectors.delete(lost)
    services.close()

    check = _cli(data, "doctor", "--json")
    assert check.returncode == 1, check.stderr
    report = json.loads(check.stdout)
    assert report["orphan_vectors"] == len(orphans) and report["missing_vectors"] == len(lost)
    assert not report["ok"]

    repair = _cli(data, "doctor", "--repair", "--json")
    assert repair.returncode == 0, repair.stderr
    fixed = json.loads(repair.stdout)
    assert fixed["ok"] and fixed["deleted"] == len(orphans) and fixed["embedded"] == len(lost)
    chunks, vectors = _sides(data, embedder)
    assert chunks == vectors == chunks_before

    again = _cli(data, "doctor")
    assert again.returncode == 0 and "ok:" in again.stdout
    # the repaired vectors are searchable again
    answer = _cli(data, "search", "Mission Firewall eTrace", "--json")
    assert answer.returncode == 0 and json.loads(answer.stdout)


def test_ingest_prune_reconciles_after_a_kill(tmp_path: Path, seeded_data_dir: Path, embedder) -> None:  # noqa: ANN001
    data = tmp_path / "data"
    shutil.copytree(seeded_data_dir, data)
    _kill_mid_ingest(data, _new_sources(tmp_path / "new"))
    chunks, vectors = _sides(data, embedder)
    assert vectors - chunks
    done = _cli(data, "ingest", str(CORPUS), "--prune", "--no-pregenerate", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["repaired"]["ok"] is True
    chunks, vectors = _sides(data, embedder)
    assert chunks == vectors
