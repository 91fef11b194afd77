"""Gate R2: indexes serve the three common task queries, and listings cost no N+1 queries."""

from __future__ import annotations

import collections
import sqlite3
from contextlib import closing
from typing import Any

import pytest

from graders.gates.phase7.actkit import PASSWORD, Probe, build_app, id_of, register_accounts
from graders.gates.phase7.fixtures import (  # noqa: F401 - fixtures
    _gate_sandbox,
    gate_fixture,
    secret_fixture,
    should_fixture,
)
from graders.gates.phase7.judge import clip, connect, failure, result, show_answer, step

pytestmark = pytest.mark.requirement("R2")

COMMON_QUERIES = {
    "tasks of a project by priority": (
        "SELECT * FROM tasks WHERE project_id = ? ORDER BY priority DESC",
        (1,),
    ),
    "open tasks of an assignee": (
        "SELECT * FROM tasks WHERE assignee_id = ? AND status = ?",
        (1, "todo"),
    ),
    "tasks of a category by priority": (
        "SELECT * FROM tasks WHERE category_id = ? ORDER BY priority DESC",
        (1,),
    ),
}
LISTINGS = ("/api/tasks", "/api/projects", "/api/categories", "/tasks")
FEW, MANY = 2, 20
STATEMENTS_KEPT = 80


# -- acts (run in the sandbox) ------------------------------------------------------------
def only_build(tf: Any, db_path: str, secret: str) -> str:
    """create_app on a fresh path, nothing else: the judge then reads the schema."""
    build_app(tf, db_path, secret)
    return "built"


def count_listing_statements(tf: Any, db_path: str, secret: str) -> dict[str, Any]:
    """Count the SQL statements each listing issues with 2 rows, then with 20 rows."""
    statements: list[str] = []
    real_connect = sqlite3.connect

    def counting_connect(*args: Any, **kwargs: Any) -> Any:
        connection = real_connect(*args, **kwargs)
        connection.set_trace_callback(statements.append)
        return connection

    sqlite3.connect = counting_connect
    try:
        probe = Probe(build_app(tf, db_path, secret))
        steps, tokens = register_accounts(probe)
        admin = tokens["gate_admin"]
        # Every task gets its own project, category and assignee: a lookup per distinct
        # value (a cache per category, say) grows with the data just like one per row.
        made = {"project": 0, "category": 0, "task": 0, "user": 0}
        projects: list[Any] = []
        categories: list[Any] = []
        assignees: list[Any] = []

        def grow(size: int) -> None:
            while made["project"] < size:
                made["project"] += 1
                name = f"create project {made['project']}"
                steps[name] = probe.send(
                    "POST", "/api/projects", token=admin, body={"name": f"Gate P{made['project']}"}
                )
                projects.append(id_of(steps[name]))
            while made["category"] < size:
                made["category"] += 1
                name = f"create category {made['category']}"
                body = {"name": f"gate-c{made['category']}"}
                steps[name] = probe.send("POST", "/api/categories", token=admin, body=body)
                categories.append(id_of(steps[name]))
            while made["user"] < size:
                made["user"] += 1
                name = f"register gate_user{made['user']}"
                body = {"username": f"gate_user{made['user']}", "password": PASSWORD}
                # With the admin's token: anonymous sign-ups may be rate limited per address.
                steps[name] = probe.send("POST", "/api/auth/register", token=admin, body=body)
                assignees.append(id_of(steps[name]))
            while made["task"] < size:
                made["task"] += 1
                index = made["task"] - 1
                body = {
                    "project_id": projects[index],
                    "title": f"Gate task {made['task']}",
                    "category_id": categories[index],
                    "assignee_id": assignees[index],
                }
                name = f"create task {made['task']}"
                steps[name] = probe.send("POST", "/api/tasks", token=admin, body=body)

        counts: dict[str, Any] = {url: {} for url in LISTINGS}
        for size in (FEW, MANY):
            grow(size)
            for url in LISTINGS:
                statements.clear()
                answer = probe.send("GET", url, token=admin)
                counts[url][str(size)] = {
                    "status": answer["status"],
                    "answer": answer if answer["status"] != 200 else None,
                    "count": len(statements),
                    "statements": [str(s)[:200] for s in statements[:STATEMENTS_KEPT]],
                }
    finally:
        sqlite3.connect = real_connect
    return {"steps": steps, "counts": counts}


# -- checks (run here, in the trusted process) ---------------------------------------------
@pytest.fixture(scope="module")
def fresh_db(gate, secret):
    path = gate.workdir / "r2-plans.sqlite"
    outcome = gate.run(only_build, str(path), secret, call="create_app(...) on a fresh path")
    outcome.value("create_app to return")
    return path


