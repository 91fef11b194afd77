"""Alternative: one Condition guards the dictionaries; callers of a key in flight wait on it
(wait releases the lock) for a per-key record to be finished."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any


class _Flight:
    def __init__(self) -> None:
        self.finished = False
        self.value: Any = None
        self.error: BaseException | None = None


class TTLCache:
    """Entries keep their expiry deadline; loads in flight are _Flight records."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        """Start empty."""
        if not ttl_seconds > 0:
            raise ValueError("ttl_seconds must be above 0")
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._flights: dict[Hashable, _Flight] = {}
        self._cond = threading.Condition()

    def _lookup(self, key: Hashable) -> tuple[bool, Any]:
        entry = self._entries.get(key)
        if entry is None:
            return False, None
        stored_at, value = entry
        if self.clock() - stored_at < self.ttl_seconds:
            return True, value
        del self._entries[key]
        return False, None

    def get(self, key: Hashable, default: Any = None) -> Any:
        """Fresh value or default."""
        with self._cond:
            found, value = self._lookup(key)
        return value if found else default

    def set(self, key: Hashable, value: Any) -> None:
        """Store now."""
        with self._cond:
            self._entries[key] = (self.clock(), value)

    def invalidate(self, key: Hashable) -> None:
        """Forget key."""
        with self._cond:
            self._entries.pop(key, None)

    def get_or_load(self, key: Hashable, loader: Callable[[], Any]) -> Any:
        """Single-flight cache-aside."""
        with self._cond:
            found, value = self._lookup(key)
            if found:
                return value
            flight = self._flights.get(key)
            if flight is not None:
                self._cond.wait_for(lambda: flight.finished)
                if flight.error is not None:
                    raise flight.error
                return flight.value
            flight = self._flights[key] = _Flight()
        try:
            value = loader()
        except BaseException as error:
            with self._cond:
                flight.error = error
                flight.finished = True
                del self._flights[key]
                self._cond.notify_all()
            raise
        with self._cond:
            self._entries[key] = (self.clock(), value)
            flight.value = value
            flight.finished = True
            del self._flights[key]
            self._cond.notify_all()
        return value
