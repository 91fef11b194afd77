"""Migration runner: applies numbered SQL files once each, recording them in schema_migrations."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_FILENAME = re.compile(r"(?P<version>\d{3})_(?P<name>[a-z0-9_]+)\.sql")

CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""


class MigrationError(RuntimeError):
    """The migrations folder is inconsistent, or one migration failed."""


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file."""

    version: int
    name: str
    path: Path

    def statements(self) -> list[str]:
        """The file split into complete SQL statements (triggers stay in one piece)."""
        statements, buffer = [], ""
        for line in self.path.read_text(encoding="utf-8").splitlines(keepends=True):
            buffer += line
            if sqlite3.complete_statement(buffer):
                statements.append(buffer.strip())
                buffer = ""
        if buffer.strip() and not _only_comments(buffer):
            raise MigrationError(f"{self.path.name}: the last statement is missing its ';'")
        return statements


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migrations in directory, in version order; numbering must be 001, 002, ... no gaps."""
    found = []
    for path in sorted(Path(directory).glob("*.sql")):
        match = _FILENAME.fullmatch(path.name)
        if match is None:
            raise MigrationError(f"{path.name}: migration files are named NNN_snake_case.sql")
        found.append(Migration(int(match["version"]), match["name"], path))
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise MigrationError(
                f"{migration.path.name}: expected version {expected:03d} (no gaps or duplicates)"
            )
    return found


def applied_versions(connection: sqlite3.Connection) -> list[int]:
    """Versions already recorded in the database, ascending (empty for a new database)."""
    exists = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if not exists:
        return []
    rows = connection.execute("SELECT version FROM schema_migrations ORDER BY version")
    return [row[0] for row in rows.fetchall()]


def pending(connection: sqlite3.Connection, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Migrations in directory that the database has not recorded yet."""
    done = set(applied_versions(connection))
    return [m for m in discover(directory) if m.version not in done]


def apply_migrations(
    connection: sqlite3.Connection,
    directory: Path = MIGRATIONS_DIR,
    *,
    target: int | None = None,
) -> list[Migration]:
    """Apply every pending migration up to target (all by default); return those applied.

    Each migration runs in its own transaction together with the row that records it, so a
    failing migration leaves neither half its changes nor a record behind. Running this
    again applies nothing new. BEGIN IMMEDIATE plus a re-check inside the transaction keep
    two processes that migrate at once from applying the same file twice.
    """
    connection.execute(CREATE_LEDGER)
    if connection.in_transaction:
        connection.commit()
    applied = []
    for migration in discover(directory):
        if target is not None and migration.version > target:
            break
        if _apply_one(connection, migration):
            applied.append(migration)
    return applied


def _apply_one(connection: sqlite3.Connection, migration: Migration) -> bool:
    connection.execute("BEGIN IMMEDIATE")
    try:
        already = connection.execute(
            "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
        ).fetchone()
        if already:
            connection.rollback()
            return False
        for statement in migration.statements():
            connection.execute(statement)
        connection.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            (migration.version, migration.name, datetime.now(timezone.utc).isoformat()),
        )
    except sqlite3.Error as exc:
        connection.rollback()
        raise MigrationError(f"{migration.path.name} failed: {exc}") from exc
    connection.commit()
    return True
