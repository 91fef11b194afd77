"""Mutant: the consecutive-failure count lives in a class-level dict shared by every breaker."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class CircuitOpenError(Exception):
    """Raised by ``CircuitBreaker.call`` instead of calling ``func`` while the circuit is open."""


class CircuitBreaker:
    """Closed -> open after ``failure_threshold`` consecutive failures -> half-open trial."""

    _counts = {"failures": 0}

    def __init__(
        self,
        failure_threshold: int,
        reset_timeout: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start closed, with no failures counted. ``clock()`` returns the time in seconds."""
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.clock = clock
        self._open = False  # True from the opening failure until a trial succeeds
        self._opened_at = 0.0  # clock reading when the circuit last opened
        self._trial_running = False

    @property
    def state(self) -> str:
        """``"closed"``, ``"open"`` or ``"half_open"``, as of ``clock()`` right now."""
        if self._trial_running:
            return "half_open"
        if not self._open:
            return "closed"
        if self.clock() - self._opened_at >= self.reset_timeout:
            return "half_open"
        return "open"

    def call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call ``func(*args, **kwargs)`` through the breaker and return its result.

        Raises ``CircuitOpenError`` without calling ``func`` when the circuit is open (or a
        half-open trial is already running); re-raises ``func``'s own exception unchanged.
        """
        state = self.state
        if state == "open":
            raise CircuitOpenError("circuit is open: failing fast")
        if self._trial_running:
            raise CircuitOpenError("circuit is half-open: a trial call is already running")
        trial = state == "half_open"
        self._trial_running = trial
        try:
            result = func(*args, **kwargs)
        except Exception:
            self._failed(trial)
            raise
        finally:
            self._trial_running = False
        self._open = False
        self._counts["failures"] = 0
        return result

    def _failed(self, trial: bool) -> None:
        """Count one failure; open (or re-open) the circuit when that is the rule."""
        self._counts["failures"] += 1
        if trial or self._counts["failures"] >= self.failure_threshold:
            self._open = True
            self._opened_at = self.clock()
