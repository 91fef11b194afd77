"""Listing pages (limit and offset) and the indexes that serve a filter, a sort and a page."""

from __future__ import annotations

import dataclasses
import sqlite3
from contextlib import closing

import pytest

from taskforge.domain import Category, Project, Task, TaskEvent, TaskQuery, User
from taskforge.repository import build_task_listing
from taskforge.repository.sqlite_tasks import TASK_COLUMNS
from taskforge.web.support import to_json


@pytest.fixture
def admin(api):
    return api.admin()


@pytest.fixture
def board(api, admin):
    project = api.project(admin)
    for number in range(7):
        api.task(admin, project["id"], f"t{number}", priority=10 * (number % 4))
    return project


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_json()
    return [task["id"] for task in response.get_json()["tasks"]]


def test_pages_add_up_to_the_whole_list(api, admin, board):
    everything = ids(api.call("GET", "/api/tasks?sort=priority", admin))
    pages = [
        ids(api.call("GET", f"/api/tasks?sort=priority&limit=3&offset={start}", admin))
        for start in (0, 3, 6, 9)
    ]
    assert [len(page) for page in pages] == [3, 3, 1, 0]
    assert sum(pages, []) == everything


def test_offset_alone_skips(api, admin, board):
    everything = ids(api.call("GET", "/api/tasks?sort=due_date", admin))
    assert ids(api.call("GET", "/api/tasks?sort=due_date&offset=5", admin)) == everything[5:]


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=-1", "limit=x", "offset=-2"])
def test_bad_page_parameters_are_400(api, admin, query, error):
    response = api.call("GET", f"/api/tasks?{query}", admin)
    assert response.status_code == 400
    assert error(response)["code"] == "bad_request"


def test_the_html_list_takes_the_same_page_parameters(api, admin, board):
    page = api.call("GET", "/tasks?limit=2", admin).get_data(as_text=True)
    assert page.count('href="/tasks/') == 2


# The listings the Phase 8 profile found slow: filter, sort, one page (docs/performance.md).
SERVED = {
    "board column": (
        TaskQuery(project_id=1, status="todo", limit=50),
        "ix_tasks_status_project_priority",
    ),
    "my queue": (TaskQuery(assignee_id=1, sort="due_date", limit=50), "ix_tasks_assignee_due"),
    "triage": (
        TaskQuery(category_id=1, status="todo", limit=50),
        "ix_tasks_status_category_priority",
    ),
}


@pytest.mark.parametrize("name", sorted(SERVED))
def test_filter_sort_and_page_are_served_by_one_index(db_path, name):
    query, index = SERVED[name]
    sql, params = build_task_listing(query)
    with closing(sqlite3.connect(db_path)) as connection:
        plan = [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, params)]
    assert any(line.startswith(f"SEARCH t USING INDEX {index} (") for line in plan), plan
    assert not any("TEMP B-TREE" in line for line in plan), plan


def test_listing_columns_follow_the_task_fields():
    assert [name for _, name in TASK_COLUMNS] == [f.name for f in dataclasses.fields(Task)]


@pytest.mark.parametrize(
    "record",
    [
        User(1, "ann", "admin"),
        Project(1, "Alpha", "", None, "2030-01-01T00:00:00Z"),
        Category(2, "bug"),
        Task(3, "t", "", 50, "todo", None, 1, None, None, None, None, None, "x", "y"),
        TaskEvent(4, 3, "moved", {"from_project_id": 1, "subtask_ids": [5]}, 1, "x"),
    ],
)
def test_to_json_matches_asdict(record):
    assert to_json(record) == dataclasses.asdict(record)


def test_openapi_describes_the_page_parameters(client):
    spec = client.get("/api/openapi.json").get_json()
    names = {p["name"] for p in spec["paths"]["/api/tasks"]["get"]["parameters"]}
    assert {"limit", "offset"} <= names
