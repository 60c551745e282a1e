"""One typed settings object for the whole service (env prefix ``QA_``)."""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the service. Each field maps to an env var ``QA_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="QA_", env_file=".env", extra="ignore")

    # Storage
    data_dir: Path = Field(Path("data"), description="Where the index, SQLite database and caches live.")
    corpus_dir: Path = Field(Path("corpus"), description="Default path for `ingest`.")
    database_url: str = Field("", description="postgresql://USER:PASSWORD@HOST:PORT/DB for PostgreSQL (production); empty = SQLite in data_dir (qa.sqlite3).")
    database_pool_size: int = Field(10, ge=1, le=200, description="PostgreSQL connections per process at most.")
    redis_url: str = Field("", description="redis://HOST:PORT/DB for rate limits and the identical-question single flight; empty = in the database.")
    chroma_host: str = Field("", description="Chroma server host; empty = embedded PersistentClient under data_dir.")
    chroma_port: int = Field(8000, description="Chroma server port (with chroma_host).")
    collection: str = Field("chunks", description="Chroma collection name.")

    # Chunking
    chunk_tokens: int = Field(256, ge=32, le=2048, description="Target chunk size in tokens (tiktoken cl100k).")
    chunk_overlap: int = Field(48, ge=0, le=512, description="Token overlap between neighbouring chunks.")

    # Embeddings
    embedder: str = Field("local", description="'local' (ONNX MiniLM, offline) or 'openai'.")
    openai_embedding_model: str = Field("text-embedding-3-small", description="Model for embedder=openai.")
    embed_batch: int = Field(16, ge=1, le=1024, description="Texts per embedding batch (larger batches of long chunks cost memory, not speed).")

    # Retrieval
    top_k: int = Field(8, ge=1, le=100, description="Chunks handed to the generator.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    candidates: int = Field(50, ge=1, le=500, description="Candidates per ranking before fusion.")

    # Answering
    max_question_tokens: int = Field(128, ge=4, description="Longer questions are rejected.")
    checker: str = Field("crossencoder", pattern="^(crossencoder|lexical)$", description="Grounding checker for citations: 'crossencoder' (the shipped MiniLM-L6 model, offline) or 'lexical' (word overlap, a model-free baseline).")
    support_threshold: float | None = Field(None, ge=0.0, le=1.0, description="Grounding score a citation needs to verify; unset = the checker's own (the cross-encoder's answer-time threshold from its model card).")
    relevance_threshold: float = Field(0.35, ge=0.0, le=1.0, description="Below this evidence score the answer is not_in_sources.")

    # LLM (OpenAI-compatible)
    llm_base_url: str = Field("", description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1.")
    llm_model: str = Field("", description="Model name sent to the endpoint.")
    llm_api_key: str = Field("", description="API key; falls back to OPENAI_API_KEY.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before an LLM call is abandoned.")
    llm_retries: int = Field(2, ge=0, le=10, description="Retries on 429, 5xx and connection errors.")
    llm_concurrency: int = Field(4, ge=1, le=64, description="Concurrent LLM calls at most, per process (N web workers make N times as many).")
    llm_context_tokens: int = Field(8192, ge=512, description="The model's context window.")
    llm_max_answer_tokens: int = Field(512, ge=16, description="Room left for the answer.")
    llm_gguf: str = Field("", description="GGUF model file for `qa-service llm serve` (local llama.cpp).")
    # LLM generation (issue 4)
    llm_temperature: float = Field(0.0, ge=0.0, le=2.0, description="Sampling temperature for answers (0 = repeatable).")
    llm_backoff: float = Field(0.5, ge=0.0, le=30.0, description="First retry waits this many seconds, doubling after.")
    llm_deadline: float = Field(180.0, gt=0, description="Seconds a whole LLM answer (a stream included) may take.")
    llm_port: int = Field(8080, ge=0, le=65535, description="Port for `qa-service llm serve` (0 = any free port).")
    llm_threads: int = Field(0, ge=0, le=256, description="CPU threads for `llm serve` (0 = all cores).")
    llm_suggestions: int = Field(5, ge=0, le=20, description="Generated follow-up questions to keep per article (each only if answered with citations).")
    suggest_at_ingest: str = Field("always", pattern="^(never|llm|always)$", description="Add generated questions at ingest: always (the LLM's when one is configured, else offline ones from the article's sentences), llm (only when an LLM is configured) or never. An article with no curated question shows its generated ones at once; otherwise they are hidden until an editor shows them, unless auto_publish.")

    # Web
    host: str = Field("127.0.0.1", description="`serve` bind host.")
    port: int = Field(8000, ge=1, le=65535, description="`serve` port.")
    workers: int = Field(1, ge=1, le=64, description="`serve` web worker processes (several need PostgreSQL or SQLite on a local disk, and a Chroma server).")
    access_log: bool = Field(True, description="One JSON line per request on stderr (request id, route, status, milliseconds).")
    page_recheck_seconds: float = Field(1.0, ge=0.0, le=60.0, description="Seconds a worker serves an article page from its cache before reading the article's published state again (0 = on every request).")
    page_cache_size: int = Field(512, ge=1, le=100_000, description="Rendered article pages (HTML and JSON) each worker keeps in memory.")
    page_shared_max_age: int = Field(30, ge=0, le=86_400, description="Seconds a CDN or shared cache may serve an article page or its JSON before asking again (browsers always revalidate).")
    rate_limit_per_minute: int = Field(10, ge=1, description="New (uncached) questions per client per minute.")
    auto_publish: bool = Field(False, description="Publish regenerated answers without editor review (the first answer to a question is always published).")

    # Background jobs
    web_runs_jobs: bool = Field(True, description="`serve` also runs background jobs on one thread per worker; turn off when `qa-service worker` processes run them.")
    job_lease_seconds: float = Field(30.0, ge=2.0, le=3600.0, description="A job's claim lasts this long unless its worker renews it (every third of it); a killed worker's job is retried after it.")
    job_poll_seconds: float = Field(1.0, ge=0.05, le=60.0, description="How often an idle job worker looks for a job.")
    job_max_attempts: int = Field(3, ge=1, le=20, description="Times a job is started before it is failed (a worker killed mid-job counts one).")

    # Accounts and editors (issue 6)
    bcrypt_rounds: int = Field(12, ge=4, le=16, description="bcrypt cost for password hashes (tests may lower it).")
    session_days: float = Field(30.0, gt=0, description="Days a login session lasts.")
    token_ttl_days: float = Field(90.0, ge=0, le=3650, description="Days an API token lasts from when it is made (`tokens create --days` overrides it); 0 = tokens never expire. Expired tokens are refused (401).")
    review_min_grounding: float = Field(0.6, ge=0.0, le=1.0, description="Published answers scoring below this grounding score join the editors' review queue.")
    review_min_quality: float = Field(0.75, ge=0.0, le=1.0, description="Published answers whose answer-quality score (lead answers, parts answered) is below this join the editors' review queue.")

    # Abuse limits and web hardening (issue 13)
    trusted_proxies: str = Field("", max_length=2000, description="Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (e.g. 127.0.0.1,10.0.0.0/8); empty = believe no one, the peer address is the client.")
    public_origins: str = Field("", max_length=2000, description="Comma-separated origins the site is also served under (e.g. https://news.example.com), accepted besides the request's own in the Origin/Referer check of cookie-authenticated POSTs.")
    max_body_bytes: int = Field(65536, ge=1024, le=10_485_760, description="Largest request body accepted; bigger ones get 413 before they are read.")
    signups_per_hour: int = Field(5, ge=1, le=100_000, description="New accounts per client address per hour; more get 429.")
    login_failures_per_minute: int = Field(5, ge=1, le=10_000, description="Failed logins per account per minute (4x per address) before logins for it wait, with a 429.")
    login_failures_per_hour: int = Field(20, ge=1, le=100_000, description="Failed logins per account per hour (4x per address): past it the wait grows from a minute to up to an hour.")
    password_checks: int = Field(1, ge=1, le=64, description="Password hashes (logins, sign-ups) computed at once; others wait up to 10 s, then get 429, so bcrypt never takes every core.")

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise ValueError(f"{part!r} is not an IP address or network") from None
        return value

    @field_validator("public_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        from urllib.parse import urlsplit

        for part in filter(None, (p.strip() for p in value.split(","))):
            url = urlsplit(part)
            if url.scheme not in ("http", "https") or not url.netloc or url.path not in ("", "/"):
                raise ValueError(f"{part!r} is not an origin like https://news.example.com")
        return value

    @property
    def trusted_proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """QA_TRUSTED_PROXIES as networks (a single address is a /32 or /128)."""
        return [ipaddress.ip_network(p.strip(), strict=False) for p in self.trusted_proxies.split(",") if p.strip()]

    @property
    def public_origin_list(self) -> list[str]:
        return [p.strip().rstrip("/").lower() for p in self.public_origins.split(",") if p.strip()]

    @field_validator("llm_api_key", mode="before")
    @classmethod
    def _key_fallback(cls, value: str | None) -> str:
        return value or os.environ.get("OPENAI_API_KEY", "")

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url or self.llm_api_key)

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "qa.sqlite3"

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.split(":", 1)[0].lower() in ("postgres", "postgresql")

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"


@lru_cache
def get_settings() -> Settings:
    return Settings()
