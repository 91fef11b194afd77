"""Mutant: returns objects whose == is always True instead of real answers."""

from __future__ import annotations

WORKLOADS = {}


class _AgreesStr(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


class _AgreesList(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


def choose_model(workload):
    """Pretend to choose."""
    if workload in ("", "mine_bitcoin"):
        raise ValueError(workload)
    return _AgreesStr("async")


async def fetch_all(urls, fetch, limit):
    """Pretend to fetch."""
    if limit < 1:
        raise ValueError(limit)
    return _AgreesList()
