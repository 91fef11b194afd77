"""Grader for ch29/joins_windows: INNER and LEFT JOINs, ROW_NUMBER per category, a CTE.

The judge builds its own databases (several data sets, chosen to expose the usual JOIN and
window mistakes), runs the learner's query functions on them in the sandbox, and compares
the rows with answers computed here in plain Python, as collections (row order is not
specified). Ties in priority are broken by task id, as the exercise states; two data sets
carry an index that makes SQLite walk tied rows newest first, so a missing tie-breaker shows.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
from collections import Counter, defaultdict
from contextlib import closing
from dataclasses import dataclass

import pytest
from hypothesis import strategies as st

from graders.acts import attempt
from graders.differential import agree_run
from graders.expectations import freeze, same, show
from graders.harness import GradeFailure, Learner, Outcome

EXERCISE = "ch29/joins_windows"
_db_numbers = itertools.count(1)

SCHEMA = """
CREATE TABLE categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL, priority INTEGER NOT NULL,
    category_id INTEGER REFERENCES categories(id)
);
"""
# Walking this index returns tied tasks with the LARGER id first: a query without the
# documented tie-breaker then numbers ties the wrong way round.
TIE_INDEX = "CREATE INDEX tasks_by_category ON tasks (category_id, priority DESC, id DESC)"


@dataclass(frozen=True)
class Dataset:
    name: str
    categories: list[tuple[int, str]]
    tasks: list[tuple[int, str, int, int | None]]  # (id, title, priority, category_id)
    tie_index: bool = False

    # -- the answers, computed without SQL ---------------------------------------------
    def category_name(self, category_id: int | None) -> str | None:
        return dict(self.categories).get(category_id) if category_id is not None else None

    def categorised(self) -> list[tuple[int, str, str]]:
        return [(i, t, self.category_name(c)) for i, t, _, c in self.tasks if c is not None]

    def all(self) -> list[tuple[int, str, str | None]]:
        return [(i, t, self.category_name(c)) for i, t, _, c in self.tasks]

    def ranked(self) -> list[tuple[str, int, str, int, int]]:
        groups: dict[int, list] = defaultdict(list)
        for task in self.tasks:
            if task[3] is not None:
                groups[task[3]].append(task)
        rows = []
        for category_id, members in groups.items():
            members.sort(key=lambda task: (-task[2], task[0]))
            name = self.category_name(category_id)
            for position, (i, title, priority, _) in enumerate(members, start=1):
                rows.append((name, i, title, priority, position))
        return rows

    def top(self) -> dict[str, int]:
        return {row[0]: row[1] for row in self.ranked() if row[4] == 1}


def _lesson() -> Dataset:
    return Dataset(
        "sample",
        categories=[(1, "Backend"), (2, "Frontend"), (3, "Docs"), (4, "Ops")],
        tasks=[
            (1, "Set up CI", 5, 1),
            (2, "Write API docs", 2, 3),
            (3, "Fix login bug", 5, 1),
            (4, "Design dashboard", 3, 2),
            (5, "Add dark mode", 1, 2),
            (6, "Triage inbox", 2, None),
            (7, "Write CI docs", 3, 3),
            (8, "Cache CI deps", 4, 1),
        ],
    )


def _quotes_ties_numbers() -> Dataset:
    return Dataset(
        "quotes_ties_and_big_numbers",
        categories=[
            (7, "O'Reilly"),
            (3, 'Say "hi"'),
            (12, "Robert'); DROP TABLE tasks;--"),
            (20, "Empty shelf"),
        ],
        tasks=[
            (101, 'Fix "login" bug', 10, 7),
            (55, "Don't panic", 9, 7),
            (200, "Ship it", 100, 7),
            (30, "Tidy up", 2, 7),
            (9, "Tie A", 10, 3),
            (4, "Tie B", 10, 3),
            (60, "Tie C", 10, 3),
            (61, "Whenever", 0, 3),
            (62, "Negative", -1, 12),
            (5, "Nobody's", 10, None),
            (6, "Nobody's", 10, None),
        ],
        tie_index=True,
    )


def _no_category() -> Dataset:
    return Dataset(
        "no_task_has_a_category",
        categories=[(1, "Backend"), (2, "Docs")],
        tasks=[(1, "Loose end", 3, None), (2, "Another", 3, None), (3, "Third", 9, None)],
    )


def _empty() -> Dataset:
    return Dataset("no_tasks_at_all", categories=[(1, "Backend"), (2, "Docs")], tasks=[])


def _random() -> Dataset:
    rng = random.Random(29)
    names = ["Alpha", "Beta", "Gamma", "Delta", "Eps'ilon", "Zeta", "Eta", "Theta", "Iota"]
    ids = rng.sample(range(1, 500), len(names))
    categories = list(zip(ids, names, strict=True))
    used = ids[:7]  # the last two categories get no tasks
    tasks = []
    task_ids = rng.sample(range(1, 5000), 160)
    for task_id in task_ids:
        category = rng.choice(used) if rng.random() > 0.2 else None
        tasks.append(
            (task_id, rng.choice(["Fix", "Write", "Ship", "Test"]), rng.randint(0, 12), category)
        )
    return Dataset("random_160_tasks", categories=categories, tasks=tasks, tie_index=True)


DATASETS = [_lesson(), _quotes_ties_numbers(), _no_category(), _empty(), _random()]
IDS = [d.name for d in DATASETS]


# -- the judge's own database -------------------------------------------------------
def build(learner: Learner, data: Dataset) -> str:
    path = learner.workdir / f"tasks-{next(_db_numbers)}.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executescript(SCHEMA)
        if data.tie_index:
            conn.execute(TIE_INDEX)
        conn.executemany("INSERT INTO categories (id, name) VALUES (?, ?)", data.categories)
        conn.executemany(
            "INSERT INTO tasks (id, title, priority, category_id) VALUES (?, ?, ?, ?)", data.tasks
        )
    return str(path)


# -- acts: run inside the sandbox, next to the learner's code ----------------------
def act_query(module, path, function):
    with closing(sqlite3.connect(path)) as conn:
        return attempt(getattr(module, function), conn)


def run_query(learner: Learner, data: Dataset, function: str) -> Outcome:
    path = build(learner, data)
    call = f"{function}(conn)   # data set '{data.name}'"
    record = learner.run(act_query, path, function, call=call).value("the query to run")
    return Outcome.from_attempt(call, record)


# -- judging rows as collections ----------------------------------------------------
def expect_rows(outcome: Outcome, expected: list[tuple], *, diagnose=None) -> None:
    """Same rows (exact values and types) as ``expected``, in any order."""
    actual = outcome.value(f"a list of {len(expected)} tuples")
    if not isinstance(actual, list):
        raise outcome.fail(
            f"a list of {len(expected)} tuples, in any order",
            note="return conn.execute(...).fetchall(), a list of tuples",
        )
    want = Counter(freeze(row) for row in expected)
    got = Counter(freeze(row) for row in actual)
    if want == got:
        return
    originals = {freeze(row): row for row in [*expected, *actual]}
    missing = [originals[key] for key in (want - got).elements()]
    extra = [originals[key] for key in (got - want).elements()]
    lines = [f"Returned: {len(actual)} rows"]
    if missing:
        lines.append(f"Missing:  {len(missing)} rows, e.g. " + ", ".join(map(show, missing[:4])))
    if extra:
        lines.append(f"Not expected: {len(extra)} rows, e.g. " + ", ".join(map(show, extra[:4])))
    note = ""
    if any(not isinstance(row, tuple) for row in actual):
        note = "each row must be a plain tuple, as fetchall() returns it"
    elif diagnose is not None:
        note = diagnose(actual)
    raise outcome.fail(f"{len(expected)} rows, in any order", got="\n".join(lines), note=note)


def diagnose_ranking(rows: list) -> str:
    """Name the most likely mistake in a ranking, for the Why: line."""
    if any(len(row) != 5 for row in rows):
        return "each row is (category_name, task_id, title, priority, position)"
    if any(row[0] is None for row in rows):
        return "tasks with no category must be left out of the ranking"
    by_category: dict = defaultdict(list)
    for row in rows:
        by_category[row[0]].append(row)
    for members in by_category.values():
        members.sort(key=lambda row: row[4] if isinstance(row[4], int) else 0)
        if [row[4] for row in members] != list(range(1, len(members) + 1)):
            return "positions must run 1, 2, 3... again inside every category (PARTITION BY)"
    for members in by_category.values():
        for earlier, later in itertools.pairwise(members):
            if not isinstance(earlier[3], int) or not isinstance(later[3], int):
                continue
            if earlier[3] < later[3]:
                return (
                    f"priority {later[3]} must come before priority {earlier[3]}: highest "
                    "first, compared as numbers (ORDER BY priority DESC)"
                )
            if earlier[3] == later[3] and earlier[1] > later[1]:
                return (
                    f"tasks {later[1]} and {earlier[1]} tie on priority {earlier[3]}: the "
                    "smaller id comes first (add the id to the ORDER BY inside OVER)"
                )
    return ""


# -- task 1 --------------------------------------------------------------------------
@pytest.mark.task(1)
@pytest.mark.parametrize("data", DATASETS, ids=IDS)
def test_categorised_tasks(learner, data):
    """categorised_tasks returns each task that has a category, once, with the category name"""
    outcome = run_query(learner, data, "categorised_tasks")
    expect_rows(outcome, data.categorised())


# -- task 2 --------------------------------------------------------------------------
@pytest.mark.task(2)
@pytest.mark.parametrize("data", DATASETS, ids=IDS)
def test_all_tasks_keeps_uncategorised(learner, data):
    """all_tasks returns every task once, with None as the category when it has none"""
    outcome = run_query(learner, data, "all_tasks")
    expect_rows(
        outcome,
        data.all(),
        diagnose=lambda rows: (
            ""
            if len(rows) >= len(data.tasks)
            else "a task with no category must still appear (LEFT JOIN keeps every task)"
        ),
    )


# -- task 3 --------------------------------------------------------------------------
@pytest.mark.task(3)
@pytest.mark.parametrize("data", DATASETS, ids=IDS)
def test_rank_tasks_in_categories(learner, data):
    """rank_tasks_in_categories numbers each category's tasks 1, 2, 3... by priority"""
    outcome = run_query(learner, data, "rank_tasks_in_categories")
    expect_rows(outcome, data.ranked(), diagnose=diagnose_ranking)


