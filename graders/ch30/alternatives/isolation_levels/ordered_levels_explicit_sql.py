"""Alternative: the prevented anomalies derived from the order of LEVELS, a match statement
for defaults, an autocommit writer driven by explicit BEGIN/COMMIT, and a third connection
to read after the rollback."""

from __future__ import annotations

import sqlite3
from contextlib import closing

LEVELS = ("read_uncommitted", "read_committed", "repeatable_read", "serializable")
ANOMALIES = ("dirty_read", "non_repeatable_read", "phantom_read")


def create_store(path: str, value: int) -> None:
    """Create an SQLite file with table kv holding ('x', value), committed. Already done."""
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")
        conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('x', ?)", (value,))


def value_on_disk(path: str) -> int:
    """The committed value of 'x', read through a fresh connection. Already done for you."""
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT value FROM kv WHERE key = 'x'").fetchone()[0]


def anomalies_prevented(level: str) -> set[str]:
    """The anomalies an isolation level rules out, as a new set of names from ANOMALIES."""
    name = level.lower()
    if name not in LEVELS:
        raise ValueError(f"{level!r} is not one of {LEVELS}")
    # Each level in LEVELS prevents one more anomaly of ANOMALIES than the one before.
    return set(ANOMALIES[: LEVELS.index(name)])


def default_level(database: str) -> str:
    """The default isolation level (a name from LEVELS) of "postgresql", "mysql" or "sqlite"."""
    match database.lower():
        case "postgresql":
            return LEVELS[1]
        case "mysql":
            return LEVELS[2]
        case "sqlite":
            return LEVELS[3]
        case _:
            raise ValueError(f"no default known for {database!r}")


def _read_x(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM kv WHERE key = ?", ("x",)).fetchone()
    return int(row[0])


def demonstrate_no_dirty_read(path: str, new_value: int) -> tuple[int, int]:
    """Show that B cannot see A's uncommitted change, and sees it once A commits."""
    writer = sqlite3.connect(path, isolation_level=None)  # we say BEGIN and COMMIT ourselves
    reader = sqlite3.connect(path)
    try:
        writer.execute("BEGIN")
        writer.execute("UPDATE kv SET value = ? WHERE key = ?", (new_value, "x"))
        seen_before = _read_x(reader)
        writer.execute("COMMIT")
        seen_after = _read_x(reader)
        return (seen_before, seen_after)
    finally:
        reader.close()
        writer.close()


def demonstrate_rollback(path: str, new_value: int) -> tuple[int, int]:
    """Show that a rolled-back change is gone, although its own transaction saw it."""
    writer = sqlite3.connect(path)
    try:
        writer.execute("UPDATE kv SET value = ? WHERE key = ?", (new_value, "x"))
        inside = _read_x(writer)
        writer.rollback()
    finally:
        writer.close()
    checker = sqlite3.connect(path)
    try:
        return (inside, _read_x(checker))
    finally:
        checker.close()
