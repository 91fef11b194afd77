"""ch34/firehose: the reference collector's throughput against one INSERT per request."""

from __future__ import annotations

import http.client
import importlib.util
import json
import shutil
import sqlite3
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SYLLABUS_FIGURE = 5_000  # events/s the syllabus names for a batching collector
EVENTS = {"naive": 600, "reference": 3_000}  # the naive side is slow: fewer events, same rate
CLIENTS = 8
SIDES = ("naive", "reference")


def _reference() -> Any:
    path = ROOT / "solutions" / "ch34" / "firehose.py"
    spec = importlib.util.spec_from_file_location("bench_firehose_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Naive:
    """The baseline: the same HTTP server, but each request inserts and commits its one row."""

    def __init__(self, db_path: str) -> None:
        self.conn = sqlite3.connect(db_path, check_same_thread=False)
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS events (id TEXT NOT NULL, body TEXT NOT NULL)"
        )
        self.lock = threading.Lock()  # one connection shared by the request threads
        naive = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # the same keep-alive as the reference
            disable_nagle_algorithm = True

            def do_POST(self) -> None:  # noqa: N802
                event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with naive.lock, naive.conn:
                    naive.conn.execute(
                        "INSERT INTO events (id, body) VALUES (?, ?)",
                        (event["id"], json.dumps(event)),
                    )
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def start(self) -> tuple[str, int]:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.server.server_address[:2]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.conn.close()


def _send(host: str, port: int, events: list[dict]) -> int:
    """Post the events from CLIENTS threads; the number answered 202."""
    accepted = [0] * CLIENTS

    def client(number: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)  # one keep-alive connection
        for event in events[number::CLIENTS]:
            conn.request("POST", "/events", body=json.dumps(event).encode())
            reply = conn.getresponse()
            reply.read()
            accepted[number] += reply.status == 202
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(accepted)


def _one_run(side: str, folder: Path, number: int, module: Any) -> float:
    """Events per second, from the first request until every event is committed."""
    path = str(folder / f"{side}-{number}.db")
    total = EVENTS[side]
    events = [{"id": f"{side}-{number}-{i}", "kind": "click", "n": i} for i in range(total)]
    if side == "naive":
        collector = _Naive(path)
    else:
        collector = module.make_collector(path, max_buffer=total, batch_size=500, max_age_s=0.05)
    host, port = collector.start()
    started = time.perf_counter()
    accepted = _send(host, port, events)
    collector.stop()  # the reference writes what is still buffered before it returns
    seconds = time.perf_counter() - started
    with sqlite3.connect(path) as conn:
        stored = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    if accepted != total or stored != total:
        raise RuntimeError(f"{side}: {accepted} accepted, {stored} stored of {total}")
    return total / seconds


def run(runs: int = 5) -> dict[str, Any]:
    """Alternate naive and reference runs in one process, on disk, and keep the medians."""
    module = _reference()
    folder = Path(tempfile.mkdtemp(prefix="bench-firehose-"))
    rates: dict[str, list[float]] = {side: [] for side in SIDES}
    try:
        for number in range(runs):
            for side in SIDES:
                rates[side].append(_one_run(side, folder, number, module))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    medians = {side: statistics.median(values) for side, values in rates.items()}
    return {
        "events": EVENTS,
        "clients": CLIENTS,
        "runs": runs,
        "naive_events_per_s": medians["naive"],
        "reference_events_per_s": medians["reference"],
        "ratio": medians["reference"] / medians["naive"],
    }


def report(figures: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"firehose collector ({figures['events']['reference']:,} events (naive: "
            f"{figures['events']['naive']:,}) from {figures['clients']} clients over loopback, "
            f"median of {figures['runs']} runs, database on disk):",
            f"  naive, one INSERT+commit per request: {figures['naive_events_per_s']:8,.0f} "
            "events/s",
            f"  reference, batched writes:            {figures['reference_events_per_s']:8,.0f} "
            f"events/s (the syllabus names {SYLLABUS_FIGURE:,}/s for this design)",
            f"  ratio (reference / naive): {figures['ratio']:.1f}x",
        ]
    )


if __name__ == "__main__":
    print(report(run(runs=3)))
