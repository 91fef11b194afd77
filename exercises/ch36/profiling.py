"""Chapter 36 exercise: measure before you optimise.

Profiling starts with a question: which code is slow, and by how much? Here you write the
same calculation twice, the sum of the first ``n`` squares (1² + 2² + ... + n²), once in
a deliberately naive way and once with a formula, and then a small timer that measures
which one is quicker.

    >>> sum_of_squares_slow(3)            # 1 + 4 + 9
    14
    >>> sum_of_squares_fast(3)
    14
    >>> sum_of_squares_fast(10**18)       # instant, and exact to the last digit
    333333333333333333833333333333333333500000000000000000
    >>> identify_faster(2000)
    'fast'

The three functions:

* ``sum_of_squares_slow(n)`` builds every square by repeated addition: for each ``i`` from
  1 to ``n`` it adds ``i`` to the total ``i`` times, with two nested Python ``for`` loops.
  That is about n²/2 additions: quadratic on purpose (the grader counts the loop steps
  for two sizes of ``n``, so keep both loops in Python; no ``i * i``, no ``sum`` of a range).
* ``sum_of_squares_fast(n)`` uses the closed form n(n + 1)(2n + 1) / 6 with integer
  arithmetic (``//``), so the answer is an exact ``int`` even for huge ``n``; with ``/``
  it would be a ``float``, which loses digits beyond about 2**53.
* ``identify_faster(n)`` times one call of each (``time.perf_counter()`` before and after
  is enough; ``timeit`` with a small ``number`` is fine too) and returns ``"fast"`` or
  ``"slow"``: the name of whichever finished sooner. Look the two functions up when
  ``identify_faster`` runs, as plain module-level names: the grader replaces them with
  stand-ins of known speed to check that your timer really measures.

Both sums take a whole number ``n >= 0``; the sum for ``n = 0`` is 0.

To see a profiler point at the slow code, try in a terminal::

    python -c "import cProfile, profiling; cProfile.run('profiling.identify_faster(3000)')"

and read the ``tottime`` (time inside the function itself) and ``cumtime`` (including
everything it called) columns.
"""

from __future__ import annotations

import time  # noqa: F401 - for task 3


def sum_of_squares_slow(n: int) -> int:
    """Return 1² + 2² + ... + n² by adding each ``i`` to the total ``i`` times.

    Two nested loops, about n²/2 steps: quadratic on purpose. ``n = 0`` gives 0.
    """
    # TODO (task 1): start a total at 0; for each i from 1 to n (inclusive!), add i to the
    # total i times with an inner loop. Return the total.
    raise NotImplementedError("sum_of_squares_slow is not written yet")


def sum_of_squares_fast(n: int) -> int:
    """Return 1² + 2² + ... + n² as an exact int with the formula n(n+1)(2n+1)//6."""
    # TODO (task 2): one line of integer arithmetic. Which division operator keeps an int?
    raise NotImplementedError("sum_of_squares_fast is not written yet")


def identify_faster(n: int) -> str:
    """Time ``sum_of_squares_slow(n)`` and ``sum_of_squares_fast(n)``; name the quicker one.

    Returns ``"fast"`` if ``sum_of_squares_fast`` took less time, otherwise ``"slow"``.
    Both functions are called through their module-level names at call time.
    """
    # TODO (task 3): read a clock (time.perf_counter()) before and after each call,
    # compare the two durations and return "fast" or "slow".
    raise NotImplementedError("identify_faster is not written yet")
