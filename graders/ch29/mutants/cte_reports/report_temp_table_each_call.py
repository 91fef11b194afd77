"""Mutant: category_report materialises its step with CREATE TEMP TABLE, so a second call on the same connection fails."""

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
    """The task and all its descendants as (task_id, title, depth); any order.

    Depth is 0 for the task itself, 1 for its direct subtasks, and so on. An unknown
    ``task_id`` gives []. Use one recursive CTE (a statement starting WITH RECURSIVE).
    """
    return conn.execute(
        """
        WITH RECURSIVE tree (id, title, depth) AS (
            SELECT id, title, 0 FROM tasks WHERE id = ?
            UNION ALL
            SELECT child.id, child.title, tree.depth + 1
            FROM tasks AS child
            JOIN tree ON child.parent_id = tree.id
        )
        SELECT id, title, depth FROM tree
        """,
        (task_id,),
    ).fetchall()


def category_report(conn: sqlite3.Connection) -> list[tuple[str, int, float | None]]:
    """One row per category: (name, task_count, avg_priority); any order.

    Categories without tasks are included with 0 and None. The average is a float.
    Tasks with no category are not counted. Use a CTE (a statement starting WITH).
    """
    conn.execute(
        """
        CREATE TEMP TABLE stats AS
            SELECT category_id, COUNT(*) AS task_count, AVG(priority) AS avg_priority
            FROM tasks
            WHERE category_id IS NOT NULL
            GROUP BY category_id
        """
    )
    return conn.execute(
        """
        WITH per_category AS (SELECT * FROM stats)
        SELECT c.name, COALESCE(p.task_count, 0), p.avg_priority
        FROM categories AS c
        LEFT JOIN per_category AS p ON p.category_id = c.id
        """
    ).fetchall()


def above_average_categories(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """(name, task_count) of the categories with more tasks than the average category.

    The average is taken over ALL categories, empty ones counting 0; a category exactly
    at the average is left out. Any order. Use a CTE (a statement starting WITH).
    """
    return conn.execute(
        """
        WITH counts AS (
            SELECT c.name, COUNT(t.id) AS task_count
            FROM categories AS c
            LEFT JOIN tasks AS t ON t.category_id = c.id
            GROUP BY c.id
        )
        SELECT name, task_count
        FROM counts
        WHERE task_count > (SELECT AVG(task_count) FROM counts)
        """
    ).fetchall()
