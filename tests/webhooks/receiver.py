"""A real HTTP receiver on 127.0.0.1, in a thread, for the webhook tests.

It keeps every request it gets (path, headers, raw body) and answers with the statuses a
test scripts: a list consumed in order (the last one repeats), a redirect for a path
given as ``"302 /elsewhere"``, a body that never ends as ``"200 endless"``.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    answers: list[str] = field(default_factory=lambda: ["200"])
    delay: float = 0.0  # seconds each answer takes: makes concurrent workers overlap
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_answer(self) -> str:
        with self.lock:
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def by_delivery(self) -> Counter[str]:
        with self.lock:
            return Counter(r.headers["X-Workbench-Delivery"] for r in self.requests)


@contextmanager
def receiver(answers: list[str] | None = None, delay: float = 0.0) -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    got = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hook", delay=delay)
    if answers is not None:
        got.answers = answers

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with got.lock:
                got.requests.append(Received(self.path, dict(self.headers.items()), body))
            if got.delay:
                time.sleep(got.delay)
            status, _, location = got.next_answer().partition(" ")
            if location == "endless":  # a body that never ends: headers, a trickle, a wait
                self.send_response(int(status))
                self.send_header("Content-Length", str(10**9))
                self.end_headers()
                self.wfile.write(b"x" * 1000)
                self.wfile.flush()
                time.sleep(3)
                return
            self.send_response(int(status))
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()
