"""Shared SQLite plumbing for the repositories: transactions and row fetching."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


class SqliteSession:
    """Wraps one sqlite3 connection for the repositories that share it.

    Transactions are opened explicitly with BEGIN IMMEDIATE, which takes the write lock up
    front: two requests cannot both read "old state" and then both write. If a transaction
    is already open (an outer atomic block), an inner block simply joins it.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Run the block in a transaction: commit on success, roll back on any exception."""
        if self.connection.in_transaction:
            yield
            return
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.connection.rollback()
            raise
        self.connection.commit()

    def require_transaction(self) -> None:
        """Refuse a write that would otherwise run (and maybe commit) on its own."""
        if not self.connection.in_transaction:
            raise RuntimeError("repository writes must run inside repository.atomic()")

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        """All rows of a query, as sqlite3.Row whatever the connection's row factory."""
        cursor = self.connection.cursor()
        cursor.row_factory = sqlite3.Row
        try:
            return cursor.execute(sql, params).fetchall()
        finally:
            cursor.close()

    def row(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        found = self.rows(sql, params)
        return found[0] if found else None

    def write(self, sql: str, params: Sequence[object] = ()) -> int | None:
        """Run one write statement inside the current transaction; return lastrowid."""
        self.require_transaction()
        cursor = self.connection.execute(sql, params)
        try:
            return cursor.lastrowid
        finally:
            cursor.close()

    def write_many(self, sql: str, param_rows: Sequence[Sequence[object]]) -> None:
        """Run one write statement once per parameter row, inside the current transaction."""
        self.require_transaction()
        self.connection.executemany(sql, param_rows).close()


def is_unique_violation(exc: sqlite3.IntegrityError) -> bool:
    """True when an IntegrityError comes from a UNIQUE constraint."""
    return "UNIQUE constraint failed" in str(exc)
