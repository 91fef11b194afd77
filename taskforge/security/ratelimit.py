"""Login rate limiting: a sliding window of failed attempts per username and client address."""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable

from ..errors import RateLimited


class LoginRateLimiter:
    """Blocks a (username, client) pair after max_attempts failures within window_seconds.

    Failures older than the window stop counting, so a blocked pair is let in again as soon
    as its oldest failure expires; Retry-After tells the client exactly when. A successful
    login clears the pair's record. State lives in this process only: several app servers
    would need a shared store (Phase 8).
    """

    def __init__(
        self, max_attempts: int, window_seconds: float, clock: Callable[[], float]
    ) -> None:
        self.max_attempts = max_attempts
        self.window_seconds = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(username: str, client: str | None) -> str:
        """The bucket name for a login attempt."""
        return f"{username.strip().lower()}|{client or '-'}"

    def check(self, key: str) -> None:
        """Raise RateLimited if key has used up its attempts."""
        with self._lock:
            failures = self._recent(key)
            if len(failures) < self.max_attempts:
                return
            wait = failures[0] + self.window_seconds - self._clock()
        raise RateLimited(
            "too many failed login attempts; try again later", retry_after=math.ceil(wait)
        )

    def record_failure(self, key: str) -> None:
        """Count one failed attempt for key."""
        with self._lock:
            self._recent(key).append(self._clock())

    def reset(self, key: str) -> None:
        """Forget key's failures (after a successful login)."""
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        horizon = self._clock() - self.window_seconds
        while failures and failures[0] <= horizon:
            failures.popleft()
        return failures
