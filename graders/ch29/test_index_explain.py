"""Grader for ch29/index_explain: EXPLAIN QUERY PLAN, SCAN vs SEARCH, minimal indexes.

Every plan the verdict depends on is computed HERE, in the judge process, by running
EXPLAIN QUERY PLAN on the database file the learner's code read or changed, so a learner
function cannot fake a plan. The leftmost-prefix answers are checked against SQLite itself
on hundreds of index/filter combinations.
"""

from __future__ import annotations

import itertools
import random
import re
import sqlite3
from contextlib import closing

import pytest
from hypothesis import strategies as st

from graders.acts import attempt
from graders.differential import agree
from graders.harness import GradeFailure, Learner, Outcome

EXERCISE = "ch29/index_explain"
_db_numbers = itertools.count(1)

SCHEMA = """
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL, status TEXT NOT NULL,
    priority INTEGER NOT NULL, category_id INTEGER, assignee_id INTEGER, created TEXT NOT NULL
)
"""
QUERIES = {
    "tasks_of_assignee": ("SELECT id, title FROM tasks WHERE assignee_id = ?", (7,)),
    "urgent_in_category": (
        "SELECT id, title FROM tasks WHERE category_id = ? AND priority >= ?",
        (3, 4),
    ),
    "tasks_in_category": ("SELECT id, title FROM tasks WHERE category_id = ?", (3,)),
}


# -- the judge's own database and plans ---------------------------------------------
def build(learner: Learner, indexes: tuple[str, ...] = ()) -> str:
    path = learner.workdir / f"tasks-{next(_db_numbers)}.db"
    rng = random.Random(2900)
    rows = [
        (
            f"task {i}",
            rng.choice(["todo", "doing", "done"]),
            rng.randint(1, 5),
            rng.randint(1, 20),
            rng.randint(1, 30),
            f"2024-03-{rng.randint(1, 28):02d}",
        )
        for i in range(600)
    ]
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(SCHEMA)
        conn.executemany(
            "INSERT INTO tasks (title, status, priority, category_id, assignee_id,"
            " created) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
        for index in indexes:
            conn.execute(index)
    return str(path)


def explain(path: str, sql: str, params: tuple | list = ()) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, tuple(params))]


def searches(plan: list[str]) -> bool:
    return any(line.startswith("SEARCH") for line in plan) and not any(
        line.startswith("SCAN") for line in plan
    )


def user_indexes(path: str) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " ORDER BY name"
        ).fetchall()


def table_rows(path: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT * FROM tasks ORDER BY id").fetchall()


# -- acts: run inside the sandbox, next to the learner's code ----------------------
def act_plan_for(module, path, sql, params):
    with closing(sqlite3.connect(path)) as conn:
        return attempt(module.plan_for, conn, sql, params)


def act_create_indexes(module, path, times):
    records = []
    with closing(sqlite3.connect(path)) as conn:
        for _ in range(times):
            records.append(attempt(module.create_indexes, conn))
    return records


def act_create_indexes_in_open_transaction(module, path):
    """Call create_indexes while the caller has an uncommitted INSERT, then close without
    committing: only what create_indexes committed survives."""
    conn = sqlite3.connect(path)
    try:
        conn.execute(
            "INSERT INTO tasks (title, status, priority, created) VALUES ('x', 'todo', 1, '')"
        )
        return attempt(module.create_indexes, conn)
    finally:
        conn.close()


def act_prefixes(module, cases):
    return [
        attempt(module.index_prefix_used, list(index), list(filters)) for index, filters in cases
    ]


# -- task 1 --------------------------------------------------------------------------
JUDGE_INDEXES = (
    "CREATE INDEX judge_assignee ON tasks (assignee_id)",
    "CREATE INDEX judge_category ON tasks (category_id, priority)",
)
PLAN_CASES = [
    pytest.param("SELECT * FROM tasks WHERE id = ?", (42,), id="primary_key"),
    pytest.param(
        "SELECT title FROM tasks WHERE status = ? ORDER BY created", ("todo",), id="scan_then_sort"
    ),
    pytest.param("SELECT COUNT(*) FROM tasks WHERE category_id = ?", (3,), id="covering_index"),
    pytest.param(
        "SELECT title FROM tasks WHERE assignee_id = ? OR category_id = ?",
        (1, 2),
        id="or_across_two_indexes",
    ),
    pytest.param(
        "SELECT title FROM tasks WHERE category_id IN"
        " (SELECT category_id FROM tasks WHERE priority = ?)",
        (5,),
        id="subquery",
    ),
    pytest.param("SELECT priority FROM tasks", (), id="no_parameters"),
    pytest.param(
        "SELECT * FROM tasks WHERE assignee_id = ? AND priority > ?",
        [3, 2],
        id="parameters_as_a_list",
    ),
]


@pytest.mark.task(1)
@pytest.mark.parametrize(("sql", "params"), PLAN_CASES)
def test_plan_for_matches_explain(learner, sql, params):
    """plan_for returns every detail line of EXPLAIN QUERY PLAN, in SQLite's order"""
    path = build(learner, JUDGE_INDEXES)
    call = f"plan_for(conn, {sql!r}, {params!r})"
    record = learner.run(act_plan_for, path, sql, params, call=call).value()
    Outcome.from_attempt(call, record).expect(
        explain(path, sql, params),
        note="a list of the detail strings (the 4th column of each row), all of them, in order",
    )


@pytest.mark.task(1)
@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM tasks WHERE assignee_id = ?",
        "UPDATE tasks SET priority = 0 WHERE assignee_id = ?",
    ],
    ids=["delete", "update"],
)
def test_plan_for_does_not_run_the_statement(learner, sql):
    """plan_for only explains a statement: a DELETE or UPDATE changes nothing"""
    path = build(learner, JUDGE_INDEXES)
    before = table_rows(path)
    call = f"plan_for(conn, {sql!r}, (3,))"
    record = learner.run(act_plan_for, path, sql, (3,), call=call).value()
    Outcome.from_attempt(call, record).expect(explain(path, sql, (3,)))
    if table_rows(path) != before:
        raise GradeFailure(
            f"Called:   {call}\nThen:     rows of tasks had changed\n"
            "Expected: no change: EXPLAIN QUERY PLAN describes a statement "
            "without running it"
        )


