"""Every protected route, for every role: 401 without a token, 403 when the role forbids."""

import pytest

# (method, url, body, action) — urls use ids created by the `world` fixture.
ROUTES = [
    ("GET", "/api/auth/me", None, "read"),
    ("GET", "/api/projects", None, "read"),
    ("POST", "/api/projects", {"name": "New"}, "create"),
    ("GET", "/api/projects/1", None, "read"),
    ("GET", "/api/projects/1/members", None, "read"),
    ("GET", "/api/categories", None, "read"),
    ("POST", "/api/categories", {"name": "new"}, "create"),
    ("GET", "/api/tasks", None, "read"),
    ("POST", "/api/tasks", {"project_id": 1, "title": "t"}, "create"),
    ("GET", "/api/tasks/1", None, "read"),
    ("PATCH", "/api/tasks/1", {"title": "renamed"}, "update"),
    ("POST", "/api/tasks/1/move", {"project_id": 2}, "update"),
    ("GET", "/api/tasks/1/events", None, "read"),
    ("DELETE", "/api/tasks/1", None, "delete"),
    ("GET", "/api/users", None, "manage_users"),
    ("PATCH", "/api/users/3", {"role": "editor"}, "manage_users"),
    ("GET", "/tasks", None, "read"),
    ("GET", "/tasks/1", None, "read"),
]
ALLOWED = {
    "admin": {"create", "read", "update", "delete", "manage_users"},
    "editor": {"create", "read", "update"},
    "viewer": {"read"},
}


@pytest.fixture
def world(api):
    admin = api.admin()
    tokens = {
        "admin": admin,
        "editor": api.user("eddie", "editor", admin),
        "viewer": api.user("vicky", "viewer", admin),
    }
    api.project(admin, "Alpha")
    api.project(admin, "Beta")
    for project_id in (1, 2):  # roles are what this file tests; tenancy is test_tf_tenancy's
        api.member(admin, project_id, tokens["editor"])
        api.member(admin, project_id, tokens["viewer"])
    api.task(admin, 1, "first")
    return tokens


@pytest.mark.parametrize(("method", "url", "body", "action"), ROUTES)
def test_no_token_is_401(api, world, method, url, body, action):
    assert api.call(method, url, None, json=body).status_code == 401


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
@pytest.mark.parametrize(("method", "url", "body", "action"), ROUTES)
def test_role_matrix(api, world, role, method, url, body, action, error):
    response = api.call(method, url, world[role], json=body)
    if action in ALLOWED[role]:
        assert response.status_code in (200, 201, 204), (role, method, url, response.data)
    else:
        assert response.status_code == 403, (role, method, url)
        if url.startswith("/api/"):
            assert error(response)["code"] == "forbidden"


def test_forbidden_writes_change_nothing(api, world):
    before = api.call("GET", "/api/tasks", world["admin"]).get_json()
    api.call("DELETE", "/api/tasks/1", world["editor"])
    api.call("PATCH", "/api/tasks/1", world["viewer"], json={"title": "hacked"})
    api.call("POST", "/api/tasks", world["viewer"], json={"project_id": 1, "title": "spam"})
    assert api.call("GET", "/api/tasks", world["admin"]).get_json() == before


def test_role_change_takes_effect_on_the_next_request(api, world):
    viewer = world["viewer"]
    assert api.call("POST", "/api/categories", viewer, json={"name": "x"}).status_code == 403
    api.call("PATCH", "/api/users/3", world["admin"], json={"role": "editor"})
    assert api.call("POST", "/api/categories", viewer, json={"name": "x"}).status_code == 201
