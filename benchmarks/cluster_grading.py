"""The same class graded locally (2 jobs) and through a Dask scheduler with two workers on
loopback (one thread each): what the cluster path costs on top of the judges' own work.

On one machine the cluster cannot be faster (same cores); the figure to watch is the overhead
ratio. On real workers the throughput grows with their number, the client only writes reports.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.batch_grading import EXERCISE, _batch_seconds, make_submissions
from graders.manifest import load_course
from graders.paths import REPO_ROOT


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def run(runs: int = 1, class_size: int = 10) -> dict[str, float]:
    try:
        from distributed import Client
    except ImportError:
        return {"skipped": 1.0}
    figures: dict[str, float] = {"class_size": class_size}
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    processes = [
        _start("distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
               "--no-dashboard")
    ]  # fmt: skip
    try:
        processes += [
            _start("distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny",
                   "--no-dashboard", "--host", "127.0.0.1")
            for _ in range(2)
        ]  # fmt: skip
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        with tempfile.TemporaryDirectory(prefix="bench-cluster-") as scratch:
            folder = Path(scratch)
            make_submissions(folder, class_size, load_course().select(EXERCISE))
            figures["local_s"] = _batch_seconds(folder, EXERCISE, "full", 2)
            started = time.perf_counter()
            figures["cluster_s"] = _batch_seconds(
                folder, EXERCISE, "full", 2, extra=("--scheduler", address)
            )
            figures["cluster_wall_s"] = time.perf_counter() - started
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    figures["cluster_overhead"] = figures["cluster_s"] / figures["local_s"]
    return figures


def report(figures: dict[str, float]) -> str:
    if "skipped" in figures:
        return "cluster: skipped (Dask is not installed: pip install -e '.[cluster]')"
    return (
        f"class of {figures['class_size']:g} ({EXERCISE}, isolated): local 2 jobs "
        f"{figures['local_s']:.1f} s | Dask scheduler + 2 workers on loopback "
        f"{figures['cluster_s']:.1f} s | overhead {figures['cluster_overhead']:.2f}x"
    )