# -- task 2 --------------------------------------------------------------------------
USES_INDEX_CASES = [
    pytest.param(["SEARCH tasks USING INDEX idx_a (assignee_id=?)"], True, id="index_search"),
    pytest.param(["SEARCH tasks USING INTEGER PRIMARY KEY (rowid=?)"], True, id="primary_key"),
    pytest.param(
        ["SEARCH tasks USING COVERING INDEX idx_c (category_id=?)", "USE TEMP B-TREE FOR ORDER BY"],
        True,
        id="covering_search_then_sort",
    ),
    pytest.param(
        [
            "MULTI-INDEX OR",
            "INDEX 1",
            "SEARCH tasks USING INDEX idx_a (assignee_id=?)",
            "INDEX 2",
            "SEARCH tasks USING INDEX idx_c (category_id=?)",
        ],
        True,
        id="multi_index_or",
    ),
    pytest.param(
        ["SEARCH TABLE tasks USING INDEX idx_a (assignee_id=?)"],
        True,
        id="older_sqlite_wording_search",
    ),
    pytest.param(["SCAN tasks"], False, id="full_scan"),
    pytest.param(["SCAN tasks USING COVERING INDEX idx_c"], False, id="covering_index_scan"),
    pytest.param(["SCAN tasks", "USE TEMP B-TREE FOR ORDER BY"], False, id="scan_then_sort"),
    pytest.param(["SCAN TABLE tasks"], False, id="older_sqlite_wording_scan"),
    pytest.param(
        ["SEARCH t USING INDEX idx_a (assignee_id=?)", "SCAN c"], False, id="join_with_a_scan_last"
    ),
    pytest.param(
        ["SCAN c", "SEARCH t USING INDEX idx_c (category_id=?)"], False, id="join_with_a_scan_first"
    ),
    pytest.param(["USE TEMP B-TREE FOR ORDER BY"], False, id="no_search_at_all"),
    pytest.param([], False, id="empty_plan"),
]


@pytest.mark.task(2)
@pytest.mark.parametrize(("plan", "expected"), USES_INDEX_CASES)
def test_uses_index(learner, plan, expected):
    """uses_index is True only when the plan SEARCHes and never SCANs"""
    why = (
        "a line that starts with SCAN reads a whole table or index, even when it says "
        "USING COVERING INDEX"
        if not expected
        else "some line starts with SEARCH and none starts with SCAN"
    )
    learner.call("uses_index", plan).expect(expected, note=why)


PLAN_LINES = [
    "SCAN tasks",
    "SCAN tasks USING COVERING INDEX idx_c",
    "SCAN TABLE tasks",
    "SCAN CONSTANT ROW",
    "SEARCH tasks USING INDEX idx_a (assignee_id=?)",
    "SEARCH tasks USING COVERING INDEX idx_c (category_id=? AND priority>?)",
    "SEARCH tasks USING INTEGER PRIMARY KEY (rowid=?)",
    "SEARCH c USING AUTOMATIC COVERING INDEX (id=?)",
    "USE TEMP B-TREE FOR ORDER BY",
    "MULTI-INDEX OR",
    "INDEX 1",
    "LIST SUBQUERY 1",
    "CORRELATED SCALAR SUBQUERY 2",
    "CO-ROUTINE sub",
    "BLOOM FILTER ON t (id=?)",
]


