"""The front door under abuse (issue 13, findings 3, 4, 5, 9 and 10), against
the real app over the seeded data (SQLite + chroma), through FastAPI's
TestClient, and through uvicorn (`qa-service serve` itself, and a raw socket)
where what matters happens before the app sees a request."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from qa_service.store.accounts import AccountStore, User
from qa_service.web.app import create_app

from .browser_support import serve_app
from .conftest import ARTICLE_ID, SAME_SITE

pytestmark = pytest.mark.slow

TEMPLATES = Path(__file__).resolve().parent.parent / "qa_service" / "web" / "templates"


class CountingAccounts(AccountStore):
    """The real store, counting password checks (each one is a bcrypt hash)."""

    checks = 0

    def authenticate(self, name: str, password: str) -> User | None:
        type(self).checks += 1
        return super().authenticate(name, password)


@pytest.fixture
def svc(seeded):  # noqa: ANN001, ANN201
    seeded.settings.bcrypt_rounds = 4
    CountingAccounts.checks = 0
    seeded.__dict__["accounts"] = CountingAccounts(seeded.db, bcrypt_rounds=4)
    return seeded


@pytest.fixture
def client(svc) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(create_app(services=svc), headers=SAME_SITE) as c:
        yield c


@pytest.fixture
def bare(svc) -> Iterator[TestClient]:  # noqa: ANN001
    """A client that sends no Origin: a script, or a forged form."""
    with TestClient(create_app(services=svc)) as c:
        yield c


def _token(html: str) -> str:
    found = set(re.findall(r'name="csrf" value="([^"]*)"', html))
    assert len(found) == 1, found
    return found.pop()


# ------------------------------------------------------------ finding 3
def test_wrong_passwords_are_throttled_and_the_right_one_waits_too(client: TestClient, svc) -> None:  # noqa: ANN001
    """60 wrong passwords in a row: after a few, every attempt gets a clear 429
    with Retry-After, without hashing; the right password straight after is
    refused the same way (it used to log in)."""
    svc.accounts.create_user("vera", "the right password")
    statuses = [client.post("/api/login", json={"name": "vera", "password": f"wrong {i}"}).status_code
                for i in range(60)]
    limit = svc.settings.login_failures_per_minute
    assert statuses[:limit] == [401] * limit and set(statuses[limit:]) == {429}
    assert CountingAccounts.checks == limit  # throttled attempts never reach bcrypt
    right = client.post("/api/login", json={"name": "vera", "password": "the right password"})
    assert right.status_code == 429 and "set-cookie" not in right.headers
    assert int(right.headers["retry-after"]) >= 1 and "failed logins" in right.json()["detail"]
    # the HTML form says the same, on the login page
    page = client.post("/login", data={"name": "vera", "password": "the right password", "next": "/"})
    assert page.status_code == 429 and "Too many failed logins" in page.text and "retry-after" in page.headers


def test_unknown_names_from_one_address_are_throttled_before_hashing(client: TestClient, svc) -> None:  # noqa: ANN001
    factor = 4  # an address gets four times an account's room
    statuses = [client.post("/api/login", json={"name": f"nobody{i}", "password": "guess guess"}).status_code
                for i in range(svc.settings.login_failures_per_minute * factor + 10)]
    allowed = svc.settings.login_failures_per_minute * factor
    assert statuses[:allowed] == [401] * allowed and set(statuses[allowed:]) == {429}
    assert CountingAccounts.checks == allowed


@pytest.mark.integration
def test_concurrent_guessing_hashes_no_more_than_the_limit(svc) -> None:  # noqa: ANN001
    """Eight clients guessing at once through uvicorn: the address's allowance
    of password checks is spent exactly, however the requests interleave."""
    import concurrent.futures

    allowed = svc.settings.login_failures_per_minute * 4

    def guess(i: int) -> int:
        return httpx.post(base + "/api/login", json={"name": f"ghost{i}", "password": "guess guess"},
                          timeout=60).status_code

    with serve_app(svc) as base, concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(guess, range(allowed + 40)))
    assert statuses.count(401) == allowed and statuses.count(429) == 40
    assert CountingAccounts.checks == allowed


def test_password_hashing_runs_in_bounded_slots(svc) -> None:  # noqa: ANN001
    """At most QA_PASSWORD_CHECKS bcrypt computations at once: one more waits,
    then is refused with 429 rather than taking another core."""
    from qa_service.web.limits import Limits, Throttled

    limits = Limits(svc.settings.model_copy(update={"password_checks": 1}), svc.limiter)
    import qa_service.web.limits as module

    with limits.password_hashing():
        saved, module.HASH_WAIT = module.HASH_WAIT, 0.01
        try:
            with pytest.raises(Throttled), limits.password_hashing():
                pass
        finally:
            module.HASH_WAIT = saved
    with limits.password_hashing():  # released again
        pass


# ------------------------------------------------------------ finding 4
def test_signups_are_limited_per_address(client: TestClient, svc) -> None:  # noqa: ANN001
    limit = svc.settings.signups_per_hour
    statuses = [client.post("/api/signup", json={"name": f"bulk{i}", "password": "long enough"}).status_code
                for i in range(limit + 3)]
    assert statuses == [201] * limit + [429] * 3
    r = client.post("/api/signup", json={"name": "onemore", "password": "long enough"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 60
    assert svc.accounts.get_user("onemore") is None


def _serve(data: Path, env_extra: dict[str, str]) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "QA_DATA_DIR": str(data), "QA_BCRYPT_ROUNDS": "4", "QA_SIGNUPS_PER_HOUR": "2", **env_extra}
    proc = subprocess.Popen([sys.executable, "-m", "qa_service.cli.main", "serve", "--port", str(port),
                             "--no-access-log"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(1200):  # bounded: up to 120 s to load the index on a busy machine
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read().decode() if proc.stderr else "serve exited")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("serve did not start")


def _stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(30)


@pytest.mark.integration
@pytest.mark.parametrize("trusted", [False, True], ids=["no-trusted-proxy", "trusted-proxy"])
def test_x_forwarded_for_counts_only_from_trusted_proxies(tmp_path: Path, seeded_data_dir: Path,
                                                         trusted: bool) -> None:
    """`qa-service serve` behind nothing: a local peer's X-Forwarded-For is
    ignored, so inventing addresses does not buy more sign-ups. With
    QA_TRUSTED_PROXIES naming the proxy, it is the client's address."""
    data = tmp_path / "data"
    shutil.copytree(seeded_data_dir, data)
    proc, base = _serve(data, {"QA_TRUSTED_PROXIES": "127.0.0.1"} if trusted else {})
    try:
        statuses = [httpx.post(base + "/api/signup", json={"name": f"xff{i}", "password": "long enough"},
                               headers={"X-Forwarded-For": f"203.0.113.{i}"}, timeout=30).status_code
                    for i in range(4)]
    finally:
        _stop(proc)
    assert statuses == ([201] * 4 if trusted else [201, 201, 429, 429])


