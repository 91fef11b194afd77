"""Grader for ch29/cte_reports: a recursive CTE for task trees, CTE-based category reports.

The judge builds its own databases (the sample, a 300-deep chain, a random forest whose
ids say nothing about the tree, categories with quotes, empty categories, ties at the
average, no categories at all), runs the learner's functions on them in the sandbox, and
compares the rows with answers computed here in plain Python, as collections (row order,
and so sibling order, is not specified). Each call runs with a statement recorder
(``set_trace_callback``) so the judge can check that a CTE really did the work: the brief
asks for a statement starting ``WITH RECURSIVE`` in ``subtree`` and one starting ``WITH``
in each report. Parent links never form cycles in any data set, as the brief promises.
"""

from __future__ import annotations

import itertools
import random
import re
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

EXERCISE = "ch29/cte_reports"
_db_numbers = itertools.count(1)

SCHEMA = """
CREATE TABLE categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL, priority INTEGER NOT NULL,
    category_id INTEGER REFERENCES categories(id), parent_id INTEGER REFERENCES tasks(id)
);
"""


@dataclass(frozen=True)
class Dataset:
    name: str
    categories: list[tuple[int, str]]
    tasks: list[tuple]  # (id, title, priority, category_id, parent_id)

    # -- the answers, computed without SQL ---------------------------------------------
    def subtree(self, task_id: int) -> list[tuple[int, str, int]]:
        titles = {task[0]: task[1] for task in self.tasks}
        if task_id not in titles:
            return []
        children: dict[int, list[int]] = defaultdict(list)
        for task in self.tasks:
            if task[4] is not None:
                children[task[4]].append(task[0])
        rows, frontier, depth = [], [task_id], 0
        while frontier:
            rows += [(node, titles[node], depth) for node in frontier]
            frontier = [child for node in frontier for child in children[node]]
            depth += 1
        return rows

    def counts(self) -> dict[int, list[int]]:
        priorities: dict[int, list[int]] = {cid: [] for cid, _ in self.categories}
        for task in self.tasks:
            if task[3] is not None:
                priorities[task[3]].append(task[2])
        return priorities

    def report(self) -> list[tuple[str, int, float | None]]:
        names = dict(self.categories)
        return [
            (names[cid], len(ps), sum(ps) / len(ps) if ps else None)
            for cid, ps in self.counts().items()
        ]

    def above_average(self) -> list[tuple[str, int]]:
        names = dict(self.categories)
        counts = {cid: len(ps) for cid, ps in self.counts().items()}
        if not counts:
            return []
        total, how_many = sum(counts.values()), len(counts)
        # count > total / how_many, in exact integer arithmetic
        return [(names[cid], n) for cid, n in counts.items() if n * how_many > total]


def _sample() -> Dataset:
    return Dataset(
        "sample",
        categories=[(1, "Backend"), (2, "Frontend"), (3, "Docs"), (4, "Ops")],
        tasks=[
            (1, "Launch v2", 5, 1, None),
            (2, "Build API", 4, 1, 1),
            (3, "Write endpoints", 3, 1, 2),
            (4, "Add auth", 5, 1, 2),
            (5, "Design pages", 2, 2, 1),
            (6, "Pick colours", 1, 2, 5),
            (7, "Write guide", 2, 3, None),
            (8, "Proofread", 1, 3, 7),
            (9, "Triage inbox", 3, None, None),
        ],
    )


def _deep_chain() -> Dataset:
    """A chain 300 tasks deep (ids shuffled), with a leaf hanging off every 40th link."""
    rng = random.Random(2901)
    ids = rng.sample(range(1, 50_000), 310)
    chain, leaves = ids[:300], ids[300:]
    tasks = [(chain[0], "Epic", 3, None, None)]
    tasks += [(chain[i], f"Step {i}", i % 7, None, chain[i - 1]) for i in range(1, 300)]
    tasks += [(leaf, f"Side {n}", 1, None, chain[40 * n + 5]) for n, leaf in enumerate(leaves[:7])]
    tasks += [(leaves[7], "Unrelated", 2, None, None)]
    tasks += [(leaves[8], "Unrelated child", 2, None, leaves[7])]
    rng.shuffle(tasks)
    return Dataset("deep_chain_300", categories=[], tasks=tasks)