def plan_of(path, sql: str, params: tuple) -> list[str]:
    """EXPLAIN QUERY PLAN, run by the judge's own sqlite3; SCAN TABLE x is read as SCAN x."""
    with closing(connect(path)) as conn:
        details = [str(row[3]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
    return [d.replace("SCAN TABLE ", "SCAN ").replace("SEARCH TABLE ", "SEARCH ") for d in details]


@pytest.mark.parametrize("query", list(COMMON_QUERIES))
def test_common_query_uses_an_index(fresh_db, query):
    """EXPLAIN QUERY PLAN shows an index search, not a table scan"""
    sql, params = COMMON_QUERIES[query]
    did = f"EXPLAIN QUERY PLAN {sql}  (bound to {', '.join(map(repr, params))})"
    try:
        details = plan_of(fresh_db, sql, params)
    except sqlite3.Error as exc:
        raise failure(
            did,
            f"sqlite3 refused the query: {exc}",
            "a plan that searches tasks with an index",
            "the tasks table needs the columns of the contract, section 4 (category_id, ...)",
        ) from None
    searches = any(
        "SEARCH tasks USING INDEX" in d or "SEARCH tasks USING COVERING INDEX" in d for d in details
    )
    scans = [d for d in details if d.startswith("SCAN tasks")]
    if not searches or scans:
        raise failure(
            did,
            " | ".join(details),
            "a row 'SEARCH tasks USING INDEX ...' and no row 'SCAN tasks'",
            "without an index SQLite reads every task for this query; add one in a migration",
        )


@pytest.mark.requirement("S")
def test_should_no_sort_step(should):
    """SHOULD (R2.1): the ordered queries need no temporary B-tree to sort"""
    with should.checking():
        fresh_db = should.fixture("fresh_db")
        sorted_by_temp = []
        for name, (sql, params) in COMMON_QUERIES.items():
            if "ORDER BY" not in sql:
                continue
            try:
                details = plan_of(fresh_db, sql, params)
            except sqlite3.Error as exc:
                sorted_by_temp.append(f"{name} (query refused: {exc})")
                continue
            if any("USE TEMP B-TREE FOR ORDER BY" in d for d in details):
                sorted_by_temp.append(name)
        if sorted_by_temp:
            should(
                False,
                "USE TEMP B-TREE FOR ORDER BY in: "
                + "; ".join(sorted_by_temp)
                + " (an index ending in priority DESC serves the order too)",
            )
        else:
            should(True, "the index also gives the order: no temporary B-tree")


@pytest.fixture(scope="module")
def statement_counts(gate, secret) -> dict[str, Any]:
    outcome = gate.run(
        count_listing_statements,
        str(gate.workdir / "r2-counts.sqlite"),
        secret,
        call="sqlite3.connect wrapped to count statements; each listing fetched with "
        f"{FEW} and then {MANY} tasks, each in its own project, category and assignee",
    )
    data = result(outcome, "the counts")
    for name in data["steps"]:
        step(
            data["steps"],
            name,
            (200,) if name.startswith("login") else (201,),
            "Filling the database",
        )
    return data["counts"]


def most_repeated(few: list[str], many: list[str]) -> str:
    """The statement whose count grew the most between the two runs."""
    grown = collections.Counter(many)
    grown.subtract(collections.Counter(few))
    statement, extra = grown.most_common(1)[0] if grown else ("", 0)
    return f"{clip(statement, 160)} ({extra} more times)" if extra > 0 else ""


@pytest.mark.parametrize("url", LISTINGS)
def test_listing_has_no_n_plus_one(statement_counts, url):
    """a listing issues as many SQL statements for 20 rows as for 2"""
    counted = statement_counts[url]
    few, many = counted[str(FEW)], counted[str(MANY)]
    for size, data in ((FEW, few), (MANY, many)):
        if data["status"] != 200:
            raise failure(
                f"GET {url} with {size} rows of each kind (admin token)",
                show_answer(data["answer"]),
                "status 200",
            )
    if few["count"] != many["count"]:
        repeated = most_repeated(few["statements"], many["statements"])
        raise failure(
            f"GET {url} with {FEW} and then {MANY} rows, counting the SQL statements it ran",
            f"{few['count']} statements for {FEW} rows, {many['count']} for {MANY} rows",
            "the same number for both",
            "one query per row (N+1): fetch the related names with a JOIN in the listing query"
            + (f"; repeated: {repeated}" if repeated else ""),
        )