# -- task 4 --------------------------------------------------------------------------
@pytest.mark.task(4)
@pytest.mark.parametrize("data", DATASETS, ids=IDS)
def test_top_task_per_category(learner, data):
    """top_task_per_category maps each category that has tasks to its top task's id"""
    outcome = run_query(learner, data, "top_task_per_category")
    outcome.expect(
        data.top(),
        note="position 1 in each category: highest priority, then "
        "smallest id; categories without tasks do not appear",
    )


FUNCTIONS = [
    pytest.param("categorised_tasks", marks=pytest.mark.task(1), id="categorised_tasks"),
    pytest.param("all_tasks", marks=pytest.mark.task(2), id="all_tasks"),
    pytest.param("rank_tasks_in_categories", marks=pytest.mark.task(3), id="rank"),
    pytest.param("top_task_per_category", marks=pytest.mark.task(4), id="top"),
]


def _tables(conn):
    tasks = conn.execute("SELECT id, title, priority, category_id FROM tasks").fetchall()
    categories = conn.execute("SELECT id, name FROM categories").fetchall()
    return [list(row) for row in tasks], [list(row) for row in categories]


def act_twice_then_read(module, path, function):
    """Call the function twice on one connection, then read the tables through it."""
    with closing(sqlite3.connect(path)) as conn:
        first = attempt(getattr(module, function), conn)
        second = attempt(getattr(module, function), conn)
        tasks, categories = _tables(conn)
        return {"first": first, "second": second, "tasks": tasks, "categories": categories}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_queries_leave_the_data_alone(learner, function):
    """only reads: the same answer twice on one connection, and the tables stay as they were"""
    data = _quotes_ties_numbers()
    path = build(learner, data)
    call = f"{function}(conn); {function}(conn)   # the same connection"
    result = learner.run(act_twice_then_read, path, function, call=call).value()
    first = Outcome.from_attempt(f"{function}(conn)", result["first"]).value()
    second = Outcome.from_attempt(call, result["second"])
    second.value()
    if not same(freeze_rows(second.reply.value), freeze_rows(first)):
        raise second.fail(
            "the same answer as the first call",
            got=f"Returned: {show(second.reply.value)}\nFirst:    {show(first)}",
            note="a query leaves nothing behind that changes the next call",
        )
    tasks = Counter(tuple(row) for row in result["tasks"])
    categories = Counter(tuple(row) for row in result["categories"])
    if tasks != Counter(data.tasks) or categories != Counter(data.categories):
        raise GradeFailure(
            f"Called:   {call}\nThen:     the same connection sees changed tables: tasks "
            f"{show(sorted(result['tasks']))[:300]}\nExpected: the tables as they were "
            "(a query function only SELECTs)"
        )


