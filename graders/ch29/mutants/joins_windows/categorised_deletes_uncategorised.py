"""Mutant: categorised_tasks first DELETEs the tasks without a category (uncommitted), changing the data it should only read."""

from __future__ import annotations

import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS categories (
    id   INTEGER PRIMARY KEY,
    name TEXT    NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS tasks (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL,
    priority    INTEGER NOT NULL,
    category_id INTEGER REFERENCES categories(id)
);
"""

SAMPLE_CATEGORIES = ["Backend", "Frontend", "Docs", "Ops"]
SAMPLE_TASKS = [  # (title, priority, category name or None)
    ("Set up CI", 5, "Backend"),
    ("Write API docs", 2, "Docs"),
    ("Fix login bug", 5, "Backend"),
    ("Design dashboard", 3, "Frontend"),
    ("Add dark mode", 1, "Frontend"),
    ("Triage inbox", 2, None),
    ("Write CI docs", 3, "Docs"),
    ("Cache CI deps", 4, "Backend"),
]


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the categories and tasks tables (empty). Already done for you."""
    conn.executescript(SCHEMA)


def add_category(conn: sqlite3.Connection, name: str) -> int:
    """Insert a category and return its new id. Already done for you."""
    with conn:
        return conn.execute("INSERT INTO categories (name) VALUES (?)", (name,)).lastrowid


def add_task(
    conn: sqlite3.Connection, title: str, priority: int, category_id: int | None = None
) -> int:
    """Insert a task (category_id None for no category) and return its id. Already done."""
    with conn:
        return conn.execute(
            "INSERT INTO tasks (title, priority, category_id) VALUES (?, ?, ?)",
            (title, priority, category_id),
        ).lastrowid


def load_sample(conn: sqlite3.Connection) -> None:
    """Fill empty tables with the small sample used in the examples. Already done for you."""
    ids = {name: add_category(conn, name) for name in SAMPLE_CATEGORIES}
    for title, priority, category in SAMPLE_TASKS:
        add_task(conn, title, priority, ids[category] if category else None)


def categorised_tasks(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    """Every task that has a category, as (task_id, title, category_name); any order."""
    conn.execute("DELETE FROM tasks WHERE category_id IS NULL")
    return conn.execute(
        """
        SELECT t.id, t.title, c.name
        FROM tasks AS t
        JOIN categories AS c ON c.id = t.category_id
        """
    ).fetchall()


def all_tasks(conn: sqlite3.Connection) -> list[tuple[int, str, str | None]]:
    """Every task as (task_id, title, category_name), None when it has no category; any order."""
    return conn.execute(
        """
        SELECT t.id, t.title, c.name
        FROM tasks AS t
        LEFT JOIN categories AS c ON c.id = t.category_id
        """
    ).fetchall()


def rank_tasks_in_categories(conn: sqlite3.Connection) -> list[tuple[str, int, str, int, int]]:
    """Number the tasks of each category by priority, highest first (ties: smaller id first).

    Returns (category_name, task_id, title, priority, position) for every task that has a
    category; position starts at 1 in every category. Any order of rows.
    """
    return conn.execute(
        """
        SELECT c.name, t.id, t.title, t.priority,
               ROW_NUMBER() OVER (
                   PARTITION BY t.category_id
                   ORDER BY t.priority DESC, t.id ASC
               ) AS position
        FROM tasks AS t
        JOIN categories AS c ON c.id = t.category_id
        """
    ).fetchall()


def top_task_per_category(conn: sqlite3.Connection) -> dict[str, int]:
    """{category_name: task_id} of each category's top task (position 1 in the ranking)."""
    rows = conn.execute(
        """
        WITH ranked AS (
            SELECT t.category_id, t.id,
                   ROW_NUMBER() OVER (
                       PARTITION BY t.category_id
                       ORDER BY t.priority DESC, t.id ASC
                   ) AS position
            FROM tasks AS t
            WHERE t.category_id IS NOT NULL
        )
        SELECT c.name, ranked.id
        FROM ranked
        JOIN categories AS c ON c.id = ranked.category_id
        WHERE ranked.position = 1
        """
    ).fetchall()
    return dict(rows)
