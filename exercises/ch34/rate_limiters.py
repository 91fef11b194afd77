"""Chapter 34 exercise: two rate limiters, a token bucket and a sliding window.

A public API has to protect itself from clients that send too much. When a client is over
its limit the server refuses the request with ``429 Too Many Requests`` and a
``Retry-After`` header saying how long to wait. You will write the two classic limiters.

    >>> now = [1000.0]                           # a clock you move by hand
    >>> bucket = TokenBucket(capacity=3, refill_rate=2.0, clock=lambda: now[0])
    >>> [bucket.allow() for _ in range(4)]        # starts full: a burst of 3, then no
    [True, True, True, False]
    >>> bucket.retry_after()                      # one token takes 1 / 2.0 s to grow
    0.5
    >>> now[0] += 0.25                            # half a token has grown back...
    >>> bucket.allow(), bucket.retry_after()      # ...not enough yet
    (False, 0.25)
    >>> now[0] += 0.25
    >>> bucket.allow()
    True

    >>> limiter = SlidingWindowLimiter(limit=2, window_seconds=10.0, clock=lambda: now[0])
    >>> limiter.allow(), limiter.allow(), limiter.allow()
    (True, True, False)
    >>> limiter.retry_after()
    10.0
    >>> now[0] += 10.0                            # both requests are now exactly 10 s old
    >>> limiter.allow()
    True

**Time** always comes from the ``clock`` you are given: a function returning seconds as a
float, like ``time.monotonic`` (the default). Call ``self.clock()`` whenever you need the
time and never the ``time`` module directly: the grader moves a fake clock by hand and
never sleeps.

**TokenBucket(capacity, refill_rate)**: the bucket holds up to ``capacity`` tokens and
starts full. Tokens grow back *continuously* at ``refill_rate`` tokens per second, and
never beyond ``capacity`` (a client idle for an hour still gets one burst of
``capacity``, not an hour's worth). Tokens are real numbers, not whole ones: after 0.25 s
at 2 tokens per second the bucket has gained half a token, and that half is kept and adds
up with later growth; never round it away. ``allow(cost)`` takes ``cost`` tokens and
returns True when at least ``cost`` are there; otherwise it returns False and takes
nothing (a refused request costs nothing). ``retry_after(cost)`` tells how long until
``allow(cost)`` would succeed, which is what a server puts in ``Retry-After`` (rounded up
to whole seconds there; you return the exact float).

**SlidingWindowLimiter(limit, window_seconds)** admits at most ``limit`` requests in *any*
stretch of ``window_seconds``. Use a *sliding log*: remember the time of every request you
admitted (refused requests are not remembered: they do not count). A request admitted at
time ``t`` counts while ``clock() - t < window_seconds``; at exactly ``window_seconds`` old
it no longer counts. A fixed window, which resets a counter at every whole minute, is not
enough: it admits ``limit`` requests just before the reset and ``limit`` more just after,
twice the limit within a second. The sliding log never does.

Settings must make sense, or the constructor raises ValueError: ``capacity`` and
``refill_rate`` above 0; ``limit`` at least 1 and ``window_seconds`` above 0. A ``cost``
must be above 0 and at most ``capacity`` (a bigger request could never pass), or
``allow`` and ``retry_after`` raise ValueError.

Your tasks:

1. ``TokenBucket.__init__`` and ``TokenBucket.allow``.
2. ``TokenBucket.retry_after``.
3. ``SlidingWindowLimiter.__init__`` and ``SlidingWindowLimiter.allow``.
4. ``SlidingWindowLimiter.retry_after``.
"""

from __future__ import annotations

import time
from collections import deque  # noqa: F401 - a good fit for the log
from collections.abc import Callable


class TokenBucket:
    """Allow bursts of up to ``capacity`` requests, refilled at ``refill_rate`` per second."""

    def __init__(
        self,
        capacity: float,
        refill_rate: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start full. Raise ValueError unless capacity > 0 and refill_rate > 0."""
        # TODO (task 1): check both settings, then keep them and the clock on self.
        # The bucket starts full: remember how many tokens it holds and when (clock())
        # you last brought that number up to date.
        raise NotImplementedError("TokenBucket.__init__ is not written yet")

    def allow(self, cost: float = 1) -> bool:
        """Take ``cost`` tokens and return True if there are enough; else return False.

        Tokens grown since the last call are added first (never beyond capacity). A refused
        request takes nothing. Raises ValueError unless 0 < cost <= capacity.
        """
        # TODO (task 1): check the cost; add the tokens grown since the last update
        # (seconds * refill_rate, capped at capacity, fractions kept); then take cost
        # tokens and return True, or take nothing and return False.
        raise NotImplementedError("TokenBucket.allow is not written yet")

    def retry_after(self, cost: float = 1) -> float:
        """Return the seconds (a float) until ``allow(cost)`` would return True.

        0.0 when it would succeed now; otherwise the time the missing tokens take to grow,
        ``(cost - tokens) / refill_rate``. Takes no tokens. Raises ValueError unless
        0 < cost <= capacity.
        """
        # TODO (task 2): check the cost and bring the tokens up to date as allow() does,
        # without taking any; return 0.0 or the time the missing tokens need to grow.
        raise NotImplementedError("TokenBucket.retry_after is not written yet")


class SlidingWindowLimiter:
    """Admit at most ``limit`` requests in any ``window_seconds``, using a sliding log."""

    def __init__(
        self,
        limit: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start with an empty log. Raise ValueError unless limit >= 1 and window_seconds > 0."""
        # TODO (task 3): check both settings, keep them and the clock on self, and create
        # the (empty) log of admitted times here, so every limiter has its own.
        raise NotImplementedError("SlidingWindowLimiter.__init__ is not written yet")

    def allow(self) -> bool:
        """Admit (remember the time, return True) if fewer than ``limit`` requests count now.

        A request admitted at ``t`` counts while ``clock() - t < window_seconds``. A refused
        request returns False and is not remembered.
        """
        # TODO (task 3): forget the admitted times that no longer count, then admit the
        # request (remember clock() and return True) if fewer than limit are left.
        raise NotImplementedError("SlidingWindowLimiter.allow is not written yet")

    def retry_after(self) -> float:
        """Return the seconds (a float) until ``allow()`` would return True.

        0.0 when it would admit now; otherwise the time until the oldest request that still
        counts stops counting. Admits nothing.
        """
        # TODO (task 4): forget what no longer counts; if the log is full, the oldest
        # remaining time t frees a place at t + window_seconds.
        raise NotImplementedError("SlidingWindowLimiter.retry_after is not written yet")
