"""A real HTTP receiver on loopback for HTTP posts (and hooks): records each request, answers by script."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from tests.conftest import serve_in_thread


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def form(self) -> list[tuple[str, str]]:
        return parse_qsl(self.body.decode("utf-8"), keep_blank_values=True)


@dataclass
class Receiver:
    answers: list[int] = field(default_factory=list)  # status codes to answer, in order; then 200
    received: list[Received] = field(default_factory=list)
    hold: threading.Event | None = None  # when set: each request waits for it before it is answered

    def __post_init__(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                receiver.received.append(Received(self.path, dict(self.headers), self.rfile.read(length)))
                if receiver.hold is not None:
                    receiver.hold.wait(60)
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = serve_in_thread(self.server)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Gathering:
    """A slow receiver: each request waits (at most ``patience`` seconds) until ``expected`` requests are in
    flight at once, then all are answered 200. Sent one after another, they never are all in flight. A REST
    hook handshake (``X-Hook-Secret``) is answered at once, its secret echoed."""

    def __init__(self, expected: int, patience: float = 8.0):
        self.expected = expected
        self.in_flight = 0
        self.most = 0
        self.answered = 0
        self.all_in = threading.Event()
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                secret = self.headers.get("X-Hook-Secret")
                if secret is not None:
                    self.send_response(200)
                    self.send_header("X-Hook-Secret", secret)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                with lock:
                    receiver.in_flight += 1
                    receiver.most = max(receiver.most, receiver.in_flight)
                    if receiver.in_flight >= receiver.expected:
                        receiver.all_in.set()
                receiver.all_in.wait(patience)
                with lock:
                    receiver.in_flight -= 1
                    receiver.answered += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        serve_in_thread(self.server)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
