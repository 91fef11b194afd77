"""Adopting a Phase 6 database: `flask migrate --baseline` on a database the starter made."""

import sqlite3
from contextlib import closing

import pytest

from taskforge.migrate import discover

PASSWORD = "starter-pass-1"


@pytest.fixture
def starter_db(make_starter, fresh_db_path):
    """A database made and filled by the learner's starter, through its own API."""
    client = make_starter().test_client()
    for name in ("sam", "val"):
        body = {"username": name, "password": PASSWORD}
        assert client.post("/api/auth/register", json=body).status_code == 201
    login = client.post("/api/auth/login", json={"username": "sam", "password": PASSWORD})
    auth = {"Authorization": f"Bearer {login.get_json()['token']}"}
    project = client.post("/api/projects", json={"name": "Kept"}, headers=auth).get_json()
    category = client.post("/api/categories", json={"name": "bug"}, headers=auth).get_json()
    parent = client.post(
        "/api/tasks",
        json={
            "project_id": project["id"],
            "title": "Old parent",
            "priority": 80,
            "category_id": category["id"],
        },  # fmt: skip
        headers=auth,
    ).get_json()
    client.post(
        "/api/tasks",
        json={"project_id": project["id"], "title": "Old child", "parent_id": parent["id"]},
        headers=auth,
    )
    return fresh_db_path


def reference(make_app, path):
    # AUTO_MIGRATE off, as in production: the app only warns about pending migrations.
    return make_app(DATABASE=path, AUTO_MIGRATE=False)


def test_plain_migrate_refuses_a_starter_database_and_says_what_to_do(make_app, starter_db):
    result = reference(make_app, starter_db).test_cli_runner().invoke(args=["migrate"])
    assert result.exit_code != 0
    assert "migrate --baseline" in result.output


def test_baseline_adopts_the_starter_database_and_keeps_its_data(make_app, starter_db, api_on):
    app = reference(make_app, starter_db)
    result = app.test_cli_runner().invoke(args=["migrate", "--baseline"])
    assert result.exit_code == 0, result.output
    assert "2 users, 1 projects and 2 tasks kept" in result.output

    with closing(sqlite3.connect(starter_db)) as connection:
        versions = [r[0] for r in connection.execute("SELECT version FROM schema_migrations")]
        hashes = [r[0] for r in connection.execute("SELECT password_hash FROM users")]
        leftovers = connection.execute(
            "SELECT name FROM sqlite_master WHERE name LIKE 'starter_%'"
        ).fetchall()
    assert versions == [m.version for m in discover()]
    assert all(h.startswith("pbkdf2_sha256$") and PASSWORD not in h for h in hashes)
    assert leftovers == []

    api = api_on(app)
    token = api.token("val", PASSWORD)  # the same password still works, now hashed
    listing = api.call("GET", "/api/tasks", token).get_json()
    assert sorted(t["title"] for t in listing["tasks"]) == ["Old child", "Old parent"]
    parent = next(t for t in listing["tasks"] if t["title"] == "Old parent")
    assert (parent["category"], parent["priority"]) == ("bug", 80)
    assert app.test_client().get("/healthz").status_code == 200
    again = app.test_cli_runner().invoke(args=["migrate", "--baseline"])
    assert again.exit_code != 0 and "already managed by migrations" in again.output


def test_a_failed_adoption_changes_nothing(make_app, starter_db):
    with closing(sqlite3.connect(starter_db)) as connection:
        connection.execute("UPDATE tasks SET status = 'archived'")  # the CHECK will refuse it
        connection.commit()
    result = (
        reference(make_app, starter_db).test_cli_runner().invoke(args=["migrate", "--baseline"])
    )
    assert result.exit_code != 0 and "nothing was changed" in result.output
    with closing(sqlite3.connect(starter_db)) as connection:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        statuses = {r[0] for r in connection.execute("SELECT status FROM tasks")}
    assert "schema_migrations" not in tables and statuses == {"archived"}


@pytest.fixture
def api_on(api):
    return lambda app: type(api)(app.test_client())
