"""TaskForge under load: gunicorn on loopback, SQLite beside PostgreSQL, one run.

`make bench-taskforge-load` (or `python -m benchmarks.taskforge_load`). For each database,
the reference runs under gunicorn (2 workers, production settings) and CLIENTS threads,
each on its own keep-alive connection, send a fixed mix of requests: create 40 %, list
30 %, update 20 %, move 10 %. The run is bounded (CLIENTS x REQUESTS requests). It reports
throughput, p50/p99 latency and errors, then checks the database row by row: as many tasks
as creates answered 201, and exactly one history row per successful create, update and
move. PostgreSQL comes from the Debian package (devservers starts a private server); when
it is missing, that half is skipped with the reason.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from taskforge import create_app
from taskforge.devservers import ServerUnavailable, start_gunicorn, start_postgres, start_redis

CLIENTS = 8
REQUESTS = 60  # per client
PROJECTS = 4
SECRET = "load-benchmark-secret-that-is-long-enough"
MIX = (("create", 40), ("list", 30), ("update", 20), ("move", 10))


@dataclass
class Outcome:
    """What one backend's run measured."""

    backend: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    done: Counter = field(default_factory=Counter)  # successful operations by kind
    errors: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    expected: dict[str, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def figures(self) -> dict:
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0
        return {
            "backend": self.backend,
            "requests": self.requests,
            "throughput_rps": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(statistics.median(ordered) * 1000, 2) if ordered else 0.0,
            "p99_ms": round(p99 * 1000, 2),
            "errors": len(self.errors),
            "rows": self.rows,
            "rows_expected": self.expected,
            "rows_ok": self.rows == self.expected,
        }


class Client:
    """One keep-alive HTTP connection with a token."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token = token

    def send(self, method: str, path: str, body: dict | None = None) -> tuple[int, object]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None if body is None else json.dumps(body)
        self.connection.request(method, path, body=data, headers=headers)
        answer = self.connection.getresponse()
        raw = answer.read()
        return answer.status, (json.loads(raw) if raw else None)

    def close(self) -> None:
        self.connection.close()


def _prepare(settings: dict) -> list[int]:
    """Migrate, then create the admin and the projects; returns the project ids."""
    app = create_app({**settings, "TESTING": True})
    client = app.test_client()
    account = {"username": "loadadmin", "password": "load-admin-password"}
    client.post("/api/auth/register", json=account)
    token = client.post("/api/auth/login", json=account).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    ids = [
        client.post("/api/projects", json={"name": f"Load {n}"}, headers=auth).get_json()["id"]
        for n in range(PROJECTS)
    ]
    app.extensions["taskforge"].database.close()
    return ids


def _worker(port: int, token: str, projects: list[int], seed: int, out: Outcome, lock) -> None:
    rng = random.Random(seed)
    client = Client(port, token)
    mine: list[tuple[int, int]] = []  # (task id, project id) created by this client
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    try:
        for n in range(REQUESTS):
            kind = rng.choice(kinds)
            if kind in ("update", "move") and not mine:
                kind = "create"
            started = time.perf_counter()
            try:
                if kind == "create":
                    project = rng.choice(projects)
                    body = {"project_id": project, "title": f"task {seed}-{n}",
                            "priority": rng.randint(0, 100)}  # fmt: skip
                    status, answer = client.send("POST", "/api/tasks", body)
                    ok = status == 201
                    if ok:
                        mine.append((answer["id"], project))
                elif kind == "list":
                    query = f"project_id={rng.choice(projects)}&status=todo&limit=50"
                    status, _ = client.send("GET", f"/api/tasks?{query}")
                    ok = status == 200
                elif kind == "update":
                    task, _ = rng.choice(mine)
                    status, _ = client.send(
                        "PATCH", f"/api/tasks/{task}", {"priority": rng.randint(0, 100)}
                    )
                    ok = status == 200
                else:
                    index = rng.randrange(len(mine))
                    task, project = mine[index]
                    target = rng.choice([p for p in projects if p != project])
                    status, _ = client.send(
                        "POST", f"/api/tasks/{task}/move", {"project_id": target}
                    )
                    ok = status == 200
                    if ok:
                        mine[index] = (task, target)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                status, ok = 0, False
                client.close()
                client = Client(port, token)
                with lock:
                    out.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            elapsed = time.perf_counter() - started
            with lock:
                out.latencies.append(elapsed)
                out.statuses[status] += 1
                if ok:
                    out.done[kind] += 1
                elif status:
                    out.errors.append(f"{kind}: HTTP {status}")
    finally:
        client.close()


def _count_rows(settings: dict) -> dict[str, int]:
    app = create_app({**settings, "TESTING": True})
    database = app.extensions["taskforge"].database
    with database.connection() as connection:
        counts = {
            table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("tasks", "task_events")
        }
    database.close()
    return counts


def run_backend(backend: str, settings: dict, folder: str) -> Outcome:
    """Prepare, serve with gunicorn, load, check the rows."""
    outcome = Outcome(backend)
    projects = _prepare(settings)
    environment = {f"TASKFORGE_{key}": str(value) for key, value in settings.items()}
    environment.update(TASKFORGE_ENV="production", TASKFORGE_PASSWORD_ITERATIONS="100000")
    server = start_gunicorn(environment, workers=2, log_dir=folder)
    try:
        port = int(server.base_url.rsplit(":", 1)[1])
        login = Client(port)
        status, answer = login.send(
            "POST", "/api/auth/login", {"username": "loadadmin", "password": "load-admin-password"}
        )
        login.close()
        if status != 200:
            raise RuntimeError(f"login failed with {status}")
        lock = threading.Lock()
        threads = [
            threading.Thread(
                target=_worker, args=(port, answer["token"], projects, seed, outcome, lock)
            )
            for seed in range(CLIENTS)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        outcome.seconds = time.perf_counter() - started
    finally:
        server.stop()
    outcome.rows = _count_rows(settings)
    events = outcome.done["create"] + outcome.done["update"] + outcome.done["move"]
    outcome.expected = {"tasks": outcome.done["create"], "task_events": events}
    return outcome


def run(runs: int = 1) -> dict:
    """Both backends, one after the other, on this machine's loopback."""
    results: dict = {"clients": CLIENTS, "requests_per_client": REQUESTS, "backends": []}
    with tempfile.TemporaryDirectory(prefix="taskforge-load-") as folder:
        sqlite_settings = {"SECRET_KEY": SECRET, "DATABASE": f"{folder}/load.sqlite"}
        results["backends"].append(run_backend("sqlite", sqlite_settings, folder).figures())
        try:
            postgres, redis = start_postgres(), start_redis()
        except ServerUnavailable as exc:
            results["skipped"] = f"postgresql: {exc}"
            return results
        try:
            pg_settings = {
                "SECRET_KEY": SECRET,
                "DATABASE_URL": postgres.create_database("load"),
                "REDIS_URL": redis.url(),
            }
            results["backends"].append(run_backend("postgresql", pg_settings, folder).figures())
        finally:
            postgres.stop()
            redis.stop()
    return results


def report(results: dict) -> str:
    """A small table of the figures."""
    lines = [
        f"TaskForge load: gunicorn 2 workers, {results['clients']} clients x "
        f"{results['requests_per_client']} requests (create 40%, list 30%, update 20%, move 10%)",
        f"{'backend':<11}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}  rows",
    ]
    for b in results["backends"]:
        check = "exact" if b["rows_ok"] else f"MISMATCH {b['rows']} != {b['rows_expected']}"
        lines.append(
            f"{b['backend']:<11}{b['throughput_rps']:>8}{b['p50_ms']:>9}{b['p99_ms']:>9}"
            f"{b['errors']:>8}  {check} ({b['rows']['tasks']} tasks, "
            f"{b['rows']['task_events']} events)"
        )
    if "skipped" in results:
        lines.append(f"skipped: {results['skipped']}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.taskforge_load")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args()
    results = run()
    print(report(results), flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)
    bad = [b for b in results["backends"] if not b["rows_ok"] or b["errors"]]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
