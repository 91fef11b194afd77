"""Mutant: stop() joins the writer without telling it to finish: stop() never returns."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREATE = "CREATE TABLE IF NOT EXISTS events (id TEXT NOT NULL, body TEXT NOT NULL)"
INSERT = "INSERT INTO events (id, body) VALUES (?, ?)"
WAKE_EVERY_S = 0.05  # how often the writer looks at the clock when nothing wakes it


class Collector:
    """An HTTP endpoint, a bounded buffer and one batching writer thread."""

    def __init__(
        self,
        db_path: str,
        *,
        max_buffer: int,
        batch_size: int,
        max_age_s: float,
        clock: Callable[[], float],
        db_timeout: float,
        retry_s: float,
    ) -> None:
        self.db_path = db_path
        self.max_buffer = max_buffer
        self.batch_size = batch_size
        self.max_age_s = max_age_s
        self.clock = clock
        self.db_timeout = db_timeout
        self.retry_s = retry_s
        self._changed = threading.Condition()
        self._waiting: deque[tuple[float, str, str]] = deque()  # (accepted at, id, body)
        self._writing = 0  # events taken by the writer and not yet committed
        self._stopping = False
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    def start(self) -> tuple[str, int]:
        """Create the table, start the writer and the server; return (host, port)."""
        conn = sqlite3.connect(self.db_path, timeout=self.db_timeout)
        try:
            with conn:
                conn.execute(CREATE)
        finally:
            conn.close()
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._threads = [
            threading.Thread(target=self._write_forever, name="firehose-writer"),
            threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            ),
        ]
        for thread in self._threads:
            thread.start()
        host, port = self._server.server_address[:2]
        return host, port

    def _offer(self, event_id: str, body: str) -> bool:
        """Buffer one event; False when the buffer is full."""
        with self._changed:
            if len(self._waiting) + self._writing >= self.max_buffer:
                return False
            self._waiting.append((self.clock(), event_id, body))
            self._changed.notify_all()
            return True

    def queue_depth(self) -> int:
        """Events accepted and not yet committed, the batch being written included."""
        with self._changed:
            return len(self._waiting) + self._writing

    def stop(self) -> None:
        """Stop accepting, write everything still buffered, then return."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()  # waits for the requests being answered
        for thread in self._threads:
            thread.join()

    def _due(self) -> bool:
        if not self._waiting:
            return False
        if self._stopping or len(self._waiting) >= self.batch_size:
            return True
        return self.clock() - self._waiting[0][0] >= self.max_age_s

    def _next_batch(self) -> list[tuple[str, str]] | None:
        with self._changed:
            while not self._due():
                if self._stopping:
                    return None  # stopping and nothing left to write
                self._changed.wait(WAKE_EVERY_S)
            count = min(self.batch_size, len(self._waiting))
            batch = [self._waiting.popleft()[1:] for _ in range(count)]
            self._writing = count
            return batch

    def _write_forever(self) -> None:
        conn = sqlite3.connect(self.db_path, timeout=self.db_timeout)
        try:
            while (batch := self._next_batch()) is not None:
                while True:
                    try:
                        with conn:  # one transaction: all rows or none
                            conn.executemany(INSERT, batch)
                        break
                    except sqlite3.Error:
                        time.sleep(self.retry_s)  # the database is down: keep the batch
                with self._changed:
                    self._writing = 0
                    self._changed.notify_all()
        finally:
            conn.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() then waits for requests being answered
    block_on_close = True


def _handler_for(collector: Collector) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: a busy client reuses its connection
        disable_nagle_algorithm = True  # small answers go out at once, not 40 ms later

        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if self.path != "/events":
                self._answer(404, {"error": "not found"})
                return
            try:
                event = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                event = None
            if not isinstance(event, dict) or not isinstance(event.get("id"), str):
                self._answer(400, {"error": 'send a JSON object with a string "id"'})
            elif collector._offer(event["id"], json.dumps(event)):
                self._answer(202, {"accepted": event["id"]})
            else:
                self._answer(503, {"error": "buffer full, try again"}, retry_after="1")

        def do_GET(self) -> None:  # noqa: N802
            self._answer(404, {"error": "not found"})

        def _answer(self, status: int, payload: dict, retry_after: str | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # thousands of requests: no line per request on stderr

    return Handler


def make_collector(
    db_path: str,
    *,
    max_buffer: int = 10_000,
    batch_size: int = 500,
    max_age_s: float = 0.5,
    clock: Callable[[], float] = time.monotonic,
    db_timeout: float = 5.0,
    retry_s: float = 0.1,
) -> Collector:
    """A collector that stores events in db_path; call start() to serve it."""
    return Collector(
        db_path,
        max_buffer=max_buffer,
        batch_size=batch_size,
        max_age_s=max_age_s,
        clock=clock,
        db_timeout=db_timeout,
        retry_s=retry_s,
    )