def _forest() -> Dataset:
    """250 tasks in a few trees; parents chosen among earlier tasks, ids random."""
    rng = random.Random(2902)
    ids = rng.sample(range(1, 100_000), 250)
    tasks = []
    for i, task_id in enumerate(ids):
        parent = None if i < 4 or rng.random() < 0.03 else ids[rng.randrange(i)]
        tasks.append((task_id, f'Task {i} "q" o\'k', rng.randint(0, 9), None, parent))
    rng.shuffle(tasks)
    return Dataset("random_forest_250", categories=[], tasks=tasks)


def _quotes_and_empties() -> Dataset:
    return Dataset(
        "quotes_empty_categories_and_whole_averages",
        categories=[
            (7, "O'Reilly"),
            (3, 'Say "hi"'),
            (12, "Empty shelf"),
            (20, "Robert'); DROP TABLE tasks;--"),
            (21, "Nothing here either"),
        ],
        tasks=[
            (100, "Two", 2, 7, None),
            (5, "Four", 4, 7, 100),  # 2 and 4: the average is 3.0, a float
            (60, "Negative", -3, 3, None),
            (61, "Zero", 0, 3, 60),
            (62, "Big", 100, 3, 61),
            (63, "Nobody's", 9, None, None),
            (64, "Nobody's child", 9, None, 63),
            (70, "Alone", 7, 20, None),
        ],
    )


def _ties() -> Dataset:
    """Counts 3, 2, 2, 1, 0, 0, 0: the average is 8/7, the empty ones matter."""
    categories = [(i, name) for i, name in enumerate("ABCDEFG", start=1)]
    plan = {1: 3, 2: 2, 3: 2, 4: 1}
    tasks, next_id = [], 1
    for cid, n in plan.items():
        for _ in range(n):
            tasks.append((next_id, f"t{next_id}", next_id % 4, cid, None))
            next_id += 1
    return Dataset("counts_3_2_2_1_0_0_0", categories=categories, tasks=tasks)


def _exact_tie() -> Dataset:
    """Counts 4, 2, 0: the average is exactly 2, so only the category with 4 is above it."""
    categories = [(1, "Four"), (2, "Two"), (3, "Zero")]
    tasks = [(i, f"t{i}", i, 1, None) for i in range(1, 5)]
    tasks += [(i, f"t{i}", i, 2, None) for i in range(5, 7)]
    return Dataset("counts_4_2_0_average_exactly_2", categories=categories, tasks=tasks)


def _random_report() -> Dataset:
    rng = random.Random(2903)
    names = [f"Cat {n}" for n in range(12)] + ["Quote's", "Empty A", "Empty B"]
    cids = rng.sample(range(1, 1000), len(names))
    categories = list(zip(cids, names, strict=True))
    used = cids[:13]
    task_ids = rng.sample(range(1, 10_000), 300)
    tasks = []
    for n, task_id in enumerate(task_ids):
        category = rng.choice(used) if rng.random() > 0.15 else None
        parent = task_ids[rng.randrange(n)] if n and rng.random() < 0.4 else None
        tasks.append((task_id, "x", rng.randint(-5, 20), category, parent))
    return Dataset("random_300_tasks_15_categories", categories=categories, tasks=tasks)


def _no_tasks() -> Dataset:
    return Dataset("categories_but_no_tasks", categories=[(1, "Backend"), (2, "Docs")], tasks=[])


def _no_categories() -> Dataset:
    return Dataset(
        "no_categories_at_all",
        categories=[],
        tasks=[(1, "Loose", 3, None, None), (2, "Looser", 4, None, 1)],
    )


REPORT_SETS = [
    _sample(),
    _quotes_and_empties(),
    _ties(),
    _exact_tie(),
    _random_report(),
    _no_tasks(),
    _no_categories(),
]
REPORT_IDS = [d.name for d in REPORT_SETS]


# -- the judge's own database -------------------------------------------------------
def build(learner: Learner, data: Dataset) -> str:
    path = learner.workdir / f"cte-{next(_db_numbers)}.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = OFF")  # a scratch file: no need to fsync it
        conn.execute("PRAGMA synchronous = OFF")
        conn.executescript(SCHEMA)
        conn.executemany("INSERT INTO categories (id, name) VALUES (?, ?)", data.categories)
        conn.executemany(
            "INSERT INTO tasks (id, title, priority, category_id, parent_id)"
            " VALUES (?, ?, ?, ?, ?)",
            data.tasks,
        )
        conn.commit()
    return str(path)


