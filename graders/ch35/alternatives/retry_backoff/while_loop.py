"""Alternative: a while loop that counts attempts, `except retry_on` with a bare raise."""

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
    """Call func until it works, waiting between attempts."""
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    failed = 0
    while True:
        try:
            return func()
        except retry_on:
            failed += 1
            if failed >= attempts:
                raise
        sleep(backoff_delay(failed, base_delay, max_delay, jitter, rng))


def backoff_delay(
    failed_attempt: int,
    base_delay: float,
    max_delay: float | None,
    jitter: bool,
    rng: Callable[[], float],
) -> float:
    """The doubling ceiling, capped, then jittered."""
    ceiling = base_delay * 2 ** (failed_attempt - 1)
    if max_delay is not None and ceiling > max_delay:
        ceiling = max_delay
    if not jitter:
        return ceiling
    return rng() * ceiling
