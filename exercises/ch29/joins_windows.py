"""Chapter 29 exercise: JOINs and window functions over TaskForge's tasks.

Two tables, built for you by ``create_schema``::

    CREATE TABLE categories (
        id   INTEGER PRIMARY KEY,
        name TEXT    NOT NULL UNIQUE
    );
    CREATE TABLE tasks (
        id          INTEGER PRIMARY KEY,
        title       TEXT    NOT NULL,
        priority    INTEGER NOT NULL,               -- bigger number = more urgent
        category_id INTEGER REFERENCES categories(id)  -- NULL: the task has no category
    );

Priority is a number on purpose. Stored as text ('high', 'low', 'medium'), it would sort
alphabetically, 'high' < 'low' < 'medium', which means nothing; and even digits stored as
text sort wrongly, because '10' < '9' when compared character by character. Keep it an
INTEGER and let ORDER BY compare numbers.

Write four query functions. Each takes an open ``sqlite3.Connection`` and returns a plain
list (or dict) built from the rows, NOT sqlite3.Row objects, and never changes the data:

1. ``categorised_tasks``: every task that HAS a category, with the category's name
   (an INNER JOIN). Rows: ``(task_id, title, category_name)``.
2. ``all_tasks``: every task, with its category's name or ``None`` when it has none
   (a LEFT JOIN). Rows: ``(task_id, title, category_name_or_None)``.
3. ``rank_tasks_in_categories``: every categorised task numbered within its own category,
   1 for the highest priority, 2 for the next... (``ROW_NUMBER()`` over a
   ``PARTITION BY`` the category). Tasks with no category are left out. Rows:
   ``(category_name, task_id, title, priority, position)``. Ties in priority are broken by
   task id, smaller id first, so the numbering is fully determined.
4. ``top_task_per_category``: ``{category_name: task_id}`` of the task numbered 1 in each
   category (a CTE around the window query is the tidy way). Categories without tasks do
   not appear.

The order of rows in the returned lists does not matter: the grader compares them as
collections. Try it in a REPL with the sample data::

    >>> import sqlite3
    >>> conn = sqlite3.connect(":memory:")
    >>> create_schema(conn)
    >>> load_sample(conn)
    >>> sorted(categorised_tasks(conn))[:2]
    [(1, 'Set up CI', 'Backend'), (2, 'Write API docs', 'Docs')]
    >>> (6, 'Triage inbox', None) in all_tasks(conn)
    True
    >>> for row in sorted(rank_tasks_in_categories(conn)):
    ...     if row[0] == 'Backend':
    ...         print(row)
    ('Backend', 1, 'Set up CI', 5, 1)
    ('Backend', 3, 'Fix login bug', 5, 2)
    ('Backend', 8, 'Cache CI deps', 4, 3)
    >>> top_task_per_category(conn) == {'Backend': 1, 'Frontend': 4, 'Docs': 7}
    True
"""

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
    # TODO (task 1): SELECT the task id, title and category name FROM tasks JOINed to
    # categories ON the category id, and return .fetchall() (a list of tuples).
    raise NotImplementedError("categorised_tasks is not written yet")


def all_tasks(conn: sqlite3.Connection) -> list[tuple[int, str, str | None]]:
    """Every task as (task_id, title, category_name), None when it has no category; any order."""
    # TODO (task 2): the same columns, but with a join that keeps tasks whose category_id
    # is NULL (their category name comes back as None).
    raise NotImplementedError("all_tasks is not written yet")


def rank_tasks_in_categories(conn: sqlite3.Connection) -> list[tuple[str, int, str, int, int]]:
    """Number the tasks of each category by priority, highest first (ties: smaller id first).

    Returns (category_name, task_id, title, priority, position) for every task that has a
    category; position starts at 1 in every category. Any order of rows.
    """
    # TODO (task 3): ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) AS position.
    # Restart the numbering in every category, put the most urgent task first, break ties
    # by task id, and leave out tasks that have no category.
    raise NotImplementedError("rank_tasks_in_categories is not written yet")


def top_task_per_category(conn: sqlite3.Connection) -> dict[str, int]:
    """{category_name: task_id} of each category's top task (position 1 in the ranking)."""
    # TODO (task 4): a window function cannot appear in WHERE. Put the ranking in a CTE
    # (WITH ranked AS (...)), keep the rows where position = 1, and build the dict.
    raise NotImplementedError("top_task_per_category is not written yet")
