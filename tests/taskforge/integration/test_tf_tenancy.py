"""Tenancy: every route's access rule for a member, an outsider and an admin, on both databases.

Two teams: Ann (editor) owns project A, Bob (editor) owns project B, Val (viewer) is a member
of A only, and the admin belongs to neither. An outsider meets another team's project, task
or history exactly as if it did not exist (404, or "no such project" in a body), never 403,
which would confirm that it exists.
"""

import pytest

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def teams(api):
    admin = api.admin()
    ann = api.user("ann", "editor", admin)
    bob = api.user("bob", "editor", admin)
    val = api.user("val", "viewer", admin)
    a, b = api.project(ann, "Team A"), api.project(bob, "Team B")
    api.member(ann, a["id"], val)
    task_a = api.task(ann, a["id"], "A's task")
    sub_a = api.task(ann, a["id"], "A's subtask", parent_id=task_a["id"])
    task_b = api.task(bob, b["id"], "B's task")
    return {
        "admin": admin, "ann": ann, "bob": bob, "val": val, "a": a["id"], "b": b["id"],
        "task_a": task_a["id"], "sub_a": sub_a["id"], "task_b": task_b["id"],
    }  # fmt: skip


def titles(response):
    return sorted(t["title"] for t in response.get_json()["tasks"])


def test_listings_show_only_your_projects(api, teams):
    t = teams
    assert titles(api.call("GET", "/api/tasks", t["ann"])) == ["A's subtask", "A's task"]
    assert titles(api.call("GET", "/api/tasks", t["val"])) == ["A's subtask", "A's task"]
    assert titles(api.call("GET", "/api/tasks", t["bob"])) == ["B's task"]
    assert len(titles(api.call("GET", "/api/tasks", t["admin"]))) == 3  # admins see all
    listing = api.call("GET", f"/api/tasks?project_id={t['b']}", t["ann"])
    assert listing.status_code == 200 and listing.get_json() == {"tasks": [], "total": 0}
    searched = api.call("GET", "/api/tasks?search=task", t["bob"]).get_json()
    assert searched["total"] == 1
    names = [p["name"] for p in api.call("GET", "/api/projects", t["val"]).get_json()["projects"]]
    assert names == ["Team A"]
    assert len(api.call("GET", "/api/projects", t["admin"]).get_json()["projects"]) == 2


def test_reading_another_teams_things_by_id_is_404(api, teams, error):
    t = teams
    for url in (
        f"/api/tasks/{t['task_b']}",
        f"/api/tasks/{t['task_b']}/events",
        f"/api/projects/{t['b']}",
        f"/api/projects/{t['b']}/members",
        f"/tasks/{t['task_b']}",
    ):
        response = api.call("GET", url, t["ann"])
        assert response.status_code == 404, url
        if url.startswith("/api/"):
            assert error(response)["code"] == "not_found"
        assert api.call("GET", url, t["bob"]).status_code == 200, url
        assert api.call("GET", url, t["admin"]).status_code == 200, url


def test_changing_another_teams_task_is_404_and_changes_nothing(api, teams):
    t = teams
    before = api.call("GET", f"/api/tasks/{t['task_b']}", t["bob"]).get_json()
    patch = api.call("PATCH", f"/api/tasks/{t['task_b']}", t["ann"], json={"title": "mine"})
    assert patch.status_code == 404
    move = api.call("POST", f"/api/tasks/{t['task_b']}/move", t["ann"], json={"project_id": t["a"]})
    assert move.status_code == 404
    assert api.call("DELETE", f"/api/tasks/{t['task_b']}", t["ann"]).status_code == 403  # role
    assert api.call("GET", f"/api/tasks/{t['task_b']}", t["bob"]).get_json() == before


