"""Grader for ch29/n_plus_one: the same task summaries from a constant number of queries.

The act builds an in-memory database from the judge's data (so no second connection can
reach it), installs a statement counter with ``set_trace_callback`` on the connection it
hands to ``task_summaries``, and reports the result and the count. The expected result is
computed here by the grader's own copy of the N+1 version, on its own copy of the data.
"""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from contextlib import closing
from typing import Any

import pytest

from graders.acts import attempt
from graders.expectations import same, show
from graders.harness import GradeFailure, Learner, Outcome

EXERCISE = "ch29/n_plus_one"
CALL = "task_summaries(conn)"
PROBE = "SELECT 'grader probe: is the statement counter still on?'"

SCHEMA = """
CREATE TABLE categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT NOT NULL,
                    category_id INTEGER REFERENCES categories(id),
                    assignee_id INTEGER REFERENCES users(id));
CREATE TABLE task_labels (task_id INTEGER NOT NULL REFERENCES tasks(id), label TEXT NOT NULL,
                          PRIMARY KEY (task_id, label));
CREATE TABLE comments (id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL REFERENCES tasks(id),
                       body TEXT NOT NULL);
"""
TABLES = {
    "categories": "INSERT INTO categories (id, name) VALUES (?, ?)",
    "users": "INSERT INTO users (id, name) VALUES (?, ?)",
    "tasks": "INSERT INTO tasks (id, title, category_id, assignee_id) VALUES (?, ?, ?, ?)",
    "labels": "INSERT INTO task_labels (task_id, label) VALUES (?, ?)",
    "comments": "INSERT INTO comments (id, task_id, body) VALUES (?, ?, ?)",
}


def load(conn: sqlite3.Connection, data: dict[str, list], schema: str = SCHEMA) -> None:
    """Build the tables from plain data (used by the judge AND inside the act)."""
    conn.executescript(schema)
    with conn:
        for table, sql in TABLES.items():
            conn.executemany(sql, [tuple(row) for row in data[table]])


# -- the grader's trusted copy of the N+1 version -----------------------------------
def trusted_summaries(data: dict[str, list]) -> list[dict[str, Any]]:
    with closing(sqlite3.connect(":memory:")) as conn:
        load(conn, data)
        summaries = []
        for task_id, title, category_id, assignee_id in conn.execute(
            "SELECT id, title, category_id, assignee_id FROM tasks ORDER BY id"
        ).fetchall():
            category = conn.execute(
                "SELECT name FROM categories WHERE id = ?", (category_id,)
            ).fetchone()
            assignee = conn.execute(
                "SELECT name FROM users WHERE id = ?", (assignee_id,)
            ).fetchone()
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


# -- data sets -----------------------------------------------------------------------
def sample() -> dict[str, list]:
    """Small, hand-made: every awkward case once."""
    return {
        "categories": [(1, "Backend"), (2, "Frontend"), (3, "Backend"), (4, "Unused")],
        "users": [(1, "Ada"), (2, "Sam"), (3, "Sam"), (4, "O'Hara")],
        "tasks": [
            (1, "Set up CI", 1, 1),  # labels, no comments
            (2, "Write docs", 2, 2),  # same title, category and assignee as task 3
            (3, "Write docs", 2, 2),
            (4, "Fix login bug", 3, 3),  # 3 labels AND 2 comments: the fan-out trap
            (5, "Triage inbox", None, 4),  # no category
            (6, 'Say "hi"', 1, None),  # no assignee
            (7, "Loose end", None, None),  # nothing at all
            (9, "Comments only", 3, 1),
        ],
        "labels": [(1, "infra"), (2, "docs"), (4, "bug"), (4, "urgent"), (4, "auth"), (6, "ui")],
        "comments": [
            (1, 4, "Repro on Safari"),
            (2, 4, "Fixed?"),
            (3, 9, "a"),
            (4, 9, "b"),
            (5, 9, "c"),
            (6, 3, "typo"),
        ],
    }


