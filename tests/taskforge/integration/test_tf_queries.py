"""Indexes serve the three most common listings, and listings cost a constant number of queries."""

import sqlite3
from contextlib import closing

import pytest

from taskforge.domain import TaskQuery
from taskforge.repository import build_task_listing

# The three most common task queries, as the repository really issues them.
COMMON = {
    "project board": (TaskQuery(project_id=1), "ix_tasks_project_priority"),
    "my open tasks": (TaskQuery(assignee_id=1, status="todo"), "ix_tasks_assignee_status"),
    "by category": (TaskQuery(category_id=1), "ix_tasks_category_priority"),
}
# The same three in their simplest form (the form the gate runs against any schema).
LITERAL = {
    "project board": "SELECT * FROM tasks WHERE project_id = ? ORDER BY priority DESC",
    "my open tasks": "SELECT * FROM tasks WHERE assignee_id = ? AND status = ?",
    "by category": "SELECT * FROM tasks WHERE category_id = ? ORDER BY priority DESC",
}


def plan(db_path, sql, params):
    with closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return [row[3] for row in rows]


@pytest.mark.parametrize("name", sorted(COMMON))
def test_repository_queries_search_an_index_and_need_no_sort(db_path, name):
    query, index = COMMON[name]
    sql, params = build_task_listing(query)
    details = plan(db_path, sql, params)
    task_lines = [d for d in details if d.startswith(("SEARCH t ", "SCAN t"))]
    assert len(task_lines) == 1, details
    assert task_lines[0].startswith(f"SEARCH t USING INDEX {index} ("), details
    assert not any("TEMP B-TREE" in d for d in details), details
    # The joined names come from primary-key lookups, not scans.
    assert not any(d.startswith("SCAN") for d in details), details


@pytest.mark.parametrize("name", sorted(LITERAL))
def test_literal_queries_use_an_index(db_path, name):
    sql = LITERAL[name]
    details = plan(db_path, sql, [1] * sql.count("?"))
    assert any("USING INDEX" in d or "USING COVERING INDEX" in d for d in details), details
    assert not any(d.startswith("SCAN") for d in details), details


def test_without_the_indexes_the_same_query_scans(db_path):
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("DROP INDEX ix_tasks_project_priority")
        conn.commit()
    details = plan(db_path, LITERAL["project board"], [1])
    assert any(d.startswith("SCAN tasks") for d in details)


def fill(api, token, count):
    project = api.project(token, f"P{count}")
    category = api.category(token, f"c{count}")
    api.user(f"user{count}", "viewer", token)
    for number in range(count):
        api.task(
            token,
            project["id"],
            f"t{number}",
            category_id=category["id"],
            assignee_id=1 + (number % 2),
        )


@pytest.mark.parametrize(
    "url",
    [
        "/api/tasks",
        "/api/tasks?sort=due_date&search=t",
        "/api/projects",
        "/api/categories",
        "/tasks",
    ],
)
def test_listing_cost_does_not_grow_with_the_number_of_rows(api, sql_counter, url):
    counts = []
    admin = api.admin()
    for batch in (2, 20):
        fill(api, admin, batch)
        sql_counter.reset()
        response = api.call("GET", url, admin)
        assert response.status_code == 200
        counts.append(len(sql_counter))
    assert counts[0] == counts[1], (
        f"{url}: {counts[0]} statements for few rows, {counts[1]} for many"
    )
    assert counts[0] <= 5


def test_listing_is_one_select_on_tasks_and_one_count(api, sql_counter):
    admin = api.admin()
    fill(api, admin, 5)
    sql_counter.reset()
    api.call("GET", "/api/tasks", admin)
    on_tasks = [s for s in sql_counter.statements if "FROM tasks" in s]
    assert len(on_tasks) == 2
    assert sum("SELECT COUNT(*)" in s for s in on_tasks) == 1  # the total, for paging
