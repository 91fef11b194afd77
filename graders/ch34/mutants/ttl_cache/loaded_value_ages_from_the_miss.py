"""Mutant: the loaded value is stamped with the clock reading taken at the miss, before the loader ran."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any


class _Load:
    """One loader run that callers of the same key can wait for. Given: use it if you like."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class TTLCache:
    """A thread-safe cache whose entries expire ``ttl_seconds`` after they were stored."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        """Start empty. Raise ValueError unless ttl_seconds > 0."""
        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be above 0, got {ttl_seconds}")
        self.ttl = ttl_seconds
        self.clock = clock
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._loads: dict[Hashable, _Load] = {}
        self._lock = threading.Lock()

    def _fresh(self, key: Hashable) -> tuple[bool, Any]:
        """(True, value) for a fresh entry, else (False, None). Call with the lock held."""
        entry = self._entries.get(key)
        if entry is None:
            return False, None
        stored_at, value = entry
        if self.clock() - stored_at >= self.ttl:
            del self._entries[key]
            return False, None
        return True, value

    def get(self, key: Hashable, default: Any = None) -> Any:
        """Return the fresh value stored under ``key``, or ``default`` if none is."""
        with self._lock:
            found, value = self._fresh(key)
        return value if found else default

    def set(self, key: Hashable, value: Any) -> None:
        """Store ``value`` under ``key``; it stays fresh for ttl_seconds from now."""
        with self._lock:
            self._entries[key] = (self.clock(), value)

    def invalidate(self, key: Hashable) -> None:
        """Forget ``key`` (after the data behind it changed). A missing key is fine."""
        with self._lock:
            self._entries.pop(key, None)

    def get_or_load(self, key: Hashable, loader: Callable[[], Any]) -> Any:
        """Return the fresh value for ``key``, calling ``loader()`` on a miss (single flight).

        At most one ``loader()`` runs per key at a time; callers that miss while it runs
        wait for it and get its value, or its exception. A value is cached; an exception
        is not. Loads of different keys run in parallel.
        """
        with self._lock:
            missed_at = self.clock()
            found, value = self._fresh(key)
            if found:
                return value
            load = self._loads.get(key)
            leader = load is None
            if leader:
                load = self._loads[key] = _Load()
        if not leader:
            load.done.wait()
            if load.error is not None:
                raise load.error
            return load.value
        try:
            load.value = loader()
        except BaseException as exc:
            load.error = exc
            raise
        finally:
            with self._lock:
                if load.error is None:
                    self._entries[key] = (missed_at, load.value)
                del self._loads[key]
            load.done.set()
        return load.value
