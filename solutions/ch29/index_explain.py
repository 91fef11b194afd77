"""Chapter 29 exercise: add the right indexes, and prove it with EXPLAIN QUERY PLAN.

The tasks table (``create_schema`` builds it, ``fill`` adds sample rows)::

    CREATE TABLE tasks (
        id          INTEGER PRIMARY KEY,
        title       TEXT    NOT NULL,
        status      TEXT    NOT NULL,
        priority    INTEGER NOT NULL,
        category_id INTEGER,
        assignee_id INTEGER,
        created     TEXT    NOT NULL
    );

TaskForge runs three queries on it all the time (``QUERIES``, with example parameters in
``EXAMPLE_PARAMS``)::

    tasks_of_assignee   SELECT id, title FROM tasks WHERE assignee_id = ?
    urgent_in_category  SELECT id, title FROM tasks WHERE category_id = ? AND priority >= ?
    tasks_in_category   SELECT id, title FROM tasks WHERE category_id = ?

Without indexes, each of them reads the whole table. ``EXPLAIN QUERY PLAN <query>`` shows
SQLite's strategy: one row per step, whose last column, ``detail``, reads like::

    SCAN tasks                                              reads every row
    SEARCH tasks USING INDEX idx (category_id=?)            jumps into an index
    SEARCH tasks USING COVERING INDEX idx (category_id=?)   never touches the table
    SEARCH tasks USING INTEGER PRIMARY KEY (rowid=?)        jumps straight to one row
    SCAN tasks USING COVERING INDEX idx                     reads the WHOLE index
    USE TEMP B-TREE FOR ORDER BY                            sorts the result afterwards

Your tasks:

1. ``plan_for(conn, sql, params)``: the ``detail`` strings of the query's plan, in the order
   SQLite gives them. It must only EXPLAIN the statement, never run it.
2. ``uses_index(plan)``: True when the plan finds its rows through an index: at least one
   line starts with ``SEARCH`` and no line starts with ``SCAN`` (a ``SCAN ... USING
   COVERING INDEX`` still reads everything, so it counts as a scan). Lines starting with
   anything else (``USE TEMP B-TREE``, ``MULTI-INDEX OR``...) do not decide either way.
3. ``create_indexes(conn)``: the SMALLEST set of indexes (two) that turns all three
   queries into searches, with ``urgent_in_category`` using its index for BOTH of its
   conditions (the plan shows ``category_id=? AND priority>?``). Calling it twice must be
   harmless (``CREATE INDEX IF NOT EXISTS``), and the indexes must be committed.
4. ``index_prefix_used(index_columns, filter_columns)``: the leftmost-prefix rule as a
   function. A composite index is sorted by its first column, then by the second...
   like a phone book by surname, then first name. For a query filtering with ``=`` on
   ``filter_columns``, SQLite can use the leading index columns that are ALL filtered, up
   to the first one that is not; return how many. 0 means the index cannot be used at
   all, as for an index on (category_id, priority) and a filter on priority alone.

The grader runs EXPLAIN QUERY PLAN itself on the database your ``create_indexes`` changed,
so the plans cannot be faked. Try it::

    >>> import sqlite3
    >>> conn = sqlite3.connect(":memory:")
    >>> create_schema(conn)
    >>> fill(conn, 200)
    >>> plan_for(conn, QUERIES["tasks_in_category"], (3,))
    ['SCAN tasks']
    >>> create_indexes(conn)
    >>> uses_index(plan_for(conn, QUERIES["tasks_in_category"], (3,)))
    True
    >>> index_prefix_used(["category_id", "priority"], ["priority"])
    0
"""

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
    with conn:
        conn.execute("CREATE INDEX IF NOT EXISTS idx_tasks_assignee ON tasks (assignee_id)")
        # One composite index serves both category queries: (category_id) is its leftmost prefix.
        conn.execute(
            "CREATE INDEX IF NOT EXISTS idx_tasks_category_priority"
            " ON tasks (category_id, priority)"
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
