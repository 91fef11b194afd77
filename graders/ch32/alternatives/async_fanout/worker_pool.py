"""Alternative: `limit` worker coroutines pull positions from a shared iterator (no semaphore)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

WORKLOADS = {
    "many_api_requests": "call 5,000 web APIs and collect their answers (mostly waiting)",
    "chat_server": "keep 10,000 mostly idle WebSocket connections open and relay messages",
    "image_batch": "resize 10,000 photos: pure CPU work in Python",
    "number_crunching": "a pure-Python Monte Carlo simulation that should use every core",
    "shared_cache": "an in-memory cache that the request handlers of one process read and update",
    "background_cleanup": "delete expired sessions every minute while the app keeps serving",
}

_WAITING, _COMPUTING, _SHARING = "async", "processes", "threads"
_MODELS = {
    "many_api_requests": _WAITING,
    "chat_server": _WAITING,
    "image_batch": _COMPUTING,
    "number_crunching": _COMPUTING,
    "shared_cache": _SHARING,
    "background_cleanup": _SHARING,
}


def choose_model(workload: str) -> str:
    if workload not in _MODELS:
        raise ValueError(f"unknown workload {workload!r}")
    return _MODELS[workload]


async def fetch_all(
    urls: Iterable[str],
    fetch: Callable[[str], Awaitable[Any]],
    limit: int,
) -> list[Any]:
    if limit < 1:
        raise ValueError("limit must be at least 1")
    todo = list(urls)
    results: list[Any] = [None] * len(todo)
    positions = iter(range(len(todo)))

    async def worker() -> None:
        for index in positions:  # shared iterator: each position is taken once
            results[index] = await fetch(todo[index])

    workers = [asyncio.ensure_future(worker()) for _ in range(min(limit, len(todo)))]
    if not workers:
        return results
    done, pending = await asyncio.wait(workers, return_when=asyncio.FIRST_EXCEPTION)
    failed = [w for w in done if not w.cancelled() and w.exception() is not None]
    if failed:
        for w in pending:
            w.cancel()
        await asyncio.wait(pending) if pending else None
        raise failed[0].exception()
    return results
