"""Mutant: backoff_delay returns the wait as a str (f"{delay:.3f}") instead of a number."""

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
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    for attempt in range(1, attempts + 1):
        try:
            return func()
        except retry_on:
            if attempt == attempts:
                raise
        sleep(backoff_delay(attempt, base_delay, max_delay, jitter, rng))
    raise AssertionError("unreachable: the last attempt returns or raises")


def backoff_delay(
    failed_attempt: int,
    base_delay: float,
    max_delay: float | None,
    jitter: bool,
    rng: Callable[[], float],
) -> float:
    """The wait after failed attempt number ``failed_attempt`` (1, 2, ...), as documented."""
    ceiling = base_delay * 2 ** (failed_attempt - 1)
    if max_delay is not None:
        ceiling = min(ceiling, max_delay)
    return f"{rng() * ceiling if jitter else ceiling:.3f}"