@pytest.mark.task(2)
def test_uses_index_agrees_on_generated_plans(learner):
    """on generated plans, True exactly when a line starts with SEARCH and none with SCAN"""
    agree(
        learner,
        "uses_index",
        searches,
        st.tuples(st.lists(st.sampled_from(PLAN_LINES), max_size=6)),
        max_examples=60,
        note="only how each line STARTS decides: SEARCH somewhere, and SCAN nowhere",
    )


# -- task 3 --------------------------------------------------------------------------
def indexed_database(learner: Learner, times: int = 1) -> str:
    path = build(learner)
    call = "create_indexes(conn)" + (f"   # called {times} times" if times > 1 else "")
    records = learner.run(act_create_indexes, path, times, call=call).value()
    for record in records:
        Outcome.from_attempt(call, record).value("a normal return, no exception")
    return path


def describe_indexes(path: str) -> str:
    found = user_indexes(path)
    return "; ".join(sql for _, sql in found) if found else "no indexes at all"


@pytest.mark.task(3)
@pytest.mark.parametrize("name", list(QUERIES))
def test_query_searches_after_create_indexes(learner, name):
    """after create_indexes, each of the three QUERIES is a SEARCH, not a SCAN"""
    path = indexed_database(learner)
    sql, params = QUERIES[name]
    plan = explain(path, sql, params)
    if not searches(plan):
        raise GradeFailure(
            f"Called:   create_indexes(conn), then EXPLAIN QUERY PLAN {sql}\n"
            f"Plan:     {plan}\nIndexes:  {describe_indexes(path)}\n"
            f"Expected: a SEARCH using an index for {name}\n"
            "Why:      an index helps only if its FIRST column is one the query filters on"
            " (and the indexes must be committed)"
        )


@pytest.mark.task(3)
def test_urgent_query_uses_both_columns(learner):
    """urgent_in_category searches its index on category_id AND priority"""
    path = indexed_database(learner)
    sql, params = QUERIES["urgent_in_category"]
    plan = explain(path, sql, params)
    if not any(
        line.startswith("SEARCH") and "category_id=? AND priority>?" in line for line in plan
    ):
        raise GradeFailure(
            f"Called:   create_indexes(conn), then EXPLAIN QUERY PLAN {sql}\n"
            f"Plan:     {plan}\nIndexes:  {describe_indexes(path)}\n"
            "Expected: a SEARCH whose detail shows (category_id=? AND priority>?)\n"
            "Why:      one composite index can narrow by the category and then by priority"
        )


@pytest.mark.task(3)
def test_two_indexes_are_enough(learner):
    """create_indexes makes all three queries search with no more than two indexes"""
    path = indexed_database(learner)
    not_searching = [
        name for name, (sql, params) in QUERIES.items() if not searches(explain(path, sql, params))
    ]
    found = user_indexes(path)
    if not_searching or len(found) > 2:
        raise GradeFailure(
            f"Called:   create_indexes(conn)\nIndexes:  {len(found)}: {describe_indexes(path)}\n"
            + (f"Scanning: {', '.join(not_searching)}\n" if not_searching else "")
            + "Expected: two indexes that make all three queries SEARCH\n"
            "Why:      every index slows down writes; thanks to the leftmost-prefix rule one "
            "composite index serves both category queries"
        )


@pytest.mark.task(3)
def test_create_indexes_twice_is_harmless(learner):
    """calling create_indexes twice neither fails nor adds indexes"""
    path = indexed_database(learner, times=2)
    found = user_indexes(path)
    if len(found) > 2 or not all(searches(explain(path, *QUERIES[name])) for name in QUERIES):
        raise GradeFailure(
            f"Called:   create_indexes(conn) twice\nIndexes:  {describe_indexes(path)}\n"
            "Expected: the same two indexes as after one call"
        )


