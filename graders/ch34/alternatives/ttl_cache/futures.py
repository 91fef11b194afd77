"""Alternative: entries keep an expiry deadline; each load in flight is a concurrent.futures.Future
that the waiters block on."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any

_MISSING = object()


class TTLCache:
    """key -> (expires_at, value); key -> Future for loads in flight."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        """Start empty."""
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self.lock = threading.Lock()
        self.entries: dict[Hashable, tuple[float, Any]] = {}
        self.loading: dict[Hashable, Future] = {}

    def _fresh(self, key: Hashable) -> Any:
        entry = self.entries.get(key)
        if entry is not None and self.clock() < entry[0]:
            return entry[1]
        return _MISSING

    def get(self, key: Hashable, default: Any = None) -> Any:
        """Fresh value or default."""
        with self.lock:
            value = self._fresh(key)
        return default if value is _MISSING else value

    def set(self, key: Hashable, value: Any) -> None:
        """Store with a deadline ttl_seconds from now."""
        with self.lock:
            self.entries[key] = (self.clock() + self.ttl_seconds, value)

    def invalidate(self, key: Hashable) -> None:
        """Forget key."""
        with self.lock:
            if key in self.entries:
                del self.entries[key]

    def get_or_load(self, key: Hashable, loader: Callable[[], Any]) -> Any:
        """Leader runs loader into a Future; followers wait on its result()."""
        with self.lock:
            value = self._fresh(key)
            if value is not _MISSING:
                return value
            future = self.loading.get(key)
            leader = future is None
            if leader:
                future = self.loading[key] = Future()
        if not leader:
            return future.result()
        try:
            value = loader()
        except BaseException as error:
            with self.lock:
                del self.loading[key]
            future.set_exception(error)
            raise
        with self.lock:
            self.entries[key] = (self.clock() + self.ttl_seconds, value)
            del self.loading[key]
        future.set_result(value)
        return value
