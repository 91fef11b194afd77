"""Chapter 36 exercise: latency percentiles, an SLO report and an error-rate alert.

An average hides the slow requests your users complain about: nine requests of 10 ms and
one of 1000 ms average 109 ms, a number no request actually took. Monitoring therefore
talks in *percentiles*: p50 (the typical request), p95 and p99 (the slow tail).

    >>> latencies = [12, 7, 30, 9, 1000, 11, 8, 10, 13, 9]
    >>> percentile(latencies, 50)
    10
    >>> percentile(latencies, 95)
    1000
    >>> latency_report(latencies, slo_ms=50)
    {'count': 10, 'p50': 10, 'p95': 1000, 'p99': 1000, 'max': 1000, 'within_slo': 0.9}
    >>> alert = ErrorRateAlert(clock=lambda: 0.0)   # a fake clock that never moves
    >>> for ok in [True] * 18 + [False] * 2:
    ...     alert.record(ok)
    >>> alert.error_rate(), alert.firing()
    (0.1, True)

**Percentiles use the nearest-rank method**, the one monitoring systems explain first:
sort the values; the p-th percentile is the value at rank ``ceil(p / 100 * N)``, counting
ranks from 1 (and using rank 1 when that gives 0, so ``p = 0`` is the smallest value).
It is always one of the measured values, never an average of two, and it keeps its type
(a list of ints gives an int). The list you are given must not be changed (sort a copy).
For ten values, p50 is the 5th smallest and p95 the 10th.

**The SLO report** counts how many requests met the objective: a request is within the
SLO when its latency is *at most* ``slo_ms``.

**The alert** watches the golden signal "errors": it fires when *more than* 5% of the
requests recorded in the last 5 minutes failed ("more than 5% errors over 5 minutes").
The time comes from the ``clock`` you are given (seconds, like ``time.monotonic``), so
the grader can move time by hand. A request recorded at time ``t`` counts while
``clock() - t < window``; at exactly ``window`` seconds old it no longer counts.
"""

from __future__ import annotations

import math  # noqa: F401 - math.ceil helps in task 1
import time
from collections import deque
from collections.abc import Callable, Sequence


def percentile(latencies: Sequence[float], p: float) -> float:
    """Return the ``p``-th percentile of ``latencies`` by the nearest-rank method.

    Sorts a copy (the input is not changed); returns the value at rank ``ceil(p/100 * N)``
    (at least 1). Raises ValueError for an empty list or a ``p`` outside 0..100.
    """
    # TODO (task 1): refuse an empty list and a p outside 0..100 (ValueError); sort a
    # copy; work out the rank (1-based, at least 1) and return the value at that rank.
    raise NotImplementedError("percentile is not written yet")


def latency_report(latencies: Sequence[float], slo_ms: float) -> dict:
    """Summarise latencies: count, p50, p95, p99, max and the fraction within the SLO.

    Returns ``{"count": N, "p50": ..., "p95": ..., "p99": ..., "max": ...,
    "within_slo": ...}`` where ``within_slo`` is the fraction (a float from 0.0 to 1.0)
    of latencies at most ``slo_ms``. Raises ValueError for an empty list.
    """
    # TODO (task 2): build the dict with percentile() for p50, p95 and p99 (never the
    # mean), and count the latencies <= slo_ms for within_slo.
    raise NotImplementedError("latency_report is not written yet")


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
        # TODO (task 3): remember (self.clock(), ok). Always ask self.clock, never time.*.
        raise NotImplementedError("record is not written yet")

    def error_rate(self) -> float:
        """Return the fraction of failed requests in the window (0.0 if there were none)."""
        # TODO (task 3): first forget requests that are window seconds old or older, then
        # divide the number of failures by the number of requests left.
        raise NotImplementedError("error_rate is not written yet")

    def firing(self) -> bool:
        """Return True when the error rate in the window is more than the threshold."""
        # TODO (task 3): compare the current error rate with the threshold (more than!).
        raise NotImplementedError("firing is not written yet")
