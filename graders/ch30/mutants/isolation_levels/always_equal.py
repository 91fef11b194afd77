"""Mutant: returns objects whose == is always True instead of real answers (a cheat)."""

from __future__ import annotations


class _AgreesSet(set):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


class _AgreesTuple(tuple):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


class _AgreesStr(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


def anomalies_prevented(level):
    """Pretend."""
    if level.lower() not in {"read_uncommitted", "read_committed", "repeatable_read",
                             "serializable"}:
        raise ValueError(level)
    return _AgreesSet()


def default_level(database):
    """Pretend."""
    if database.lower() not in {"postgresql", "mysql", "sqlite"}:
        raise ValueError(database)
    return _AgreesStr("read_committed")


def demonstrate_no_dirty_read(path, new_value):
    """Pretend."""
    return _AgreesTuple()


def demonstrate_rollback(path, new_value):
    """Pretend."""
    return _AgreesTuple()
