"""Grader for ch36/profiling: a quadratic sum, its closed form, and a timer that measures.

* Exact answers are checked against the formula computed here, in the judge.
* "Quadratic" is checked without a stopwatch: the act counts the trace events
  (``sys.settrace``) that the learner's own code produces for two sizes of ``n``; doubling
  ``n`` must roughly quadruple them (a single loop only doubles them).
* ``identify_faster`` is checked with stand-ins: the act swaps the module's two functions
  for fakes, one instant and one that busy-waits for 150 ms (seen by every clock, CPU clocks
  included), in both orders. A timer that really measures answers right both times; one that
  always says "fast", or that kept its own references to the originals, cannot.
"""

from __future__ import annotations

import random
import sys
import time

import pytest

from graders.acts import attempt
from graders.harness import GradeFailure, Outcome

EXERCISE = "ch36/profiling"
DELAY = 0.15  # seconds the slow stand-in busy-waits: far above any scheduling hiccup


def squares(n: int) -> int:
    return n * (n + 1) * (2 * n + 1) // 6


# -- acts: run inside the sandbox, next to the learner's code ----------------------
def act_count_steps(module, n):
    """Run sum_of_squares_slow(n), counting trace events in the learner's own file."""
    learner_file = module.__file__
    steps = 0

    def tracer(frame, event, arg):
        nonlocal steps
        if frame.f_code.co_filename != learner_file:
            return None
        steps += 1
        return tracer

    sys.settrace(tracer)
    try:
        record = attempt(module.sum_of_squares_slow, n)
    finally:
        sys.settrace(None)
    record["steps"] = steps
    return record


def act_sums(module, name, ns):
    """Call one of the two sums on every n (each test checks ONE function, so a mistake in
    the other one costs nothing here)."""
    return [attempt(getattr(module, name), n) for n in ns]


def _busy_wait(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def act_identify_with_stand_ins(module, n, slow_one):
    """Replace both sums with fakes; the one named by ``slow_one`` busy-waits."""
    calls = {"sum_of_squares_slow": [], "sum_of_squares_fast": []}

    def stand_in(name):
        def fake(k):
            calls[name].append(k)
            if name == slow_one:
                _busy_wait(DELAY)
            return k * (k + 1) * (2 * k + 1) // 6

        return fake

    module.sum_of_squares_slow = stand_in("sum_of_squares_slow")
    module.sum_of_squares_fast = stand_in("sum_of_squares_fast")
    record = attempt(module.identify_faster, n)
    record["calls"] = calls
    return record


# -- task 1: the slow sum ------------------------------------------------------------
@pytest.mark.task(1)
@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 57, 300])
def test_slow_sum_is_exact(learner, n):
    """sum_of_squares_slow(n) returns the exact int 1² + ... + n²"""
    learner.call("sum_of_squares_slow", n).expect(
        squares(n), note="i runs from 1 to n inclusive: range(1, n + 1)"
    )


@pytest.mark.task(1)
def test_slow_sum_is_quadratic(learner):
    """sum_of_squares_slow does quadratic work: doubling n about quadruples its loop steps"""
    counts = {}
    for n in (60, 120):
        call = f"sum_of_squares_slow({n}) (counting its loop steps)"
        record = learner.run(act_count_steps, n, call=call).value()
        Outcome.from_attempt(call, record).expect(squares(n))
        counts[n] = record["steps"]
    ratio = counts[120] / max(counts[60], 1)
    if ratio < 3.0:
        raise GradeFailure(
            "Called:   sum_of_squares_slow(60), then sum_of_squares_slow(120)\n"
            f"Got:      {counts[60]} and {counts[120]} steps in your code (x{ratio:.1f})\n"
            "Expected: about 4 times as many steps for twice the n (quadratic work)\n"
            "Why:      the slow version adds i to the total i times with an inner Python "
            "loop; computing i * i directly makes it linear, and there is nothing to profile"
        )


# -- task 2: the closed form ----------------------------------------------------------
@pytest.mark.task(2)
@pytest.mark.parametrize("n", [0, 1, 2, 10, 300, 10**6])
def test_fast_sum_small_and_medium(learner, n):
    """sum_of_squares_fast(n) returns the exact int n(n+1)(2n+1)//6"""
    learner.call("sum_of_squares_fast", n).expect(
        squares(n), note="use // so the result stays an int (/ always gives a float)"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize("n", [10**18, 2**64 + 3, 10**40 + 7])
def test_fast_sum_is_exact_for_huge_n(learner, n):
    """sum_of_squares_fast stays exact for huge n (a float would lose digits)"""
    learner.call("sum_of_squares_fast", n).expect(
        squares(n),
        note="a float holds about 16 significant digits; only integer arithmetic "
        "(multiply first, then //) is exact here",
    )


def expect_sums(learner, name, ns, note):
    records = learner.run(act_sums, name, ns, call=f"{name}(n) for {len(ns)} values of n")
    for n, record in zip(ns, records.value(), strict=True):
        Outcome.from_attempt(f"{name}({n})", record).expect(squares(n), note=note)


@pytest.mark.task(1)
def test_slow_sum_for_every_n_up_to_forty(learner):
    """sum_of_squares_slow(n) is exact for every n from 0 to 40"""
    expect_sums(learner, "sum_of_squares_slow", list(range(41)), "i runs from 1 to n inclusive")


@pytest.mark.task(2)
def test_fast_agrees_with_the_formula(learner):
    """sum_of_squares_fast(n) is exact for every n from 0 to 40 and for 60 seeded large n"""
    rng = random.Random(36)
    ns = list(range(41)) + sorted(rng.randint(41, 10 ** rng.randint(2, 30)) for _ in range(60))
    expect_sums(
        learner,
        "sum_of_squares_fast",
        ns,
        "n(n + 1)(2n + 1) // 6 in integer arithmetic: multiply first, then //",
    )


# -- task 3: the timer ------------------------------------------------------------------
def identify_with(learner, n, slow_one):
    call = (
        f"identify_faster({n}) with {slow_one} replaced by a stand-in that takes "
        f"{DELAY * 1000:.0f} ms and the other by an instant one"
    )
    record = learner.run(act_identify_with_stand_ins, n, slow_one, call=call).value()
    outcome = Outcome.from_attempt(call, record)
    return outcome, record["calls"]


def expect_both_called(outcome, calls, n):
    for name, args in calls.items():
        if not args or any(arg != n for arg in args):
            raise outcome.fail(
                f"both functions called with n={n}",
                got=f"Then:     {name} was called with {args}"
                if args
                else f"Then:     {name} was never called",
                note="look the two functions up by their module-level names when "
                "identify_faster runs, and call each one with n",
            )


@pytest.mark.task(3)
def test_identify_faster_when_slow_is_slow(learner):
    """with a slow stand-in for sum_of_squares_slow, identify_faster says "fast\""""
    outcome, calls = identify_with(learner, 25, "sum_of_squares_slow")
    outcome.expect("fast", note="return the name of the function that took LESS time")
    expect_both_called(outcome, calls, 25)


@pytest.mark.task(3)
def test_identify_faster_really_measures(learner):
    """when the "fast" function is the slow one, identify_faster says "slow" (it measured)"""
    outcome, calls = identify_with(learner, 25, "sum_of_squares_fast")
    outcome.expect(
        "slow",
        note="the answer must come from the measurement, not from the names; and the "
        "functions must be looked up when identify_faster runs, not saved at import",
    )
    expect_both_called(outcome, calls, 25)
