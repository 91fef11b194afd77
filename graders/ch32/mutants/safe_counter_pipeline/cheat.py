"""Mutant: returns objects whose == is always True instead of real counts and results."""

from __future__ import annotations


class _AgreesInt(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__


class _AgreesList(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


class ThreadSafeCounter:
    """Pretend to count."""

    def __init__(self, start=0):
        self._value = start

    def increment(self, amount=1):
        return _AgreesInt(0)

    @property
    def value(self):
        return _AgreesInt(0)


def run_pipeline(items, worker_fn, workers=4, queue_size=8):
    """Pretend to run a pipeline."""
    if workers < 1 or queue_size < 1:
        raise ValueError("sizes")
    return _AgreesList()
