"""The app factory: configuration, schema preparation, and no shared state between apps."""

import importlib
import logging
import pkgutil
import sqlite3
from contextlib import closing

import pytest
from flask import Flask

import taskforge
from taskforge import create_app
from taskforge.config import ConfigError
from taskforge.migrate import discover
from taskforge.repository import InMemoryStore, SqliteSession
from taskforge.services import TaskManager


def versions(path):
    with closing(sqlite3.connect(path)) as conn:
        return [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY 1")]


def test_a_new_database_file_is_migrated_before_create_app_returns(fresh_db_path, secret):
    create_app({"DATABASE": fresh_db_path, "TESTING": True, "SECRET_KEY": secret})
    assert versions(fresh_db_path) == [m.version for m in discover()]


def test_creating_the_app_again_applies_nothing_new(fresh_db_path, secret):
    config = {"DATABASE": fresh_db_path, "TESTING": True, "SECRET_KEY": secret}
    create_app(config)
    with closing(sqlite3.connect(fresh_db_path)) as conn:
        stamps = conn.execute("SELECT applied_at FROM schema_migrations").fetchall()
    create_app(config)
    with closing(sqlite3.connect(fresh_db_path)) as conn:
        assert conn.execute("SELECT applied_at FROM schema_migrations").fetchall() == stamps


def test_database_folder_is_created(tmp_path, secret):
    path = tmp_path / "deeper" / "still" / "tf.sqlite"
    create_app({"DATABASE": str(path), "TESTING": True, "SECRET_KEY": secret})
    assert path.exists()


def test_production_without_a_secret_key_refuses_to_start(fresh_db_path):
    with pytest.raises(ConfigError, match="TASKFORGE_SECRET_KEY"):
        create_app({"DATABASE": fresh_db_path})


def test_secret_key_and_database_come_from_the_environment(monkeypatch, fresh_db_path):
    monkeypatch.setenv("TASKFORGE_SECRET_KEY", "e" * 48)
    monkeypatch.setenv("TASKFORGE_DATABASE", fresh_db_path)
    monkeypatch.setenv("TASKFORGE_AUTO_MIGRATE", "1")
    app = create_app()
    assert app.config["SECRET_KEY"] == "e" * 48
    assert app.config["DATABASE"] == fresh_db_path
    assert app.config["ENV"] == "production"


def test_production_warns_about_pending_migrations_instead_of_applying_them(fresh_db_path, caplog):
    with caplog.at_level(logging.WARNING):
        app = create_app({"DATABASE": fresh_db_path, "SECRET_KEY": "p" * 40})
    assert app.config["AUTO_MIGRATE"] is False
    assert "pending migrations" in caplog.text
    assert "flask --app taskforge migrate" in caplog.text


def test_apps_share_nothing(tmp_path, secret):
    one = create_app(
        {"DATABASE": str(tmp_path / "1.sqlite"), "TESTING": True, "SECRET_KEY": secret}
    )
    two = create_app(
        {"DATABASE": str(tmp_path / "2.sqlite"), "TESTING": True, "SECRET_KEY": secret}
    )
    assert one.extensions["taskforge"] is not two.extensions["taskforge"]
    response = one.test_client().post(
        "/api/auth/register", json={"username": "only-in-one", "password": "password-123"}
    )
    assert response.status_code == 201
    response = two.test_client().post(
        "/api/auth/login", json={"username": "only-in-one", "password": "password-123"}
    )
    assert response.status_code == 401


def test_no_module_level_app_or_connection():
    forbidden = (Flask, sqlite3.Connection, TaskManager, InMemoryStore, SqliteSession)
    for info in pkgutil.walk_packages(taskforge.__path__, "taskforge."):
        module = importlib.import_module(info.name)
        leaked = [name for name, value in vars(module).items() if isinstance(value, forbidden)]
        assert leaked == [], f"{info.name} holds {leaked} at module level"


def test_health_needs_no_database_or_token(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_each_request_closes_its_connection(app, monkeypatch, api):
    opened = []
    real = sqlite3.connect

    def tracking(*args, **kwargs):
        connection = real(*args, **kwargs)
        opened.append(connection)
        return connection

    monkeypatch.setattr(sqlite3, "connect", tracking)
    api.register("someone")
    assert opened
    for connection in opened:
        with pytest.raises(sqlite3.ProgrammingError):
            connection.execute("SELECT 1")