def generated(n_tasks: int, seed: int, linked: bool = False) -> dict[str, list]:
    """n tasks; categories, users and label names grow with n (a per-category loop grows).

    ``linked``: every task has a category and an assignee, so a join that drops the others
    (a task 1 mistake) does not change what the task 2 and task 3 tests look at.
    """
    rng = random.Random(seed)
    n_categories, n_users = max(2, n_tasks // 5), max(2, n_tasks // 4)
    pool = ["Backend", "Frontend", "Docs", "Ops"]
    data: dict[str, list] = {
        "categories": [(i, rng.choice(pool)) for i in range(1, n_categories + 1)],
        "users": [(i, rng.choice(["Ada", "Sam", "Chen", "Dev"])) for i in range(1, n_users + 1)],
        "tasks": [],
        "labels": [],
        "comments": [],
    }
    labels = [f"label-{k}" for k in range(n_tasks // 3 + 3)]
    comment_id = 1
    for task_id in rng.sample(range(1, 10 * n_tasks), n_tasks):
        category = rng.randint(1, n_categories) if linked or rng.random() > 0.2 else None
        assignee = rng.randint(1, n_users) if linked or rng.random() > 0.25 else None
        data["tasks"].append((task_id, rng.choice(["Fix", "Write", "Ship"]), category, assignee))
        for label in rng.sample(labels, rng.randint(0, 3)):
            data["labels"].append((task_id, label))
        for _ in range(rng.randint(0, 3)):
            data["comments"].append((comment_id, task_id, "note"))
            comment_id += 1
    return data


def fan_out() -> dict[str, list]:
    """Tasks with every mix of label and comment counts."""
    data: dict[str, list] = {
        "categories": [(1, "Backend")],
        "users": [(1, "Ada")],
        "tasks": [],
        "labels": [],
        "comments": [],
    }
    comment_id = 1
    for task_id, (n_labels, n_comments) in enumerate(
        [(3, 2), (0, 4), (4, 0), (1, 1), (0, 0), (2, 3), (5, 5)], start=1
    ):
        data["tasks"].append((task_id, f"task {task_id}", 1, 1))
        data["labels"] += [(task_id, f"l{k}") for k in range(n_labels)]
        for _ in range(n_comments):
            data["comments"].append((comment_id, task_id, "c"))
            comment_id += 1
    return data


# -- acts: run inside the sandbox, next to the learner's code ----------------------
def act_summaries(module, data, schema=SCHEMA):
    """Call task_summaries on a fresh in-memory database, counting its statements."""
    statements = []
    with closing(sqlite3.connect(":memory:")) as conn:
        load(conn, data, schema)
        conn.set_trace_callback(statements.append)
        record = attempt(module.task_summaries, conn)
        counted = len(statements)
        conn.execute(PROBE).fetchall()
        still_on = any(PROBE in text for text in statements[counted:])
        conn.set_trace_callback(None)
    return {"record": record, "count": counted, "first": statements[:4], "still_on": still_on}


def run(learner: Learner, data: dict[str, list], label: str, schema: str = SCHEMA) -> dict:
    return learner.run(act_summaries, data, schema, call=f"{CALL}   # {label}").value()


KEYS = ("id", "title", "category", "assignee", "labels", "comments")
LINKS = ("id", "title", "category", "assignee")  # task 1 grades these
COUNTS = ("id", "labels", "comments")  # task 2 grades these


def project(value: Any, keys: tuple[str, ...]) -> Any:
    """Only the given keys of each summary (a summary that is not a dict stays as it is)."""
    if not isinstance(value, list):
        return value
    return [
        {key: item[key] for key in keys if key in item} if type(item) is dict else item
        for item in value
    ]


def expect_summaries(
    report: dict, data: dict[str, list], label: str, keys: tuple[str, ...] = KEYS
) -> None:
    """The summaries must match the trusted ones on ``keys`` (each task graded on its own
    part: names for task 1, counts for task 2)."""
    outcome = Outcome.from_attempt(f"{CALL}   # {label}", report["record"])
    actual = outcome.value("a list of dicts, one per task")
    if isinstance(actual, list):
        for item in actual:
            if type(item) is not dict or set(item) != set(KEYS):
                raise outcome.fail(
                    "a list of plain dicts with the keys " + ", ".join(KEYS),
                    got=f"Returned: a list holding {show(item)}",
                    note="each summary is a plain dict with exactly the keys id, title, "
                    "category, assignee, labels and comments",
                )
    expected = project(trusted_summaries(data), keys)
    actual = project(actual, keys)
    if same(actual, expected):
        return
    if isinstance(actual, list) and len(actual) == len(expected):
        for got, want in zip(actual, expected, strict=True):
            if not same(got, want):
                raise outcome.fail(
                    show(want),
                    got=f"Returned: a list whose entry for task {want['id']} is {show(got)}",
                    note=why_entry_differs(got, want),
                )
    note = "the same list task_summaries_slow returns, in task id order"
    if isinstance(actual, list) and len(actual) < len(expected):
        note = (
            "every task must appear once, also those with no category or no assignee "
            "(LEFT JOIN keeps them), and tasks are grouped by their id"
        )
    raise outcome.fail(
        f"a list of {len(expected)} summaries",
        got=f"Returned: {kind_and_length(actual)}",
        note=note,
    )


def kind_and_length(value: Any) -> str:
    return f"a list of {len(value)} items" if isinstance(value, list) else show(value)


def why_entry_differs(got: Any, want: dict) -> str:
    if not isinstance(got, dict) or set(got) != set(want):
        return (
            "each summary is a plain dict with exactly the keys id, title, category, "
            "assignee, labels and comments"
        )
    if not same(got["id"], want["id"]):
        return "one summary per task, in task id order (ORDER BY t.id), grouped by the task id"
    for key in ("labels", "comments"):
        if isinstance(got[key], int) and got[key] != want[key]:
            if want[key] == 0:
                return (
                    f"a task with no {key} must count 0: COUNT(*) also counts the "
                    "NULL-padded row a LEFT JOIN makes; count a column of the joined table"
                )
            if got[key] > want[key]:
                return (
                    f"{key} counted {got[key]} instead of {want[key]}: joining labels AND "
                    "comments multiplies the rows; count DISTINCT values, or count each "
                    "table in its own subquery"
                )
            return f"{key} counted {got[key]} instead of {want[key]}"
    if got == want:
        return "same values but not the same types: ids and counts are int, names str or None"
    return "compare with task_summaries_slow(conn) on the same data"


# -- task 1 --------------------------------------------------------------------------
@pytest.mark.task(1)
def test_same_summaries_on_sample(learner):
    """id, title, category and assignee as task_summaries_slow gives them, on hand-made data"""
    data = sample()
    expect_summaries(run(learner, data, "8 hand-made tasks"), data, "8 hand-made tasks", LINKS)


@pytest.mark.task(1)
def test_same_summaries_on_generated_data(learner):
    """id, title, category and assignee as task_summaries_slow gives them, on 50 tasks"""
    data = generated(50, seed=1)
    expect_summaries(run(learner, data, "50 generated tasks"), data, "50 generated tasks", LINKS)


@pytest.mark.task(1)
def test_no_tasks(learner):
    """with no tasks at all, task_summaries returns an empty list"""
    data = {
        "categories": [(1, "Backend")],
        "users": [(1, "Ada")],
        "tasks": [],
        "labels": [],
        "comments": [],
    }
    expect_summaries(run(learner, data, "no tasks"), data, "no tasks", LINKS)


@pytest.mark.task(1)
def test_tasks_without_category_or_assignee(learner):
    """tasks with no category, no assignee, no labels and no comments are all kept"""
    data = {
        "categories": [(1, "Backend")],
        "users": [(1, "Ada")],
        "tasks": [
            (1, "Alone", None, None),
            (2, "Half", 1, None),
            (3, "Other half", None, 1),
            (4, "Full", 1, 1),
        ],
        "labels": [(4, "x")],
        "comments": [(1, 4, "y")],
    }
    expect_summaries(
        run(learner, data, "tasks missing their links"), data, "tasks missing their links", LINKS
    )


# Stored with ids that are NOT the rowid and inserted in shuffled order, so a table scan
# meets the tasks out of id order: only an ORDER BY (or a sort) gives task id order.
SHUFFLED_SCHEMA = SCHEMA.replace(
    "CREATE TABLE tasks (id INTEGER PRIMARY KEY,", "CREATE TABLE tasks (id INT PRIMARY KEY,"
)


@pytest.mark.task(1)
def test_summaries_in_task_id_order(learner):
    """the summaries come in task id order, however the rows are stored"""
    data = generated(30, seed=7)
    label = "30 tasks stored out of id order"
    expect_summaries(run(learner, data, label, SHUFFLED_SCHEMA), data, label, ("id",))


# -- task 2 --------------------------------------------------------------------------
@pytest.mark.task(2)
def test_counts_do_not_multiply(learner):
    """labels and comments are counted right when a task has several of both"""
    data = fan_out()
    expect_summaries(
        run(learner, data, "tasks with 0-5 labels and 0-5 comments"),
        data,
        "tasks with 0-5 labels and 0-5 comments",
        COUNTS,
    )


@pytest.mark.task(2)
def test_counts_on_generated_data(learner):
    """labels and comments (0 when there are none) match on 60 generated tasks"""
    data = generated(60, seed=3, linked=True)
    label = "60 generated tasks"
    expect_summaries(run(learner, data, label), data, label, COUNTS)


# -- task 3 --------------------------------------------------------------------------
SIZES = [(5, 11), (50, 12), (200, 13)]


@pytest.mark.task(3)
def test_query_count_does_not_grow(learner):
    """task_summaries runs the same number of statements for 5, 50 and 200 tasks"""
    counts = []
    for size, seed in SIZES:
        data = generated(size, seed, linked=True)
        label = f"{size} tasks"
        report = run(learner, data, label)
        # Only one summary per task is required here: the names and counts are graded
        # by tasks 1 and 2, so a mistake there does not cost these points too.
        outcome = Outcome.from_attempt(f"{CALL}   # {label}", report["record"])
        summaries = outcome.value("a list of dicts, one per task")
        ids = (
            Counter(item.get("id") for item in summaries if isinstance(item, dict))
            if isinstance(summaries, list)
            else None
        )
        if ids != Counter(task[0] for task in data["tasks"]):
            raise outcome.fail(
                f"a list of {len(data['tasks'])} summaries, one per task",
                got=f"Returned: {kind_and_length(summaries)}",
                note="the statement count only matters for a full answer",
            )
        if not report["still_on"]:
            raise GradeFailure(
                f"Called:   {CALL}   # {label}\nThen:     the statement counter "
                "installed on conn had been switched off\nExpected: "
                "task_summaries leaves conn.set_trace_callback alone"
            )
        counts.append((size, report["count"], report["first"]))
    if len({count for _, count, _ in counts}) != 1 or counts[0][1] == 0:
        ran = ", ".join(f"{count} for {size} tasks" for size, count, _ in counts)
        ran = ran.replace(" for", " statements for", 1)
        first = counts[-1][2][:3]
        raise GradeFailure(
            f"Called:   {CALL} on 5, 50 and 200 tasks\nRan:      {ran}\n"
            f"First:    {show(first)}\n"
            "Expected: the same small number (at least one) whatever the number of tasks\n"
            "Why:      a query inside a loop over tasks (or categories, or users) makes the "
            "count grow; fetch everything with one JOIN + GROUP BY"
        )
