"""Alternative: tuple-unpacked plan rows, regex line starts, one executescript (which commits)
for both indexes, and itertools.takewhile over a frozenset."""

from __future__ import annotations

import random
import re
import sqlite3
from itertools import takewhile

SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    priority    INTEGER NOT NULL,
    category_id INTEGER,
    assignee_id INTEGER,
    created     TEXT    NOT NULL
);
"""

# The three queries create_indexes must speed up, with example parameters.
QUERIES = {
    "tasks_of_assignee": "SELECT id, title FROM tasks WHERE assignee_id = ?",
    "urgent_in_category": "SELECT id, title FROM tasks WHERE category_id = ? AND priority >= ?",
    "tasks_in_category": "SELECT id, title FROM tasks WHERE category_id = ?",
}
EXAMPLE_PARAMS = {
    "tasks_of_assignee": (7,),
    "urgent_in_category": (3, 4),
    "tasks_in_category": (3,),
}


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the tasks table (no indexes yet). Already done for you."""
    conn.executescript(SCHEMA)


def fill(conn: sqlite3.Connection, n: int = 1000, seed: int = 29) -> None:
    """Insert ``n`` made-up tasks (the same ones for the same seed). Already done for you."""
    rng = random.Random(seed)
    rows = [
        (
            f"task {i}",
            rng.choice(["todo", "doing", "done"]),
            rng.randint(1, 5),
            rng.randint(1, 20),
            rng.choice([None, *range(1, 30)]),
            f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        )
        for i in range(n)
    ]
    with conn:
        conn.executemany(
            "INSERT INTO tasks (title, status, priority, category_id, assignee_id, created)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )


def plan_for(conn: sqlite3.Connection, sql: str, params: tuple | list = ()) -> list[str]:
    """The detail strings of ``EXPLAIN QUERY PLAN sql``, in order (the query itself never runs)."""
    cursor = conn.execute("EXPLAIN QUERY PLAN " + sql, tuple(params))
    details = []
    for _node, _parent, _unused, detail in cursor:
        details.append(detail)
    return details


def uses_index(plan: list[str]) -> bool:
    """True when some line starts with SEARCH and no line starts with SCAN."""
    searches = [line for line in plan if re.match(r"SEARCH\b", line)]
    scans = [line for line in plan if re.match(r"SCAN\b", line)]
    return bool(searches) and not scans


def create_indexes(conn: sqlite3.Connection) -> None:
    """Create (and commit) the two indexes that make all three QUERIES search; safe to repeat."""
    conn.executescript(
        """
        CREATE INDEX IF NOT EXISTS ix_assignee ON tasks (assignee_id);
        CREATE INDEX IF NOT EXISTS ix_category_priority ON tasks (category_id, priority);
        """
    )


def index_prefix_used(index_columns: list[str], filter_columns: list[str]) -> int:
    """How many leading columns of an index on ``index_columns`` an equality filter can use.

    ``filter_columns`` are the columns a query compares with ``=`` (in any order). The count
    stops at the first index column that is not filtered; 0 means the index is useless here.
    """
    filtered = frozenset(filter_columns)
    return len(list(takewhile(filtered.__contains__, index_columns)))
