"""Chapter 32 exercise: a counter that threads cannot break, and a clean worker pipeline.

Part one is the classic race. ``count += 1`` reads the value, adds, and writes it back;
two threads can both read 41 and both write 42, and an update is lost. A lock makes the
read-add-write happen as one step::

    >>> counter = ThreadSafeCounter()
    >>> counter.increment()
    1
    >>> counter.increment(5)
    6
    >>> counter.value
    6

Part two is producer/consumer. ``run_pipeline`` starts ``workers`` threads, feeds them the
items through a ``queue.Queue(maxsize=queue_size)``, and collects what ``worker_fn``
returns for each item::

    >>> run_pipeline([1, 2, 3, 4], lambda x: x * 10, workers=2)
    [10, 20, 30, 40]

The queue is bounded on purpose: when the workers fall behind, ``put`` blocks, so the
producer never reads more than ``queue_size`` items ahead of them (backpressure). When
the items run out the producer puts one *sentinel* (a special marker object) per worker;
a worker that takes a sentinel stops. ``run_pipeline`` returns only after every worker
thread has finished.

Your tasks:

1. ``ThreadSafeCounter``: increments that are never lost, however many threads call it.
2. ``run_pipeline``: every item processed exactly once, results in input order.
3. Clean shutdown: every worker stops, even when ``worker_fn`` raises.
4. Backpressure: read the items lazily, never more than the queue can hold ahead.
"""

from __future__ import annotations

import queue  # noqa: F401 - for run_pipeline
import threading  # noqa: F401 - for the lock and the workers
from collections.abc import Callable, Iterable
from typing import Any

_SENTINEL = object()  # put once per worker: "no more items, stop"


class ThreadSafeCounter:
    """An integer counter that many threads may increment at the same time."""

    def __init__(self, start: int = 0) -> None:
        """Start counting from ``start``."""
        # TODO (task 1): store the count and create ONE lock for this counter.
        raise NotImplementedError("ThreadSafeCounter.__init__ is not written yet")

    def increment(self, amount: int = 1) -> int:
        """Add ``amount`` and return the new value, as one indivisible step.

        Two calls never return the same value (for positive amounts), and no increment is
        ever lost, whatever the threads do at the same time.
        """
        # TODO (task 1): add and read the new value while holding the lock.
        raise NotImplementedError("ThreadSafeCounter.increment is not written yet")

    @property
    def value(self) -> int:
        """The current count (an int)."""
        # TODO (task 1): return the count.
        raise NotImplementedError("ThreadSafeCounter.value is not written yet")


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
    # TODO (task 2): check the sizes; start the worker threads; each worker takes
    # (index, item) pairs from the queue and stores worker_fn(item) under its index.
    # TODO (task 3): after the last item put one _SENTINEL per worker and join every thread;
    # a worker catches worker_fn's exception, keeps it and goes on; raise the earliest one
    # at the end.
    # TODO (task 4): use queue.Queue(maxsize=queue_size) and put the items one by one as you
    # iterate over them (never list(items)): put() blocks while the queue is full.
    raise NotImplementedError("run_pipeline is not written yet")
