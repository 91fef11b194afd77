"""Database connections: one per request in flask.g, released at teardown; SQLite set-up helpers."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g

from .migrate import Migration, MigrationError, apply_migrations, discover, pending


def connect(path: str, *, timeout: float = 5.0) -> sqlite3.Connection:
    """A new connection: autocommit mode (transactions are explicit), rows as sqlite3.Row,
    foreign keys enforced, and synchronous=NORMAL (safe in WAL mode, no fsync per commit)."""
    connection = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA synchronous = NORMAL")
    return connection


def get_db() -> Any:
    """This request's connection (SQLite or PostgreSQL), opened on first use."""
    if "db" not in g:
        g.db = current_app.extensions["taskforge"].database.acquire()
    return g.db


def close_db(exc: BaseException | None = None) -> None:
    """Give back this request's connection, if one was opened (registered as a teardown)."""
    connection = g.pop("db", None)
    if connection is not None:
        current_app.extensions["taskforge"].database.release(connection)


class SqliteDatabase:
    """The SQLite file at path: a fresh connection per request, the migrations in migrations/."""

    dialect = "sqlite"

    def __init__(self, path: str, *, timeout: float = 5.0) -> None:
        self.path = path
        self.timeout = timeout

    def describe(self) -> str:
        return self.path

    def acquire(self) -> sqlite3.Connection:
        return connect(self.path, timeout=self.timeout)

    def release(self, connection: sqlite3.Connection) -> None:
        if connection.in_transaction:
            connection.rollback()
        connection.close()

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        connection = self.acquire()
        try:
            yield connection
        finally:
            self.release(connection)

    def session(self, connection: sqlite3.Connection, **options: Any) -> Any:
        from .repository.sqlite_support import SqliteSession

        return SqliteSession(connection, **options)

    def pending(self) -> list[Migration]:
        return pending_migrations(self.path)

    def migrate(self) -> list[Migration]:
        return migrate_database(self.path)

    def reset(self) -> list[Migration]:
        return reset_database(self.path)

    def close(self) -> None:
        """Nothing to close: connections live for one request."""

    def check(self) -> str | None:
        """None when the file is there, answers and has every migration, else what is wrong."""
        if not os.path.isfile(self.path):
            return "unreachable: the database file does not exist"
        try:
            # mode=rw: a missing file is an error instead of a new, empty database.
            uri = Path(os.path.abspath(self.path)).as_uri() + "?mode=rw"
            connection = sqlite3.connect(uri, uri=True, timeout=self.timeout)
            with closing(connection):
                waiting = pending(connection)
        except sqlite3.Error as exc:
            return f"unreachable: {exc}"
        if waiting:
            return f"schema out of date: {len(waiting)} pending migration(s)"
        return None


def ensure_parent_directory(path: str) -> None:
    """Create the folder that will hold the database file."""
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)


def migrate_database(path: str) -> list[Migration]:
    """Apply pending migrations to the database file at path; return those applied."""
    ensure_parent_directory(path)
    with closing(connect(path)) as connection:
        from .baseline import is_starter_database

        if is_starter_database(connection):
            raise MigrationError(
                f"{path} was made by the Phase 6 starter and has no migration record; adopt it "
                "(its data is kept) with: flask --app taskforge migrate --baseline"
            )
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
