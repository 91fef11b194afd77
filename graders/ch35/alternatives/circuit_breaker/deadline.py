"""Alternative: no state field; an optional retry deadline (None while closed) and a trial flag."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class CircuitOpenError(Exception):
    """Raised instead of calling func while the circuit is open."""


class CircuitBreaker:
    """State derived from a deadline: None = closed, in the future = open, passed = half-open."""

    def __init__(
        self,
        failure_threshold: int,
        reset_timeout: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start closed."""
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.clock = clock
        self.streak = 0
        self.retry_at: float | None = None
        self.trial_running = False

    @property
    def state(self) -> str:
        """Derived from retry_at and the clock."""
        if self.retry_at is None:
            return "closed"
        if self.trial_running or self.clock() >= self.retry_at:
            return "half_open"
        return "open"

    def call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Refuse, trial, or pass through."""
        trial = False
        if self.retry_at is not None:
            if self.trial_running or self.clock() < self.retry_at:
                raise CircuitOpenError("circuit is open: failing fast")
            trial = True
            self.trial_running = True
        try:
            result = func(*args, **kwargs)
        except Exception:
            self.trial_running = False
            self.streak += 1
            if trial or self.streak >= self.failure_threshold:
                self.retry_at = self.clock() + self.reset_timeout
            raise
        self.trial_running = False
        self.streak = 0
        self.retry_at = None
        return result
