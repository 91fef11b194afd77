"""Swapping the storage backend changes no business logic: one API story, both backends."""

import sqlite3

import pytest


@pytest.fixture(params=["sqlite", "memory", "postgresql"])
def backend(request):
    return request.param


@pytest.fixture
def app(backend, make_app):
    """Overrides the shared app fixture: every test here runs on all three backends."""
    return make_app() if backend == "postgresql" else make_app(STORAGE=backend)


def test_the_whole_story(app, api):
    admin = api.admin()
    editor = api.user("eddie", "editor", admin)
    viewer = api.user("vicky", "viewer", admin)
    alpha, beta = api.project(admin, "Alpha"), api.project(editor, "Beta")
    api.member(admin, alpha["id"], editor)
    api.member(admin, alpha["id"], viewer)
    api.member(editor, beta["id"], viewer)  # the owner of a project may add members
    bug = api.category(editor, "bug")
    parent = api.task(editor, alpha["id"], "Ship it", priority=90, category_id=bug["id"])
    child = api.task(editor, alpha["id"], "Write notes", parent_id=parent["id"], assignee_id=2)
    api.task(editor, beta["id"], "Elsewhere", priority=10)

    listing = api.call("GET", f"/api/tasks?project_id={alpha['id']}", viewer).get_json()
    assert [t["title"] for t in listing["tasks"]] == ["Ship it", "Write notes"]
    assert listing["tasks"][0]["category"] == "bug"
    assert listing["tasks"][1]["assignee"] == "eddie"

    moved = api.call(
        "POST", f"/api/tasks/{parent['id']}/move", editor, json={"project_id": beta["id"]}
    )
    assert moved.status_code == 200
    child_now = api.call("GET", f"/api/tasks/{child['id']}", viewer).get_json()
    assert child_now["project_id"] == beta["id"]

    assert api.call("DELETE", f"/api/tasks/{parent['id']}", editor).status_code == 403
    assert api.call("DELETE", f"/api/tasks/{parent['id']}", admin).status_code == 204
    remaining = api.call("GET", "/api/tasks", viewer).get_json()["tasks"]
    assert [t["title"] for t in remaining] == ["Elsewhere"]


def test_memory_storage_never_opens_sqlite(make_app, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("sqlite3.connect called with STORAGE=memory")

    monkeypatch.setattr(sqlite3, "connect", refuse)
    app = make_app(STORAGE="memory")
    client = app.test_client()
    body = {"username": "alice", "password": "password-123"}
    assert client.post("/api/auth/register", json=body).status_code == 201
    assert client.post("/api/auth/login", json=body).status_code == 200


def test_two_memory_apps_do_not_share_data(make_app):
    body = {"username": "alice", "password": "password-123"}
    first = make_app(STORAGE="memory").test_client()
    second = make_app(STORAGE="memory").test_client()
    first.post("/api/auth/register", json=body)
    assert second.post("/api/auth/login", json=body).status_code == 401
