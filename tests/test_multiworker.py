"""Several worker processes sharing one database, as in production: real
`qa-service serve` processes (one with `--workers 2`, one more beside it, so
requests provably reach different processes), a real Chroma server for the
vectors, on SQLite, on PostgreSQL, and on PostgreSQL with Redis holding the
shared limits. A write burst gives no 500 and loses nothing; identical
questions asked at once through both make one generation; a client's rate
limit is the same whichever worker it reaches; an editor's change reaches
every worker's page cache; /metrics adds up every worker; a revoked token or
session is refused by every worker; the login and sign-up allowances are
spent once, whichever workers the attempts reach (issue 13)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from qa_service.services import Services
from qa_service.settings import Settings

from .conftest import ARTICLE_ID, CORPUS, NO_POSTGRES, NO_REDIS, POSTGRES_URL, REDIS_URL, free_port, wait_until_up
from .llm_fake_server import FakeOpenAI, Reply

pytestmark = [pytest.mark.slow, pytest.mark.integration]
QA_SERVICE = Path(sys.executable).with_name("qa-service")
READERS = 8
API = f"/api/articles/{ARTICLE_ID}"
EDITOR_API = f"/api/editor/articles/{ARTICLE_ID}"


@dataclass
class Deployment:
    backend: str
    urls: list[str]  # [the --workers 2 server, the single-worker one]
    services: Services  # this test's own view of the shared database
    llm: FakeOpenAI
    logs: list[Path]
    editor: dict[str, str]
    readers: list[dict[str, str]] = field(default_factory=list)

    def url(self, i: int) -> str:
        return self.urls[i % len(self.urls)]

    def log_lines(self, i: int) -> list[dict]:
        """The JSON lines (request logs) a server wrote on stderr."""
        return [json.loads(line) for line in self.logs[i].read_text().splitlines() if line.startswith("{")]


@pytest.fixture(scope="module", params=["sqlite", "postgres", "postgres+redis"])
def deployment(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, embedder,  # noqa: ANN001
               chroma_server: int) -> Iterator[Deployment]:
    backend = request.param
    if "postgres" in backend and not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    if "redis" in backend and not REDIS_URL:
        pytest.skip(NO_REDIS)
    work = tmp_path_factory.mktemp(backend.replace("+", "-"))
    env = {"QA_DATA_DIR": str(work / "data"), "QA_CORPUS_DIR": str(CORPUS), "QA_CHROMA_HOST": "127.0.0.1",
           "QA_CHROMA_PORT": str(chroma_server), "QA_COLLECTION": f"mw{uuid.uuid4().hex[:12]}",
           "QA_BCRYPT_ROUNDS": "4", "QA_RATE_LIMIT_PER_MINUTE": "3"}
    database = ""
    if "postgres" in backend:
        import psycopg

        database = f"qa_mw_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        env["QA_DATABASE_URL"] = f"{POSTGRES_URL.rsplit('/', 1)[0]}/{database}"
    if "redis" in backend:
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        env["QA_REDIS_URL"] = REDIS_URL

    # Ingest the seed corpus (vectors to the Chroma server), accounts; no LLM yet.
    settings = Settings(**{k[3:].lower(): v for k, v in env.items()})
    services = Services(settings, embedder_override=embedder)
    from qa_service.ingest.documents import load_paths

    docs, _ = load_paths([CORPUS])
    services.pregenerator.after_ingest(services.index.ingest(docs).changed)
    services.accounts.create_user("edna", "long enough", role="editor")
    editor = {"Authorization": f"Bearer {services.accounts.create_api_token('edna')}"}
    readers = []
    for i in range(READERS):
        services.accounts.create_user(f"reader{i}", "long enough")
        readers.append({"Authorization": f"Bearer {services.accounts.create_api_token(f'reader{i}')}"})

    # The servers answer typed questions with an LLM slow enough for questions to overlap.
    llm = FakeOpenAI(lambda req: Reply(text="The statement does not say.", delay=2.0)).start()
    env.update({"QA_LLM_BASE_URL": llm.base_url, "QA_LLM_MODEL": "fake", "QA_LLM_RETRIES": "0"})
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("QA_") and k != "OPENAI_API_KEY"}
    procs, urls, logs = [], [], []
    try:
        for workers in (2, 1):
            port = free_port()
            log = work / f"serve-{port}.log"
            logs.append(log)
            procs.append(subprocess.Popen(
                [str(QA_SERVICE), "serve", "--port", str(port), "--workers", str(workers)],
                env={**base_env, **env}, cwd=work, stdout=log.open("w"), stderr=subprocess.STDOUT))
            urls.append(f"http://127.0.0.1:{port}")
        for url, proc, log in zip(urls, procs, logs, strict=True):
            wait_until_up(f"{url}/healthz", proc, log)
        yield Deployment(backend, urls, services, llm, logs, editor, readers)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        llm.stop()
        services.close()
        if database:
            import psycopg

            with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _count(d: Deployment, sql: str) -> int:
    return int(d.services.db.scalar(sql))


def test_a_write_burst_on_several_workers_gives_no_500_and_loses_nothing(deployment: Deployment) -> None:
    d = deployment
    qids = [q.id for q in d.services.answers.questions(ARTICLE_ID)]
    comments, audit, versions = (_count(d, f"SELECT COUNT(*) FROM {t}") for t in
                                 ("comments", "audit_log", "answer_versions"))
    requests: list[tuple[str, str, dict, dict | None]] = []
    for i in range(60):
        requests.append(("POST", f"{API}/comments", d.readers[i % READERS], {"text": f"burst comment {i}"}))
    for i in range(READERS):
        for kind in ("interesting", "support"):
            requests.append(("POST", f"{API}/votes", d.readers[i], {"kind": kind, "value": i % 2 == 0}))
        for qid in qids[:2]:
            requests.append(("POST", f"{API}/questions/{qid}/feedback", d.readers[i], {"helpful": i % 3 != 0}))
    for i in range(40):
        requests.append(("GET", "/api/me", d.readers[i % READERS], None))
    for i in range(8):
        requests.append(("PATCH", f"{EDITOR_API}/questions/{qids[i % len(qids)]}", d.editor,
                         {"pinned": i % 2 == 0}))
    for qid in qids[:3]:
        requests.append(("POST", f"{EDITOR_API}/questions/{qid}/regenerate", d.editor, None))

    def send(i: int) -> tuple[int, str]:
        method, path, headers, body = requests[i]
        r = httpx.request(method, d.url(i) + path, headers=headers, json=body, timeout=300)
        return r.status_code, r.text[:300]

    with ThreadPoolExecutor(24) as pool:
        results = list(pool.map(send, range(len(requests))))
    failed = [(requests[i][:2], status, text) for i, (status, text) in enumerate(results) if status >= 300]
    assert not failed, failed

    assert _count(d, "SELECT COUNT(*) FROM comments") == comments + 60
    assert _count(d, "SELECT COUNT(*) FROM votes") == 2 * READERS
    votes = d.services.accounts.vote_counts(ARTICLE_ID)
    assert votes["interesting"] == {"yes": READERS // 2, "total": READERS}
    assert _count(d, "SELECT COUNT(*) FROM feedback") == 2 * READERS
    assert _count(d, "SELECT COUNT(*) FROM audit_log") == audit + 8 + 3  # every pin and every regeneration
    assert _count(d, "SELECT COUNT(*) FROM answer_versions") == versions + 3
    # The --workers 2 server really spread the burst over its two processes.
    pids = {line["pid"] for line in d.log_lines(0) if line.get("route", "").startswith("/api/")}
    assert len(pids) == 2, pids


def test_identical_questions_at_once_make_one_generation(deployment: Deployment) -> None:
    d = deployment
    question = "Which agencies take part in the Security Implementation Group?"  # answerable: the LLM is asked
    calls = len(d.llm.chat_requests)

    def ask(i: int) -> httpx.Response:
        return httpx.post(f"{d.url(i)}{API}/questions", json={"question": question}, timeout=300)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, range(8)))
    assert [r.status_code for r in answers] == [200] * 8, [r.text[:200] for r in answers]
    assert len({r.json()["answer"] for r in answers}) == 1
    assert len(d.llm.chat_requests) == calls + 1, "one generation for eight readers on three processes"
    again = httpx.post(f"{d.url(1)}{API}/questions", json={"question": question}, timeout=60)
    assert again.json()["answer"] == answers[0].json()["answer"] and len(d.llm.chat_requests) == calls + 1


def test_a_clients_rate_limit_is_the_same_on_every_worker(deployment: Deployment) -> None:
    d = deployment
    client = d.readers[-1]  # limited per account: 3 new questions a minute (QA_RATE_LIMIT_PER_MINUTE)
    statuses, retry_after = [], []
    for i in range(6):
        r = httpx.post(f"{d.url(i)}{API}/questions", headers=client, timeout=120,
                       json={"question": f"Which agency leads inspection number {i} ({d.backend})?"})
        statuses.append(r.status_code)
        if r.status_code == 429:
            retry_after.append(int(r.headers["retry-after"]))
    assert statuses == [200, 200, 200, 429, 429, 429]
    assert all(1 <= s <= 60 for s in retry_after)


def test_an_editors_change_reaches_every_workers_page(deployment: Deployment) -> None:
    d = deployment
    qid = d.services.answers.questions(ARTICLE_ID)[-1].id
    page = f"/articles/{ARTICLE_ID}"
    etags = {httpx.get(d.url(i) + page).headers["etag"] for i in range(4)}
    assert len(etags) == 1, "every worker renders the same bytes for the same state"
    r = httpx.patch(f"{d.url(1)}{EDITOR_API}/questions/{qid}", headers=d.editor, json={"hidden": True})
    assert r.status_code == 200
    changed_at = time.monotonic()
    try:
        deadline = time.monotonic() + 60  # each worker reads the state again within QA_PAGE_RECHECK_SECONDS (1 s)
        old = etags.pop()

        def stale() -> bool:
            # a server runs two processes: a request may reach the one that has not re-read yet
            return any(f'id="{qid}"' in httpx.get(d.url(i) + page).text for i in range(6)) or \
                httpx.get(d.url(0) + page, headers={"If-None-Match": old}).status_code == 304

        while stale():
            assert time.monotonic() < deadline, "a worker kept serving the old page"
            time.sleep(0.2)
        # A process these requests did not reach may still hold a state read just
        # before the change; QA_PAGE_RECHECK_SECONDS (1 s) bounds how long. Once
        # that bound has passed for every process, the old ETag is refused by all.
        time.sleep(max(0.0, changed_at + 1.5 - time.monotonic()))
        assert all(httpx.get(d.url(i) + page, headers={"If-None-Match": old}).status_code == 200 for i in range(6))
    finally:
        httpx.patch(f"{d.url(0)}{EDITOR_API}/questions/{qid}", headers=d.editor, json={"hidden": False})


def _sample(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_and_request_logs_cover_every_worker(deployment: Deployment) -> None:
    d = deployment
    url = d.urls[0]
    route = {"route": "/articles/{article_id}", "method": "GET", "status": "200"}
    before = _sample(httpx.get(f"{url}/metrics").text, "qa_http_request_duration_seconds_count", **route)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: httpx.get(f"{url}/articles/{ARTICLE_ID}"), range(40)))
    text = httpx.get(f"{url}/metrics").text
    assert _sample(text, "qa_http_request_duration_seconds_count", **route) == before + 40  # both workers counted
    assert _sample(text, "qa_cache_requests_total", cache="article_page", result="hit") > 0
    assert re.search(r'^qa_job_queue_depth\{status="queued"\} \d', text, re.M)
    # The generations of the earlier tests ran on whichever process claimed them.
    both = text + httpx.get(f"{d.urls[1]}/metrics").text
    assert _sample(both, "qa_answer_duration_seconds_count") >= 1 and _sample(both, "qa_llm_tokens_total") > 0

    r = httpx.get(f"{url}/articles/{ARTICLE_ID}", headers={"X-Request-ID": "trace-me-123"})
    assert r.headers["x-request-id"] == "trace-me-123"
    generated = httpx.get(f"{url}/healthz").headers["x-request-id"]
    deadline = time.monotonic() + 30  # the line is written as the response ends, by the worker that served it
    while not {"trace-me-123", generated} <= (lines := {line.get("request_id"): line for line in d.log_lines(0)}).keys():
        assert time.monotonic() < deadline, "no log line for the request"
        time.sleep(0.2)
    assert lines["trace-me-123"]["route"] == "/articles/{article_id}" and lines["trace-me-123"]["status"] == 200
    assert lines[generated]["path"] == "/healthz"


# ------------------------------------------- issue 13: accounts across workers
def test_a_revoked_token_or_session_is_refused_by_every_worker(deployment: Deployment) -> None:
    d = deployment
    d.services.accounts.create_user("leaving", "long enough", role="editor")
    secret, token = d.services.accounts.issue_api_token("leaving")
    bearer = {"Authorization": f"Bearer {secret}"}

    def session(i: int) -> dict[str, str]:
        r = httpx.post(f"{d.url(i)}/api/login", json={"name": "leaving", "password": "long enough"}, timeout=60)
        assert r.status_code == 200, r.text
        return {"Cookie": f"qa_session={r.cookies['qa_session']}", "Origin": d.url(i)}

    laptop, phone = session(0), session(1)

    def statuses(headers: dict[str, str], path: str = "/api/me") -> set[int]:
        with ThreadPoolExecutor(8) as pool:
            return set(pool.map(lambda i: httpx.get(d.url(i) + path, headers=headers, timeout=60,
                                                    follow_redirects=False).status_code, range(16)))

    assert statuses(bearer) == statuses(laptop) == statuses(phone) == {200}
    # The token revoked through one worker is refused by all of them.
    assert httpx.delete(f"{d.url(1)}/api/me/tokens/{token.id}", headers=bearer, timeout=60).status_code == 204
    assert statuses(bearer) == {401}
    # "Log out everywhere else" from the phone, through the other server: the laptop's cookie is dead everywhere.
    r = httpx.post(f"{d.url(1)}/api/me/sessions/revoke", headers=phone, timeout=60)
    assert r.status_code == 200 and r.json() == {"sessions_ended": 1}
    assert statuses(laptop) == {401} and statuses(phone) == {200}
    assert statuses(laptop, "/editor") == {303}  # to the login page
    # The operator ends the rest (`qa-service users revoke-sessions leaving`).
    assert d.services.accounts.revoke_sessions("leaving") == 1
    assert statuses(phone) == {401}


def test_login_and_signup_allowances_are_shared_by_every_worker(deployment: Deployment) -> None:
    """Guesses spread over three processes at once spend exactly one
    allowance: QA_LOGIN_FAILURES_PER_MINUTE for an account, four times that
    for an address (all of these come from 127.0.0.1), QA_SIGNUPS_PER_HOUR
    new accounts; the rest get 429, the right password included. Last in
    this module: it spends the test address's login room."""
    d = deployment
    settings = d.services.settings
    per_account = settings.login_failures_per_minute
    per_address = per_account * 4
    d.services.accounts.create_user("guessed", "the right password")

    def login(i: int, name: str, password: str) -> int:
        return httpx.post(f"{d.url(i)}/api/login", json={"name": name, "password": password}, timeout=120).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda i: login(i, "guessed", f"wrong {i}"), range(30)))
    assert statuses.count(401) == per_account and statuses.count(429) == 30 - per_account, statuses
    assert {login(i, "guessed", "the right password") for i in range(3)} == {429}
    # Unknown names: the address's room, less what the guesses above spent of it.
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda i: login(i, f"nobody{i}", "guess guess"), range(40)))
    assert statuses.count(401) == per_address - per_account and statuses.count(429) == 40 - statuses.count(401)

    def signup(i: int) -> int:
        return httpx.post(f"{d.url(i)}/api/signup", json={"name": f"new-{d.backend.replace('+', '-')}-{i}",
                                                          "password": "long enough"}, timeout=120).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(signup, range(12)))
    assert statuses.count(201) == settings.signups_per_hour and statuses.count(429) == 12 - settings.signups_per_hour
