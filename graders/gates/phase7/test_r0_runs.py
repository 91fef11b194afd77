"""Gate R0: the app factory builds a ready database and the HTTP API does CRUD end to end."""

from __future__ import annotations

import http.client
import json
import threading
from typing import Any

import pytest

from graders.gates.phase7.actkit import PASSWORD, Probe, build_app, describe_error, id_of, token_of
from graders.gates.phase7.fixtures import _gate_sandbox, gate_fixture, secret_fixture  # noqa: F401
from graders.gates.phase7.judge import (
    body_of,
    failure,
    result,
    show_answer,
    step,
    tables,
    text_of,
)

pytestmark = pytest.mark.requirement("R0")

TASK_KEYS = (
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
)
PURPOSE = "The CRUD scenario of the contract's R0"


# -- acts (run in the sandbox) ------------------------------------------------------------
def crud_scenario(tf: Any, db_path: str, secret: str) -> dict[str, Any]:
    """Every step of R0 on one fresh app; the judge reads the recorded answers."""
    probe = Probe(build_app(tf, db_path, secret))
    s: dict[str, Any] = {}
    s["health"] = probe.send("GET", "/api/health")
    account = {"username": "gate_admin", "password": PASSWORD}
    s["register"] = probe.send("POST", "/api/auth/register", body=account)
    s["login"] = probe.send("POST", "/api/auth/login", body=account)
    token = token_of(s["login"])

    def call(name: str, method: str, url: str, body: Any = None, **query: str) -> int | None:
        s[name] = probe.send(method, url, token=token, body=body, query=query or None)
        return id_of(s[name])

    alpha = call("alpha", "POST", "/api/projects", {"name": "Gate Alpha"})
    beta = call("beta", "POST", "/api/projects", {"name": "Gate Beta", "description": "second"})
    call("alpha read", "GET", f"/api/projects/{alpha}")
    call("projects", "GET", "/api/projects")
    category = call("category", "POST", "/api/categories", {"name": "gate-bug"})
    call("categories", "GET", "/api/categories")
    sent = {
        "project_id": alpha,
        "title": "Write the gate",
        "description": "carefully",
        "priority": 80,
        "status": "doing",
        "due_date": "2030-06-30",
        "category_id": category,
        "assignee_id": 1,
    }
    task = call("task", "POST", "/api/tasks", sent)
    sub_body = {"project_id": alpha, "title": "Gate subtask", "priority": 20, "parent_id": task}
    sub = call("subtask", "POST", "/api/tasks", sub_body)
    call("list", "GET", "/api/tasks")
    call("by category", "GET", "/api/tasks", category_id=str(category))
    call("by due date", "GET", "/api/tasks", sort="due_date")
    url = f"/api/tasks/{task}"
    call("read", "GET", url)
    call("patch", "PATCH", url, {"title": "Gate written", "status": "done"})
    call("move", "POST", f"{url}/move", {"project_id": beta})
    call("subtask after move", "GET", f"/api/tasks/{sub}")
    call("events", "GET", f"{url}/events")
    call("page", "GET", f"/tasks/{task}")
    call("delete", "DELETE", url)
    call("read deleted", "GET", url)
    ids = {"alpha": alpha, "beta": beta, "category": category, "task": task, "sub": sub}
    return {"steps": s, "ids": ids, "sent": sent}


def over_real_http(tf: Any, db_path: str, secret: str) -> dict[str, Any]:
    """Serve the app on 127.0.0.1 with werkzeug and talk to it with http.client."""
    from werkzeug.serving import make_server

    app = build_app(tf, db_path, secret)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    answers: dict[str, Any] = {}

    def send(name: str, method: str, url: str, body: Any = None, token: str | None = None):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        answer: dict[str, Any] = {"request": f"{method} {url}", "status": None, "body": b""}
        answer["raised"] = None
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=20)
        try:
            data = json.dumps(body).encode() if body is not None else None
            connection.request(method, url, body=data, headers=headers)
            response = connection.getresponse()
            answer["status"] = response.status
            answer["body"] = response.read(64 * 1024)
        except Exception as exc:  # noqa: BLE001 - recorded for the judge
            answer["raised"] = describe_error(exc)
        finally:
            connection.close()
        answers[name] = answer
        return answer

    try:
        account = {"username": "gate_admin", "password": PASSWORD}
        send("health", "GET", "/api/health")
        send("register", "POST", "/api/auth/register", account)
        token = token_of(send("login", "POST", "/api/auth/login", account))
        send("tasks", "GET", "/api/tasks", token=token)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
    return {"steps": answers}


# -- checks (run here, in the trusted process) ---------------------------------------------
@pytest.fixture(scope="module")
def scenario(gate, secret) -> dict[str, Any]:
    db_path = gate.workdir / "r0.sqlite"
    outcome = gate.run(
        crud_scenario,
        str(db_path),
        secret,
        call="create_app(...) on a fresh database, then the R0 requests through app.test_client()",
    )
    data = result(outcome, "the scenario to run to the end")
    data["db_path"] = db_path
    return data


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def expect(steps: dict[str, Any], name: str, status: int, did: str, why: str = "") -> Any:
    answer = steps.get(name)
    if answer is None or answer.get("status") != status:
        raise failure(did, show_answer(answer), f"status {status}", why)
    return body_of(answer)