def test_another_teams_project_cannot_be_written_into(api, teams, error):
    t = teams
    created = api.call("POST", "/api/tasks", t["ann"], json={"project_id": t["b"], "title": "x"})
    assert created.status_code == 422
    assert error(created)["details"] == {"project_id": "no such project"}
    moved = api.call(
        "POST", f"/api/tasks/{t['task_a']}/move", t["ann"], json={"project_id": t["b"]}
    )
    assert moved.status_code == 422
    assert api.call("GET", f"/api/tasks/{t['sub_a']}", t["ann"]).get_json()["project_id"] == t["a"]
    assert titles(api.call("GET", "/api/tasks", t["bob"])) == ["B's task"]


def test_members_write_in_their_own_project(api, teams):
    t = teams
    made = api.call("POST", "/api/tasks", t["ann"], json={"project_id": t["a"], "title": "new"})
    assert made.status_code == 201
    patched = api.call("PATCH", f"/api/tasks/{t['task_a']}", t["ann"], json={"priority": 99})
    assert patched.status_code == 200
    assert api.call("GET", f"/api/tasks/{t['task_a']}/events", t["val"]).status_code == 200
    assert (
        api.call("PATCH", f"/api/tasks/{t['task_a']}", t["val"], json={"priority": 1}).status_code
        == 403
    )


def test_admins_change_any_project(api, teams):
    t = teams
    moved = api.call(
        "POST", f"/api/tasks/{t['task_a']}/move", t["admin"], json={"project_id": t["b"]}
    )
    assert moved.status_code == 200
    assert titles(api.call("GET", "/api/tasks", t["bob"])) == [
        "A's subtask",
        "A's task",
        "B's task",
    ]
    assert api.call("DELETE", f"/api/tasks/{t['task_b']}", t["admin"]).status_code == 204


def test_who_may_add_members(api, teams, error):
    t = teams
    bob_id = api.user_id(t["bob"])
    url = f"/api/projects/{t['a']}/members"
    by_viewer = api.call("POST", url, t["val"], json={"user_id": bob_id})
    assert by_viewer.status_code == 403  # a member, but not the owner
    by_outsider = api.call("POST", f"/api/projects/{t['b']}/members", t["ann"], json={"user_id": 1})
    assert by_outsider.status_code == 404
    unknown = api.call("POST", url, t["ann"], json={"user_id": 999})
    assert unknown.status_code == 422
    assert api.call("POST", url, t["ann"], json={"user_id": bob_id}).status_code == 201
    assert api.call("POST", url, t["ann"], json={"user_id": bob_id}).status_code == 201  # again
    members = api.call("GET", url, t["bob"]).get_json()["members"]
    assert [m["username"] for m in members] == ["ann", "bob", "val"]
    assert titles(api.call("GET", "/api/tasks", t["bob"])) == [
        "A's subtask",
        "A's task",
        "B's task",
    ]
    by_admin = api.call("POST", f"/api/projects/{t['b']}/members", t["admin"], json={"user_id": 4})
    assert by_admin.status_code == 201


def test_a_new_self_registered_viewer_sees_nothing(api, teams):
    api.register("newcomer")
    token = api.token("newcomer")
    assert api.call("GET", "/api/tasks", token).get_json() == {"tasks": [], "total": 0}
    assert api.call("GET", "/api/projects", token).get_json() == {"projects": []}
    assert api.call("GET", f"/api/tasks/{teams['task_a']}", token).status_code == 404
    assert "A&#39;s task" not in api.call("GET", "/tasks", token).get_data(as_text=True)


def test_another_teams_task_is_no_such_parent(api, teams, error):
    t = teams
    body = {"project_id": t["a"], "title": "x", "parent_id": t["task_b"]}
    created = api.call("POST", "/api/tasks", t["ann"], json=body)
    assert created.status_code == 422
    assert error(created)["details"] == {"parent_id": "no such task"}  # not "another project"
    patched = api.call(
        "PATCH", f"/api/tasks/{t['task_a']}", t["ann"], json={"parent_id": t["task_b"]}
    )
    assert error(patched)["details"] == {"parent_id": "no such task"}
