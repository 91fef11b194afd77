"""PostgreSQL storage: a connection pool per process and the migrations in migrations/postgresql.

Selected by TASKFORGE_DATABASE_URL=postgresql://...; the repositories are the same ones
SQLite uses, talking through PgSession. psycopg is imported only when this is used.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from .migrate import CREATE_LEDGER, MIGRATIONS_DIR, Migration, MigrationError, discover

PG_MIGRATIONS_DIR = MIGRATIONS_DIR / "postgresql"
MIGRATION_LOCK = 7_305_002  # one migrating process at a time, whatever the others do


class PostgresDatabase:
    """Connections to one PostgreSQL database, from a pool made in the process that uses it.

    The pool is created on first use and again after a fork (gunicorn forks its workers after
    the master imported the app): sockets must never be shared between processes.
    """

    dialect = "postgresql"

    def __init__(self, url: str, *, pool_size: int = 10, timeout: float = 5.0) -> None:
        self.url = url
        self.pool_size = pool_size
        self.timeout = timeout
        self._pool: Any = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def describe(self) -> str:
        """The URL without its password, for messages."""
        head, at, tail = self.url.rpartition("@")
        if not at:
            return self.url
        scheme, _, credentials = head.partition("://")
        return f"{scheme}://{credentials.split(':')[0]}@{tail}"

    def _get_pool(self) -> Any:
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                from psycopg_pool import ConnectionPool

                self._pool = ConnectionPool(
                    self.url,
                    min_size=1,
                    max_size=self.pool_size,
                    kwargs={"autocommit": True},
                    timeout=self.timeout,
                    open=True,
                    name="taskforge",
                )
                self._pid = os.getpid()
            return self._pool

    def acquire(self) -> Any:
        """A connection for one request (autocommit mode; give it back with release)."""
        return self._get_pool().getconn()

    def release(self, connection: Any) -> None:
        """Return a connection to the pool, rolling back anything left open."""
        from psycopg.pq import TransactionStatus

        if connection.info.transaction_status != TransactionStatus.IDLE:
            connection.execute("ROLLBACK")
        self._get_pool().putconn(connection)

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A pooled connection for the length of the block."""
        connection = self.acquire()
        try:
            yield connection
        finally:
            self.release(connection)

    def session(self, connection: Any, **options: Any) -> Any:
        from .repository.pg_support import PgSession

        return PgSession(connection, **options)

    def close(self) -> None:
        if self._pool is not None and self._pid == os.getpid():
            self._pool.close()
        self._pool = None

    # ------------------------------------------------------------------ schema
    def applied_versions(self, connection: Any) -> list[int]:
        exists = connection.execute("SELECT to_regclass('schema_migrations')").fetchone()[0]
        if exists is None:
            return []
        rows = connection.execute("SELECT version FROM schema_migrations ORDER BY version")
        return [row[0] for row in rows.fetchall()]

    def pending(self) -> list[Migration]:
        """Migrations not yet applied."""
        with self.connection() as connection:
            done = set(self.applied_versions(connection))
        return [m for m in discover(PG_MIGRATIONS_DIR) if m.version not in done]

    def migrate(self) -> list[Migration]:
        """Apply every pending migration, each in its own transaction with its ledger row."""
        applied = []
        with self.connection() as connection:
            connection.execute(CREATE_LEDGER)
            for migration in discover(PG_MIGRATIONS_DIR):
                if self._apply_one(connection, migration):
                    applied.append(migration)
        return applied

    def _apply_one(self, connection: Any, migration: Migration) -> bool:
        import psycopg

        connection.execute("BEGIN")
        try:
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            already = connection.execute(
                "SELECT 1 FROM schema_migrations WHERE version = %s", (migration.version,)
            ).fetchone()
            if already:
                connection.execute("ROLLBACK")
                return False
            connection.execute(migration.path.read_text(encoding="utf-8"))
            connection.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%s, %s, %s)",
                (migration.version, migration.name, datetime.now(timezone.utc).isoformat()),
            )
        except psycopg.Error as exc:
            connection.execute("ROLLBACK")
            raise MigrationError(f"postgresql/{migration.path.name} failed: {exc}") from exc
        connection.execute("COMMIT")
        return True

    def reset(self) -> list[Migration]:
        """Drop every TaskForge table and build the schema again (destroys data)."""
        with self.connection() as connection:
            connection.execute(
                "DROP TABLE IF EXISTS attempts, project_members, task_events, tasks, "
                "categories, projects, users, schema_migrations CASCADE"
            )
        return self.migrate()

    def check(self) -> str | None:
        """None when the database answers and its schema is current, else what is wrong."""
        import psycopg

        try:
            waiting = self.pending()
        except (psycopg.Error, OSError) as exc:
            return f"unreachable: {type(exc).__name__}"
        except Exception as exc:  # noqa: BLE001 - the pool's own timeout errors, among others
            return f"unreachable: {type(exc).__name__}"
        if waiting:
            return f"schema out of date: {len(waiting)} pending migration(s)"
        return None
