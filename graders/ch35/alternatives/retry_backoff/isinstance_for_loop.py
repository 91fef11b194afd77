"""Alternative: a for loop over attempt numbers catching everything and filtering with isinstance;
the ceiling via math.ldexp."""

from __future__ import annotations

import math
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
    """Try each attempt in turn; only retryable errors lead to a wait."""
    if attempts < 1:
        raise ValueError("attempts must be >= 1")
    for attempt in range(1, attempts + 1):
        try:
            result = func()
        except BaseException as error:
            if not isinstance(error, retry_on) or attempt == attempts:
                raise
            pause = backoff_delay(attempt, base_delay, max_delay, jitter, rng)
        else:
            return result
        sleep(pause)
    raise AssertionError("unreachable: the last attempt returns or raises")


def backoff_delay(
    failed_attempt: int,
    base_delay: float,
    max_delay: float | None,
    jitter: bool,
    rng: Callable[[], float],
) -> float:
    """base_delay doubled (failed_attempt - 1) times, capped, then scaled by rng()."""
    ceiling = math.ldexp(base_delay, failed_attempt - 1)
    if max_delay is not None:
        ceiling = min(ceiling, max_delay)
    return ceiling * rng() if jitter else ceiling
