"""Alternative: no JOIN keyword and no window function: scalar and correlated subqueries count the
better tasks to get each position."""

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
    sql = """
        SELECT id, title, (SELECT name FROM categories WHERE categories.id = tasks.category_id)
        FROM tasks
        WHERE EXISTS (SELECT 1 FROM categories WHERE categories.id = tasks.category_id)
    """
    return [tuple(row) for row in conn.execute(sql)]


def all_tasks(conn: sqlite3.Connection) -> list[tuple[int, str, str | None]]:
    """Every task as (task_id, title, category_name), None when it has no category; any order."""
    sql = """
        SELECT id, title, (SELECT name FROM categories WHERE categories.id = tasks.category_id)
        FROM tasks
    """
    return [tuple(row) for row in conn.execute(sql)]


RANKED = """
    SELECT c.name, t.id, t.title, t.priority,
           1 + (SELECT COUNT(*) FROM tasks AS other
                WHERE other.category_id = t.category_id
                  AND (other.priority > t.priority
                       OR (other.priority = t.priority AND other.id < t.id))) AS position
    FROM tasks AS t, categories AS c
    WHERE c.id = t.category_id
"""


def rank_tasks_in_categories(conn: sqlite3.Connection) -> list[tuple[str, int, str, int, int]]:
    """Number the tasks of each category by priority, highest first (ties: smaller id first).

    Returns (category_name, task_id, title, priority, position) for every task that has a
    category; position starts at 1 in every category. Any order of rows.
    """
    return [tuple(row) for row in conn.execute(RANKED)]


def top_task_per_category(conn: sqlite3.Connection) -> dict[str, int]:
    """{category_name: task_id} of each category's top task (position 1 in the ranking)."""
    sql = f"SELECT name, id FROM ({RANKED}) WHERE position = 1"
    return {name: task_id for name, task_id in conn.execute(sql)}