def test_resolve_client_walks_past_trusted_proxies_only() -> None:
    import ipaddress

    from qa_service.web.security import resolve_client

    nets = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1/32")]
    assert resolve_client("198.51.100.7", "203.0.113.9", nets) == "198.51.100.7"  # not a proxy: ignored
    assert resolve_client("127.0.0.1", "203.0.113.9", nets) == "203.0.113.9"
    # what the client wrote is to the left of what our proxies appended
    assert resolve_client("127.0.0.1", "1.2.3.4, 203.0.113.9, 10.1.2.3", nets) == "203.0.113.9"
    assert resolve_client("127.0.0.1", "", nets) == "127.0.0.1"
    assert resolve_client("127.0.0.1", "203.0.113.9", []) == "127.0.0.1"


# ------------------------------------------------------------ finding 5
def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/", f"/articles/{ARTICLE_ID}", "/login", "/api/articles", "/healthz", "/static/reader.js",
                 "/no-such-page", "/docs"):
        r = client.get(path)
        csp = r.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, path
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0], path
        assert "object-src 'none'" in csp and "base-uri 'none'" in csp, path
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["referrer-policy"] == "same-origin", path
        assert r.headers["x-frame-options"] == "DENY", path


def test_account_and_editor_responses_are_never_stored(client: TestClient, svc) -> None:  # noqa: ANN001
    svc.accounts.create_user("nora", "long enough pw", role="editor")
    r = client.post("/api/login", json={"name": "nora", "password": "long enough pw"})
    assert r.headers["cache-control"] == "no-store"
    for path in ("/api/me", "/editor", f"/editor/articles/{ARTICLE_ID}", "/api/editor/review", "/login", "/signup"):
        assert client.get(path).headers["cache-control"] == "no-store", path
    assert client.post("/api/logout").headers["cache-control"] == "no-store"