# -- acts: run inside the sandbox, next to the learner's code ----------------------
def act_calls(module, path, function, calls):
    """Call ``function(conn, *args)`` for each args, recording the statements each ran."""
    results = []
    with closing(sqlite3.connect(path)) as conn:
        for args in calls:
            statements: list[str] = []
            conn.set_trace_callback(statements.append)
            record = attempt(getattr(module, function), conn, *args)
            conn.set_trace_callback(None)
            results.append(
                {
                    "record": record,
                    "statements": [s[:600] for s in statements[:40]],
                    "count": len(statements),
                }
            )
    return results


def describe(function: str, args: tuple, data: Dataset) -> str:
    shown = ", ".join(["conn", *(show(a) for a in args)])
    return f"{function}({shown})   # data set '{data.name}'"


def run_calls(learner: Learner, data: Dataset, function: str, calls: list[tuple]) -> list:
    path = build(learner, data)
    text = "; ".join(describe(function, args, data) for args in calls[:3])
    return learner.run(act_calls, path, function, calls, call=text).value("the queries to run")


def run_one(learner: Learner, data: Dataset, function: str, *args) -> tuple[Outcome, dict]:
    (result,) = run_calls(learner, data, function, [args])
    return Outcome.from_attempt(describe(function, args, data), result["record"]), result


# -- judging rows as collections ----------------------------------------------------
def expect_rows(outcome: Outcome, expected: list[tuple], *, diagnose=None) -> None:
    """Same rows (exact values and types; floats to 9 places) as ``expected``, any order."""
    actual = outcome.value(f"a list of {len(expected)} tuples")
    if not isinstance(actual, list):
        raise outcome.fail(
            f"a list of {len(expected)} tuples, in any order",
            note="return conn.execute(...).fetchall(), a list of tuples",
        )
    want = Counter(freeze(row, 9) for row in expected)
    got = Counter(freeze(row, 9) for row in actual)
    if want == got:
        return
    originals = {freeze(row, 9): row for row in [*expected, *actual]}
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


def diagnose_subtree(task_id: int, expected: list[tuple]):
    deepest = max((row[2] for row in expected), default=0)

    def diagnose(rows: list) -> str:
        if any(len(row) != 3 for row in rows):
            return "each row is (task_id, title, depth)"
        depths = {row[0]: row[2] for row in rows}
        if depths.get(task_id) == 1:
            return "the task itself has depth 0, its direct subtasks depth 1"
        if task_id not in depths and expected:
            return "the task itself belongs in its subtree, with depth 0"
        if len(rows) < len(expected) and max(depths.values(), default=0) < deepest:
            return (
                f"the tree goes {deepest} levels down: the recursive part must join tasks "
                "to the rows found so far (child.parent_id = tree.id), not only to the start"
            )
        return ""

    return diagnose


def diagnose_report(rows: list) -> str:
    if any(len(row) != 3 for row in rows):
        return "each row is (category_name, task_count, avg_priority)"
    if any(isinstance(row[2], int) for row in rows):
        return "the average must be a float (AVG gives one; SUM/COUNT of integers divides whole)"
    if any(row[1] == 1 and row[2] is None for row in rows):
        return "COUNT(*) counts the NULL row a LEFT JOIN makes; count a column of tasks instead"
    return "every category appears once, empty ones with 0 and None"


# -- the CTE requirement ------------------------------------------------------------
def _after_comments(statement: str) -> str:
    text = statement
    while True:
        text = text.lstrip()
        if text.startswith("--"):
            end = text.find("\n")
            text = "" if end < 0 else text[end + 1 :]
        elif text.startswith("/*"):
            end = text.find("*/")
            text = "" if end < 0 else text[end + 2 :]
        else:
            return text


def expect_cte(outcome: Outcome, result: dict, pattern: str, wanted: str) -> None:
    outcome.value("rows (the query ran)")
    if any(re.match(pattern, _after_comments(s), re.IGNORECASE) for s in result["statements"]):
        return
    ran = [" ".join(s.split())[:90] for s in result["statements"][:5]]
    got = f"Ran:      {result['count']} statement(s)"
    if ran:
        got += "\n          " + "\n          ".join(ran)
    raise outcome.fail(
        f"at least one statement that starts with {wanted}",
        got=got,
        note="the exercise is about CTEs: let one SQL statement do the work, not a Python loop",
    )


# -- task 1: subtree ------------------------------------------------------------------
SAMPLE_IDS = [1, 2, 5, 6, 7, 9]


