"""Mutant: stops the workers only after a normal end of the items, not when reading them raises."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from typing import Any

_SENTINEL = object()  # put once per worker: "no more items, stop"


class ThreadSafeCounter:
    """An integer counter that many threads may increment at the same time."""

    def __init__(self, start: int = 0) -> None:
        """Start counting from ``start``."""
        self._value = start
        self._lock = threading.Lock()

    def increment(self, amount: int = 1) -> int:
        """Add ``amount`` and return the new value, as one indivisible step.

        Two calls never return the same value (for positive amounts), and no increment is
        ever lost, whatever the threads do at the same time.
        """
        with self._lock:
            self._value += amount
            return self._value

    @property
    def value(self) -> int:
        """The current count (an int)."""
        with self._lock:
            return self._value


def run_pipeline(
    items: Iterable[Any],
    worker_fn: Callable[[Any], Any],
    workers: int = 4,
    queue_size: int = 8,
) -> list[Any]:
    """Process every item with ``worker_fn`` on ``workers`` threads; return the results.

    * Results are returned in the same order as the items, whatever order the workers
      finish in. Each item is passed to ``worker_fn`` exactly once (equal items too).
    * Items travel through a ``queue.Queue(maxsize=queue_size)``. ``items`` may be any
      iterable, a generator too: read it lazily, one item at a time, so the producer never
      gets more than ``queue_size`` items ahead of the workers.
    * When the items run out, put one sentinel per worker; every worker thread must have
      finished before ``run_pipeline`` returns (or raises).
    * If ``worker_fn`` raises, the worker remembers the exception and carries on with the
      next item. After all workers have finished, ``run_pipeline`` raises the exception of
      the earliest failing item (in input order).

    Raises ValueError if ``workers`` or ``queue_size`` is less than 1.
    """
    if workers < 1 or queue_size < 1:
        raise ValueError("workers and queue_size must be at least 1")
    tasks: queue.Queue = queue.Queue(maxsize=queue_size)
    results: dict[int, Any] = {}
    errors: dict[int, BaseException] = {}

    def work() -> None:
        while True:
            task = tasks.get()
            if task is _SENTINEL:
                return
            index, item = task
            try:
                results[index] = worker_fn(item)
            except Exception as exc:  # noqa: BLE001 - kept and re-raised after shutdown
                errors[index] = exc

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    count = 0
    for index, item in enumerate(items):
        tasks.put((index, item))  # blocks while the queue is full: backpressure
        count += 1
    for _ in threads:
        tasks.put(_SENTINEL)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[min(errors)]
    return [results[index] for index in range(count)]
