"""Mutant: cancels the other fetches but raises without awaiting them (they still run on).

Chapter 32 exercise: fan out many requests with asyncio, but never too many at once.

Waiting for the network costs no CPU, so one thread running an event loop can wait for
hundreds of answers at the same time. The danger is the opposite one: start 10,000
requests at once and the server (or your own file-descriptor limit) gives up. A
*concurrency limit* keeps at most ``limit`` requests in flight; as soon as one finishes,
the next one starts. ``asyncio.Semaphore(limit)`` is made for this.

``fetch_all`` receives the function that does one request, so you can try it with a fake::

    >>> import asyncio
    >>> async def fake_fetch(url):
    ...     await asyncio.sleep(0.01)
    ...     return url.upper()
    >>> asyncio.run(fetch_all(["a", "b", "c"], fake_fetch, limit=2))
    ['A', 'B', 'C']

Before that, a question the chapter keeps asking: which concurrency model fits which
job? ``choose_model`` answers it for the workloads in ``WORKLOADS``.

Your tasks:

1. ``choose_model``: "async", "threads" or "processes" for each workload.
2. ``fetch_all``: run the fetches concurrently, results in input order.
3. Never more than ``limit`` fetches in flight at once.
4. Fail fast: if a fetch raises, cancel the others and raise that exception.
"""

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
    """The concurrency model that fits a workload: "async", "threads" or "processes".

    ``workload`` is a key of ``WORKLOADS``; anything else raises ValueError. Think about
    what the work spends its time on (waiting for I/O, or computing), whether the GIL
    matters, and whether the workers must share memory. Where two models fit equally well,
    either answer is accepted.
    """
    answers = {
        "many_api_requests": "async",  # thousands of waits, one thread is enough
        "chat_server": "async",  # many idle connections: cheap coroutines, not threads
        "image_batch": "processes",  # CPU-bound: the GIL lets one thread compute at a time
        "number_crunching": "processes",
        "shared_cache": "threads",  # shared memory, protected by a lock
        "background_cleanup": "threads",  # a thread or a separate process both do
    }
    if workload not in answers:
        raise ValueError(f"unknown workload {workload!r}; choose one of {sorted(WORKLOADS)}")
    return answers[workload]


async def fetch_all(
    urls: Iterable[str],
    fetch: Callable[[str], Awaitable[Any]],
    limit: int,
) -> list[Any]:
    """Fetch every url with ``await fetch(url)``, at most ``limit`` at a time.

    * Returns a list of the results in the same order as ``urls`` (a url that appears
      twice is fetched twice), whatever order the fetches finish in.
    * Up to ``limit`` fetches run at the same time, never more; when one finishes, the
      next url starts at once (do not wait for a whole batch to finish).
    * Fail fast: if a fetch raises, cancel the fetches still running and raise that same
      exception (not wrapped in an ExceptionGroup). By the time ``fetch_all`` raises,
      every fetch it started has finished or been cancelled, and no other will start.

    Raises ValueError if ``limit`` is less than 1.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    semaphore = asyncio.Semaphore(limit)

    async def fetch_one(url: str) -> Any:
        async with semaphore:
            return await fetch(url)

    tasks = [asyncio.ensure_future(fetch_one(url)) for url in urls]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        raise
