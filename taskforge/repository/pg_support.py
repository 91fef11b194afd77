"""PgSession: the SqliteSession interface on a psycopg 3 connection, so one set of
repositories serves both databases.

The repositories write SQLite-flavoured SQL; translate() turns it into PostgreSQL's: "?"
placeholders become "%s", LIKE becomes ILIKE (SQLite's LIKE ignores ASCII case) and
"x COLLATE NOCASE" becomes lower(x). An INSERT gets "RETURNING id" so write() can return
the new row's id, as lastrowid does in SQLite.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .sqlite_support import QueryObserver, UniqueViolation

# Every write transaction takes this lock first, which gives PostgreSQL the guarantee the
# repositories were written for, SQLite's BEGIN IMMEDIATE: writers run one at a time, so
# "read, decide, write" inside atomic() never races another writer. Readers never wait.
WRITE_LOCK = 7_305_001
_NOCASE = re.compile(r"([\w.]+) COLLATE NOCASE")
_INSERT_INTO = re.compile(r"\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
TABLES_WITHOUT_ID = frozenset({"project_members", "attempts", "schema_migrations"})


@functools.lru_cache(maxsize=256)
def translate(sql: str) -> str:
    """The PostgreSQL spelling of a repository statement."""
    sql = _NOCASE.sub(r"lower(\1)", sql)
    sql = sql.replace(" LIKE ?", " ILIKE ?").replace("?", "%s")
    insert = _INSERT_INTO.match(sql)
    if insert and insert[1] not in TABLES_WITHOUT_ID and "RETURNING" not in sql.upper():
        sql += " RETURNING id"
    return sql


class PgSession:
    """Wraps one psycopg connection (autocommit mode; transactions are explicit)."""

    dialect = "postgresql"

    def __init__(
        self,
        connection: Any,
        *,
        observer: QueryObserver | None = None,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.connection = connection
        self._observer = observer
        self._timer = timer
        self._depth = 0

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Run the block in a transaction: commit on success, roll back on any exception."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.connection.execute("BEGIN")
        self._depth = 1
        try:
            self.connection.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            yield
        except BaseException:
            self._depth = 0
            self.connection.execute("ROLLBACK")
            raise
        self._depth = 0
        self.connection.execute("COMMIT")

    def require_transaction(self) -> None:
        if not self._depth:
            raise RuntimeError("repository writes must run inside repository.atomic()")

    def nocase_equals(self, column: str) -> str:
        """A condition "column equals ?" that ignores case, using the lower() index."""
        return f"lower({column}) = lower(?)"

    def _run(self, sql: str, params: Sequence[object], factory: Any) -> Any:
        from psycopg import errors  # imported on use: SQLite-only installs never load psycopg

        started = self._timer()
        try:
            with self.connection.cursor(row_factory=factory) as cursor:
                cursor.execute(translate(sql), params)
                return cursor.fetchall() if cursor.description is not None else None
        except errors.UniqueViolation as exc:
            raise UniqueViolation(str(exc)) from exc
        finally:
            if self._observer is not None:
                self._observer(sql, self._timer() - started)

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[dict]:
        from psycopg.rows import dict_row

        return self._run(sql, params, dict_row)

    def tuples(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        return self._run(sql, params, None)

    def row(self, sql: str, params: Sequence[object] = ()) -> dict | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def write(self, sql: str, params: Sequence[object] = ()) -> int | None:
        self.require_transaction()
        found = self._run(sql, params, None)
        return found[0][0] if found else None

    def write_many(self, sql: str, param_rows: Sequence[Sequence[object]]) -> None:
        from psycopg import errors

        self.require_transaction()
        started = self._timer()
        try:
            with self.connection.cursor() as cursor:
                cursor.executemany(translate(sql), param_rows)
        except errors.UniqueViolation as exc:
            raise UniqueViolation(str(exc)) from exc
        finally:
            if self._observer is not None:
                self._observer(sql, self._timer() - started)
