"""Chapter 34 exercise: a TTL cache that protects its backend from a stampede.

TaskForge caches each project's task list for 30 seconds: reading it from the database is
slow, and a list a few seconds old is fine. That is *cache-aside* with a *TTL* (time to
live): look in the cache first; on a miss, load from the database and keep the value
for ``ttl_seconds``.

    >>> now = [1000.0]                               # a clock you move by hand
    >>> cache = TTLCache(ttl_seconds=30.0, clock=lambda: now[0])
    >>> cache.set("greeting", "hello")
    >>> cache.get("greeting")
    'hello'
    >>> now[0] += 30.0                               # exactly 30 s later: expired
    >>> cache.get("greeting", "gone")
    'gone'
    >>> cache.get_or_load("tasks:7", lambda: ["write report", "fix bug"])
    ['write report', 'fix bug']
    >>> cache.get_or_load("tasks:7", lambda: ["never called: still cached"])
    ['write report', 'fix bug']

**Expiry.** An entry stored at time ``t`` is fresh while ``clock() - t < ttl_seconds``; at
exactly ``ttl_seconds`` old it has expired and behaves as if it were not there. Time
always comes from the ``clock`` you are given (seconds as a float, like
``time.monotonic``); call ``self.clock()`` and never the ``time`` module, because the
grader moves a fake clock by hand. Any value can be cached, including ``None``, ``0`` and
``[]``: a cached ``None`` is still a hit.

**The stampede.** When a popular entry expires, a hundred requests miss at the same moment
and all of them run the same slow query: the database falls over just when it is busiest.
``get_or_load`` prevents that with *single flight*: for each key, at most one loader runs
at a time. The first caller to miss becomes the leader and calls ``loader()``; callers
that ask for the same key while that load is running wait for it and share its result.

* If the loader returns a value, it is cached (its age counts from when the loader
  returned) and every waiting caller gets that same value.
* If the loader raises, the exception is raised to the leader *and* to every caller that
  was waiting, and nothing is cached: the next call tries the loader again.
* Different keys never wait for each other. Do not hold one lock while a loader runs:
  that would make every key wait for the slowest query. Use a lock only for the short
  moments when you read or change the cache's own dictionaries, and let callers of the
  same key wait on something of their own (a ``threading.Event`` per load works well).

Your tasks:

1. ``TTLCache.__init__``, ``get``, ``set`` and ``invalidate``.
2. ``get_or_load``: cache-aside for one caller at a time.
3. Single flight: one loader run for many callers of the same key, errors included.
4. Loads of different keys run at the same time.
"""

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
                    self._entries[key] = (self.clock(), load.value)
                del self._loads[key]
            load.done.set()
        return load.value
