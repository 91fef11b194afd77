"""Alternative: range-based nested loops, the product formula, perf_counter timing."""

from __future__ import annotations

import time


def sum_of_squares_slow(n: int) -> int:
    """Add i to the total i times, for i = 1..n."""
    total = 0
    for i in range(1, n + 1):
        for _ in range(i):
            total += i
    return total


def sum_of_squares_fast(n: int) -> int:
    """Closed form."""
    return n * (n + 1) * (2 * n + 1) // 6


def identify_faster(n: int) -> str:
    """Time one call of each."""
    start = time.perf_counter()
    sum_of_squares_slow(n)
    slow = time.perf_counter() - start
    start = time.perf_counter()
    sum_of_squares_fast(n)
    fast = time.perf_counter() - start
    return "fast" if fast < slow else "slow"