@pytest.mark.task(1)
@pytest.mark.parametrize("task_id", SAMPLE_IDS, ids=[f"task_{i}" for i in SAMPLE_IDS])
def test_subtree_of_sample_tasks(learner, task_id):
    """subtree returns the task (depth 0) and every task below it, with its depth"""
    data = _sample()
    outcome, _ = run_one(learner, data, "subtree", task_id)
    expected = data.subtree(task_id)
    expect_rows(outcome, expected, diagnose=diagnose_subtree(task_id, expected))


@pytest.mark.task(1)
def test_subtree_of_a_deep_chain(learner):
    """subtree follows a chain 300 levels deep, from the top and from the middle"""
    data = _deep_chain()
    chain_top = next(t[0] for t in data.tasks if t[1] == "Epic")
    middle = next(t[0] for t in data.tasks if t[1] == "Step 150")
    starts = [chain_top, middle]
    results = run_calls(learner, data, "subtree", [(s,) for s in starts])
    for start, result in zip(starts, results, strict=True):
        outcome = Outcome.from_attempt(describe("subtree", (start,), data), result["record"])
        expected = data.subtree(start)
        expect_rows(outcome, expected, diagnose=diagnose_subtree(start, expected))


@pytest.mark.task(1)
def test_subtree_in_a_random_forest(learner):
    """subtree is right for 8 tasks of a random forest whose ids do not follow the tree"""
    data = _forest()
    rng = random.Random(2904)
    roots = [t[0] for t in data.tasks if t[4] is None]
    starts = roots[:3] + rng.sample([t[0] for t in data.tasks], 5)
    results = run_calls(learner, data, "subtree", [(s,) for s in starts])
    for start, result in zip(starts, results, strict=True):
        outcome = Outcome.from_attempt(describe("subtree", (start,), data), result["record"])
        expected = data.subtree(start)
        expect_rows(outcome, expected, diagnose=diagnose_subtree(start, expected))


@pytest.mark.task(1)
def test_subtree_of_an_unknown_task_is_empty(learner):
    """subtree of an id that does not exist is an empty list"""
    data = _sample()
    for missing in (0, 999):
        outcome, _ = run_one(learner, data, "subtree", missing)
        outcome.expect([], note="no such task: no rows at all")


@pytest.mark.task(1)
def test_subtree_uses_a_recursive_cte(learner):
    """subtree runs a statement that starts with WITH RECURSIVE"""
    data = _deep_chain()
    start = next(t[0] for t in data.tasks if t[1] == "Step 200")
    outcome, result = run_one(learner, data, "subtree", start)
    expect_cte(outcome, result, r"WITH\s+RECURSIVE\b", "WITH RECURSIVE")


# -- task 2: category_report ----------------------------------------------------------
@pytest.mark.task(2)
@pytest.mark.parametrize("data", REPORT_SETS, ids=REPORT_IDS)
def test_category_report(learner, data):
    """category_report gives every category its task count and average priority (a float)"""
    outcome, _ = run_one(learner, data, "category_report")
    expect_rows(outcome, data.report(), diagnose=diagnose_report)


@pytest.mark.task(2)
def test_category_report_uses_a_cte(learner):
    """category_report runs a statement that starts with WITH"""
    outcome, result = run_one(learner, _quotes_and_empties(), "category_report")
    expect_cte(outcome, result, r"WITH\b", "WITH")


# -- task 3: above_average_categories ----------------------------------------------------
@pytest.mark.task(3)
@pytest.mark.parametrize("data", REPORT_SETS, ids=REPORT_IDS)
def test_above_average_categories(learner, data):
    """above_average_categories keeps categories strictly above the average count"""
    outcome, _ = run_one(learner, data, "above_average_categories")
    expect_rows(
        outcome,
        data.above_average(),
        diagnose=lambda rows: (
            "average over ALL categories (empty ones count 0) and keep only counts strictly "
            "greater than it"
        ),
    )


@pytest.mark.task(3)
def test_above_average_uses_a_cte(learner):
    """above_average_categories runs a statement that starts with WITH"""
    outcome, result = run_one(learner, _ties(), "above_average_categories")
    expect_cte(outcome, result, r"WITH\b", "WITH")


FUNCTIONS = [
    pytest.param("subtree", (60,), marks=pytest.mark.task(1), id="subtree"),
    pytest.param("category_report", (), marks=pytest.mark.task(2), id="category_report"),
    pytest.param("above_average_categories", (), marks=pytest.mark.task(3), id="above_average"),
]


