"""Alternative: a Condition-guarded counter; workers fill a shared dict; try/finally shutdown."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from typing import Any

_SENTINEL = object()


class ThreadSafeCounter:
    def __init__(self, start: int = 0) -> None:
        self._guard = threading.Condition()
        self._n = start

    def increment(self, amount: int = 1) -> int:
        with self._guard:
            self._n = self._n + amount
            return self._n

    @property
    def value(self) -> int:
        with self._guard:
            return self._n


def run_pipeline(
    items: Iterable[Any],
    worker_fn: Callable[[Any], Any],
    workers: int = 4,
    queue_size: int = 8,
) -> list[Any]:
    if workers < 1:
        raise ValueError("need at least one worker")
    if queue_size < 1:
        raise ValueError("queue_size must be at least 1")
    inbox: queue.Queue = queue.Queue(maxsize=queue_size)
    done: dict[int, Any] = {}
    failed: dict[int, BaseException] = {}

    def work() -> None:
        while True:
            job = inbox.get()
            if job is _SENTINEL:
                return
            index, item = job
            try:
                done[index] = worker_fn(item)
            except Exception as exc:  # kept and raised after shutdown
                failed[index] = exc

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    count = 0
    try:
        for index, item in enumerate(items):
            inbox.put((index, item))
            count = index + 1
    finally:
        for _ in threads:
            inbox.put(_SENTINEL)
        for thread in threads:
            thread.join()
    if failed:
        raise failed[min(failed)]
    return [done[i] for i in range(count)]
