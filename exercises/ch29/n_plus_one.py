"""Chapter 29 exercise: replace an N+1 query loop with one JOIN + GROUP BY.

TaskForge's task list page shows, for every task, its category, its assignee, and how many
labels and comments it has. The tables (``create_schema`` builds them)::

    categories  (id, name)
    users       (id, name)
    tasks       (id, title, category_id NULL, assignee_id NULL)
    task_labels (task_id, label)          -- PRIMARY KEY (task_id, label)
    comments    (id, task_id, body)

``task_summaries_slow`` (given, and correct) builds the page data the naive way: one query
for the list of tasks, then FOUR more queries for every task. With 200 tasks that is 801
round trips to the database, the classic N+1 problem.

Your task is ``task_summaries``: return exactly the same data, a list of dicts in task id
order::

    {"id": 3, "title": "Fix login bug", "category": "Backend", "assignee": "Brook",
     "labels": 2, "comments": 2}

(``category`` / ``assignee`` are None when the task has none; ``labels`` / ``comments``
are 0 when it has none), but with a CONSTANT number of queries: the same count for 5
tasks or 5,000. One SELECT that LEFT JOINs the related tables and GROUPs BY the task
does it. Watch two traps:

* joining two one-to-many tables (labels AND comments) multiplies the rows: a task with 3
  labels and 2 comments appears 3 x 2 = 6 times before grouping, so plain COUNTs say 6 and
  6. Count distinct things (``COUNT(DISTINCT ...)``) or count each table in its own
  subquery first;
* ``COUNT(*)`` counts the NULL-padded row a LEFT JOIN makes for a task with no labels;
  count a column of the joined table instead.

Use only the connection you are given: the grader counts the statements run on it.
``count_statements`` (given) counts them the same way::

    >>> import sqlite3
    >>> conn = sqlite3.connect(":memory:")
    >>> create_schema(conn)
    >>> load_sample(conn)
    >>> slow, statements = count_statements(conn, task_summaries_slow)
    >>> statements
    25
    >>> fast, statements = count_statements(conn, task_summaries)
    >>> fast == slow, statements
    (True, 1)
"""

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
    # TODO (task 1): ONE SELECT over tasks that LEFT JOINs categories and users, so tasks
    # without a category or assignee stay, ORDER BY the task id; build the same dicts.
    # TODO (task 2): also LEFT JOIN task_labels and comments, GROUP BY the task, and count
    # without double counting (the two joins multiply each other's rows).
    # TODO (task 3): check with count_statements: the number must not grow with the tasks.
    raise NotImplementedError("task_summaries is not written yet")
