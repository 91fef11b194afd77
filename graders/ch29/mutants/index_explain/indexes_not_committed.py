"""Mutant: create_indexes never commits, so inside a caller's open transaction the indexes are rolled back."""

from __future__ import annotations

import random
import sqlite3

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
    rows = conn.execute("EXPLAIN QUERY PLAN " + sql, tuple(params)).fetchall()
    return [row[3] for row in rows]


def uses_index(plan: list[str]) -> bool:
    """True when some line starts with SEARCH and no line starts with SCAN."""
    searches = any(line.startswith("SEARCH") for line in plan)
    scans = any(line.startswith("SCAN") for line in plan)
    return searches and not scans


def create_indexes(conn: sqlite3.Connection) -> None:
    """Create (and commit) the two indexes that make all three QUERIES search; safe to repeat."""
    conn.execute("CREATE INDEX IF NOT EXISTS idx_tasks_assignee ON tasks (assignee_id)")
    # One composite index serves both category queries: (category_id) is its leftmost prefix.
    conn.execute(
        "CREATE INDEX IF NOT EXISTS idx_tasks_category_priority ON tasks (category_id, priority)"
    )


def index_prefix_used(index_columns: list[str], filter_columns: list[str]) -> int:
    """How many leading columns of an index on ``index_columns`` an equality filter can use.

    ``filter_columns`` are the columns a query compares with ``=`` (in any order). The count
    stops at the first index column that is not filtered; 0 means the index is useless here.
    """
    filtered = set(filter_columns)
    used = 0
    for column in index_columns:
        if column not in filtered:
            break
        used += 1
    return used
