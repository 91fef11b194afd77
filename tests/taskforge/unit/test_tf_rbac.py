"""The role matrix: admin, editor and viewer."""

import pytest

from taskforge.security.rbac import PERMISSIONS, can

MATRIX = {
    "admin": {"create", "read", "update", "delete", "manage_users"},
    "editor": {"create", "read", "update"},
    "viewer": {"read"},
}


@pytest.mark.parametrize("role", sorted(MATRIX))
@pytest.mark.parametrize("action", ["create", "read", "update", "delete", "manage_users"])
def test_matrix(role, action):
    assert can(role, action) is (action in MATRIX[role])


def test_roles_are_exactly_the_three():
    assert set(PERMISSIONS) == set(MATRIX)


def test_unknown_role_may_do_nothing():
    assert not can("superuser", "read")


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        can("admin", "launch")
