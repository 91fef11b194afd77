"""Shared SQLite plumbing for the repositories: transactions and row fetching."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

# Called after each statement with its SQL text and duration in seconds (metrics, DEBUG logs).
QueryObserver = Callable[[str, float], None]


class UniqueViolation(Exception):
    """A write broke a UNIQUE constraint (raised by both SqliteSession and PgSession)."""


class SqliteSession:
    """Wraps one sqlite3 connection for the repositories that share it.

    Transactions are opened explicitly with BEGIN IMMEDIATE, which takes the write lock up
    front: two requests cannot both read "old state" and then both write. If a transaction
    is already open (an outer atomic block), an inner block simply joins it.

    An optional observer hears about every statement run through rows, tuples, write and
    write_many, with its duration measured by timer.
    """

    dialect = "sqlite"

    def __init__(
        self,
        connection: sqlite3.Connection,
        *,
        observer: QueryObserver | None = None,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.connection = connection
        self._observer = observer
        self._timer = timer

    def _observed(self, sql: str, started: float) -> None:
        if self._observer is not None:
            self._observer(sql, self._timer() - started)

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

    @property
    def in_transaction(self) -> bool:
        return self.connection.in_transaction

    def nocase_equals(self, column: str) -> str:
        """A condition "column equals ?" ignoring ASCII case (the column's NOCASE collation)."""
        return f"{column} = ?"

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        """All rows of a query, as sqlite3.Row whatever the connection's row factory."""
        return self._fetch(sql, params, sqlite3.Row)

    def _fetch(self, sql: str, params: Sequence[object], factory: object) -> list:
        started = self._timer()
        cursor = self.connection.cursor()
        cursor.row_factory = factory
        try:
            return cursor.execute(sql, params).fetchall()
        finally:
            cursor.close()
            self._observed(sql, started)

    def tuples(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        """All rows of a query as plain tuples (for hot paths that map columns by position)."""
        return self._fetch(sql, params, None)

    def row(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        found = self.rows(sql, params)
        return found[0] if found else None

    def write(self, sql: str, params: Sequence[object] = ()) -> int | None:
        """Run one write statement inside the current transaction; return lastrowid."""
        self.require_transaction()
        started = self._timer()
        try:
            cursor = self.connection.execute(sql, params)
        except sqlite3.IntegrityError as exc:
            self._observed(sql, started)
            if is_unique_violation(exc):
                raise UniqueViolation(str(exc)) from exc
            raise
        try:
            return cursor.lastrowid
        finally:
            cursor.close()
            self._observed(sql, started)

    def write_many(self, sql: str, param_rows: Sequence[Sequence[object]]) -> None:
        """Run one write statement once per parameter row, inside the current transaction."""
        self.require_transaction()
        started = self._timer()
        try:
            self.connection.executemany(sql, param_rows).close()
        finally:
            self._observed(sql, started)


def is_unique_violation(exc: sqlite3.IntegrityError) -> bool:
    """True when an IntegrityError comes from a UNIQUE constraint."""
    return "UNIQUE constraint failed" in str(exc)
