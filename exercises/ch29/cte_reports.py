"""Chapter 29 exercise: CTEs (WITH ...) for task trees and category reports.

A CTE (common table expression) gives a sub-query a name at the top of a statement, so
the rest of the statement can read it like a table, as often as it likes::

    WITH counts AS (SELECT ...)      -- name a step of the query
    SELECT ... FROM counts ...       -- then use it, once or several times

A *recursive* CTE refers to itself: a first SELECT (the anchor) gives the starting rows,
and a second SELECT, joined to the CTE, adds the next rows from the ones found so far,
again and again until it adds none. That walks a tree of any depth in ONE statement.

TaskForge tasks can have subtasks. The tables (``create_schema`` builds them)::

    CREATE TABLE categories (
        id   INTEGER PRIMARY KEY,
        name TEXT    NOT NULL UNIQUE
    );
    CREATE TABLE tasks (
        id          INTEGER PRIMARY KEY,
        title       TEXT    NOT NULL,
        priority    INTEGER NOT NULL,                  -- bigger number = more urgent
        category_id INTEGER REFERENCES categories(id), -- NULL: no category
        parent_id   INTEGER REFERENCES tasks(id)       -- NULL: a top-level task
    );

Parent links never form a cycle: following ``parent_id`` upwards from any task always
ends at a top-level task. Ids say nothing about the tree: a subtask may have a smaller id
than its parent.

Your three query functions take an open ``sqlite3.Connection``, never change the data,
and return plain lists of tuples (``fetchall()`` gives exactly that) in any order: the
grader compares them as collections.

1. ``subtree(conn, task_id)``: the task and everything below it, as
   ``(task_id, title, depth)``: depth 0 for the task itself, 1 for its subtasks, 2 for
   theirs, and so on. An id that does not exist gives ``[]``.
2. ``category_report(conn)``: one row per category, ``(name, task_count, avg_priority)``,
   INCLUDING categories that have no tasks: those have 0 tasks and ``None`` as average.
   The average is a float (2 and 3 average to 2.5, not 2). Tasks with no category are
   not counted anywhere.
3. ``above_average_categories(conn)``: ``(name, task_count)`` for the categories whose
   task count is strictly greater than the average task count of ALL categories (empty
   ones count as 0). A category exactly at the average is not above it.

How the grader knows you used CTEs: it records every SQL statement your function runs
on the connection (with ``conn.set_trace_callback``, so do not set one yourself), and
expects, after leading spaces and comments, at least one statement that starts with
``WITH RECURSIVE`` in ``subtree`` and one that starts with ``WITH`` in each of the two
reports. (SQLite lets you leave out the word RECURSIVE; the SQL standard and PostgreSQL
do not, so write it.) ``traced`` (given) shows you the same list of statements.

Try it with the sample data::

    >>> import sqlite3
    >>> conn = sqlite3.connect(":memory:")
    >>> create_schema(conn)
    >>> load_sample(conn)
    >>> sorted(subtree(conn, 2))
    [(2, 'Build API', 0), (3, 'Write endpoints', 1), (4, 'Add auth', 1)]
    >>> sorted(category_report(conn))
    [('Backend', 4, 4.25), ('Docs', 2, 1.5), ('Frontend', 2, 1.5), ('Ops', 0, None)]
    >>> above_average_categories(conn)
    [('Backend', 4)]
    >>> rows, statements = traced(conn, subtree, 7)
    >>> statements[0].lstrip().startswith("WITH RECURSIVE")
    True
"""

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
    # TODO (task 1): one WITH RECURSIVE statement. The anchor SELECTs the task itself with
    # depth 0; the recursive part SELECTs the tasks whose parent_id is an id already in
    # the CTE, with depth + 1. Pass task_id as a ? parameter and return fetchall().
    raise NotImplementedError("subtree is not written yet")


def category_report(conn: sqlite3.Connection) -> list[tuple[str, int, float | None]]:
    """One row per category: (name, task_count, avg_priority); any order.

    Categories without tasks are included with 0 and None. The average is a float.
    Tasks with no category are not counted. Use a CTE (a statement starting WITH).
    """
    # TODO (task 2): a CTE that counts and averages the tasks per category_id, then
    # LEFT JOIN categories to it so empty categories stay (0 tasks, None average).
    raise NotImplementedError("category_report is not written yet")


def above_average_categories(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """(name, task_count) of the categories with more tasks than the average category.

    The average is taken over ALL categories, empty ones counting 0; a category exactly
    at the average is left out. Any order. Use a CTE (a statement starting WITH).
    """
    # TODO (task 3): a CTE with every category's task count (0 for empty ones), read
    # twice: once for the rows, once in a sub-query for the average count.
    raise NotImplementedError("above_average_categories is not written yet")
