"""Mutant: captures the two functions at import time, so identify_faster ignores any replacement."""

from __future__ import annotations

import time


def sum_of_squares_slow(n: int) -> int:
    """Return 1² + 2² + ... + n² by adding each ``i`` to the total ``i`` times.

    Two nested loops, about n²/2 steps: quadratic on purpose. ``n = 0`` gives 0.
    """
    total = 0
    for i in range(1, n + 1):
        for _ in range(i):
            total += i
    return total


def sum_of_squares_fast(n: int) -> int:
    """Return 1² + 2² + ... + n² as an exact int with the formula n(n+1)(2n+1)//6."""
    return n * (n + 1) * (2 * n + 1) // 6


_TIMED = {}


def identify_faster(n: int) -> str:
    """Time ``sum_of_squares_slow(n)`` and ``sum_of_squares_fast(n)``; name the quicker one.

    Returns ``"fast"`` if ``sum_of_squares_fast`` took less time, otherwise ``"slow"``.
    Both functions are called through their module-level names at call time.
    """
    started = time.perf_counter()
    _TIMED['slow'](n)
    slow_seconds = time.perf_counter() - started
    started = time.perf_counter()
    _TIMED['fast'](n)
    fast_seconds = time.perf_counter() - started
    return "fast" if fast_seconds < slow_seconds else "slow"


_TIMED.update(slow=sum_of_squares_slow, fast=sum_of_squares_fast)
