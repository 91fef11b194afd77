"""AuthService rules, run unchanged against every storage backend."""

import pytest

from taskforge.errors import (
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthorized,
    ValidationFailed,
)
from taskforge.security.passwords import PasswordHasher
from taskforge.security.ratelimit import LoginRateLimiter
from taskforge.security.tokens import TokenService
from taskforge.services import AuthService

PASSWORD = "long-enough-password"


@pytest.fixture
def make_auth(backend, clock):
    def build(iterations=1_000, max_attempts=3):
        return AuthService(
            backend.users,
            hasher=PasswordHasher(iterations),
            tokens=TokenService("s" * 40, 600),
            limiter=LoginRateLimiter(max_attempts, 60, clock),
        )

    return build


@pytest.fixture
def auth(make_auth):
    return make_auth()


def test_first_account_is_admin_and_later_ones_are_viewers(auth):
    assert auth.register("root", PASSWORD).role == "admin"
    assert auth.register("someone", PASSWORD).role == "viewer"
    assert auth.register("explicit", PASSWORD, "viewer").role == "viewer"


@pytest.mark.parametrize("role", ["admin", "editor"])
def test_self_registration_cannot_escalate(auth, backend, role):
    auth.register("root", PASSWORD)
    with pytest.raises(Forbidden):
        auth.register("mallory", PASSWORD, role)
    assert backend.users.get_credentials("mallory") is None


def test_non_admins_cannot_grant_roles(auth):
    admin = auth.register("root", PASSWORD)
    editor = auth.register("eddie", PASSWORD, "editor", actor=admin)
    with pytest.raises(Forbidden):
        auth.register("friend", PASSWORD, "editor", actor=editor)


def test_admin_can_create_any_role(auth):
    admin = auth.register("root", PASSWORD)
    assert auth.register("eddie", PASSWORD, "editor", actor=admin).role == "editor"
    assert auth.register("adam", PASSWORD, "admin", actor=admin).role == "admin"
    assert auth.register("vicky", PASSWORD, actor=admin).role == "viewer"


def test_usernames_are_unique_ignoring_case(auth):
    auth.register("Alice", PASSWORD)
    with pytest.raises(Conflict):
        auth.register("alice", PASSWORD)


@pytest.mark.parametrize(
    ("username", "password", "role"),
    [("al", PASSWORD, None), ("alice", "short", None), ("alice", PASSWORD, "root")],
)
def test_registration_validation(auth, username, password, role):
    with pytest.raises(ValidationFailed):
        auth.register(username, password, role)


def test_passwords_are_stored_hashed(auth, backend):
    auth.register("alice", PASSWORD)
    stored = backend.users.get_credentials("alice").password_hash
    assert PASSWORD not in stored
    assert stored.startswith("pbkdf2_sha256$1000$")


def test_login_returns_a_token_for_the_user(auth):
    user = auth.register("alice", PASSWORD)
    issued = auth.login("ALICE", PASSWORD, "127.0.0.1")
    assert issued.expires_in == 600
    assert auth.authenticate(issued.token) == user


def test_wrong_password_and_unknown_user_look_the_same(auth):
    auth.register("alice", PASSWORD)
    with pytest.raises(Unauthorized) as wrong:
        auth.login("alice", "not-the-password", "127.0.0.1")
    with pytest.raises(Unauthorized) as unknown:
        auth.login("nobody", "not-the-password", "127.0.0.1")
    assert wrong.value.message == unknown.value.message


def test_repeated_failures_are_rate_limited_even_with_the_right_password(auth, clock):
    auth.register("alice", PASSWORD)
    for _ in range(3):
        with pytest.raises(Unauthorized):
            auth.login("alice", "guess-guess", "10.0.0.9")
    with pytest.raises(RateLimited):
        auth.login("alice", PASSWORD, "10.0.0.9")
    auth.login("alice", PASSWORD, "10.0.0.10")  # another client is not blocked
    clock.advance(61)
    auth.login("alice", PASSWORD, "10.0.0.9")


def test_login_upgrades_old_hashes(make_auth, backend):
    make_auth(iterations=1_000).register("alice", PASSWORD)
    stronger = make_auth(iterations=2_000)
    stronger.login("alice", PASSWORD, "127.0.0.1")
    assert backend.users.get_credentials("alice").password_hash.startswith("pbkdf2_sha256$2000$")
    stronger.login("alice", PASSWORD, "127.0.0.1")


def test_role_changes_and_last_admin(auth):
    admin = auth.register("root", PASSWORD)
    viewer = auth.register("vicky", PASSWORD)
    assert auth.change_role(viewer.id, "editor").role == "editor"
    with pytest.raises(Conflict):
        auth.change_role(admin.id, "viewer")
    auth.change_role(viewer.id, "admin")
    assert auth.change_role(admin.id, "viewer").role == "viewer"
    with pytest.raises(NotFound):
        auth.change_role(999, "viewer")
    with pytest.raises(ValidationFailed):
        auth.change_role(viewer.id, "owner")


def test_token_for_a_vanished_user_is_refused(auth, backend):
    tokens = TokenService("s" * 40, 600)
    with pytest.raises(Unauthorized):
        auth.authenticate(tokens.issue(12345))
