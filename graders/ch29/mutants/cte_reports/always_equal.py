"""Mutant: returns objects whose == is always True instead of real rows (a cheat)."""

from __future__ import annotations

import sqlite3


class _AgreesWithEverything(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


def create_schema(conn):
    """Create the categories and tasks tables (empty). Already done for you."""


def subtree(conn: sqlite3.Connection, task_id: int):
    """Pretend to walk the tree, after running a statement that starts WITH RECURSIVE."""
    conn.execute("WITH RECURSIVE x(n) AS (SELECT 1) SELECT n FROM x").fetchall()
    return _AgreesWithEverything()


def category_report(conn: sqlite3.Connection):
    """Pretend to report."""
    conn.execute("WITH x(n) AS (SELECT 1) SELECT n FROM x").fetchall()
    return _AgreesWithEverything()


def above_average_categories(conn: sqlite3.Connection):
    """Pretend to report."""
    conn.execute("WITH x(n) AS (SELECT 1) SELECT n FROM x").fetchall()
    return _AgreesWithEverything()
