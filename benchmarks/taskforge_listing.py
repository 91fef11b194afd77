"""TaskForge's filtered, sorted task listing: the starter against the reference, same data."""

from __future__ import annotations

import cProfile
import io
import math
import os
import pstats
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from graders.gates.phase8 import dataset, workload

TARGET_RATIO = 10.0
SECRET = "benchmark-secret-key-that-is-long-enough-for-hs256"
PASSWORD = "bench-password-1"
SIDES = ("starter", "reference")


def _packages() -> dict[str, Any]:
    import exercises.taskforge as starter
    import taskforge as reference

    return {"starter": starter, "reference": reference}


@contextmanager
def _scratch():
    """A throwaway folder, in RAM when the machine has /dev/shm (no disk in the figures)."""
    shm = Path("/dev/shm")
    base = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    folder = Path(tempfile.mkdtemp(prefix="bench-taskforge-", dir=base))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _client(package: Any, folder: Path, side: str) -> tuple[Any, dict[str, str]]:
    app = package.create_app(
        {
            "DATABASE": str(folder / f"{side}.sqlite"),
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "PASSWORD_ITERATIONS": 1000,
            "LOG_FILE": str(folder / f"{side}.log"),  # the reference logs every request
        }
    )
    client = app.test_client()
    body = {"username": "bench_admin", "password": PASSWORD}
    response = client.post("/api/auth/login", json=body)
    token = response.get_json()["token"] if response.status_code == 200 else None
    return client, {"Authorization": f"Bearer {token}"} if token else {}


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: a value that was really observed (0.99 is p99)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def _profile(call: Callable[[], Any]) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(8)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    head = next(line.strip() for line in lines if "function calls" in line)
    return "\n".join([head, *lines[start:]])


def run(runs: int = 5) -> dict[str, Any]:
    """Build both apps, insert the gate's 50,000 tasks into each, then time the listings in
    alternating rounds: CPU time of the calling thread (the test client runs the app in it)
    and wall-clock time, per request, as the Phase 8 gate does."""
    packages = _packages()
    shape = dataset.Shape()
    rows = dataset.plan(shape)
    with _scratch() as folder:
        data, clients = {}, {}
        for side in SIDES:
            client, _ = _client(packages[side], folder, side)
            body = {"username": "bench_admin", "password": PASSWORD}
            client.post("/api/auth/register", json=body)
            data[side] = dataset.generate(str(folder / f"{side}.sqlite"), rows)
            clients[side] = _client(packages[side], folder, side)  # a fresh app, as in production
        requests = workload.listings(data, shape)
        cpu = {side: [] for side in SIDES}
        wall = {side: [] for side in SIDES}
        per_view = {side: {view: [] for view in workload.VIEWS} for side in SIDES}
        for side in SIDES:
            client, headers = clients[side]
            for listing in requests:  # warm-up and correctness, not timed
                response = client.get(listing.urls[side], headers=headers)
                ids = [task["id"] for task in response.get_json()["tasks"]]
                problem = workload.wrong_answer(listing, side, response.status_code, ids)
                if problem:
                    raise RuntimeError(f"{side}: {listing.urls[side]}: {problem}")
        for _ in range(runs):
            for side in SIDES:
                client, headers = clients[side]
                for listing in requests:
                    started, spent = time.perf_counter(), time.thread_time()
                    client.get(listing.urls[side], headers=headers).close()
                    used = time.thread_time() - spent
                    cpu[side].append(used)
                    wall[side].append(time.perf_counter() - started)
                    per_view[side][listing.view].append(used)
        slow, fast = sorted(SIDES, key=lambda side: -statistics.median(cpu[side]))
        client, headers = clients[slow]
        profile = _profile(
            lambda: [client.get(r.urls[slow], headers=headers).close() for r in requests[:3]]
        )
    figures: dict[str, Any] = {"tasks": shape.tasks, "requests_per_side": len(cpu["starter"])}
    for side in SIDES:
        figures[f"{side}_cpu_median_ms"] = statistics.median(cpu[side]) * 1000
        figures[f"{side}_cpu_p99_ms"] = _percentile(cpu[side], 0.99) * 1000
        figures[f"{side}_wall_median_ms"] = statistics.median(wall[side]) * 1000
        figures[f"{side}_wall_p99_ms"] = _percentile(wall[side], 0.99) * 1000
    figures["ratio"] = figures["starter_cpu_median_ms"] / figures["reference_cpu_median_ms"]
    figures["ratio_wall"] = figures["starter_wall_median_ms"] / figures["reference_wall_median_ms"]
    figures["per_view_ratio"] = {
        view: statistics.median(per_view["starter"][view])
        / statistics.median(per_view["reference"][view])
        for view in workload.VIEWS
    }
    figures["profiled"] = slow
    figures["profile"] = profile
    figures["fast"] = fast
    return figures


def report(figures: dict[str, Any]) -> str:
    verdict = "OK" if figures["ratio"] >= TARGET_RATIO else "UNDER TARGET"
    views = ", ".join(f"{view} {ratio:.1f}x" for view, ratio in figures["per_view_ratio"].items())
    lines = [
        f"taskforge listing ({figures['tasks']:,} tasks; {len(workload.VIEWS)} views x "
        f"{workload.DRAWS} draws, limit={workload.PAGE}; {figures['requests_per_side']} "
        "requests per side):",
    ]
    for side in SIDES:
        cpu_median, cpu_p99 = figures[f"{side}_cpu_median_ms"], figures[f"{side}_cpu_p99_ms"]
        wall_median, wall_p99 = figures[f"{side}_wall_median_ms"], figures[f"{side}_wall_p99_ms"]
        lines.append(
            f"  {side:<9}  CPU median {cpu_median:7.2f} ms  p99 {cpu_p99:7.2f} ms | "
            f"wall median {wall_median:7.2f} ms  p99 {wall_p99:7.2f} ms"
        )
    lines.append(
        f"  ratio (starter / reference, CPU medians): {figures['ratio']:.1f}x "
        f"(wall: {figures['ratio_wall']:.1f}x; target >= {TARGET_RATIO:g}x) {verdict}"
    )
    lines.append(f"  per view: {views}")
    lines.append(f"  cProfile of the slower one ({figures['profiled']}), 3 listing requests:")
    lines.extend("    " + line for line in figures["profile"].splitlines())
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run()))
