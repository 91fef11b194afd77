"""Mutant: rounds the grown tokens down to whole ones, so partial refills are lost."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class TokenBucket:
    """Allow bursts of up to ``capacity`` requests, refilled at ``refill_rate`` per second."""

    def __init__(
        self,
        capacity: float,
        refill_rate: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start full. Raise ValueError unless capacity > 0 and refill_rate > 0."""
        if capacity <= 0:
            raise ValueError(f"capacity must be above 0, got {capacity}")
        if refill_rate <= 0:
            raise ValueError(f"refill_rate must be above 0, got {refill_rate}")
        self.capacity = capacity
        self.refill_rate = refill_rate
        self.clock = clock
        self.tokens = float(capacity)
        self.updated = clock()

    def _check_cost(self, cost: float) -> None:
        if not 0 < cost <= self.capacity:
            raise ValueError(f"cost must be above 0 and at most {self.capacity}, got {cost}")

    def _refill(self) -> None:
        now = self.clock()
        grown = int((now - self.updated) * self.refill_rate)
        self.tokens = min(self.capacity, self.tokens + grown)
        self.updated = now

    def allow(self, cost: float = 1) -> bool:
        """Take ``cost`` tokens and return True if there are enough; else return False.

        Tokens grown since the last call are added first (never beyond capacity). A refused
        request takes nothing. Raises ValueError unless 0 < cost <= capacity.
        """
        self._check_cost(cost)
        self._refill()
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False

    def retry_after(self, cost: float = 1) -> float:
        """Return the seconds (a float) until ``allow(cost)`` would return True.

        0.0 when it would succeed now; otherwise the time the missing tokens take to grow,
        ``(cost - tokens) / refill_rate``. Takes no tokens. Raises ValueError unless
        0 < cost <= capacity.
        """
        self._check_cost(cost)
        self._refill()
        if self.tokens >= cost:
            return 0.0
        return (cost - self.tokens) / self.refill_rate


class SlidingWindowLimiter:
    """Admit at most ``limit`` requests in any ``window_seconds``, using a sliding log."""

    def __init__(
        self,
        limit: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start with an empty log. Raise ValueError unless limit >= 1 and window_seconds > 0."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        if window_seconds <= 0:
            raise ValueError(f"window_seconds must be above 0, got {window_seconds}")
        self.limit = limit
        self.window = window_seconds
        self.clock = clock
        self.admitted: deque[float] = deque()

    def _forget_old(self, now: float) -> None:
        while self.admitted and now - self.admitted[0] >= self.window:
            self.admitted.popleft()

    def allow(self) -> bool:
        """Admit (remember the time, return True) if fewer than ``limit`` requests count now.

        A request admitted at ``t`` counts while ``clock() - t < window_seconds``. A refused
        request returns False and is not remembered.
        """
        now = self.clock()
        self._forget_old(now)
        if len(self.admitted) < self.limit:
            self.admitted.append(now)
            return True
        return False

    def retry_after(self) -> float:
        """Return the seconds (a float) until ``allow()`` would return True.

        0.0 when it would admit now; otherwise the time until the oldest request that still
        counts stops counting. Admits nothing.
        """
        now = self.clock()
        self._forget_old(now)
        if len(self.admitted) < self.limit:
            return 0.0
        return float(self.admitted[0] + self.window - now)