def freeze_rows(value):
    """Rows as a multiset when the value is a list (row order is open), else as it is."""
    if isinstance(value, list):
        return Counter(freeze(row) for row in value)
    return freeze(value)


# -- differential: any small database, against the answers computed here -----------------
NAMES = ["Backend", "Docs", "O'Reilly", 'Say "hi"', "Ops"]
TITLES = ["Fix", "Write", "Ship it", "Don't panic"]


@st.composite
def small_databases(draw):
    """Categories (some without tasks), tasks (some without a category), many ties."""
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=4))
    ids = draw(st.lists(st.integers(1, 60), unique=True, min_size=len(names), max_size=len(names)))
    count = draw(st.integers(0, 10))
    task_ids = draw(st.lists(st.integers(1, 300), unique=True, min_size=count, max_size=count))
    tasks = [
        (
            task_id,
            draw(st.sampled_from(TITLES)),
            draw(st.integers(-2, 3)),
            draw(st.sampled_from([None, *ids])),
        )
        for task_id in task_ids
    ]
    return list(zip(ids, names, strict=True)), tasks, draw(st.booleans())


def act_on_database(module, example):
    """Build the generated database in memory and return the function's answer."""
    function, categories, tasks, tie_index = example
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.executescript(SCHEMA)
        if tie_index:
            conn.execute(TIE_INDEX)
        conn.executemany("INSERT INTO categories (id, name) VALUES (?, ?)", categories)
        conn.executemany(
            "INSERT INTO tasks (id, title, priority, category_id) VALUES (?, ?, ?, ?)", tasks
        )
        conn.commit()
        return getattr(module, function)(conn)


ORACLES = {
    "categorised_tasks": Dataset.categorised,
    "all_tasks": Dataset.all,
    "rank_tasks_in_categories": Dataset.ranked,
    "top_task_per_category": Dataset.top,
}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_matches_the_answer_for_any_small_database(learner, function):
    """matches the answer on generated databases (ties, quotes, empty categories), any row order"""

    def oracle(example):
        _, categories, tasks, _ = example
        return ORACLES[function](Dataset("generated", categories, tasks))

    def describe(example):
        _, categories, tasks, tie_index = example
        index = " (with the index that walks ties newest first)" if tie_index else ""
        return (
            f"{function}(conn)   # categories (id, name) {show(categories)}; "
            f"tasks (id, title, priority, category_id) {show(tasks)}{index}"
        )

    agree_run(
        learner,
        act_on_database,
        oracle,
        small_databases().map(lambda database: (function, *database)),
        describe=describe,
        compare=lambda got, want: same(freeze_rows(got), freeze_rows(want)),
        max_examples=40,
        note="this is the smallest generated database on which the answer differs",
    )
