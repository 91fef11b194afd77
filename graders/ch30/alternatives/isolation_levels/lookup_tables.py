"""Alternative: frozenset and dict lookup tables (KeyError turned into ValueError), and
both demonstrations inside contextlib.closing blocks, reading again through A."""

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


_PREVENTS = {
    "read_uncommitted": frozenset(),
    "read_committed": frozenset({"dirty_read"}),
    "repeatable_read": frozenset({"dirty_read", "non_repeatable_read"}),
    "serializable": frozenset(ANOMALIES),
}
_DEFAULTS = {"postgresql": "read_committed", "mysql": "repeatable_read", "sqlite": "serializable"}
_READ = "SELECT value FROM kv WHERE key = 'x'"
_WRITE = "UPDATE kv SET value = ? WHERE key = 'x'"


def anomalies_prevented(level: str) -> set[str]:
    """The anomalies an isolation level rules out, as a new set of names from ANOMALIES."""
    try:
        return set(_PREVENTS[level.lower()])
    except KeyError:
        raise ValueError(f"unknown isolation level {level!r}") from None


def default_level(database: str) -> str:
    """The default isolation level (a name from LEVELS) of "postgresql", "mysql" or "sqlite"."""
    try:
        return _DEFAULTS[database.lower()]
    except KeyError:
        raise ValueError(f"unknown database {database!r}") from None


def demonstrate_no_dirty_read(path: str, new_value: int) -> tuple[int, int]:
    """Show that B cannot see A's uncommitted change, and sees it once A commits."""
    with closing(sqlite3.connect(path)) as a, closing(sqlite3.connect(path)) as b:
        a.execute(_WRITE, (new_value,))
        (before,) = b.execute(_READ).fetchone()
        a.commit()
        (after,) = b.execute(_READ).fetchone()
    return before, after


def demonstrate_rollback(path: str, new_value: int) -> tuple[int, int]:
    """Show that a rolled-back change is gone, although its own transaction saw it."""
    with closing(sqlite3.connect(path)) as a:
        a.execute(_WRITE, (new_value,))
        (inside,) = a.execute(_READ).fetchone()
        a.rollback()
        (after,) = a.execute(_READ).fetchone()
    return inside, after
