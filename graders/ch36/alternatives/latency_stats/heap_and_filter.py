"""Alternative: percentile via heapq.nsmallest (no full sort); the alert filters its list on each
read instead of keeping a deque."""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable, Sequence


def percentile(latencies: Sequence[float], p: float) -> float:
    """The rank-th smallest value."""
    if not 0 <= p <= 100:
        raise ValueError(f"p={p} is outside 0..100")
    if not latencies:
        raise ValueError("percentile of nothing")
    rank = max(1, math.ceil(p / 100 * len(latencies)))
    return heapq.nsmallest(rank, latencies)[-1]


def latency_report(latencies: Sequence[float], slo_ms: float) -> dict:
    """Summary dict."""
    if not latencies:
        raise ValueError("empty")
    report = {"count": len(latencies)}
    for p in (50, 95, 99):
        report[f"p{p}"] = percentile(latencies, p)
    report["max"] = percentile(latencies, 100)
    report["within_slo"] = len([v for v in latencies if v <= slo_ms]) / len(latencies)
    return report


class ErrorRateAlert:
    """Keeps a list, drops old entries on every read."""

    def __init__(
        self,
        threshold: float = 0.05,
        window: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Settings."""
        self.threshold = threshold
        self.window = window
        self.clock = clock
        self.requests: list[tuple[float, bool]] = []

    def record(self, ok: bool) -> None:
        """Remember one request."""
        self.requests.append((self.clock(), ok))

    def error_rate(self) -> float:
        """Failures over requests still in the window."""
        now = self.clock()
        self.requests = [(t, ok) for t, ok in self.requests if now - t < self.window]
        if not self.requests:
            return 0.0
        return sum(not ok for _, ok in self.requests) / len(self.requests)

    def firing(self) -> bool:
        """Strictly above the threshold."""
        return self.error_rate() > self.threshold
