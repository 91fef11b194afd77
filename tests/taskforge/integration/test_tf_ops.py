"""Operations behaviour: readiness, debug refused in production, security headers."""

import os
import sqlite3

import pytest

from taskforge.config import ConfigError


def test_healthz_ok_on_a_current_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok"}}


def test_healthz_is_503_when_the_database_file_is_gone(app, db_path):
    os.remove(db_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert "does not exist" in body["checks"]["database"]
    assert not os.path.exists(db_path)  # the probe did not create an empty file


def test_healthz_is_503_when_the_schema_is_behind(app, db_path):
    with sqlite3.connect(db_path) as connection:
        connection.execute("DELETE FROM schema_migrations WHERE version = 7")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert "1 pending migration" in response.get_json()["checks"]["database"]


def test_healthz_is_503_when_the_file_is_not_a_database(app, db_path):
    with open(db_path, "wb") as broken:
        broken.write(b"this is not SQLite" * 100)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(db_path + suffix):
            os.remove(db_path + suffix)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"].startswith("unreachable")


def test_debug_is_refused_in_production(monkeypatch, db_path, secret):
    from taskforge import create_app

    monkeypatch.setenv("FLASK_DEBUG", "1")  # what `flask run --debug` sets
    with pytest.raises(ConfigError, match="debug mode is refused in production"):
        create_app({"DATABASE": db_path, "SECRET_KEY": secret, "ENV": "production"})
    app = create_app({"DATABASE": db_path, "SECRET_KEY": secret, "ENV": "development"})
    assert app.debug


def test_html_pages_send_security_headers(api):
    token = api.admin()
    response = api.call("GET", "/tasks", token)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    error_page = api.call("GET", "/tasks/999", token)
    assert error_page.status_code == 404
    assert "Content-Security-Policy" in error_page.headers


def test_json_answers_are_not_sniffed(api):
    response = api.client.get("/api/health")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response.headers
