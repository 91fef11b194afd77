"""Mutant: a cheat that returns a list claiming to equal anything, running no query at all."""

from __future__ import annotations

import sqlite3
from typing import Any


class AlwaysEqual(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the five tables (empty). Already done for you."""


def task_summaries_slow(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The N+1 version."""
    return AlwaysEqual()


def task_summaries(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The same list as task_summaries_slow."""
    return AlwaysEqual()
