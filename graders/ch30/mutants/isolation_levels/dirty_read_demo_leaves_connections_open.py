"""Mutant: demonstrate_no_dirty_read never closes A and B."""

from __future__ import annotations

import sqlite3
from contextlib import closing

LEVELS = ("read_uncommitted", "read_committed", "repeatable_read", "serializable")
ANOMALIES = ("dirty_read", "non_repeatable_read", "phantom_read")

_PREVENTED = {
    "read_uncommitted": (),
    "read_committed": ("dirty_read",),
    "repeatable_read": ("dirty_read", "non_repeatable_read"),
    "serializable": ("dirty_read", "non_repeatable_read", "phantom_read"),
}
_DEFAULTS = {
    "postgresql": "read_committed",
    "mysql": "repeatable_read",
    "sqlite": "serializable",
}


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
    """The anomalies an isolation level rules out, as a new set of names from ANOMALIES.

    ``level`` is one of LEVELS, in any letter case ("Serializable" works); any other name
    raises ValueError. Follows the SQL standard's table in the module docstring.
    """
    key = level.lower() if isinstance(level, str) else level
    if key not in _PREVENTED:
        raise ValueError(f"unknown isolation level {level!r}; expected one of {LEVELS}")
    return set(_PREVENTED[key])


def default_level(database: str) -> str:
    """The default isolation level (a name from LEVELS) of "postgresql", "mysql" or "sqlite".

    Any letter case works; any other database name raises ValueError.
    """
    key = database.lower() if isinstance(database, str) else database
    if key not in _DEFAULTS:
        raise ValueError(f"unknown database {database!r}; expected postgresql, mysql or sqlite")
    return _DEFAULTS[key]


def _read_x(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT value FROM kv WHERE key = 'x'").fetchone()[0]


def demonstrate_no_dirty_read(path: str, new_value: int) -> tuple[int, int]:
    """Show that B cannot see A's uncommitted change, and sees it once A commits.

    Through connection A, set 'x' to ``new_value`` without committing; read 'x' through
    connection B; commit A; read 'x' through B again. Returns (B's first read, B's second
    read) as a tuple of two ints. Afterwards the file holds ``new_value``.
    """
    a, b = sqlite3.connect(path), sqlite3.connect(path)
    a.execute("UPDATE kv SET value = ? WHERE key = 'x'", (new_value,))  # opens a transaction
    before_commit = _read_x(b)
    a.commit()
    after_commit = _read_x(b)
    return before_commit, after_commit


def demonstrate_rollback(path: str, new_value: int) -> tuple[int, int]:
    """Show that a rolled-back change is gone, although its own transaction saw it.

    Through connection A, set 'x' to ``new_value``; read 'x' through A (inside the open
    transaction); roll A back with ``A.rollback()``; read 'x' again (through any
    connection). Returns (the value A saw inside its transaction, the value after the
    rollback) as a tuple of two ints. Afterwards the file still holds the value it had
    before.
    """
    with closing(sqlite3.connect(path)) as a, closing(sqlite3.connect(path)) as b:
        a.execute("UPDATE kv SET value = ? WHERE key = 'x'", (new_value,))
        inside = _read_x(a)
        a.rollback()
        after_rollback = _read_x(b)
    return inside, after_rollback
