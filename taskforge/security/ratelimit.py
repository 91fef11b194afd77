"""Attempt limiting: a sliding window of attempts per key, checked and recorded in one step."""

from __future__ import annotations

import hashlib
import math
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict, deque
from collections.abc import Callable

from ..errors import RateLimited


class AttemptStore(ABC):
    """Where attempts are remembered: this process, a database table, or Redis.

    ``hit`` must be atomic with respect to every other process using the same store: two
    concurrent callers can never both see "limit - 1 attempts" and both be let through.
    """

    @abstractmethod
    def hit(self, key: str, now: float, window: float, limit: int) -> float | None:
        """Forget attempts older than window; if fewer than limit remain, record one at now
        and return None, else record nothing and return the oldest remaining attempt's time."""

    @abstractmethod
    def clear(self, key: str) -> None:
        """Forget every attempt of key."""


class MemoryAttemptStore(AttemptStore):
    """Attempts kept in this process (one app server, tests). At most max_keys keys are kept:
    when more arrive, the least recently used key is forgotten, so memory stays bounded."""

    def __init__(self, max_keys: int = 10_000) -> None:
        self.max_keys = max_keys
        self._attempts: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str, now: float, window: float, limit: int) -> float | None:
        with self._lock:
            attempts = self._attempts.pop(key, None) or deque()
            while attempts and attempts[0] <= now - window:
                attempts.popleft()
            blocked = len(attempts) >= limit
            if not blocked:
                attempts.append(now)
            self._attempts[key] = attempts  # re-inserted last: the most recently used
            while len(self._attempts) > self.max_keys:
                self._attempts.popitem(last=False)
            return attempts[0] if blocked else None

    def clear(self, key: str) -> None:
        with self._lock:
            self._attempts.pop(key, None)

    def __len__(self) -> int:
        return len(self._attempts)


class AttemptLimiter:
    """Allows max_attempts attempts per key within window_seconds.

    Every attempt is counted before the work it guards (the slow password hash) starts, so
    concurrent requests cannot slip past the limit between a check and a record. A success
    may clear the key. Attempts older than the window stop counting, and Retry-After says
    exactly when the oldest one leaves it.
    """

    def __init__(
        self,
        max_attempts: int,
        window_seconds: float,
        clock: Callable[[], float],
        store: AttemptStore | None = None,
        *,
        message: str = "too many attempts; try again later",
    ) -> None:
        self.max_attempts = max_attempts
        self.window_seconds = window_seconds
        self._clock = clock
        self.store = store if store is not None else MemoryAttemptStore()
        self._message = message

    def attempt(self, key: str) -> None:
        """Count one attempt for key; RateLimited (and nothing counted) when it is used up."""
        now = self._clock()
        oldest = self.store.hit(key, now, self.window_seconds, self.max_attempts)
        if oldest is not None:
            wait = math.ceil(oldest + self.window_seconds - now)
            raise RateLimited(self._message, retry_after=wait)

    def reset(self, key: str) -> None:
        """Forget key's attempts (after a successful login)."""
        self.store.clear(key)


class LoginRateLimiter(AttemptLimiter):
    """Blocks a (username, client) pair after max_attempts attempts within the window."""

    def __init__(
        self,
        max_attempts: int,
        window_seconds: float,
        clock: Callable[[], float],
        store: AttemptStore | None = None,
    ) -> None:
        super().__init__(
            max_attempts,
            window_seconds,
            clock,
            store,
            message="too many failed login attempts; try again later",
        )

    @staticmethod
    def key(username: str, client: str | None) -> str:
        """The bucket name for a login attempt (a digest: any username gives a short key)."""
        return "login|" + _digest(f"{username.strip().lower()}|{client or '-'}")


def registration_key(client: str | None) -> str:
    """The bucket name for anonymous registrations from one client address."""
    return "register|" + _digest(client or "-")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
