"""Alternative: TaskGroup (Python 3.11+) and one shared Semaphore; unwraps the ExceptionGroup."""

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


def choose_model(workload: str) -> str:
    match workload:
        case "many_api_requests" | "chat_server":
            return "async"
        case "image_batch" | "number_crunching":
            return "processes"
        case "shared_cache":
            return "threads"
        case "background_cleanup":
            return "processes"
    raise ValueError(f"no such workload: {workload}")


async def fetch_all(
    urls: Iterable[str],
    fetch: Callable[[str], Awaitable[Any]],
    limit: int,
) -> list[Any]:
    if limit < 1:
        raise ValueError(f"limit must be >= 1, got {limit}")
    gate = asyncio.Semaphore(limit)

    async def one(url: str) -> Any:
        async with gate:
            return await fetch(url)

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(url)) for url in urls]
    except ExceptionGroup as failure:  # noqa: F821 - a builtin since 3.11, like TaskGroup
        first: BaseException = failure.exceptions[0]
        while isinstance(first, BaseExceptionGroup):  # noqa: F821
            first = first.exceptions[0]
        raise first from None
    return [task.result() for task in tasks]
