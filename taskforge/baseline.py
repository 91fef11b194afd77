"""Adopting a Phase 6 starter database: `flask --app taskforge migrate --baseline`.

The starter created its tables with CREATE TABLE IF NOT EXISTS and kept no record of
migrations, so the numbered migrations cannot simply run on it (001 would find `users`
already there). Adoption rebuilds it in one transaction: the starter's tables are renamed
aside, every migration builds the reference schema, the rows are copied across, and the old
tables are dropped. Either all of that happens or none of it.

What changes on the way: plain-text passwords become salted hashes (the same password
still logs in); the free-text task category also fills category_id; and, since the starter
let everyone see every project, every existing account becomes a member of every existing
project, so nobody loses sight of anything (admins may narrow that later).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass

from .db import connect
from .migrate import CREATE_LEDGER, MigrationError, applied_versions, discover
from .security.passwords import ALGORITHM, PasswordHasher

STARTER_TABLES = ("users", "projects", "categories", "tasks", "task_events")
STARTER_SIGNATURE = {"users": {"id", "username", "password", "role"}, "tasks": {"category"}}


@dataclass(frozen=True)
class Adoption:
    """What adopting a starter database did."""

    users: int
    projects: int
    tasks: int
    migrations: int


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}


def is_starter_database(connection: sqlite3.Connection) -> bool:
    """True for a database the Phase 6 starter made: its tables, and no migration record."""
    if applied_versions(connection):
        return False
    return all(wanted <= _columns(connection, table) for table, wanted in STARTER_SIGNATURE.items())


def adopt(path: str, hasher: PasswordHasher) -> Adoption:
    """Rebuild the starter database at path as a fully migrated reference database."""
    with closing(connect(path)) as connection:
        if not is_starter_database(connection):
            if applied_versions(connection):
                raise MigrationError(f"{path} is already managed by migrations: nothing to adopt")
            raise MigrationError(f"{path} does not look like a TaskForge starter database")
        connection.execute("BEGIN IMMEDIATE")
        try:
            report = _rebuild(connection, hasher)
        except (sqlite3.Error, ValueError) as exc:
            connection.rollback()
            raise MigrationError(f"adopting {path} failed, nothing was changed: {exc}") from exc
        connection.commit()
        return report


def _rebuild(connection: sqlite3.Connection, hasher: PasswordHasher) -> Adoption:
    run = connection.execute
    for table in STARTER_TABLES:
        run(f"ALTER TABLE {table} RENAME TO starter_{table}")
    run(CREATE_LEDGER)
    migrations = discover()
    for migration in migrations:
        for statement in migration.statements():
            run(statement)
        run(
            "INSERT INTO schema_migrations (version, name, applied_at) "
            "VALUES (?, ?, datetime('now'))",
            (migration.version, migration.name),
        )
    users = run("SELECT id, username, password, role FROM starter_users ORDER BY id").fetchall()
    for user in users:
        stored = user["password"]
        # The starter kept passwords as typed; hash each one (a hash stays as it is).
        password_hash = stored if stored.startswith(ALGORITHM + "$") else hasher.hash(stored)
        role = user["role"] if user["role"] in ("admin", "editor", "viewer") else "viewer"
        run(
            "INSERT INTO users (id, username, password_hash, role) VALUES (?, ?, ?, ?)",
            (user["id"], user["username"], password_hash, role),
        )
    run(
        "INSERT INTO projects (id, name, description, owner_id, created_at) "
        "SELECT id, name, description, "
        "CASE WHEN owner_id IN (SELECT id FROM users) THEN owner_id END, created_at "
        "FROM starter_projects ORDER BY id"
    )
    run("INSERT INTO categories (id, name) SELECT id, name FROM starter_categories ORDER BY id")
    # Labels no category row names yet become categories, as migration 003 does.
    run(
        "INSERT OR IGNORE INTO categories (name) SELECT trim(category) FROM starter_tasks "
        "WHERE trim(coalesce(category, '')) <> '' ORDER BY id"
    )
    run(
        "INSERT INTO tasks (id, project_id, title, description, status, due_date, category, "
        "assignee_id, parent_id, created_at, updated_at, priority, category_id) "
        "SELECT t.id, t.project_id, t.title, t.description, t.status, t.due_date, t.category, "
        "CASE WHEN t.assignee_id IN (SELECT id FROM users) THEN t.assignee_id END, "
        "t.parent_id, t.created_at, t.updated_at, t.priority, "
        "(SELECT c.id FROM categories AS c WHERE c.name = trim(t.category)) "
        "FROM starter_tasks AS t ORDER BY t.id"
    )
    run(
        "INSERT INTO task_events (id, task_id, kind, detail, actor_id, created_at) "
        "SELECT id, task_id, kind, detail, "
        "CASE WHEN actor_id IN (SELECT id FROM users) THEN actor_id END, created_at "
        "FROM starter_task_events WHERE task_id IN (SELECT id FROM tasks) ORDER BY id"
    )
    run(
        "INSERT OR IGNORE INTO project_members (project_id, user_id) "
        "SELECT p.id, u.id FROM projects AS p CROSS JOIN users AS u"
    )
    for table in STARTER_TABLES:
        run(f"DROP TABLE starter_{table}")
    broken = run("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise ValueError(f"rows point at rows that do not exist, e.g. in table {broken[0][0]}")
    count = run("SELECT COUNT(*) FROM projects").fetchone()[0]
    tasks = run("SELECT COUNT(*) FROM tasks").fetchone()[0]
    return Adoption(len(users), count, tasks, len(migrations))
