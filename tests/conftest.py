"""Shared fixtures. Real SQLite and chromadb in tmp dirs; the real ONNX embedder
(loaded once per session: it is the same model users run)."""

from __future__ import annotations

import shutil
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
    import os

    for key in list(os.environ):
        if key.startswith("QA_") or key == "OPENAI_API_KEY":
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
    svc.store.close()
    svc.answers.close()
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


@pytest.fixture(scope="session")
def analyzer():  # noqa: ANN201 - the real spaCy analyzer, loaded once
    from qa_service.adapters.spacy_nlp import SpacyAnalyzer

    return SpacyAnalyzer()
