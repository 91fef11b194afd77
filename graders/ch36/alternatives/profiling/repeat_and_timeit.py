"""Alternative: the inner loop walks itertools.repeat, the formula is split into two exact
divisions, and timing uses timeit with lambdas that look the names up when called."""

from __future__ import annotations

import itertools
import timeit


def sum_of_squares_slow(n: int) -> int:
    """Quadratic on purpose."""
    total = 0
    for i in range(n):
        for step in itertools.repeat(i + 1, i + 1):
            total += step
    return total


def sum_of_squares_fast(n: int) -> int:
    """n(n+1)/2 is a whole number; times (2n+1) it is divisible by 3."""
    return n * (n + 1) // 2 * (2 * n + 1) // 3


def identify_faster(n: int) -> str:
    """timeit one run of each."""
    fast = timeit.timeit(lambda: sum_of_squares_fast(n), number=1)
    slow = timeit.timeit(lambda: sum_of_squares_slow(n), number=1)
    return "fast" if fast < slow else "slow"
