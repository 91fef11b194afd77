"""The migration runner: ordering, idempotence, atomicity, and the categories backfill."""

import sqlite3
from contextlib import closing

import pytest

from taskforge.db import connect
from taskforge.migrate import (
    MIGRATIONS_DIR,
    MigrationError,
    applied_versions,
    apply_migrations,
    discover,
    pending,
)


@pytest.fixture
def conn(tmp_path):
    with closing(connect(str(tmp_path / "m.sqlite"))) as connection:
        yield connection


def test_shipped_migrations_are_numbered_without_gaps():
    migrations = discover()
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    names = [m.path.name for m in migrations]
    assert names[:4] == [
        "001_initial.sql",
        "002_task_priority.sql",
        "003_categories.sql",
        "004_indexes.sql",
    ]


def test_fresh_database_gets_everything_and_a_ledger(conn):
    applied = apply_migrations(conn)
    assert [m.version for m in applied] == [m.version for m in discover()]
    assert applied_versions(conn) == [m.version for m in discover()]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"users", "projects", "categories", "tasks", "task_events"} <= tables


def test_running_twice_applies_nothing_new(conn):
    apply_migrations(conn)
    assert apply_migrations(conn) == []
    assert pending(conn) == []
    count = conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0]
    assert count == len(discover())


def test_target_stops_early_and_the_rest_follows_later(conn):
    assert [m.version for m in apply_migrations(conn, target=2)] == [1, 2]
    assert [m.version for m in pending(conn)][0] == 3
    assert [m.version for m in apply_migrations(conn)][0] == 3


def test_categories_are_backfilled_from_the_old_labels(conn):
    apply_migrations(conn, target=2)
    conn.execute("INSERT INTO users (username, password_hash) VALUES ('u', 'h')")
    conn.execute("INSERT INTO projects (name, created_at) VALUES ('p', 'then')")
    labels = ["Bug", " bug ", "feature", None, "", "BUG", "Feature ", "chore"]
    for number, label in enumerate(labels):
        conn.execute(
            "INSERT INTO tasks (project_id, title, category, created_at, updated_at) "
            "VALUES (1, ?, ?, 'then', 'then')",
            (f"task {number}", label),
        )
    apply_migrations(conn)
    categories = conn.execute("SELECT id, name FROM categories ORDER BY id").fetchall()
    assert [tuple(row) for row in categories] == [(1, "Bug"), (2, "feature"), (3, "chore")]
    rows = conn.execute("SELECT category_id FROM tasks ORDER BY id").fetchall()
    assert [row[0] for row in rows] == [1, 1, 2, None, None, 1, 2, 3]
    priorities = {row[0] for row in conn.execute("SELECT priority FROM tasks")}
    assert priorities == {50}


def write(directory, name, sql):
    (directory / name).write_text(sql, encoding="utf-8")


def test_a_failing_migration_leaves_no_trace(conn, tmp_path):
    folder = tmp_path / "migs"
    folder.mkdir()
    write(folder, "001_one.sql", "CREATE TABLE a (x INTEGER);")
    write(folder, "002_two.sql", "CREATE TABLE b (y INTEGER);\nINSERT INTO nowhere VALUES (1);")
    with pytest.raises(MigrationError, match="002_two.sql"):
        apply_migrations(conn, folder)
    assert applied_versions(conn) == [1]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "b" not in tables


def test_statements_with_semicolons_inside_triggers_stay_whole(conn, tmp_path):
    folder = tmp_path / "migs"
    folder.mkdir()
    write(
        folder,
        "001_trigger.sql",
        "-- a comment; with a semicolon\n"
        "CREATE TABLE t (x INTEGER);\n"
        "CREATE TABLE log (x INTEGER);\n"
        "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN\n"
        "    INSERT INTO log VALUES (NEW.x);\n"
        "    INSERT INTO log VALUES (NEW.x * 10);\n"
        "END;\n",
    )
    apply_migrations(conn, folder)
    conn.execute("INSERT INTO t VALUES (2)")
    assert sorted(r[0] for r in conn.execute("SELECT x FROM log")) == [2, 20]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (["001_a.sql", "003_c.sql"], "expected version 002"),
        (["001_a.sql", "001_b.sql"], "expected version 002"),
        (["1_a.sql"], "NNN_snake_case"),
        (["001-A.sql"], "NNN_snake_case"),
    ],
)
def test_inconsistent_folders_are_refused(tmp_path, files, message):
    for name in files:
        write(tmp_path, name, "SELECT 1;")
    with pytest.raises(MigrationError, match=message):
        discover(tmp_path)


def test_missing_final_semicolon_is_reported(conn, tmp_path):
    write(tmp_path, "001_a.sql", "CREATE TABLE a (x INTEGER)")
    with pytest.raises(MigrationError, match="missing its ';'"):
        apply_migrations(conn, tmp_path)


def test_works_on_a_connection_in_default_transaction_mode(tmp_path):
    with closing(sqlite3.connect(tmp_path / "legacy.sqlite")) as legacy:
        apply_migrations(legacy)
        assert applied_versions(legacy) == [m.version for m in discover()]


def test_migrations_directory_is_inside_the_package():
    assert MIGRATIONS_DIR.name == "migrations"
    assert MIGRATIONS_DIR.parent.name == "taskforge"
