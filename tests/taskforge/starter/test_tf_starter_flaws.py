"""The starter's deliberate flaws are real. If one disappears, the Phase 7 gate loses a task.

Each test demonstrates one flaw from the instructors' list (taskforge/docs/starter-flaws.md)
by exploiting or measuring it, so "fixing" the starter by accident fails loudly here.
"""

import base64
import sqlite3
from contextlib import closing

import pytest

pytestmark = pytest.mark.starter

PASSWORD = "learner-password"


@pytest.fixture
def starter(make_starter):
    return make_starter()


@pytest.fixture
def client(starter):
    return starter.test_client()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin(client):
    client.post("/api/auth/register", json={"username": "admin", "password": PASSWORD})
    login = client.post("/api/auth/login", json={"username": "admin", "password": PASSWORD})
    return bearer(login.get_json()["token"])


@pytest.fixture
def project(client, admin):
    return client.post("/api/projects", json={"name": "Alpha"}, headers=admin).get_json()


def add_task(client, admin, project, title, **fields):
    body = {"project_id": project["id"], "title": title, **fields}
    response = client.post("/api/tasks", json=body, headers=admin)
    assert response.status_code == 201
    return response.get_json()


def test_search_is_sql_injectable(client, admin, project):
    add_task(client, admin, project, "alpha")
    add_task(client, admin, project, "beta")
    payload = "zzz' OR 1=1 OR title LIKE '"
    tasks = client.get("/api/tasks", query_string={"search": payload}).get_json()["tasks"]
    assert len(tasks) == 2  # nothing contains "zzz", yet every task comes back


def test_a_quote_in_the_search_breaks_the_query(client, admin, project):
    with pytest.raises(sqlite3.OperationalError):
        client.get("/api/tasks", query_string={"search": "it's"})


def test_login_can_be_bypassed_with_sql_injection(client, admin):
    response = client.post(
        "/api/auth/login", json={"username": "admin' --", "password": "anything"}
    )
    assert response.status_code == 200
    assert response.get_json()["user"]["role"] == "admin"


def test_passwords_are_stored_in_plain_text(client, admin, fresh_db_path):
    with closing(sqlite3.connect(fresh_db_path)) as conn:
        stored = conn.execute("SELECT password FROM users WHERE username = 'admin'").fetchone()
    assert stored[0] == PASSWORD


def test_user_listing_leaks_passwords_without_auth(client, admin):
    users = client.get("/api/users").get_json()["users"]
    assert users[0]["password"] == PASSWORD


def test_tokens_can_be_forged(client, admin):
    forged = base64.b64encode(b"1").decode()
    me = client.get("/api/auth/me", headers=bearer(forged))
    assert me.get_json()["role"] == "admin"


def test_tokens_ignore_the_secret_key(make_starter, client, admin):
    token = admin["Authorization"]
    other = make_starter(SECRET_KEY="a-completely-different-secret-key-value").test_client()
    assert other.get("/api/auth/me", headers={"Authorization": token}).status_code == 200


def test_anyone_can_register_as_admin(client, admin):
    response = client.post(
        "/api/auth/register",
        json={"username": "mallory", "password": PASSWORD, "role": "admin"},
    )
    assert response.get_json()["role"] == "admin"


def test_writes_without_a_token_succeed(client, admin, project):
    task = add_task(client, admin, project, "victim")
    assert client.patch(f"/api/tasks/{task['id']}", json={"title": "x"}).status_code == 200
    assert client.delete(f"/api/tasks/{task['id']}").status_code == 204


def test_viewer_can_delete(client, admin, project):
    task = add_task(client, admin, project, "victim")
    client.post("/api/auth/register", json={"username": "vicky", "password": PASSWORD})
    login = client.post("/api/auth/login", json={"username": "vicky", "password": PASSWORD})
    viewer = bearer(login.get_json()["token"])
    assert client.delete(f"/api/tasks/{task['id']}", headers=viewer).status_code == 204


def test_no_login_rate_limit(client, admin):
    for _ in range(20):
        wrong = {"username": "admin", "password": "wrong-guess"}
        assert client.post("/api/auth/login", json=wrong).status_code == 401
    right = {"username": "admin", "password": PASSWORD}
    assert client.post("/api/auth/login", json=right).status_code == 200


def test_task_listing_is_n_plus_one(client, admin, project, sql_counter):
    bug = client.post("/api/categories", json={"name": "bug"}, headers=admin).get_json()
    counts = []
    for batch in (2, 20):
        while len(client.get("/api/tasks").get_json()["tasks"]) < batch:
            add_task(client, admin, project, "t", category_id=bug["id"], assignee_id=1)
        sql_counter.reset()
        client.get("/api/tasks")
        counts.append(len(sql_counter))
    assert counts[1] - counts[0] == 2 * 18  # two extra queries per extra task


def test_no_indexes_so_common_queries_scan(starter, fresh_db_path):
    with closing(sqlite3.connect(fresh_db_path)) as conn:
        indexes = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks'"
        ).fetchall()
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM tasks WHERE project_id = ? ORDER BY priority DESC",
            (1,),
        ).fetchall()
    assert indexes == []
    assert any(row[3].startswith("SCAN tasks") for row in plan)


def test_categories_are_stored_as_text_on_each_task(starter, fresh_db_path):
    with closing(sqlite3.connect(fresh_db_path)) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(tasks)")}
    assert "category" in columns and "category_id" not in columns


def test_move_is_not_atomic(client, admin, project, fresh_db_path):
    beta = client.post("/api/projects", json={"name": "Beta"}, headers=admin).get_json()
    parent = add_task(client, admin, project, "parent")
    child = add_task(client, admin, project, "child", parent_id=parent["id"])
    with closing(sqlite3.connect(fresh_db_path)) as conn:
        conn.execute(
            "CREATE TRIGGER gate_fail BEFORE UPDATE OF project_id ON tasks "
            f"WHEN NEW.id = {child['id']} BEGIN SELECT RAISE(ABORT, 'injected'); END"
        )
        conn.commit()
    with pytest.raises(sqlite3.IntegrityError):
        client.post(f"/api/tasks/{parent['id']}/move", json={"project_id": beta["id"]})
    with closing(sqlite3.connect(fresh_db_path)) as conn:
        rows = dict(conn.execute("SELECT id, project_id FROM tasks").fetchall())
    assert rows[parent["id"]] == beta["id"]  # the parent moved...
    assert rows[child["id"]] == project["id"]  # ...its subtask did not: half-written


def test_task_page_is_open_to_xss(client, admin, project):
    task = add_task(client, admin, project, "<script>alert(1)</script>")
    html = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "<script>alert(1)</script>" in html


def test_secret_key_is_hard_coded(package_dirs):
    from exercises.taskforge import SECRET_KEY

    source = (package_dirs["starter"] / "__init__.py").read_text(encoding="utf-8")
    assert f'SECRET_KEY = "{SECRET_KEY}"' in source


def test_storage_is_hard_wired_into_one_god_class(package_dirs):
    from exercises.taskforge.store import TaskForge

    assert not (package_dirs["starter"] / "migrations").exists()
    assert not (package_dirs["starter"] / "repository.py").exists()
    public = [name for name in vars(TaskForge) if not name.startswith("_")]
    assert {"login", "list_tasks", "move_task", "render_task_page"} <= set(public)
    assert len(public) >= 20
