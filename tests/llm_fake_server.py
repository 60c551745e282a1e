"""A tiny server speaking the OpenAI chat-completions protocol on 127.0.0.1
(stdlib http.server, a random free port), for tests of our client side: it
answers (JSON or SSE stream, with usage), fails with a status, or stalls, as a
test scripts it, and records every request it got."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """What the fake does with one request."""

    text: str = ""
    status: int = 200
    stall_before: bool = False  # hang before sending anything
    stall_after_chunks: int | None = None  # stream: hang after this many content chunks
    usage: tuple[int, int] | None = (123, 45)
    model: str = "fake-model"
    finish_reason: str = "stop"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to take (to overlap concurrent calls)


Script = Callable[[dict], Reply]


def sources_in(request: dict) -> dict[int, str]:
    """The numbered source blocks of the prompt: {n: text}."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    blocks = re.split(r"(?m)^\[(\d+)\] ", user)
    out = {}
    for i in range(1, len(blocks) - 1, 2):
        out[int(blocks[i])] = blocks[i + 1]
    return out


class FakeOpenAI:
    def __init__(self, script: Script | None = None) -> None:
        self.script: Script = script or (lambda req: Reply(text="Nothing to say."))
        self.requests: list[dict] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.release = threading.Event()  # set on stop: stalled handlers give up
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with fake._lock:
                    fake.requests.append({"path": self.path, "body": body})
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    fake._handle(self, body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): expected in stall tests
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    @property
    def chat_requests(self) -> list[dict]:
        return [r["body"] for r in self.requests if r["path"].endswith("/chat/completions")]

    # ------------------------------------------------------------------ replies
    def _handle(self, h: BaseHTTPRequestHandler, body: dict) -> None:
        reply = self.script(body)
        if reply.stall_before:
            self.release.wait(30)
            return
        if reply.delay:
            time.sleep(reply.delay)
        if reply.status != 200:
            payload = json.dumps({"error": {"message": f"fake failure {reply.status}", "type": "server_error"}})
            self._send(h, reply.status, payload.encode(), "application/json", reply.headers)
            return
        if body.get("stream"):
            self._stream(h, body, reply)
        else:
            self._send(h, 200, json.dumps(self._completion(reply)).encode(), "application/json", reply.headers)

    def _send(self, h, status: int, data: bytes, ctype: str, headers: dict[str, str]) -> None:  # noqa: ANN001
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _completion(self, reply: Reply) -> dict:
        out = {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": reply.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.text},
                         "finish_reason": reply.finish_reason}],
        }
        if reply.usage:
            p, c = reply.usage
            out["usage"] = {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}
        return out

    def _stream(self, h, body: dict, reply: Reply) -> None:  # noqa: ANN001
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True

        def event(obj: dict | str) -> None:
            data = obj if isinstance(obj, str) else json.dumps(obj)
            h.wfile.write(f"data: {data}\n\n".encode())
            h.wfile.flush()

        base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": reply.model}
        pieces = re.findall(r"\S+\s*", reply.text)
        for i, piece in enumerate(pieces):
            if reply.stall_after_chunks is not None and i == reply.stall_after_chunks:
                self.release.wait(30)
                return
            event({**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
        event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}]})
        if reply.usage and (body.get("stream_options") or {}).get("include_usage"):
            p, c = reply.usage
            event({**base, "choices": [], "usage": {"prompt_tokens": p, "completion_tokens": c,
                                                    "total_tokens": p + c}})
        event("[DONE]")


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
