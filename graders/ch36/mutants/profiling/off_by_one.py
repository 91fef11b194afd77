"""Mutant: loops over range(n) instead of range(1, n + 1), so the n-th square is missing."""

from __future__ import annotations

import time


def sum_of_squares_slow(n: int) -> int:
    """Return 1² + 2² + ... + n² by adding each ``i`` to the total ``i`` times.

    Two nested loops, about n²/2 steps: quadratic on purpose. ``n = 0`` gives 0.
    """
    total = 0
    for i in range(n):
        for _ in range(i):
            total += i
    return total


def sum_of_squares_fast(n: int) -> int:
    """Return 1² + 2² + ... + n² as an exact int with the formula n(n+1)(2n+1)//6."""
    return n * (n + 1) * (2 * n + 1) // 6


def identify_faster(n: int) -> str:
    """Time ``sum_of_squares_slow(n)`` and ``sum_of_squares_fast(n)``; name the quicker one.

    Returns ``"fast"`` if ``sum_of_squares_fast`` took less time, otherwise ``"slow"``.
    Both functions are called through their module-level names at call time.
    """
    started = time.perf_counter()
    sum_of_squares_slow(n)
    slow_seconds = time.perf_counter() - started
    started = time.perf_counter()
    sum_of_squares_fast(n)
    fast_seconds = time.perf_counter() - started
    return "fast" if fast_seconds < slow_seconds else "slow"
