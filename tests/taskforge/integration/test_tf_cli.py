"""The flask commands: init-db, migrate and seed."""

import sqlite3
from contextlib import closing

import pytest

from taskforge.migrate import discover
from taskforge.seed import DEMO_USERS


def count(path, table):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_migrate_is_idempotent(make_app):
    runner = make_app().test_cli_runner()
    result = runner.invoke(args=["migrate"])
    assert result.exit_code == 0
    assert "up to date" in result.output


def test_migrate_applies_pending_migrations(fresh_db_path, secret):
    from taskforge import create_app

    app = create_app(
        {
            "DATABASE": fresh_db_path,
            "SECRET_KEY": secret,
            "ENV": "production",
            "PASSWORD_ITERATIONS": 100_000,
        }
    )
    result = app.test_cli_runner().invoke(args=["migrate"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"applied {m.version:03d}_{m.name}" for m in discover()]


def test_init_db_wipes_and_rebuilds(make_app, db_path, api):
    api.register("someone")
    result = make_app().test_cli_runner().invoke(args=["init-db", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Initialised" in result.output
    assert count(db_path, "users") == 0
    assert count(db_path, "schema_migrations") == len(discover())


def test_init_db_asks_first(make_app, api, db_path):
    api.register("someone")
    result = make_app().test_cli_runner().invoke(args=["init-db"], input="n\n")
    assert result.exit_code != 0
    assert count(db_path, "users") == 1


def test_seed_creates_demo_data_once(make_app, db_path):
    app = make_app()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "demo only" in first.output
    assert (count(db_path, "users"), count(db_path, "projects")) == (3, 2)
    assert count(db_path, "tasks") == 7
    second = runner.invoke(args=["seed"])
    assert "nothing seeded" in second.output
    assert count(db_path, "tasks") == 7


@pytest.mark.parametrize(("username", "password", "role"), DEMO_USERS)
def test_demo_accounts_log_in_with_their_roles(make_app, username, password, role):
    app = make_app()
    app.test_cli_runner().invoke(args=["seed"])
    response = app.test_client().post(
        "/api/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200
    assert response.get_json()["user"]["role"] == role


def test_seed_refuses_to_run_in_production(db_path, secret):
    from taskforge import create_app

    app = create_app({"DATABASE": db_path, "SECRET_KEY": secret, "ENV": "production"})
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code != 0
    assert "TASKFORGE_ENV=development" in result.output
    assert count(db_path, "users") == 0


def test_commands_need_a_database(make_app):
    result = make_app(STORAGE="memory").test_cli_runner().invoke(args=["migrate"])
    assert result.exit_code != 0
    assert "needs a database" in result.output
