"""Alternative: an explicit mode field ("closed"/"open") plus a trial flag cleared in finally."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class CircuitOpenError(Exception):
    """Raised instead of calling func while the circuit is open."""


class CircuitBreaker:
    """Closed -> open -> half-open trial."""

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
        self._mode = "closed"
        self._failures = 0
        self._opened_at = 0.0
        self._trial = False

    @property
    def state(self) -> str:
        """closed, open or half_open."""
        if self._mode == "closed":
            return "closed"
        if self._trial or self.clock() - self._opened_at >= self.reset_timeout:
            return "half_open"
        return "open"

    def _open(self) -> None:
        self._mode = "open"
        self._opened_at = self.clock()

    def call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call func through the breaker."""
        current = self.state
        if current == "open" or self._trial:
            raise CircuitOpenError("circuit is open: failing fast")
        if current == "half_open":
            self._trial = True
            try:
                result = func(*args, **kwargs)
            except Exception:
                self._open()
                raise
            finally:
                self._trial = False
            self._mode = "closed"
            self._failures = 0
            return result
        try:
            result = func(*args, **kwargs)
        except Exception:
            self._failures += 1
            if self._failures >= self.failure_threshold:
                self._open()
            raise
        self._failures = 0
        return result
