"""Registration, login, tokens and rate limiting over HTTP."""

import base64
import json
import sqlite3
import time
from contextlib import closing

import jwt
import pytest


def b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_register_then_login(api, password):
    response = api.register("alice")
    assert response.status_code == 201
    assert response.get_json() == {"id": 1, "username": "alice", "role": "admin"}
    response = api.login("alice")
    body = response.get_json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["user"] == {"id": 1, "username": "alice", "role": "admin"}
    me = api.call("GET", "/api/auth/me", body["token"])
    assert me.get_json() == {"id": 1, "username": "alice", "role": "admin"}


def test_token_is_an_hs256_jwt_with_expiry(api, secret):
    api.register("alice")
    token = api.token("alice")
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, secret, algorithms=["HS256"], issuer="taskforge")
    assert claims["sub"] == "1"
    assert claims["exp"] - claims["iat"] == 3600


def test_password_is_stored_salted_and_hashed(api, db_path, password):
    api.register("alice")
    api.register("bob")
    with closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute("SELECT * FROM users ORDER BY id").fetchall()
    for row in rows:
        assert not any(password in str(value) for value in row)
    hashes = [row[2] for row in rows]
    assert hashes[0] != hashes[1]
    assert all(h.startswith("pbkdf2_sha256$") for h in hashes)


def test_self_registration_gets_viewer(api):
    api.register("root")
    response = api.register("newbie")
    assert response.status_code == 201
    assert response.get_json()["role"] == "viewer"


@pytest.mark.parametrize("role", ["admin", "editor"])
def test_privilege_escalation_through_the_role_field_fails(api, role, error):
    api.register("root")
    response = api.register("mallory", role=role)
    assert response.status_code == 403
    assert error(response)["code"] == "forbidden"
    assert api.login("mallory").status_code == 401  # and no account was created


def test_viewer_token_cannot_create_editors(api):
    admin = api.admin()
    viewer = api.user("vicky", "viewer", admin)
    assert api.register("friend", role="editor", token=viewer).status_code == 403


def test_admin_token_creates_any_role(api):
    admin = api.admin()
    for name, role in [("eddie", "editor"), ("adele", "admin"), ("vera", "viewer")]:
        response = api.register(name, role=role, token=admin)
        assert response.status_code == 201
        assert response.get_json()["role"] == role


def test_a_bad_token_on_register_is_refused_not_ignored(api):
    api.register("root")
    assert api.register("someone", token="garbage").status_code == 401


def test_duplicate_username_is_a_conflict(api, error):
    api.register("alice")
    response = api.register("ALICE")
    assert response.status_code == 409
    assert error(response)["code"] == "conflict"


@pytest.mark.parametrize(
    "body",
    [
        {"username": "al", "password": "long-enough"},
        {"username": "alice", "password": "short"},
        {"username": "alice", "password": "long-enough", "role": "owner"},
        {"username": "alice"},
        {"username": "alice", "password": "long-enough", "admin": True},
        {"username": 5, "password": "long-enough"},
    ],
)
def test_registration_validation_is_422_with_details(client, body, error):
    response = client.post("/api/auth/register", json=body)
    assert response.status_code == 422
    assert error(response)["code"] == "validation_failed"
    assert response.get_json()["error"]["details"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": "not json", "content_type": "application/json"},
        {"json": ["a", "list"]},
        {"data": "username=alice", "content_type": "application/x-www-form-urlencoded"},
    ],
)
def test_non_object_bodies_are_400(client, kwargs, error):
    response = client.post("/api/auth/login", **kwargs)
    assert response.status_code == 400
    assert error(response)["code"] == "bad_request"


def test_wrong_password_and_unknown_user_get_the_same_401(api, error):
    api.register("alice")
    wrong = api.login("alice", "wrong-password")
    unknown = api.login("nobody", "wrong-password")
    assert wrong.status_code == unknown.status_code == 401
    assert error(wrong) == error(unknown)


def test_sql_injection_in_login_does_not_log_in(api):
    api.register("admin")
    for username in ["admin' --", "admin' OR '1'='1", "' OR 1=1 --"]:
        assert api.login(username, "whatever-password").status_code == 401
    assert api.login("admin", "' OR '1'='1").status_code == 401


def forged_tokens(secret, user_id="1"):
    now = int(time.time())
    good = {"sub": user_id, "iat": now, "exp": now + 600, "iss": "taskforge"}
    valid = jwt.encode(good, secret, algorithm="HS256")
    header, _, signature = valid.split(".")
    return {
        "expired": jwt.encode(
            {**good, "iat": now - 7200, "exp": now - 3600}, secret, algorithm="HS256"
        ),
        "wrong key": jwt.encode(good, "w" * 48, algorithm="HS256"),
        "alg none": f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(good)}.",
        "tampered": f"{header}.{b64({**good, 'sub': '2'})}.{signature}",
        "no exp": jwt.encode({k: v for k, v in good.items() if k != "exp"}, secret),
        "garbage": "not-a-token",
        "base64 id": base64.b64encode(b"1").decode(),
    }


@pytest.mark.parametrize(
    "kind",
    ["expired", "wrong key", "alg none", "tampered", "no exp", "garbage", "base64 id"],
)
def test_bad_tokens_get_401(api, secret, kind, error):
    api.register("root")
    api.user("second")
    token = forged_tokens(secret)[kind]
    response = api.call("GET", "/api/tasks", token)
    assert response.status_code == 401, kind
    assert error(response)["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic YWxpY2U6cHc=", "Token abc"])
def test_malformed_authorization_headers_get_401(client, header):
    response = client.get("/api/tasks", headers={"Authorization": header})
    assert response.status_code == 401


def test_missing_token_is_401(client, error):
    response = client.get("/api/projects")
    assert response.status_code == 401
    assert "Bearer" in error(response)["message"]


def test_login_rate_limit_returns_429_with_retry_after(make_app, clock):
    app = make_app(CLOCK=clock, LOGIN_MAX_ATTEMPTS=3, LOGIN_WINDOW_SECONDS=120)
    client = app.test_client()
    client.post("/api/auth/register", json={"username": "alice", "password": "right-password"})
    for _ in range(3):
        wrong = {"username": "alice", "password": "wrong-password"}
        assert client.post("/api/auth/login", json=wrong).status_code == 401
    clock.advance(20)
    right = {"username": "alice", "password": "right-password"}
    blocked = client.post("/api/auth/login", json=right)
    assert blocked.status_code == 429
    assert blocked.headers["Retry-After"] == "100"
    assert blocked.get_json()["error"]["code"] == "rate_limited"
    other_client = client.post(
        "/api/auth/login", json=right, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert other_client.status_code == 200
    clock.advance(100)
    assert client.post("/api/auth/login", json=right).status_code == 200
