"""Alternative: percentile via sorted() and an integer ceiling; the alert prunes a deque and keeps
running counts of requests and failures."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence


def percentile(latencies: Sequence[float], p: float) -> float:
    """Nearest rank."""
    if len(latencies) == 0:
        raise ValueError("no latencies")
    if p < 0 or p > 100:
        raise ValueError("p must be within 0..100")
    ordered = sorted(latencies)
    rank = -(-p * len(ordered) // 100)  # ceil without floats for int p
    return ordered[max(1, int(rank)) - 1]


def latency_report(latencies: Sequence[float], slo_ms: float) -> dict:
    """Count, percentiles, max, within_slo."""
    if not latencies:
        raise ValueError("no latencies")
    good = sum(1 for value in latencies if value <= slo_ms)
    return {
        "count": len(latencies),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "max": max(latencies),
        "within_slo": good / len(latencies),
    }


class ErrorRateAlert:
    """Running totals over a pruned deque."""

    def __init__(
        self,
        threshold: float = 0.05,
        window: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Settings and an empty record."""
        self.threshold = threshold
        self.window = window
        self.clock = clock
        self.requests: deque[tuple[float, bool]] = deque()
        self._failures = 0

    def record(self, ok: bool) -> None:
        """Remember one request."""
        self.requests.append((self.clock(), ok))
        if not ok:
            self._failures += 1

    def error_rate(self) -> float:
        """Failures / requests in the window."""
        now = self.clock()
        while self.requests and now - self.requests[0][0] >= self.window:
            _, ok = self.requests.popleft()
            if not ok:
                self._failures -= 1
        if not self.requests:
            return 0.0
        return self._failures / len(self.requests)

    def firing(self) -> bool:
        """More than the threshold."""
        return self.error_rate() > self.threshold
