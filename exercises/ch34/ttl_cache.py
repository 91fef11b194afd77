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
        # TODO (task 1): check ttl_seconds; keep it and the clock on self; create the
        # entries (key -> (time stored, value)) and one threading.Lock.
        # TODO (tasks 2-3): also a dict of the loads in progress (key -> _Load).
        raise NotImplementedError("TTLCache.__init__ is not written yet")

    def get(self, key: Hashable, default: Any = None) -> Any:
        """Return the fresh value stored under ``key``, or ``default`` if none is."""
        # TODO (task 1): under the lock, find the entry; it counts only while
        # clock() - stored_at < ttl_seconds. Do not test the value itself: None is a value.
        raise NotImplementedError("TTLCache.get is not written yet")

    def set(self, key: Hashable, value: Any) -> None:
        """Store ``value`` under ``key``; it stays fresh for ttl_seconds from now."""
        # TODO (task 1): remember (clock(), value) under the key, under the lock.
        raise NotImplementedError("TTLCache.set is not written yet")

    def invalidate(self, key: Hashable) -> None:
        """Forget ``key`` (after the data behind it changed). A missing key is fine."""
        # TODO (task 1): remove the entry if there is one.
        raise NotImplementedError("TTLCache.invalidate is not written yet")

    def get_or_load(self, key: Hashable, loader: Callable[[], Any]) -> Any:
        """Return the fresh value for ``key``, calling ``loader()`` on a miss (single flight).

        At most one ``loader()`` runs per key at a time; callers that miss while it runs
        wait for it and get its value, or its exception. A value is cached; an exception
        is not. Loads of different keys run in parallel.
        """
        # TODO (task 2): a fresh entry is returned as it is; on a miss call loader(),
        # cache its value and return it. An exception from loader() is not cached.
        # TODO (task 3): single flight. Per key, at most one loader() runs at a time;
        # the other callers of that key wait for it and share its value or its error.
        # Whatever the loader does, the waiters must be woken up.
        # TODO (task 4): check that no lock is held while loader() runs or while you wait.
        raise NotImplementedError("TTLCache.get_or_load is not written yet")
