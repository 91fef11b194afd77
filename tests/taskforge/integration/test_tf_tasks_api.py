"""Tasks, projects and categories over HTTP: CRUD, filters, sorting and error shapes."""

import pytest

TASK_KEYS = {
    "id",
    "title",
    "description",
    "priority",
    "status",
    "due_date",
    "project_id",
    "category_id",
    "category",
    "assignee_id",
    "assignee",
    "parent_id",
    "created_at",
    "updated_at",
}


@pytest.fixture(params=("sqlite", "postgresql"))
def backend(request):
    """Every test here runs on SQLite and on PostgreSQL (+ Redis)."""
    return request.param


@pytest.fixture
def admin(api):
    return api.admin()


@pytest.fixture
def project(api, admin):
    return api.project(admin, "Alpha")


def test_project_crud(api, admin, error):
    created = api.call("POST", "/api/projects", admin, json={"name": "Beta", "description": "b"})
    assert created.status_code == 201
    project = created.get_json()
    assert project["name"] == "Beta" and project["owner_id"] == 1
    assert api.call("GET", f"/api/projects/{project['id']}", admin).get_json() == project
    listing = api.call("GET", "/api/projects", admin).get_json()
    assert listing == {"projects": [project]}
    duplicate = api.call("POST", "/api/projects", admin, json={"name": "beta"})
    assert duplicate.status_code == 409
    missing = api.call("GET", "/api/projects/99", admin)
    assert missing.status_code == 404 and error(missing)["code"] == "not_found"


def test_category_crud(api, admin):
    api.category(admin, "feature")
    api.category(admin, "Bug")
    listing = api.call("GET", "/api/categories", admin).get_json()
    assert listing == {"categories": [{"id": 2, "name": "Bug"}, {"id": 1, "name": "feature"}]}
    assert api.call("POST", "/api/categories", admin, json={"name": "BUG"}).status_code == 409
    assert api.call("POST", "/api/categories", admin, json={"name": ""}).status_code == 422


def test_task_crud(api, admin, project):
    bug = api.category(admin, "bug")
    created = api.task(
        admin,
        project["id"],
        "Fix login",
        priority=80,
        status="doing",
        due_date="2030-05-01",
        category_id=bug["id"],
        assignee_id=1,
        description="steps",
    )
    assert set(created) == TASK_KEYS
    assert created["category"] == "bug" and created["assignee"] == "admin"
    task_url = f"/api/tasks/{created['id']}"
    assert api.call("GET", task_url, admin).get_json() == created

    patched = api.call("PATCH", task_url, admin, json={"status": "done", "assignee_id": None})
    assert patched.status_code == 200
    assert patched.get_json()["status"] == "done" and patched.get_json()["assignee"] is None

    listing = api.call("GET", "/api/tasks", admin).get_json()
    assert [t["id"] for t in listing["tasks"]] == [created["id"]]

    deleted = api.call("DELETE", task_url, admin)
    assert deleted.status_code == 204 and deleted.data == b""
    assert api.call("GET", task_url, admin).status_code == 404
    assert api.call("DELETE", task_url, admin).status_code == 404


def test_task_defaults(api, admin, project):
    task = api.task(admin, project["id"], "Minimal")
    assert task["priority"] == 50 and task["status"] == "todo"
    assert task["due_date"] is None and task["category"] is None and task["parent_id"] is None


def test_filters_and_sorting(api, admin, project):
    other = api.project(admin, "Beta")
    bug = api.category(admin, "bug")
    api.task(admin, project["id"], "a", priority=10, due_date="2030-03-01")
    api.task(admin, project["id"], "b", priority=90, status="doing", assignee_id=1)
    api.task(admin, project["id"], "c", priority=50, category_id=bug["id"], due_date="2030-01-01")
    api.task(admin, other["id"], "d", priority=70, assignee_id=1, status="doing")

    def titles(query):
        response = api.call("GET", "/api/tasks" + query, admin)
        assert response.status_code == 200, response.get_json()
        return [t["title"] for t in response.get_json()["tasks"]]

    assert titles("") == ["b", "d", "c", "a"]
    assert titles(f"?project_id={project['id']}") == ["b", "c", "a"]
    assert titles("?assignee_id=1&status=doing") == ["b", "d"]
    assert titles(f"?category_id={bug['id']}") == ["c"]
    assert titles("?status=todo&order=asc") == ["a", "c"]
    assert titles("?sort=due_date") == ["c", "a", "b", "d"]
    assert titles("?sort=due_date&order=desc") == ["a", "c", "b", "d"]
    assert titles("?search=B") == ["b"]


