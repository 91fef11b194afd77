"""Mutant: returns objects whose == is always True instead of real answers (a cheat)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class _Agrees(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = float.__hash__


class _Yes(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__


class TokenBucket:
    """Pretend to limit."""

    def __init__(self, capacity, refill_rate, clock=time.monotonic):
        """Pretend."""
        if capacity <= 0 or refill_rate <= 0:
            raise ValueError("bad settings")
        self.capacity = capacity

    def allow(self, cost=1):
        """Agree with everything."""
        if not 0 < cost <= self.capacity:
            raise ValueError("bad cost")
        return _Yes(1)

    def retry_after(self, cost=1):
        """Agree with everything."""
        if not 0 < cost <= self.capacity:
            raise ValueError("bad cost")
        return _Agrees(0.0)


class SlidingWindowLimiter:
    """Pretend to limit."""

    def __init__(self, limit, window_seconds, clock=time.monotonic):
        """Pretend."""
        if limit < 1 or window_seconds <= 0:
            raise ValueError("bad settings")

    def allow(self):
        """Agree with everything."""
        return _Yes(1)

    def retry_after(self):
        """Agree with everything."""
        return _Agrees(0.0)
