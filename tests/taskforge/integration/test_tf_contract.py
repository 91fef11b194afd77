"""The gate's "it runs, CRUD works" scenario, run on the reference AND the starter.

Both packages are imported the way the gate imports a learner's TARGET folder: under the
module name "taskforge". Both must pass; they differ in how they do it, not in what the
HTTP API looks like.
"""

import sqlite3
from contextlib import closing

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
}


@pytest.fixture(params=["reference", "starter"])
def target_app(request, load_as_taskforge, package_dirs, fresh_db_path, secret):
    with load_as_taskforge(package_dirs[request.param]) as module:
        app = module.create_app({"DATABASE": fresh_db_path, "TESTING": True, "SECRET_KEY": secret})
        assert app.import_name == "taskforge"
        yield app


def test_schema_is_ready_after_create_app(target_app, fresh_db_path):
    with closing(sqlite3.connect(fresh_db_path)) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"users", "projects", "categories", "tasks"} <= tables


def test_it_runs_and_crud_works(target_app):
    client = target_app.test_client()
    assert client.get("/api/health").status_code == 200

    account = {"username": "gatekeeper", "password": "gate-password-1"}
    registered = client.post("/api/auth/register", json=account)
    assert registered.status_code == 201
    assert registered.get_json() == {"id": 1, "username": "gatekeeper", "role": "admin"}
    login = client.post("/api/auth/login", json=account)
    assert login.status_code == 200
    token = login.get_json()["token"]
    assert isinstance(token, str) and token
    auth = {"Authorization": f"Bearer {token}"}

    def call(method, url, body=None):
        return client.open(url, method=method, json=body, headers=auth)

    alpha = call("POST", "/api/projects", {"name": "Alpha"})
    beta = call("POST", "/api/projects", {"name": "Beta", "description": "second"})
    assert alpha.status_code == beta.status_code == 201
    alpha, beta = alpha.get_json(), beta.get_json()
    assert {"id", "name", "description", "owner_id"} <= set(alpha)
    assert call("GET", f"/api/projects/{alpha['id']}").get_json()["name"] == "Alpha"
    names = [p["name"] for p in call("GET", "/api/projects").get_json()["projects"]]
    assert names == ["Alpha", "Beta"]

    bug = call("POST", "/api/categories", {"name": "bug"})
    assert bug.status_code == 201
    bug = bug.get_json()
    assert call("GET", "/api/categories").get_json() == {"categories": [bug]}

    created = call(
        "POST",
        "/api/tasks",
        {
            "project_id": alpha["id"],
            "title": "Write the gate",
            "description": "carefully",
            "priority": 80,
            "status": "doing",
            "due_date": "2030-06-30",
            "category_id": bug["id"],
            "assignee_id": 1,
        },
    )
    assert created.status_code == 201
    task = created.get_json()
    assert set(task) >= TASK_KEYS
    assert {k: task[k] for k in TASK_KEYS - {"id"}} == {
        "title": "Write the gate",
        "description": "carefully",
        "priority": 80,
        "status": "doing",
        "due_date": "2030-06-30",
        "project_id": alpha["id"],
        "category_id": bug["id"],
        "category": "bug",
        "assignee_id": 1,
        "assignee": "gatekeeper",
        "parent_id": None,
    }
    sub = call(
        "POST",
        "/api/tasks",
        {"project_id": alpha["id"], "title": "Sub", "priority": 20, "parent_id": task["id"]},
    ).get_json()
    assert sub["parent_id"] == task["id"]

    listing = call("GET", "/api/tasks").get_json()["tasks"]
    assert [t["title"] for t in listing] == ["Write the gate", "Sub"]
    filtered = call("GET", f"/api/tasks?category_id={bug['id']}").get_json()["tasks"]
    assert [t["id"] for t in filtered] == [task["id"]]
    by_date = call("GET", "/api/tasks?sort=due_date").get_json()["tasks"]
    assert [t["id"] for t in by_date] == [task["id"], sub["id"]]

    url = f"/api/tasks/{task['id']}"
    assert call("GET", url).get_json()["title"] == "Write the gate"
    patched = call("PATCH", url, {"title": "Gate written", "status": "done"})
    assert patched.status_code == 200
    assert (patched.get_json()["title"], patched.get_json()["status"]) == ("Gate written", "done")

    moved = call("POST", f"{url}/move", {"project_id": beta["id"]})
    assert moved.status_code == 200 and moved.get_json()["project_id"] == beta["id"]
    assert call("GET", f"/api/tasks/{sub['id']}").get_json()["project_id"] == beta["id"]
    kinds = [e["kind"] for e in call("GET", f"{url}/events").get_json()["events"]]
    assert kinds[0] == "created" and "moved" in kinds

    page = call("GET", f"/tasks/{task['id']}")
    assert page.status_code == 200 and "Gate written" in page.get_data(as_text=True)

    assert call("DELETE", url).status_code == 204
    missing = call("GET", url)
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"