@pytest.mark.parametrize(
    "query",
    ["?project_id=abc", "?status=blocked", "?sort=title", "?order=sideways", "?assignee_id=-1"],
)
def test_bad_query_parameters_are_400(api, admin, query, error):
    response = api.call("GET", "/api/tasks" + query, admin)
    assert response.status_code == 400
    assert error(response)["code"] == "bad_request"


@pytest.mark.parametrize(
    "payload",
    [
        "x' OR 1=1 OR title LIKE '",
        "' UNION SELECT id, username, password_hash, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 FROM users --",
        "'; DROP TABLE tasks; --",
        "%",
        "\\",
    ],
)
def test_search_is_not_injectable(api, admin, project, payload):
    api.task(admin, project["id"], "visible task")
    response = api.call("GET", "/api/tasks", admin, query_string={"search": payload})
    assert response.status_code == 200
    assert response.get_json() == {"tasks": [], "total": 0}
    assert len(api.call("GET", "/api/tasks", admin).get_json()["tasks"]) == 1


def test_validation_errors_are_422_with_field_details(api, admin, project, error):
    response = api.call(
        "POST",
        "/api/tasks",
        admin,
        json={"project_id": project["id"], "title": "", "priority": 500, "status": "x"},
    )
    assert response.status_code == 422
    assert error(response)["code"] == "validation_failed"
    assert set(response.get_json()["error"]["details"]) == {"title", "priority", "status"}


@pytest.mark.parametrize(
    "body",
    [
        {"title": "no project"},
        {"project_id": 1},
        {"project_id": 1, "title": "t", "owner": 3},
        {"project_id": 99, "title": "t"},
        {"project_id": 1, "title": "t", "assignee_id": 99},
        {"project_id": 1, "title": "t", "priority": True},
    ],
)
def test_create_task_rejects_bad_bodies(api, admin, project, body):
    response = api.call("POST", "/api/tasks", admin, json=body)
    assert response.status_code == 422
    assert api.call("GET", "/api/tasks", admin).get_json() == {"tasks": [], "total": 0}


def test_patch_rules(api, admin, project, error):
    task = api.task(admin, project["id"], "keep")
    url = f"/api/tasks/{task['id']}"
    for body in [{}, {"project_id": project["id"]}, {"colour": "red"}, {"due_date": "tomorrow"}]:
        response = api.call("PATCH", url, admin, json=body)
        assert response.status_code == 422, body
    assert api.call("PATCH", "/api/tasks/99", admin, json={"title": "x"}).status_code == 404
    assert api.call("GET", url, admin).get_json() == task


def test_delete_takes_subtasks_with_it(api, admin, project):
    parent = api.task(admin, project["id"], "parent")
    api.task(admin, project["id"], "child", parent_id=parent["id"])
    api.task(admin, project["id"], "other")
    api.call("DELETE", f"/api/tasks/{parent['id']}", admin)
    titles = [t["title"] for t in api.call("GET", "/api/tasks", admin).get_json()["tasks"]]
    assert titles == ["other"]


def test_task_history(api, admin, project):
    task = api.task(admin, project["id"], "tracked")
    api.call("PATCH", f"/api/tasks/{task['id']}", admin, json={"priority": 99})
    events = api.call("GET", f"/api/tasks/{task['id']}/events", admin).get_json()["events"]
    assert [(e["kind"], e["actor_id"]) for e in events] == [("created", 1), ("updated", 1)]
    assert events[1]["detail"] == {"fields": ["priority"]}
    assert api.call("GET", "/api/tasks/99/events", admin).status_code == 404


def test_unknown_routes_and_methods_are_json_errors(api, admin, error):
    missing = api.call("GET", "/api/nothing-here", admin)
    assert missing.status_code == 404 and error(missing)["code"] == "not_found"
    wrong = api.call("PUT", "/api/tasks", admin)
    assert wrong.status_code == 405 and error(wrong)["code"] == "method_not_allowed"
    assert "POST" in wrong.headers["Allow"]


def test_oversized_bodies_are_refused(api, admin, project, error):
    huge = {"project_id": project["id"], "title": "x", "description": "y" * (2 * 1024 * 1024)}
    response = api.call("POST", "/api/tasks", admin, json=huge)
    assert response.status_code == 413
    assert error(response)["code"] == "payload_too_large"


def test_unexpected_errors_are_500_json_without_internals(app, api, admin, monkeypatch, error):
    from taskforge.services import TaskManager

    def broken(self, query=None):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(TaskManager, "list_tasks", broken)
    app.logger.disabled = True
    response = api.call("GET", "/api/tasks", admin)
    assert response.status_code == 500
    assert error(response)["code"] == "internal_error"
    assert "secret internal detail" not in response.get_data(as_text=True)
