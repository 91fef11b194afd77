"""Mutant: divides failures by successful requests instead of by all requests."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence


def percentile(latencies: Sequence[float], p: float) -> float:
    """Return the ``p``-th percentile of ``latencies`` by the nearest-rank method.

    Sorts a copy (the input is not changed); returns the value at rank ``ceil(p/100 * N)``
    (at least 1). Raises ValueError for an empty list or a ``p`` outside 0..100.
    """
    if not latencies:
        raise ValueError("no latencies to summarise")
    if not 0 <= p <= 100:
        raise ValueError(f"p must be between 0 and 100, got {p}")
    ordered = sorted(latencies)
    rank = max(1, math.ceil(p * len(ordered) / 100))
    return ordered[rank - 1]


def latency_report(latencies: Sequence[float], slo_ms: float) -> dict:
    """Summarise latencies: count, p50, p95, p99, max and the fraction within the SLO.

    Returns ``{"count": N, "p50": ..., "p95": ..., "p99": ..., "max": ...,
    "within_slo": ...}`` where ``within_slo`` is the fraction (a float from 0.0 to 1.0)
    of latencies at most ``slo_ms``. Raises ValueError for an empty list.
    """
    if not latencies:
        raise ValueError("no latencies to summarise")
    within = sum(1 for latency in latencies if latency <= slo_ms)
    return {
        "count": len(latencies),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "max": max(latencies),
        "within_slo": within / len(latencies),
    }


class ErrorRateAlert:
    """Fires when more than ``threshold`` of the requests in the last ``window`` s failed."""

    def __init__(
        self,
        threshold: float = 0.05,
        window: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Keep the settings and an empty record of (time, ok) pairs. Already done for you."""
        self.threshold = threshold
        self.window = window
        self.clock = clock
        self.requests: deque[tuple[float, bool]] = deque()

    def record(self, ok: bool) -> None:
        """Record one finished request, successful (True) or failed (False), at clock()."""
        self.requests.append((self.clock(), ok))

    def _forget_old(self) -> None:
        now = self.clock()
        while self.requests and now - self.requests[0][0] >= self.window:
            self.requests.popleft()

    def error_rate(self) -> float:
        """Return the fraction of failed requests in the window (0.0 if there were none)."""
        self._forget_old()
        if not self.requests:
            return 0.0
        failed = sum(1 for _, ok in self.requests if not ok)
        succeeded = len(self.requests) - failed
        return failed / succeeded if succeeded else 1.0

    def firing(self) -> bool:
        """Return True when the error rate in the window is more than the threshold."""
        return self.error_rate() > self.threshold
