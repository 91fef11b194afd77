"""Mutant: one query with count subqueries but no ORDER BY, so the rows come in storage order, not task id order."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    category_id INTEGER REFERENCES categories(id),
    assignee_id INTEGER REFERENCES users(id)
);
CREATE TABLE IF NOT EXISTS task_labels (
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    label   TEXT    NOT NULL,
    PRIMARY KEY (task_id, label)
);
CREATE TABLE IF NOT EXISTS comments (
    id      INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    body    TEXT    NOT NULL
);
"""


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the five tables (empty). Already done for you."""
    conn.executescript(SCHEMA)


def load_sample(conn: sqlite3.Connection) -> None:
    """Fill empty tables with six sample tasks. Already done for you."""
    with conn:
        conn.executemany(
            "INSERT INTO categories (id, name) VALUES (?, ?)", [(1, "Backend"), (2, "Frontend")]
        )
        conn.executemany("INSERT INTO users (id, name) VALUES (?, ?)", [(1, "Ada"), (2, "Brook")])
        conn.executemany(
            "INSERT INTO tasks (id, title, category_id, assignee_id) VALUES (?, ?, ?, ?)",
            [
                (1, "Set up CI", 1, 1),
                (2, "Design dashboard", 2, None),
                (3, "Fix login bug", 1, 2),
                (4, "Triage inbox", None, 1),
                (5, "Add dark mode", 2, 2),
                (6, "Write docs", None, None),
            ],
        )
        conn.executemany(
            "INSERT INTO task_labels (task_id, label) VALUES (?, ?)",
            [(1, "infra"), (3, "bug"), (3, "urgent"), (5, "ui")],
        )
        conn.executemany(
            "INSERT INTO comments (task_id, body) VALUES (?, ?)",
            [(3, "Repro on Safari"), (3, "Fixed?"), (4, "Weekly"), (1, "Green")],
        )


def task_summaries_slow(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The N+1 version: correct, but 1 + 4 queries per task. Already done for you."""
    summaries = []
    tasks = conn.execute(
        "SELECT id, title, category_id, assignee_id FROM tasks ORDER BY id"
    ).fetchall()
    for task_id, title, category_id, assignee_id in tasks:
        category = conn.execute(
            "SELECT name FROM categories WHERE id = ?", (category_id,)
        ).fetchone()
        assignee = conn.execute("SELECT name FROM users WHERE id = ?", (assignee_id,)).fetchone()
        (labels,) = conn.execute(
            "SELECT COUNT(*) FROM task_labels WHERE task_id = ?", (task_id,)
        ).fetchone()
        (comments,) = conn.execute(
            "SELECT COUNT(*) FROM comments WHERE task_id = ?", (task_id,)
        ).fetchone()
        summaries.append(
            {
                "id": task_id,
                "title": title,
                "category": category[0] if category else None,
                "assignee": assignee[0] if assignee else None,
                "labels": labels,
                "comments": comments,
            }
        )
    return summaries


def count_statements(conn: sqlite3.Connection, function: Callable[[sqlite3.Connection], Any]):
    """Run ``function(conn)``; return (its result, how many SQL statements it ran). Given."""
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        result = function(conn)
    finally:
        conn.set_trace_callback(None)
    return result, len(statements)


def task_summaries(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The same list as task_summaries_slow, in task id order, from a constant number of queries."""
    rows = conn.execute(
        """
        SELECT t.id, t.title, c.name, u.name,
               (SELECT COUNT(*) FROM task_labels AS l WHERE l.task_id = t.id),
               (SELECT COUNT(*) FROM comments AS m WHERE m.task_id = t.id)
        FROM tasks AS t
        LEFT JOIN categories AS c ON c.id = t.category_id
        LEFT JOIN users AS u ON u.id = t.assignee_id
        """
    ).fetchall()
    keys = ("id", "title", "category", "assignee", "labels", "comments")
    return [dict(zip(keys, row, strict=True)) for row in rows]
