"""Small helpers to time whole commands and summarise the runs."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path


def time_command(command: Sequence[str], *, cwd: Path, runs: int, warmup: int = 1) -> list[float]:
    """Wall-clock seconds of each run of a command (after warm-up runs that are discarded)."""
    timings = []
    for index in range(warmup + runs):
        started = time.perf_counter()
        subprocess.run(
            command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        if index >= warmup:
            timings.append(time.perf_counter() - started)
    return timings


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