def test_factory_and_health(scenario):
    """create_app builds a ready database and GET /api/health is 200"""
    body = expect(scenario["steps"], "health", 200, "GET /api/health on a fresh app")
    if body != {"status": "ok"}:
        raise failure("GET /api/health", repr(body), '{"status": "ok"}')
    found = set(tables(scenario["db_path"]))
    missing = [t for t in ("users", "projects", "categories", "tasks") if t not in found]
    if missing:
        raise failure(
            "create_app on a fresh DATABASE path, then listed the tables in that file",
            f"tables {sorted(found)}",
            "the tables users, projects, categories and tasks",
            f"missing: {', '.join(missing)}; create_app must leave the database ready to serve",
        )


def test_register_and_login(scenario):
    """the first account registers as admin and logs in with a token"""
    steps = scenario["steps"]
    body = expect(steps, "register", 201, "POST /api/auth/register for the first account")
    wanted = {"id": 1, "username": "gate_admin", "role": "admin"}
    if not isinstance(body, dict) or {k: body.get(k) for k in wanted} != wanted:
        raise failure(
            "POST /api/auth/register for the first account of an empty database",
            repr(body),
            f"a user record containing {wanted}",
            "the first account becomes admin, whatever role says",
        )
    body = expect(steps, "login", 200, "POST /api/auth/login with the right password")
    if not isinstance(body, dict) or not isinstance(body.get("token"), str) or not body["token"]:
        raise failure("POST /api/auth/login", repr(body), 'a body with a non-empty string "token"')


def test_projects_and_categories(scenario):
    """projects and categories are created, read and listed"""
    steps = scenario["steps"]
    step(steps, "login", (200,), PURPOSE)
    alpha = expect(steps, "alpha", 201, 'POST /api/projects {"name": "Gate Alpha"}')
    expect(steps, "beta", 201, 'POST /api/projects {"name": "Gate Beta", ...}')
    missing = [k for k in ("id", "name", "description", "owner_id") if k not in as_dict(alpha)]
    if missing:
        raise failure("POST /api/projects", repr(alpha), f"a project record; missing {missing}")
    read = expect(steps, "alpha read", 200, "GET /api/projects/<id of Gate Alpha>")
    if not isinstance(read, dict) or read.get("name") != "Gate Alpha":
        raise failure("GET /api/projects/<id>", repr(read), 'a project with "name": "Gate Alpha"')
    listing = expect(steps, "projects", 200, "GET /api/projects")
    projects = as_dict(listing).get("projects")
    names = [as_dict(p).get("name") for p in projects] if isinstance(projects, list) else None
    if names != ["Gate Alpha", "Gate Beta"]:
        raise failure("GET /api/projects", repr(listing), "both projects, in id order")
    category = expect(steps, "category", 201, 'POST /api/categories {"name": "gate-bug"}')
    listing = expect(steps, "categories", 200, "GET /api/categories")
    # Categories seeded by the app (a "General" one, say) may be listed too, in name order.
    listed = listing.get("categories") if isinstance(listing, dict) else None
    names = [str(c.get("name")) for c in listed or [] if isinstance(c, dict)]
    ordered = names in (sorted(names), sorted(names, key=str.lower))
    if not isinstance(listed, list) or category not in listed or not ordered:
        raise failure(
            "GET /api/categories",
            repr(listing),
            f'{{"categories": [...]}} holding {category!r}, by name (seeded ones may be there too)',
        )


def test_create_tasks(scenario):
    """a task with every field set, and a subtask, are created"""
    steps, sent, ids = scenario["steps"], scenario["sent"], scenario["ids"]
    step(steps, "category", (201,), PURPOSE)
    task = expect(steps, "task", 201, "POST /api/tasks with every field set")
    if not isinstance(task, dict):
        raise failure("POST /api/tasks", repr(task), "a task record")
    missing = [k for k in TASK_KEYS if k not in task]
    wanted = {k: v for k, v in sent.items()}
    wanted.update(category="gate-bug", assignee="gate_admin", parent_id=None)
    wrong = {k: task.get(k) for k, v in wanted.items() if task.get(k) != v}
    if missing or wrong:
        raise failure(
            "POST /api/tasks " + json.dumps(sent),
            f"missing keys {missing}, wrong values {wrong}" if missing else f"wrong values {wrong}",
            f"every task key, holding the values sent: {wanted}",
            '"category" and "assignee" are the names of the category and the assigned user',
        )
    sub = expect(steps, "subtask", 201, "POST /api/tasks with parent_id set (a subtask)")
    if not isinstance(sub, dict) or sub.get("parent_id") != ids["task"]:
        raise failure("POST /api/tasks with parent_id", repr(sub), f'"parent_id": {ids["task"]}')


