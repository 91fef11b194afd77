"""SQLite connections: one per request in flask.g, closed at teardown; schema set-up helpers."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing

from flask import Flask, current_app, g

from .migrate import Migration, apply_migrations, discover, pending


def connect(path: str, *, timeout: float = 5.0) -> sqlite3.Connection:
    """A new connection: autocommit mode (transactions are explicit), rows as sqlite3.Row,
    foreign keys enforced, and synchronous=NORMAL (safe in WAL mode, no fsync per commit)."""
    connection = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA synchronous = NORMAL")
    return connection


def get_db() -> sqlite3.Connection:
    """This request's connection, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"], timeout=current_app.config["SQLITE_TIMEOUT"])
    return g.db


def close_db(exc: BaseException | None = None) -> None:
    """Close this request's connection, if one was opened (registered as a teardown)."""
    connection = g.pop("db", None)
    if connection is not None:
        if connection.in_transaction:
            connection.rollback()
        connection.close()


def ensure_parent_directory(path: str) -> None:
    """Create the folder that will hold the database file."""
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)


def migrate_database(path: str) -> list[Migration]:
    """Apply pending migrations to the database file at path; return those applied."""
    ensure_parent_directory(path)
    with closing(connect(path)) as connection:
        # Write-ahead logging: readers never block the writer, and commits are cheap. The
        # setting is stored in the file, so setting it once here is enough.
        connection.execute("PRAGMA journal_mode = WAL")
        return apply_migrations(connection)


def pending_migrations(path: str) -> list[Migration]:
    """Migrations not yet applied to the database at path (all of them for a new file)."""
    if not os.path.exists(path):
        return discover()
    with closing(connect(path)) as connection:
        return pending(connection)


def reset_database(path: str) -> list[Migration]:
    """Delete the database file and build a fresh schema from migration 001 (destroys data)."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return migrate_database(path)


def init_app(app: Flask) -> None:
    """Register the per-request connection teardown."""
    app.teardown_appcontext(close_db)
