"""Shared fixtures. Real SQLite and chromadb in tmp dirs; a real PostgreSQL
server (and Redis) when scripts/with-services gives their URLs (CI always
does; locally those tests are skipped with that reason); the real ONNX
embedder (loaded once per session: it is the same model users run)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa_service.adapters.onnx_minilm import OnnxMiniLMEmbedder
from qa_service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
ARTICLE_ID = "us-mexico-security-cooperation"
# What a browser sends with a form or fetch from our own pages: changes
# without it (or a Referer) are refused as cross-site (web/security.py).
SAME_SITE = {"Origin": "http://testserver"}


@pytest.fixture(autouse=True)
def _isolate_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's QA_* settings or an OpenAI key."""
    for key in list(os.environ):
        if (key.startswith("QA_") and not key.startswith("QA_TEST_")) or key == "OPENAI_API_KEY":
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "data"))
    from qa_service.settings import get_settings

    get_settings.cache_clear()


@pytest.fixture(scope="session")
def embedder() -> OnnxMiniLMEmbedder:
    return OnnxMiniLMEmbedder()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", corpus_dir=CORPUS)


@pytest.fixture
def services(settings: Settings, embedder: OnnxMiniLMEmbedder):
    from qa_service.services import Services

    svc = Services(settings, embedder_override=embedder)
    yield svc


@pytest.fixture(scope="session")
def seeded_data_dir(tmp_path_factory: pytest.TempPathFactory, embedder: OnnxMiniLMEmbedder) -> Path:
    """The seed corpus ingested once (with pre-generated answers); copy it per test."""
    from qa_service.ingest.documents import load_paths
    from qa_service.services import Services

    data = tmp_path_factory.mktemp("seeded") / "data"
    svc = Services(Settings(data_dir=data, corpus_dir=CORPUS), embedder_override=embedder)
    docs, problems = load_paths([CORPUS])
    assert not problems
    summary = svc.index.ingest(docs)
    svc.pregenerator.after_ingest(summary.changed)
    svc.close()
    return data


@pytest.fixture
def seeded(tmp_path: Path, seeded_data_dir: Path, embedder: OnnxMiniLMEmbedder):
    """Services over a private copy of the ingested seed corpus."""
    from qa_service.services import Services

    data = tmp_path / "seeded"
    shutil.copytree(seeded_data_dir, data)
    return Services(Settings(data_dir=data, corpus_dir=CORPUS), embedder_override=embedder)


def reconfigured(svc, **updates):  # noqa: ANN001, ANN201 - Services in, Services out
    """Services over the same data dir with some settings changed: settings are
    read when services are built, as in a process started with them. The
    embedder (a loaded model) is shared."""
    from qa_service.services import Services

    return Services(svc.settings.model_copy(update=updates), embedder_override=svc.embedder)


# ------------------------------------------------------------ both databases
POSTGRES_URL = os.environ.get("QA_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("QA_TEST_REDIS_URL", "")
NO_POSTGRES = "needs PostgreSQL: run under scripts/with-services (QA_TEST_POSTGRES_URL), as ./scripts/test does"
NO_REDIS = "needs Redis: run under scripts/with-services (QA_TEST_REDIS_URL), as ./scripts/test does"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a new, empty database on the test PostgreSQL server (dropped after)."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    import psycopg

    name = f"qa_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> str:
    if not REDIS_URL:
        pytest.skip(NO_REDIS)
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    client.close()
    return REDIS_URL


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs on both engines: SQLite in a tmp dir, and a fresh
    PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'qa.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def database(database_url: str):  # noqa: ANN201 - a store.db.Database
    from qa_service.store.db import open_database

    db = open_database(database_url)
    yield db
    db.close()


@pytest.fixture(scope="session")
def seeded_postgres_template(seeded_data_dir: Path, embedder: OnnxMiniLMEmbedder) -> Iterator[str]:
    """The seed corpus ingested once into a PostgreSQL database (with its
    pre-generated answers): tests copy it (``seeded_postgres``). Its vectors are
    those of ``seeded_data_dir``'s chroma (same corpus, same embedder)."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    import psycopg

    from qa_service.ingest.documents import load_paths
    from qa_service.services import Services

    name = f"qa_seed_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    data = seeded_data_dir.parent / "pg-seed"
    shutil.copytree(seeded_data_dir, data)
    svc = Services(Settings(data_dir=data, corpus_dir=CORPUS, database_url=url), embedder_override=embedder)
    docs, _ = load_paths([CORPUS])
    summary = svc.index.ingest(docs)
    svc.pregenerator.after_ingest(summary.changed)
    svc.close()
    yield name
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def seeded_postgres(tmp_path: Path, seeded_data_dir: Path, seeded_postgres_template: str,
                    embedder: OnnxMiniLMEmbedder):  # noqa: ANN201 - Services
    """Services over a private copy of the seeded PostgreSQL database (and of the chroma vectors)."""
    import psycopg

    from qa_service.services import Services

    name = f"qa_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{seeded_postgres_template}"')
    data = tmp_path / "seeded-pg"
    shutil.copytree(seeded_data_dir, data)
    (data / "qa.sqlite3").unlink()
    url = f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    svc = Services(Settings(data_dir=data, corpus_dir=CORPUS, database_url=url), embedder_override=embedder)
    yield svc
    svc.close()
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def seeded_on(request: pytest.FixtureRequest):  # noqa: ANN201 - Services
    """The seeded services on each database in turn."""
    return request.getfixturevalue("seeded" if request.param == "sqlite" else "seeded_postgres")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc, log: Path, timeout: float = 240) -> None:  # noqa: ANN001 - a Popen
    """Wait until ``url`` answers below 500; fail with the end of ``log`` if the
    process dies or the time runs out."""
    import time

    import httpx

    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{url} did not come up: {log.read_text()[-3000:]}")
        time.sleep(0.3)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real Chroma server (`chroma run`) on a free 127.0.0.1 port; yields the port."""
    import subprocess
    import sys

    exe = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("the chroma CLI is not installed")
    where = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = (where / "chroma.log").open("w")
    proc = subprocess.Popen([exe, "run", "--path", str(where / "data"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc, where / "chroma.log", timeout=90)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def analyzer():  # noqa: ANN201 - the real spaCy analyzer, loaded once
    from qa_service.adapters.spacy_nlp import SpacyAnalyzer

    return SpacyAnalyzer()

