"""User administration: listing accounts and changing roles."""

import pytest


@pytest.fixture(params=("sqlite", "postgresql"))
def backend(request):
    """Every test here runs on SQLite and on PostgreSQL (+ Redis)."""
    return request.param


def test_admin_lists_users_without_password_hashes(api):
    admin = api.admin()
    api.user("vicky", "viewer", admin)
    response = api.call("GET", "/api/users", admin)
    assert response.get_json() == {
        "users": [
            {"id": 1, "username": "admin", "role": "admin"},
            {"id": 2, "username": "vicky", "role": "viewer"},
        ]
    }
    assert "pbkdf2" not in response.get_data(as_text=True)


def test_change_role_and_protect_the_last_admin(api, error):
    admin = api.admin()
    api.user("vicky", "viewer", admin)
    promoted = api.call("PATCH", "/api/users/2", admin, json={"role": "editor"})
    assert promoted.get_json() == {"id": 2, "username": "vicky", "role": "editor"}
    demote_self = api.call("PATCH", "/api/users/1", admin, json={"role": "viewer"})
    assert demote_self.status_code == 409 and error(demote_self)["code"] == "conflict"
    assert api.call("PATCH", "/api/users/9", admin, json={"role": "viewer"}).status_code == 404
    assert api.call("PATCH", "/api/users/2", admin, json={"role": "root"}).status_code == 422
    assert api.call("PATCH", "/api/users/2", admin, json={}).status_code == 422