@pytest.mark.task(3)
def test_create_indexes_commits(learner):
    """create_indexes commits its indexes, even when the caller had a transaction open"""
    path = build(learner)
    call = (
        "conn.execute('INSERT INTO tasks ...')   # a transaction is now open\n"
        "          create_indexes(conn); conn.close()   # closed without the caller committing"
    )
    record = learner.run(act_create_indexes_in_open_transaction, path, call=call).value()
    Outcome.from_attempt(call, record).value("a normal return, no exception")
    not_searching = [
        name for name, (sql, params) in QUERIES.items() if not searches(explain(path, sql, params))
    ]
    if not_searching:
        raise GradeFailure(
            f"Called:   {call}\nThen:     another connection sees the indexes: "
            f"{describe_indexes(path)}; {', '.join(not_searching)} still scan\n"
            "Expected: the indexes committed by create_indexes, so every connection uses them\n"
            "Why:      inside an open transaction CREATE INDEX waits for a COMMIT; closing "
            "the connection without one rolled it back (use `with conn:` or conn.commit())"
        )


# -- task 4 --------------------------------------------------------------------------
COLUMNS = ("category_id", "priority", "status", "assignee_id")


def sqlite_prefix(
    conn: sqlite3.Connection, index: tuple[str, ...], filters: tuple[str, ...]
) -> int:
    """Ask SQLite: how many index columns does its SEARCH use for these = filters?"""
    conn.execute("DROP INDEX IF EXISTS probe")
    conn.execute(f"CREATE INDEX probe ON tasks ({', '.join(index)})")
    where = " AND ".join(f"{column} = ?" for column in filters)
    plan = [
        row[3]
        for row in conn.execute(
            f"EXPLAIN QUERY PLAN SELECT * FROM tasks WHERE {where}", (1,) * len(filters)
        )
    ]
    for line in plan:
        found = re.match(r"SEARCH \w+ USING (?:COVERING )?INDEX probe \((.*)\)$", line)
        if found:
            return found.group(1).count("=?")
    return 0


def all_prefix_cases() -> list[tuple[tuple[str, ...], tuple[str, ...], int]]:
    rng = random.Random(4)
    cases = []
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.execute(SCHEMA)
        for size in (1, 2, 3):
            for index in itertools.permutations(COLUMNS, size):
                for count in range(0, len(COLUMNS) + 1):
                    for filters in itertools.combinations(COLUMNS, count):
                        shuffled = list(filters)
                        rng.shuffle(shuffled)
                        truth = sqlite_prefix(conn, index, tuple(shuffled)) if filters else 0
                        cases.append((index, tuple(shuffled), truth))
    return cases


def run_prefixes(learner: Learner, cases: list) -> list[dict]:
    plain = [[list(index), list(filters)] for index, filters, _ in cases]
    return learner.run(act_prefixes, plain, call="index_prefix_used(...) on many cases").value()


def prefix_call(index, filters) -> str:
    return f"index_prefix_used({list(index)!r}, {list(filters)!r})"


@pytest.mark.task(4)
def test_index_cannot_serve_its_second_column_alone(learner):
    """an index on (category_id, priority) cannot be used to filter on priority alone: 0"""
    learner.call("index_prefix_used", ["category_id", "priority"], ["priority"]).expect(
        0,
        note="the index is sorted by category_id first; the rows for one priority are "
        "scattered all through it, so SQLite scans the table",
    )


PREFIX_EXAMPLES = [
    pytest.param(["category_id", "priority"], ["category_id"], 1, id="leftmost_column"),
    pytest.param(
        ["category_id", "priority"], ["priority", "category_id"], 2, id="both_columns_in_any_order"
    ),
    pytest.param(
        ["category_id", "priority", "status"], ["category_id", "status"], 1, id="stops_at_a_gap"
    ),
    pytest.param(
        ["category_id", "priority", "status"], ["priority", "status"], 0, id="first_column_missing"
    ),
    pytest.param(
        ["assignee_id"], ["assignee_id", "status", "priority"], 1, id="extra_filters_ignored"
    ),
    pytest.param(["category_id", "priority"], [], 0, id="no_filter"),
]


@pytest.mark.task(4)
@pytest.mark.parametrize(("index", "filters", "expected"), PREFIX_EXAMPLES)
def test_index_prefix_examples(learner, index, filters, expected):
    """index_prefix_used counts the filtered leading columns of the index"""
    learner.call("index_prefix_used", index, filters).expect(
        expected, note="count index columns from the left while each one is filtered"
    )


@pytest.mark.task(4)
def test_index_prefix_agrees_with_sqlite(learner):
    """index_prefix_used agrees with SQLite's own plans on 640 index/filter combinations"""
    cases = all_prefix_cases()
    records = run_prefixes(learner, cases)
    for (index, filters, truth), record in zip(cases, records, strict=True):
        outcome = Outcome.from_attempt(prefix_call(index, filters), record)
        outcome.expect(
            truth,
            note=f"SQLite's plan for an index on ({', '.join(index)}) "
            f"uses {truth} of its columns for this filter",
        )
