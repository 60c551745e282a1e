"""The grounding cross-encoder (MiniLM-L6, int8 ONNX) on onnxruntime: (claim,
evidence) pairs in, logits out. Translation only: which evidence a claim is
paired with, verbatim claims and thresholds are grounding/'s business.

The weights ship with the package (qa_service/grounding/model/, see its
MODEL_CARD.md); the WordPiece tokenizer is the embedder's
(adapters/minilm/tokenizer.json, the same all-MiniLM-L6-v2 file). Both files'
sha256 are checked once, before the first call. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

TOKENIZER = Path(__file__).resolve().parent / "minilm" / "tokenizer.json"


class CrossEncoderModelError(RuntimeError):
    pass


def check_sha256(path: Path, expected: str) -> None:
    if not path.is_file():
        raise CrossEncoderModelError(f"grounding model file missing: {path}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected:
        raise CrossEncoderModelError(f"{path} has sha256 {digest}, expected {expected}")


def encode_pairs(tokenizer, pairs: Sequence[tuple[str, str]], max_len: int  # noqa: ANN001 - tokenizers.Tokenizer
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Token ids, attention mask and segment ids of ``[CLS] claim [SEP]
    evidence [SEP]``, truncated longest-first to ``max_len`` word pieces and
    padded to the longest pair. The training scripts call this too, so train
    and run time see the same ids."""
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_len, strategy="longest_first")
    encodings = tokenizer.encode_batch([(c, e) for c, e in pairs])
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for i, e in enumerate(encodings):
        n = len(e.ids)
        ids[i, :n] = e.ids
        mask[i, :n] = 1
        types[i, :n] = e.type_ids
    return ids, mask, types


class OnnxCrossEncoder:
    """``logits(pairs)``: one logit per (claim, evidence) pair, higher =
    better supported. One pair per onnxruntime run: with dynamic int8
    quantisation a batch shares one activation scale, so a pair's score would
    depend on its batch-mates (measured: up to 0.02). One intra-op thread by
    default: a single short pair gains little from a second core, and the
    service answers several questions at once on worker threads."""

    def __init__(self, model: Path, model_sha256: str, tokenizer_sha256: str, *, max_len: int = 128,
                 threads: int = 1, tokenizer: Path = TOKENIZER) -> None:
        self.model_path = model
        self.model_sha256 = model_sha256
        self.tokenizer_path = tokenizer
        self.tokenizer_sha256 = tokenizer_sha256
        self.max_len = max_len
        self.threads = threads
        self._session = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            check_sha256(self.model_path, self.model_sha256)
            check_sha256(self.tokenizer_path, self.tokenizer_sha256)
            options = ort.SessionOptions()
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3
            options.inter_op_num_threads = 1
            if self.threads:
                options.intra_op_num_threads = self.threads
            self._tokenizer = Tokenizer.from_file(str(self.tokenizer_path))
            self._session = ort.InferenceSession(str(self.model_path), sess_options=options,
                                                 providers=["CPUExecutionProvider"])

    def logits(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        if not pairs:
            return []
        if self._session is None:
            self._load()
        out = []
        with self._lock:  # the tokenizer's truncation settings are shared state
            for pair in pairs:
                ids, mask, types = encode_pairs(self._tokenizer, [pair], self.max_len)
                res = self._session.run(None, {"input_ids": ids, "attention_mask": mask,  # type: ignore[union-attr]
                                               "token_type_ids": types})[0]
                out.append(float(np.asarray(res).reshape(-1)[0]))
        return out