def act_twice_then_read(module, path, function, args):
    """Call the function twice on one connection, then read the tables through it."""
    with closing(sqlite3.connect(path)) as conn:
        first = attempt(getattr(module, function), conn, *args)
        second = attempt(getattr(module, function), conn, *args)
        tasks = conn.execute("SELECT id, title, priority, category_id, parent_id FROM tasks")
        tasks = [list(row) for row in tasks]
        categories = [list(row) for row in conn.execute("SELECT id, name FROM categories")]
        return {"first": first, "second": second, "tasks": tasks, "categories": categories}


def as_collection(value):
    """Rows as a multiset when the value is a list (row order is open), else as it is."""
    if isinstance(value, list):
        return Counter(freeze(row, 9) for row in value)
    return freeze(value, 9)


@pytest.mark.parametrize(("function", "args"), FUNCTIONS)
def test_queries_leave_the_data_alone(learner, function, args):
    """only reads: the same answer twice on one connection, and the tables stay as they were"""
    data = _quotes_and_empties()
    path = build(learner, data)
    text = describe(function, args, data)
    call = f"{text}; the same call again on the same connection"
    result = learner.run(act_twice_then_read, path, function, args, call=call).value()
    first = Outcome.from_attempt(text, result["first"]).value()
    second = Outcome.from_attempt(call, result["second"])
    second.value()
    if not same(as_collection(second.reply.value), as_collection(first)):
        raise second.fail(
            "the same answer as the first call",
            got=f"Returned: {show(second.reply.value)}\nFirst:    {show(first)}",
            note="a query leaves nothing behind that changes the next call",
        )
    tasks = Counter(tuple(row) for row in result["tasks"])
    categories = Counter(tuple(row) for row in result["categories"])
    if tasks != Counter(data.tasks) or categories != Counter(data.categories):
        raise GradeFailure(
            f"Called:   {call}\nThen:     the same connection sees changed tables\n"
            "Expected: the tables as they were (the functions only SELECT)"
        )


# -- differential: any small forest of tasks, against the answers computed here --------
NAMES = ["Backend", "Docs", "O'Reilly", 'Say "hi"', "Ops"]


@st.composite
def small_databases(draw):
    """A few categories (some empty), a forest of tasks whose ids ignore the tree."""
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=4))
    cids = draw(st.lists(st.integers(1, 50), unique=True, min_size=len(names), max_size=len(names)))
    count = draw(st.integers(0, 12))
    ids = draw(st.lists(st.integers(1, 99), unique=True, min_size=count, max_size=count))
    tasks = []
    for position, task_id in enumerate(ids):
        earlier = ids[:position]
        parent = draw(st.sampled_from([None, *earlier])) if earlier else None
        category = draw(st.sampled_from([None, *cids]))
        tasks.append((task_id, f"t{task_id}", draw(st.integers(-2, 5)), category, parent))
    start = draw(st.sampled_from([*ids, 100]))  # 100: never a task id
    return list(zip(cids, names, strict=True)), tasks, start


def act_on_database(module, example):
    """Build the generated database in memory and return the function's answer."""
    function, categories, tasks, start = example
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.executescript(SCHEMA)
        conn.executemany("INSERT INTO categories (id, name) VALUES (?, ?)", categories)
        conn.executemany(
            "INSERT INTO tasks (id, title, priority, category_id, parent_id)"
            " VALUES (?, ?, ?, ?, ?)",
            tasks,
        )
        conn.commit()
        args = (start,) if function == "subtree" else ()
        return getattr(module, function)(conn, *args)


def _oracle(example):
    function, categories, tasks, start = example
    data = Dataset("generated", categories, tasks)
    if function == "subtree":
        return data.subtree(start)
    return data.report() if function == "category_report" else data.above_average()


def _describe(example):
    function, categories, tasks, start = example
    args = f"conn, {start}" if function == "subtree" else "conn"
    return (
        f"{function}({args})   # categories (id, name) {show(categories)}; tasks (id, title, "
        f"priority, category_id, parent_id) {show(tasks)}"
    )


@pytest.mark.parametrize(("function", "args"), FUNCTIONS)
def test_matches_the_answer_for_any_small_database(learner, function, args):
    """matches the answer on generated forests (shuffled ids, empty categories), any row order"""
    agree_run(
        learner,
        act_on_database,
        _oracle,
        small_databases().map(lambda database: (function, *database)),
        describe=_describe,
        compare=lambda got, want: same(as_collection(got), as_collection(want)),
        max_examples=40,
        note="this is the smallest generated database on which the answer differs",
    )
