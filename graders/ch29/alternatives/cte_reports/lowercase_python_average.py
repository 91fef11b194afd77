"""Alternative: lowercase SQL after a leading comment, UNION in the recursive CTE,
correlated sub-queries for the report (average computed in Python), and the
above-average test done exactly with integers in Python."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS categories (
    id   INTEGER PRIMARY KEY,
    name TEXT    NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS tasks (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL,
    priority    INTEGER NOT NULL,
    category_id INTEGER REFERENCES categories(id),
    parent_id   INTEGER REFERENCES tasks(id)
);
"""

SAMPLE_CATEGORIES = ["Backend", "Frontend", "Docs", "Ops"]
SAMPLE_TASKS = [  # (id, title, priority, category name or None, parent id or None)
    (1, "Launch v2", 5, "Backend", None),
    (2, "Build API", 4, "Backend", 1),
    (3, "Write endpoints", 3, "Backend", 2),
    (4, "Add auth", 5, "Backend", 2),
    (5, "Design pages", 2, "Frontend", 1),
    (6, "Pick colours", 1, "Frontend", 5),
    (7, "Write guide", 2, "Docs", None),
    (8, "Proofread", 1, "Docs", 7),
    (9, "Triage inbox", 3, None, None),
]


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the categories and tasks tables (empty). Already done for you."""
    conn.executescript(SCHEMA)


def add_category(conn: sqlite3.Connection, name: str) -> int:
    """Insert a category and return its new id. Already done for you."""
    with conn:
        return conn.execute("INSERT INTO categories (name) VALUES (?)", (name,)).lastrowid


def add_task(
    conn: sqlite3.Connection,
    title: str,
    priority: int,
    category_id: int | None = None,
    parent_id: int | None = None,
    task_id: int | None = None,
) -> int:
    """Insert a task and return its id (given ``task_id``, or a new one). Already done."""
    with conn:
        return conn.execute(
            "INSERT INTO tasks (id, title, priority, category_id, parent_id)"
            " VALUES (?, ?, ?, ?, ?)",
            (task_id, title, priority, category_id, parent_id),
        ).lastrowid


def load_sample(conn: sqlite3.Connection) -> None:
    """Fill empty tables with the sample used in the examples. Already done for you."""
    ids = {name: add_category(conn, name) for name in SAMPLE_CATEGORIES}
    for task_id, title, priority, category, parent in SAMPLE_TASKS:
        add_task(conn, title, priority, ids.get(category), parent, task_id)


def traced(conn: sqlite3.Connection, func: Callable[..., Any], *args: Any) -> tuple[Any, list]:
    """Call ``func(conn, *args)`` and return (its result, the SQL statements it ran).

    Already done for you: the grader records statements the same way.
    """
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        result = func(conn, *args)
    finally:
        conn.set_trace_callback(None)
    return result, statements


def subtree(conn: sqlite3.Connection, task_id: int) -> list[tuple[int, str, int]]:
    """The task and all its descendants as (task_id, title, depth); any order."""
    cursor = conn.execute(
        """
        -- every task below the root, one level per round
        with recursive below(id, title, depth) as (
            select id, title, 0 from tasks where id = ?
            union
            select tasks.id, tasks.title, below.depth + 1
            from tasks, below
            where tasks.parent_id = below.id
        )
        select * from below
        """,
        (task_id,),
    )
    return [(row[0], row[1], row[2]) for row in cursor]


def category_report(conn: sqlite3.Connection) -> list[tuple[str, int, float | None]]:
    """One row per category: (name, task_count, avg_priority); any order."""
    rows = conn.execute(
        """
        /* one row per category, measured by correlated sub-queries */
        with per_category as (
            select c.name as name,
                   (select count(*) from tasks t where t.category_id = c.id) as n,
                   (select sum(t.priority) from tasks t where t.category_id = c.id) as total
            from categories c
        )
        select name, n, total from per_category
        """
    ).fetchall()
    return [(name, n, total / n if n else None) for name, n, total in rows]


def above_average_categories(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """(name, task_count) of the categories with more tasks than the average category."""
    counts = conn.execute(
        """
        with task_counts as (
            select category_id, count(*) as n from tasks
            where category_id is not null group by category_id
        )
        select c.name, coalesce(task_counts.n, 0)
        from categories c left join task_counts on task_counts.category_id = c.id
        """
    ).fetchall()
    # Compare count * number_of_categories with the total: exact, no float rounding.
    total = sum(n for _, n in counts)
    return [(name, n) for name, n in counts if n * len(counts) > total]
