"""Mutant: returns objects whose == is always True instead of real numbers and names (a cheat)."""

from __future__ import annotations


class _AgreesWithEverything(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__


class _AgreeingText(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


def sum_of_squares_slow(n):
    """Pretend to add."""
    return _AgreesWithEverything(0)


def sum_of_squares_fast(n):
    """Pretend to use the formula."""
    return _AgreesWithEverything(0)


def identify_faster(n):
    """Pretend to measure."""
    return _AgreeingText("fast")
