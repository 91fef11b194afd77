"""Alternative: the HTTP side is an asyncio server on its own event-loop thread.

Requests are parsed by hand from the stream (request line, headers, Content-Length body),
the buffer is a plain list under a threading.Lock, and the writer thread sleeps in short
steps instead of waiting on a condition. On stop() the loop closes the listening socket
and the writer writes what is left before the thread ends.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from collections.abc import Callable

CREATE = "CREATE TABLE IF NOT EXISTS events (id TEXT NOT NULL, body TEXT NOT NULL)"
INSERT = "INSERT INTO events (id, body) VALUES (?, ?)"
REASONS = {202: "Accepted", 400: "Bad Request", 404: "Not Found", 503: "Service Unavailable"}


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
        self._lock = threading.Lock()
        self._buffer: list[tuple[float, str, str]] = []
        self._in_flight = 0
        self._closing = False

    # -- the HTTP side -------------------------------------------------------------------
    async def _serve_one(self, reader, writer):
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _version = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            status, extra = self._decide(method, path, body)
            text = f"HTTP/1.1 {status} {REASONS[status]}\r\nContent-Length: 0\r\n"
            text += "".join(f"{k}: {v}\r\n" for k, v in extra.items())
            writer.write((text + "Connection: close\r\n\r\n").encode("latin-1"))
            await writer.drain()
        except (asyncio.IncompleteReadError, ValueError, ConnectionError):
            pass
        finally:
            writer.close()

    def _decide(self, method, path, body):
        if method != "POST" or path != "/events":
            return 404, {}
        try:
            event = json.loads(body)
        except ValueError:
            return 400, {}
        if not isinstance(event, dict) or not isinstance(event.get("id"), str):
            return 400, {}
        with self._lock:
            if len(self._buffer) + self._in_flight >= self.max_buffer:
                return 503, {"Retry-After": "1"}
            self._buffer.append((self.clock(), event["id"], json.dumps(event)))
        return 202, {}

    def _run_loop(self, ready):
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._serve_one, "127.0.0.1", 0)
        )
        ready.set()
        self._loop.run_forever()
        self._loop.close()

    # -- the public side -------------------------------------------------------------------
    def start(self):
        """Create the table, start the writer and the server; return (host, port)."""
        conn = sqlite3.connect(self.db_path, timeout=self.db_timeout)
        conn.execute(CREATE)
        conn.commit()
        conn.close()
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()
        self._loop_thread = threading.Thread(target=self._run_loop, args=(ready,), daemon=True)
        self._loop_thread.start()
        ready.wait()
        self._writer = threading.Thread(target=self._write_loop)
        self._writer.start()
        host, port = self._server.sockets[0].getsockname()[:2]
        return host, port

    def queue_depth(self):
        """Events accepted and not yet committed, the batch being written included."""
        with self._lock:
            return len(self._buffer) + self._in_flight

    def stop(self):
        """Stop accepting, write everything still buffered, then return."""

        async def close():
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._loop_thread.join()
        with self._lock:
            self._closing = True
        self._writer.join()

    # -- the writer -------------------------------------------------------------------------
    def _take(self):
        with self._lock:
            if not self._buffer:
                return [], self._closing
            full = len(self._buffer) >= self.batch_size
            old = self.clock() - self._buffer[0][0] >= self.max_age_s
            if not (full or old or self._closing):
                return [], False
            batch = self._buffer[: self.batch_size]
            del self._buffer[: self.batch_size]
            self._in_flight = len(batch)
            return [(event_id, body) for _, event_id, body in batch], False

    def _write_loop(self):
        conn = sqlite3.connect(self.db_path, timeout=self.db_timeout)
        while True:
            batch, finished = self._take()
            if finished:
                break
            if not batch:
                time.sleep(0.01)
                continue
            while True:
                try:
                    with conn:
                        conn.executemany(INSERT, batch)
                    break
                except sqlite3.Error:
                    time.sleep(self.retry_s)
            with self._lock:
                self._in_flight = 0
        conn.close()


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
