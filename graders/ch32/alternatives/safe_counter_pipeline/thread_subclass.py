"""Alternative: a Thread subclass per worker keeping (index, result) pairs, merged by sorting."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from typing import Any

_SENTINEL = object()


class ThreadSafeCounter:
    def __init__(self, start: int = 0) -> None:
        self._count = start
        self._lock = threading.Lock()

    def increment(self, amount: int = 1) -> int:
        self._lock.acquire()
        try:
            self._count += amount
            new = self._count
        finally:
            self._lock.release()
        return new

    @property
    def value(self) -> int:
        return self._count


class _Worker(threading.Thread):
    def __init__(self, jobs: queue.Queue, fn: Callable[[Any], Any]) -> None:
        super().__init__()
        self.jobs = jobs
        self.fn = fn
        self.outcomes: list[tuple[int, bool, Any]] = []

    def run(self) -> None:
        while (job := self.jobs.get()) is not _SENTINEL:
            index, item = job
            try:
                self.outcomes.append((index, True, self.fn(item)))
            except Exception as error:
                self.outcomes.append((index, False, error))


def run_pipeline(
    items: Iterable[Any],
    worker_fn: Callable[[Any], Any],
    workers: int = 4,
    queue_size: int = 8,
) -> list[Any]:
    if workers < 1 or queue_size < 1:
        raise ValueError("workers and queue_size must be at least 1")
    jobs: queue.Queue = queue.Queue(queue_size)
    pool = [_Worker(jobs, worker_fn) for _ in range(workers)]
    for worker in pool:
        worker.start()
    try:
        for job in enumerate(items):
            jobs.put(job)
    finally:
        for _ in pool:
            jobs.put(_SENTINEL)
        for worker in pool:
            worker.join()
    outcomes = sorted((o for w in pool for o in w.outcomes), key=lambda o: o[0])
    for _index, ok, value in outcomes:
        if not ok:
            raise value
    return [value for _index, _ok, value in outcomes]
