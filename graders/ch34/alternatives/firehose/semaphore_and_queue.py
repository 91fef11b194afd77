"""Alternative: capacity is a counter of unstored events, the buffer a queue.SimpleQueue.

Unlike the reference, the writer drains the queue into its own pending list and decides on
its own when that list is due; the handler only takes a place and puts the event in the
queue. Requests are parsed by http.server, but the handler finds the collector through an
attribute of the server instead of a closure.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREATE = "CREATE TABLE IF NOT EXISTS events (id TEXT NOT NULL, body TEXT NOT NULL)"
INSERT = "INSERT INTO events (id, body) VALUES (?, ?)"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path != "/events":
            return self._reply(404)
        try:
            event = json.loads(raw.decode("utf-8"))
        except ValueError:
            return self._reply(400)
        if type(event) is not dict or type(event.get("id")) is not str:
            return self._reply(400)
        if not self.server.collector._take_place():
            return self._reply(503, {"Retry-After": "2"})
        self.server.collector._inbox.put((self.server.collector.clock(), event))
        return self._reply(202)

    def do_GET(self):  # noqa: N802
        self._reply(404)

    def _reply(self, status, headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True


class Collector:
    """An HTTP endpoint, a bounded buffer and one batching writer thread."""

    def __init__(self, db_path, *, max_buffer, batch_size, max_age_s, clock, db_timeout, retry_s):
        self.db_path = db_path
        self.max_buffer = max_buffer
        self.batch_size = batch_size
        self.max_age_s = max_age_s
        self.clock = clock
        self.db_timeout = db_timeout
        self.retry_s = retry_s
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._count_lock = threading.Lock()
        self._unstored = 0
        self._done = threading.Event()

    def _take_place(self) -> bool:
        with self._count_lock:
            if self._unstored >= self.max_buffer:
                return False
            self._unstored += 1
            return True

    def start(self):
        """Create the table, start the writer and the server; return (host, port)."""
        with sqlite3.connect(self.db_path, timeout=self.db_timeout) as conn:
            conn.execute(CREATE)
        conn.close()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.collector = self
        self._writer = threading.Thread(target=self._run_writer)
        self._writer.start()
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return "127.0.0.1", self._server.server_address[1]

    def queue_depth(self):
        """Events accepted and not yet committed, the batch being written included."""
        with self._count_lock:
            return self._unstored

    def stop(self):
        """Stop accepting, write everything still buffered, then return."""
        self._server.shutdown()
        self._server.server_close()
        self._done.set()
        self._writer.join()

    def _run_writer(self):
        conn = sqlite3.connect(self.db_path, timeout=self.db_timeout)
        pending: list = []
        while True:
            try:
                pending.append(self._inbox.get(timeout=0.02))
                continue  # drain everything that is already there first
            except queue.Empty:
                pass
            finishing = self._done.is_set()
            while pending and (
                finishing
                or len(pending) >= self.batch_size
                or self.clock() - pending[0][0] >= self.max_age_s
            ):
                chunk, pending = pending[: self.batch_size], pending[self.batch_size :]
                self._store(conn, chunk)
            if finishing and self._inbox.empty() and not pending:
                conn.close()
                return

    def _store(self, conn, chunk):
        rows = [(event["id"], json.dumps(event)) for _, event in chunk]
        while True:
            try:
                conn.execute("BEGIN")
                conn.executemany(INSERT, rows)
                conn.commit()
                break
            except sqlite3.Error:
                conn.rollback()
                time.sleep(self.retry_s)
        with self._count_lock:
            self._unstored -= len(chunk)


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
