"""Exact per-test points: each task's points split into binary fractions that add up exactly."""

from __future__ import annotations

import copy
from collections import defaultdict
from fractions import Fraction

from graders.manifest import Course
from graders.results import GradingResult, TestResult

# Sixteenths print with at most four decimals and are exact binary fractions, so JavaScript,
# Ruby and Python all add them without rounding error (1.3333 * 3 is not 4 in any of them).
UNIT = 16


def split_points(points: float, count: int) -> list[Fraction]:
    """Split ``points`` over ``count`` tests by largest remainder; earlier tests get the extra."""
    if count <= 0:
        return []
    denominator = UNIT
    total = Fraction(points).limit_denominator(1000)
    while total * denominator < count or (total * denominator).denominator != 1:
        denominator *= 2  # every test must be worth something, and units must be whole
        if denominator > 2**20:
            break
    units = total * denominator
    whole = int(units)
    base, extra = divmod(whole, count)
    shares = [Fraction(base + (1 if i < extra else 0), denominator) for i in range(count)]
    shares[-1] += total - sum(shares)  # only non-zero for points that are not binary fractions
    return shares


def _task_points(course: Course | None, tests: list[TestResult]) -> float:
    first = tests[0]
    exercise = course.exercise(first.exercise) if course else None
    task = exercise.task(first.task) if exercise and isinstance(first.task, int) else None
    if task is not None:
        return task.points
    return round(sum(t.max_points for t in tests), 2)


def rescore(result: GradingResult, course: Course | None) -> GradingResult:
    """A copy of ``result`` whose per-test points are exact shares of each task's points."""
    exact = copy.deepcopy(result)
    for entry in exact.exercises:
        groups: dict[object, list[TestResult]] = defaultdict(list)
        for test in entry.tests:
            groups[test.task].append(test)
        for task, tests in groups.items():
            if task is None:
                shares = [Fraction(0)] * len(tests)
            else:
                shares = split_points(_task_points(course, tests), len(tests))
            for test, share in zip(tests, shares, strict=True):
                test.max_points = float(share)
                test.points = float(share) if test.passed else 0.0
    return exact


def total(tests: list[TestResult]) -> float:
    """Exact sum of earned points (binary fractions add without error)."""
    return float(sum(Fraction(t.points) for t in tests))


def possible(tests: list[TestResult]) -> float:
    return float(sum(Fraction(t.max_points) for t in tests))


def show(value: float) -> str:
    """Points as people write them: 4, 1.5, 0.3125 (never 33.99990000000001)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text
