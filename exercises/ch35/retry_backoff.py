"""Chapter 35 exercise: retry a flaky call with exponential backoff and full jitter.

``retry(func, ...)`` calls ``func()`` (no arguments) until it succeeds or the attempts run out:

* It makes at most ``attempts`` calls and returns the result of the FIRST call that does
  not raise (whatever that result is, ``None`` included). ``attempts`` below 1 is a
  ``ValueError``, raised before ``func`` is ever called.
* Only exceptions that are instances of a class in ``retry_on`` (subclasses included) are
  retried. Any other exception reaches the caller at once, unchanged, with no sleep: a
  ``ValueError`` from bad input will not get better by asking again.
* If the last attempt fails too, the exception of that LAST attempt reaches the caller,
  unchanged (the same object, not a copy or a wrapper). There is no sleep after it.
* Between two attempts it waits by calling ``sleep(delay)`` exactly once. The wait after
  failed attempt number ``n`` (counting from 1) is worked out like this::

      ceiling = base_delay * 2 ** (n - 1)         # 1, 2, 4, 8, ... times base_delay
      if max_delay is not None:
          ceiling = min(ceiling, max_delay)       # the cap applies BEFORE the jitter
      delay = rng() * ceiling if jitter else ceiling

  With ``jitter=True`` ("full jitter") every wait calls ``rng()`` once, for a fresh number
  in [0, 1), so that a crowd of clients that failed together spreads out instead of
  retrying in step. With ``jitter=False``, ``rng`` is not needed. ``backoff_delay`` computes
  one such wait; write it first, then use it in ``retry``.

``sleep`` and ``rng`` are parameters so that tests can pass a recorder and a scripted
random source and check every wait exactly, without waiting at all::

    >>> answers = iter([ConnectionError("down"), TimeoutError("slow"), "pong"])
    >>> def ping():
    ...     answer = next(answers)
    ...     if isinstance(answer, Exception):
    ...         raise answer
    ...     return answer
    >>> waits = []
    >>> retry(ping, attempts=5, base_delay=0.5, sleep=waits.append, rng=lambda: 0.5)
    'pong'
    >>> waits
    [0.25, 0.5]
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def retry(
    func: Callable[[], T],
    *,
    attempts: int = 3,
    base_delay: float = 1.0,
    max_delay: float | None = None,
    jitter: bool = True,
    retry_on: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError),
    sleep: Callable[[float], object] = time.sleep,
    rng: Callable[[], float] = random.random,
) -> T:
    """Call ``func()`` up to ``attempts`` times and return its first successful result.

    Waits ``backoff_delay(...)`` seconds (through ``sleep``) between attempts, retries only
    exceptions listed in ``retry_on``, and re-raises the last exception when every attempt
    failed. Raises ValueError if ``attempts`` is less than 1.
    """
    # TODO (task 2): refuse attempts < 1; then loop over the attempts, returning func()'s
    # result as soon as a call works. Between two attempts call
    # sleep(backoff_delay(n, base_delay, max_delay, jitter, rng)) for failed attempt n,
    # never after the last one; when the last attempt fails, re-raise its exception with
    # a bare `raise`, so the caller gets that very object.
    # TODO (task 3): catch only the classes in retry_on (`except retry_on:` does that);
    # every other exception must reach the caller at once.
    raise NotImplementedError("retry is not written yet")


def backoff_delay(
    failed_attempt: int,
    base_delay: float,
    max_delay: float | None,
    jitter: bool,
    rng: Callable[[], float],
) -> float:
    """The wait after failed attempt number ``failed_attempt`` (1, 2, ...), as documented."""
    # TODO (task 1): follow the formula in the module docstring: the doubling ceiling,
    # the cap (unless max_delay is None), then the jitter, with ONE rng() call.
    raise NotImplementedError("backoff_delay is not written yet")