def test_templates_hold_no_inline_script_style_or_handlers() -> None:
    """What the CSP would block: scripts without src, style elements or
    attributes, on*= handlers, javascript: URLs."""
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"<style\b|\sstyle=", text), path
        assert not re.search(r"\son[a-z]+\s*=", text, re.I), path
        assert "javascript:" not in text.lower(), path


# ------------------------------------------------------------ finding 9
def _raw_http(base: str, head: bytes, body_parts: Iterator[bytes]) -> tuple[int, bytes, int]:
    """Send a request over a socket, part by part, stopping as soon as the
    server answers; returns (status, response bytes, body bytes sent)."""
    host, port = base.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head)
        sock.setblocking(False)
        response = b""
        for part in body_parts:
            try:
                response += sock.recv(65536)
            except BlockingIOError:
                pass
            if response:
                break
            try:
                sock.sendall(part)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                break
            sent += len(part)
        sock.setblocking(True)
        sock.settimeout(30)
        while b"\r\n\r\n" not in response:
            chunk = sock.recv(65536)
            if not chunk:
                break
            response += chunk
    status = int(response.split(b" ", 2)[1])
    return status, response, sent


@pytest.mark.integration
def test_oversized_bodies_get_413_before_they_are_read(svc) -> None:  # noqa: ANN001
    """A 50 MB question: refused on its Content-Length before the body is
    sent; a streamed (chunked) one is refused once it passes the cap, long
    before its end. Nothing is parsed."""
    cap = svc.settings.max_body_bytes
    path = f"/api/articles/{ARTICLE_ID}/questions"
    with serve_app(svc) as base:
        size = 50 * 1024 * 1024
        head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {size}\r\n\r\n").encode()
        status, response, sent = _raw_http(base, head, iter([b"x" * 65536] * (size // 65536)))
        assert status == 413 and b"too large" in response and sent < size
        head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\n\r\n").encode()
        chunk = b"x" * 16384
        parts = iter([f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"] * 3200)  # 50 MB if it were all read
        status, response, sent = _raw_http(base, head, parts)
        assert status == 413 and sent < 3200 * len(chunk)
        # within the cap, all is as before
        r = httpx.post(base + path, json={"question": "When does the SIG meet?"}, timeout=60)
        assert r.status_code == 200 and r.json()["status"] == "answered"
    assert cap < size


def test_body_cap_is_a_setting_and_413_is_json(svc) -> None:  # noqa: ANN001
    svc.settings.max_body_bytes = 2048
    with TestClient(create_app(services=svc), headers=SAME_SITE) as c:
        r = c.post(f"/api/articles/{ARTICLE_ID}/questions", json={"question": "x" * 5000})
        assert r.status_code == 413 and "at most 2048 bytes" in r.json()["detail"]
        assert "413" in c.get("/openapi.json").json()["paths"][f"/api/articles/{{article_id}}/questions"]["post"][
            "responses"]


# ------------------------------------------------------------ finding 10
EVIL = {"Origin": "https://evil.example"}


def test_cross_site_login_and_signup_get_no_session(bare: TestClient, svc) -> None:  # noqa: ANN001
    """Login CSRF: a form on another site posting to /login used to log the
    victim's browser into the attacker's account."""
    svc.accounts.create_user("mallory", "attacker password")
    form = {"name": "mallory", "password": "attacker password", "next": "/"}
    for headers in (EVIL, {"Referer": "https://evil.example/page"}, {"Origin": "null"}, {}):
        r = bare.post("/login", data=form, headers=headers, follow_redirects=False)
        assert r.status_code == 403 and "set-cookie" not in r.headers, headers
        r = bare.post("/signup", data={"name": "victim1", "password": "long enough"}, headers=headers,
                      follow_redirects=False)
        assert r.status_code == 403 and "set-cookie" not in r.headers, headers
        r = bare.post("/api/login", json={"name": "mallory", "password": "attacker password"},
                      headers=headers or EVIL)
        assert r.status_code == 403 and "set-cookie" not in r.headers
    # from our own page it works, by Origin or by Referer
    r = bare.post("/login", data=form, headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 303 and "qa_session=" in r.headers["set-cookie"]
    r = bare.post("/login", data=form, headers={"Referer": "http://testserver/login"}, follow_redirects=False)
    assert r.status_code == 303
    # a script with JSON and no browser headers is not a forged form
    assert bare.post("/api/login", json={"name": "mallory", "password": "attacker password"}).status_code == 200


def test_public_origins_are_accepted_besides_the_requests_own(svc) -> None:  # noqa: ANN001
    """Behind a proxy that rewrites Host, the site's public origin is a setting."""
    svc.settings.public_origins = "https://news.example.com"
    svc.accounts.create_user("pat", "long enough pw")
    with TestClient(create_app(services=svc)) as c:
        form = {"name": "pat", "password": "long enough pw", "next": "/"}
        ok = c.post("/login", data=form, headers={"Origin": "https://news.example.com"}, follow_redirects=False)
        assert ok.status_code == 303
        other = c.post("/login", data=form, headers={"Origin": "https://news.example.com.evil.example"},
                       follow_redirects=False)
        assert other.status_code == 403


def test_cookie_changes_from_another_site_are_refused(client: TestClient, svc) -> None:  # noqa: ANN001
    client.post("/api/signup", json={"name": "rosa", "password": "long enough"})
    votes = f"/api/articles/{ARTICLE_ID}/votes"
    r = client.post(votes, json={"kind": "support", "value": True}, headers=EVIL)
    assert r.status_code == 403
    r = client.post(f"/api/articles/{ARTICLE_ID}/comments", json={"text": "spam"}, headers=EVIL)
    assert r.status_code == 403
    assert client.get(votes).json()["support"]["total"] == 0
    assert client.post(votes, json={"kind": "support", "value": True}).status_code == 200
    # a bearer token is not sent by browsers on their own: no Origin check
    token = svc.accounts.create_api_token("rosa")
    r = client.post(votes, json={"kind": "interesting", "value": True},
                    headers={**EVIL, "Authorization": f"Bearer {token}"})
    assert r.status_code == 200


def test_reader_forms_carry_and_need_a_csrf_token(client: TestClient) -> None:
    """The shared (cached) article page is the same for everyone, so its forms
    carry an empty token that the page's script fills in from
    /api/articles/ID/me; the discussion page (no JavaScript) renders it."""
    page = f"/articles/{ARTICLE_ID}"
    client.post("/signup", data={"name": "tess", "password": "long enough", "next": page})
    shared = client.get(page).text
    assert shared.count('name="csrf" value=""') >= 4  # two vote forms, feedback, comment, logout
    token = client.get(f"/api/articles/{ARTICLE_ID}/me").json()["csrf"]
    assert len(token) == 32
    html = client.get(f"{page}/discussion").text
    assert _token(html) == token and html.count(f'name="csrf" value="{token}"') >= 4
    for path, data in ((f"{page}/votes", {"kind": "support", "value": "true"}),
                       (f"{page}/comments", {"text": "Hello"}),
                       ("/logout", {"next": "/"})):
        assert client.post(path, data=data, follow_redirects=False).status_code == 403, path
        assert client.post(path, data={**data, "csrf": "wrong"}, follow_redirects=False).status_code == 403, path
    assert "Hello" not in client.get(f"{page}/discussion").text
    assert client.post(f"{page}/comments", data={"text": "Hello", "csrf": token},
                       follow_redirects=False).status_code == 303
    assert "Hello" in client.get(f"{page}/discussion").text
    assert client.post("/logout", data={"next": "/", "csrf": token}, follow_redirects=False).status_code == 303
    assert client.get(f"/api/articles/{ARTICLE_ID}/me").json()["csrf"] == ""


# ----------------------------------------------------------- finding 11
def _login(client: TestClient, name: str, password: str) -> None:
    r = client.post("/api/login", json={"name": name, "password": password})
    assert r.status_code == 200, r.text


def test_readers_list_and_revoke_their_own_api_tokens(client: TestClient, svc) -> None:  # noqa: ANN001
    svc.accounts.create_user("ana", "long enough")
    svc.accounts.create_user("bob", "long enough")
    secret, mine = svc.accounts.issue_api_token("ana")
    _, theirs = svc.accounts.issue_api_token("bob")
    ana = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/me/tokens").status_code == 401
    listed = client.get("/api/me/tokens", headers=ana)
    assert listed.status_code == 200 and [t["id"] for t in listed.json()] == [mine.id]
    assert secret not in listed.text and listed.json()[0]["expires_at"] == pytest.approx(mine.expires_at)
    assert listed.headers["cache-control"] == "no-store"
    # someone else's token is as unknown as one that does not exist
    r = client.delete(f"/api/me/tokens/{theirs.id}", headers=ana)
    assert r.status_code == 404 and "No API token" in r.json()["detail"]
    assert svc.accounts.api_tokens("bob")[0].id == theirs.id
    # from a browser session too (same-site, as the CSRF check wants)
    _login(client, "ana", "long enough")
    assert client.delete(f"/api/me/tokens/{mine.id}").status_code == 204
    r = client.get("/api/me", headers=ana)
    assert r.status_code == 401 and r.json()["detail"] == "Log in first."


def test_an_expired_api_token_is_refused(client: TestClient, svc) -> None:  # noqa: ANN001
    svc.accounts.create_user("ana", "long enough")
    secret, info = svc.accounts.issue_api_token("ana")
    ana = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/me", headers=ana).status_code == 200
    svc.accounts.db.execute("UPDATE api_tokens SET expires_at=? WHERE id=?", (info.created_at, info.id))
    assert client.get("/api/me", headers=ana).status_code == 401
    _login(client, "ana", "long enough")
    [listed] = client.get("/api/me/tokens").json()
    assert listed["id"] == info.id and listed["expired"] is True


def test_a_password_change_needs_the_current_one_and_ends_the_other_sessions(svc) -> None:  # noqa: ANN001
    svc.accounts.create_user("ana", "old password")
    token = svc.accounts.create_api_token("ana")
    app = create_app(services=svc)
    with TestClient(app, headers=SAME_SITE) as here, TestClient(app, headers=SAME_SITE) as elsewhere:
        _login(here, "ana", "old password")
        _login(elsewhere, "ana", "old password")
        wrong = here.post("/api/me/password", json={"current_password": "not it", "new_password": "new password"})
        assert wrong.status_code == 403 and "current password" in wrong.json()["detail"]
        short = here.post("/api/me/password", json={"current_password": "old password", "new_password": "short"})
        assert short.status_code == 422
        r = here.post("/api/me/password", json={"current_password": "old password", "new_password": "new password"})
        assert r.status_code == 200 and r.json() == {"sessions_ended": 1}
        assert here.get("/api/me").status_code == 200  # the session that asked stays
        assert elsewhere.get("/api/me").status_code == 401  # every other one ends
        assert here.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200  # tokens stay
        assert elsewhere.post("/api/login", json={"name": "ana", "password": "old password"}).status_code == 401
        _login(elsewhere, "ana", "new password")
        # from another site: refused before anything is checked
        forged = elsewhere.post("/api/me/password", headers={"Origin": "https://evil.example"},
                                json={"current_password": "new password", "new_password": "evil password"})
        assert forged.status_code == 403 and svc.accounts.authenticate("ana", "new password") is not None


def test_wrong_current_passwords_are_throttled_like_logins(client: TestClient, svc) -> None:  # noqa: ANN001
    """A stolen session cannot be used to guess the password: wrong current
    passwords count as failed logins of the account."""
    svc.accounts.create_user("ana", "the password")
    _login(client, "ana", "the password")
    limit = svc.settings.login_failures_per_minute
    statuses = [client.post("/api/me/password", json={"current_password": f"guess {i}",
                                                      "new_password": "new password"}).status_code
                for i in range(limit + 3)]
    assert statuses == [403] * limit + [429] * 3
    r = client.post("/api/me/password", json={"current_password": "the password", "new_password": "new password"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert svc.accounts.authenticate("ana", "the password") is not None


def test_log_out_everywhere_else_and_revoked_cookies_go_to_the_login_page(svc) -> None:  # noqa: ANN001
    svc.accounts.create_user("edna", "long enough", role="editor")
    app = create_app(services=svc)
    with TestClient(app, headers=SAME_SITE) as here, TestClient(app, headers=SAME_SITE) as laptop, \
            TestClient(app, headers=SAME_SITE) as phone:
        for c in (here, laptop, phone):
            _login(c, "edna", "long enough")
            assert c.get("/editor", follow_redirects=False).status_code == 200
        r = here.post("/api/me/sessions/revoke")
        assert r.status_code == 200 and r.json() == {"sessions_ended": 2}
        assert here.get("/editor", follow_redirects=False).status_code == 200
        gone = laptop.get("/editor", follow_redirects=False)
        assert gone.status_code == 303 and gone.headers["location"].startswith("/login")
        assert phone.get("/api/me").status_code == 401
        # the operator's `qa-service users revoke-sessions` does the same for every session
        assert svc.accounts.revoke_sessions("edna") == 1
        assert here.get("/editor", follow_redirects=False).status_code == 303