def test_list_filter_sort(scenario):
    """tasks are listed by priority, filtered by category and sorted by due date"""
    steps, ids = scenario["steps"], scenario["ids"]
    step(steps, "subtask", (201,), PURPOSE)
    expected = [ids["task"], ids["sub"]]
    for name, did, wanted, why in (
        ("list", "GET /api/tasks", expected, "higher priority first (80 before 20)"),
        ("by category", "GET /api/tasks?category_id=<the category>", expected[:1], ""),
        ("by due date", "GET /api/tasks?sort=due_date", expected, "tasks without a date come last"),
    ):
        body = expect(steps, name, 200, did)
        tasks = body.get("tasks") if isinstance(body, dict) else None
        got = (
            [t.get("id") for t in tasks if isinstance(t, dict)]
            if isinstance(tasks, list)
            else tasks
        )
        if got != wanted:
            raise failure(did, f"task ids {got!r}", f"task ids {wanted}", why)


def test_read_and_update(scenario):
    """a task is read back and updated with PATCH"""
    steps = scenario["steps"]
    step(steps, "task", (201,), PURPOSE)
    read = expect(steps, "read", 200, "GET /api/tasks/<id>")
    if not isinstance(read, dict) or read.get("title") != "Write the gate":
        raise failure("GET /api/tasks/<id>", repr(read), '"title": "Write the gate"')
    did = 'PATCH /api/tasks/<id> {"title": "Gate written", "status": "done"}'
    patched = expect(steps, "patch", 200, did)
    got = as_dict(patched).get("title"), as_dict(patched).get("status")
    if got != ("Gate written", "done"):
        raise failure(did, repr(patched), 'the task with "title": "Gate written", "status": "done"')


def test_move_with_subtasks_and_events(scenario):
    """moving a task takes its subtask along and records the events"""
    steps, ids = scenario["steps"], scenario["ids"]
    step(steps, "subtask", (201,), PURPOSE)
    did = "POST /api/tasks/<id>/move to the second project"
    moved = expect(steps, "move", 200, did)
    if not isinstance(moved, dict) or moved.get("project_id") != ids["beta"]:
        raise failure(did, repr(moved), f'the task with "project_id": {ids["beta"]}')
    sub = expect(steps, "subtask after move", 200, "GET /api/tasks/<subtask id> after the move")
    if not isinstance(sub, dict) or sub.get("project_id") != ids["beta"]:
        raise failure(
            "GET /api/tasks/<subtask id> after moving its parent",
            repr(sub),
            f'"project_id": {ids["beta"]}',
            "a move takes every subtask, at any depth, along",
        )
    events = expect(steps, "events", 200, "GET /api/tasks/<id>/events")
    listed = events.get("events") if isinstance(events, dict) else None
    kinds = (
        [e.get("kind") for e in listed if isinstance(e, dict)] if isinstance(listed, list) else []
    )
    if not kinds or kinds[0] != "created" or "moved" not in kinds:
        raise failure(
            "GET /api/tasks/<id>/events after create, update and move",
            f"event kinds {kinds!r}",
            'a list starting with "created" and containing "moved", oldest first',
        )


def test_html_page(scenario):
    """the HTML page of a task shows its title"""
    steps = scenario["steps"]
    step(steps, "patch", (200,), PURPOSE)
    expect(steps, "page", 200, "GET /tasks/<id>")
    if "Gate written" not in text_of(steps["page"]):
        raise failure("GET /tasks/<id>", show_answer(steps["page"]), "HTML containing the title")


def test_delete(scenario):
    """a deleted task is gone: 204, then 404 not_found"""
    steps = scenario["steps"]
    step(steps, "task", (201,), PURPOSE)
    expect(steps, "delete", 204, "DELETE /api/tasks/<id>")
    body = expect(steps, "read deleted", 404, "GET /api/tasks/<id> after deleting it")
    code = as_dict(as_dict(body).get("error")).get("code")
    if code != "not_found":
        raise failure(
            "GET /api/tasks/<id> after deleting it",
            repr(body),
            '{"error": {"code": "not_found", ...}}',
        )


def test_serves_real_http(gate, secret):
    """the app serves real HTTP on 127.0.0.1 (health, register, login, list)"""
    outcome = gate.run(
        over_real_http,
        str(gate.workdir / "r0-http.sqlite"),
        secret,
        call="werkzeug.serving.make_server('127.0.0.1', 0, app) and requests with http.client",
    )
    steps = result(outcome, "the server to start, answer and stop")["steps"]
    for name, status in (("health", 200), ("register", 201), ("login", 200), ("tasks", 200)):
        expect(steps, name, status, f"over HTTP on 127.0.0.1: {steps.get(name, {}).get('request')}")
    body = body_of(steps["tasks"])
    if not isinstance(body, dict) or body.get("tasks") != []:
        raise failure("GET /api/tasks over HTTP", show_answer(steps["tasks"]), '{"tasks": []}')
