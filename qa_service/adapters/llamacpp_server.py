"""A local llama.cpp server, in-process, through ``xllamacpp`` (a prebuilt wheel:
no compiler, no model hub). It speaks the OpenAI chat-completions protocol on
127.0.0.1, so the one OpenAI-compatible generator serves both a hosted model and
this local one: point QA_LLM_BASE_URL at ``base_url``.

llama.cpp's HTTP server runs on its own threads inside this process; it stops
when the ``xllamacpp.Server`` object is destroyed, which ``stop()`` does."""

from __future__ import annotations

import gc
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

GGUF_MAGIC = b"GGUF"


class LlamaServerError(RuntimeError):
    """The local server could not start (missing file, not a GGUF, port taken...)."""


def check_gguf(path: Path) -> Path:
    path = Path(path).expanduser()
    if not path.is_file():
        raise LlamaServerError(
            f"model file not found: {path} (run scripts/get-model for SmolLM2, or set QA_LLM_GGUF)")
    with path.open("rb") as fh:
        if fh.read(4) != GGUF_MAGIC:
            raise LlamaServerError(f"{path} is not a GGUF model file")
    return path


def default_gguf() -> Path:
    """Where scripts/get-model puts SmolLM2 (./models under the repository)."""
    root = Path(__file__).resolve().parents[2]
    return root / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"


def port_is_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@dataclass
class LlamaCppServer:
    gguf: Path
    host: str = "127.0.0.1"
    port: int = 0  # 0 = any free port
    context_tokens: int = 4096
    threads: int = 0  # 0 = every core
    parallel: int = 1  # concurrent slots; they share the context window
    alias: str = ""  # the model name the server reports (default: the file's stem)
    verbose: bool = False

    def __post_init__(self) -> None:
        self._server = None
        self.address = ""
        self.start_seconds = 0.0

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible endpoint (what QA_LLM_BASE_URL should be)."""
        if not self.address:
            raise LlamaServerError("the server is not running")
        return self.address + "/v1"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> str:
        if self._server is not None:
            return self.base_url
        gguf = check_gguf(self.gguf)
        if self.port and port_is_open(self.host, self.port):
            raise LlamaServerError(f"port {self.port} on {self.host} is already in use")
        try:
            import xllamacpp as xlc
        except ImportError as exc:  # pragma: no cover - it is a dependency
            raise LlamaServerError(f"xllamacpp is not installed ({exc}); run scripts/install") from exc
        params = xlc.CommonParams()
        params.model.path = str(gguf)
        params.hostnames = [self.host]
        params.port = self.port
        params.n_ctx = self.context_tokens
        params.n_parallel = self.parallel
        threads = self.threads or os.cpu_count() or 1
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.model_alias = {self.alias or gguf.name.removesuffix(".gguf")}
        params.cache_prompt = True  # sources come first in our prompts: follow-ups reuse them
        if not self.verbose:
            params.verbosity = -1
        started = time.perf_counter()
        try:
            self._server = xlc.Server(params)
        except RuntimeError as exc:
            raise LlamaServerError(f"llama.cpp could not start with {gguf}: {exc}") from exc
        self.address = self._server.listening_address
        self._wait_healthy(timeout=60.0)
        self.start_seconds = time.perf_counter() - started
        return self.base_url

    def _wait_healthy(self, timeout: float) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.address + "/health", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise LlamaServerError(f"llama.cpp server at {self.address} did not become healthy in {timeout:.0f}s")

    def stop(self) -> None:
        """Stop the server and wait (bounded) until its port is closed."""
        if self._server is None:
            return
        host_port = self.address.removeprefix("http://").rsplit(":", 1)
        self._server = None
        gc.collect()  # the C++ destructor stops the HTTP threads
        if len(host_port) == 2:
            deadline = time.monotonic() + 10.0
            while time.monotonic() < deadline and port_is_open(host_port[0], int(host_port[1]), 0.2):
                time.sleep(0.05)
        self.address = ""

    def __enter__(self) -> LlamaCppServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
