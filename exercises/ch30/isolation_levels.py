"""Chapter 30 exercise: isolation levels, then isolation and rollback seen with your own eyes.

Two transactions running at the same time can get in each other's way. The SQL standard
names three ways ("anomalies") a transaction T2 can be fooled by another one, T1:

* **dirty read**: T2 reads a change T1 has made but not committed yet. If T1 then rolls
  back, T2 has used a value that never officially existed.
* **non-repeatable read**: T2 reads the same row twice and gets two different values,
  because T1 changed the row and committed in between.
* **phantom read**: T2 runs the same query twice (say, "tasks with priority > 3") and gets
  a different SET of rows, because T1 inserted or deleted matching rows in between.

Each isolation level is a promise about which anomalies cannot happen. From weakest to
strongest, the standard's minimum guarantees are:

==================  ==========  ===================  ============
level               dirty read  non-repeatable read  phantom read
==================  ==========  ===================  ============
read uncommitted    possible    possible             possible
read committed      prevented   possible             possible
repeatable read     prevented   prevented            possible
serializable        prevented   prevented            prevented
==================  ==========  ===================  ============

Stronger levels cost more waiting or more aborted transactions, so databases pick a middle
ground by default: PostgreSQL uses read committed, MySQL (with its InnoDB engine) uses
repeatable read. SQLite runs every transaction as serializable. (Real engines may give
more than the minimum: PostgreSQL's repeatable read uses a snapshot that also hides
phantoms. Your functions answer with the standard's table.)

Part 1, facts as data (level and database names in any letter case; anything else is a
``ValueError``)::

    >>> sorted(anomalies_prevented("repeatable_read"))
    ['dirty_read', 'non_repeatable_read']
    >>> default_level("PostgreSQL")
    'read_committed'

Part 2, a demonstration on a real file. ``create_store(path, value)`` (given) makes an
SQLite file with one table ``kv (key TEXT PRIMARY KEY, value INTEGER NOT NULL)`` holding
the row ``('x', value)``; the grader makes its own files the same way (possibly with more
rows, which you leave alone). Your demonstrations open TWO connections to the file with
``sqlite3.connect``, A (the writer) and B (the reader), change the row ``'x'`` through A,
and report what the connections see::

    >>> create_store("demo.db", 10)
    >>> demonstrate_no_dirty_read("demo.db", 99)  # B before A commits, B after
    (10, 99)
    >>> demonstrate_rollback("demo.db", 5)        # A inside its transaction, then after
    (5, 99)

The grader watches the statements each connection runs (so do not set a trace callback
yourself) and checks the order: A writes, B reads while A's change is still uncommitted,
A commits, B reads again; or, for the rollback, A writes, A reads its own change, A rolls
back. It also opens the file afterwards to see what was really kept. Close your
connections before returning. One SQLite detail: B must not keep a transaction open
while A commits (plain SELECTs on a connection do not), or A has to wait for B.
"""

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
    """The anomalies an isolation level rules out, as a new set of names from ANOMALIES.

    ``level`` is one of LEVELS, in any letter case ("Serializable" works); any other name
    raises ValueError. Follows the SQL standard's table in the module docstring.
    """
    # TODO (task 1): check the level (lower-cased) is one of LEVELS, else raise ValueError;
    # then return a NEW set of the anomaly names that level prevents (see the table above).
    raise NotImplementedError("anomalies_prevented is not written yet")


def default_level(database: str) -> str:
    """The default isolation level (a name from LEVELS) of "postgresql", "mysql" or "sqlite".

    Any letter case works; any other database name raises ValueError.
    """
    # TODO (task 2): map the lower-cased database name to its default level; raise
    # ValueError for any other name.
    raise NotImplementedError("default_level is not written yet")


def demonstrate_no_dirty_read(path: str, new_value: int) -> tuple[int, int]:
    """Show that B cannot see A's uncommitted change, and sees it once A commits.

    Through connection A, set 'x' to ``new_value`` without committing; read 'x' through
    connection B; commit A; read 'x' through B again. Returns (B's first read, B's second
    read) as a tuple of two ints. Afterwards the file holds ``new_value``.
    """
    # TODO (task 3): open connections A and B with sqlite3.connect(path). UPDATE 'x'
    # through A (Python's sqlite3 opens a transaction for you and does not commit), SELECT
    # it through B, A.commit(), SELECT through B again. Close both; return the two reads.
    raise NotImplementedError("demonstrate_no_dirty_read is not written yet")


def demonstrate_rollback(path: str, new_value: int) -> tuple[int, int]:
    """Show that a rolled-back change is gone, although its own transaction saw it.

    Through connection A, set 'x' to ``new_value``; read 'x' through A (inside the open
    transaction); roll A back with ``A.rollback()``; read 'x' again (through any
    connection). Returns (the value A saw inside its transaction, the value after the
    rollback) as a tuple of two ints. Afterwards the file still holds the value it had
    before.
    """
    # TODO (task 4): UPDATE 'x' through A, SELECT it through A, A.rollback(), read
    # 'x' again. Close your connections; return (inside, after).
    raise NotImplementedError("demonstrate_rollback is not written yet")
