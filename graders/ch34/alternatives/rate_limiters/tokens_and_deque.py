"""Alternative: the bucket keeps (tokens, last update) and refills lazily; the window is a deque
pruned from the left."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class TokenBucket:
    """Lazy refill on every query."""

    def __init__(
        self,
        capacity: float,
        refill_rate: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start full."""
        if not capacity > 0 or not refill_rate > 0:
            raise ValueError("capacity and refill_rate must be above 0")
        self.capacity = capacity
        self.refill_rate = refill_rate
        self.clock = clock
        self.tokens = float(capacity)
        self.updated = clock()

    def _refill(self, cost: float) -> None:
        if not 0 < cost <= self.capacity:
            raise ValueError(f"cost must be in (0, {self.capacity}], got {cost}")
        now = self.clock()
        grown = (now - self.updated) * self.refill_rate
        self.tokens = min(self.capacity, self.tokens + grown)
        self.updated = now

    def allow(self, cost: float = 1) -> bool:
        """Take cost tokens if there are enough."""
        self._refill(cost)
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False

    def retry_after(self, cost: float = 1) -> float:
        """Seconds until cost tokens are there."""
        self._refill(cost)
        if self.tokens >= cost:
            return 0.0
        return (cost - self.tokens) / self.refill_rate


class SlidingWindowLimiter:
    """Sliding log in a deque."""

    def __init__(
        self,
        limit: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Empty log."""
        if limit < 1 or not window_seconds > 0:
            raise ValueError("limit must be >= 1 and window_seconds > 0")
        self.limit = limit
        self.window_seconds = window_seconds
        self.clock = clock
        self.log: deque[float] = deque()

    def _prune(self) -> float:
        now = self.clock()
        while self.log and now - self.log[0] >= self.window_seconds:
            self.log.popleft()
        return now

    def allow(self) -> bool:
        """Admit if fewer than limit count."""
        now = self._prune()
        if len(self.log) < self.limit:
            self.log.append(now)
            return True
        return False

    def retry_after(self) -> float:
        """Time until the oldest counting request expires."""
        now = self._prune()
        if len(self.log) < self.limit:
            return 0.0
        return self.log[0] + self.window_seconds - now
