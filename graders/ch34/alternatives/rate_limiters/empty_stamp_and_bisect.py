"""Alternative: the bucket stores only the moment it was (virtually) empty, GCRA-style; the window
keeps a sorted list and counts the live entries with bisect."""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable


class TokenBucket:
    """tokens(now) = min(capacity, (now - empty_since) * refill_rate)."""

    def __init__(
        self,
        capacity: float,
        refill_rate: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start full: empty capacity / refill_rate seconds ago."""
        if capacity <= 0 or refill_rate <= 0:
            raise ValueError("capacity and refill_rate must be positive")
        self.capacity = capacity
        self.refill_rate = refill_rate
        self.clock = clock
        self.empty_since = clock() - capacity / refill_rate

    def _check(self, cost: float) -> None:
        if cost <= 0 or cost > self.capacity:
            raise ValueError("cost out of range")

    def _tokens(self, now: float) -> float:
        return min(self.capacity, (now - self.empty_since) * self.refill_rate)

    def allow(self, cost: float = 1) -> bool:
        """Take cost tokens if there are enough."""
        self._check(cost)
        now = self.clock()
        tokens = self._tokens(now)
        if tokens < cost:
            return False
        self.empty_since = now - (tokens - cost) / self.refill_rate
        return True

    def retry_after(self, cost: float = 1) -> float:
        """Seconds until cost tokens are there."""
        self._check(cost)
        missing = cost - self._tokens(self.clock())
        return 0.0 if missing <= 0 else missing / self.refill_rate


class SlidingWindowLimiter:
    """A sorted list of admitted times; live ones found with bisect."""

    def __init__(
        self,
        limit: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Empty log."""
        if not (limit >= 1 and window_seconds > 0):
            raise ValueError("bad limiter settings")
        self.limit = limit
        self.window_seconds = window_seconds
        self.clock = clock
        self.times: list[float] = []

    def _live(self, now: float) -> list[float]:
        # times admitted after now - window still count; drop the rest.
        start = bisect.bisect_right(self.times, now - self.window_seconds)
        del self.times[:start]
        return self.times

    def allow(self) -> bool:
        """Admit if fewer than limit count."""
        now = self.clock()
        if len(self._live(now)) >= self.limit:
            return False
        self.times.append(now)
        return True

    def retry_after(self) -> float:
        """Time until the oldest live request stops counting."""
        now = self.clock()
        live = self._live(now)
        if len(live) < self.limit:
            return 0.0
        return self.window_seconds - (now - live[0])
