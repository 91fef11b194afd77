"""Attempt stores shared by every app process: a database table (the default) or Redis."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from .ratelimit import AttemptStore

# Rows older than this are deleted by any hit, whatever their key: no window is longer.
HORIZON_SECONDS = 24 * 3600


class SqlAttemptStore(AttemptStore):
    """Attempts in the table attempts(key, at) of the app's own database (migration 008).

    connection() gives a context manager yielding a connection of the given dialect. Each
    hit is one short transaction: SQLite's BEGIN IMMEDIATE, or on PostgreSQL a transaction
    holding an advisory lock on the key, so concurrent hits on one key happen one at a time.
    """

    def __init__(
        self, connection: Callable[[], AbstractContextManager[Any]], dialect: str = "sqlite"
    ) -> None:
        self._connection = connection
        self._dialect = dialect

    def _sql(self, text: str) -> str:
        return text if self._dialect == "sqlite" else text.replace("?", "%s")

    def hit(self, key: str, now: float, window: float, limit: int) -> float | None:
        with self._connection() as connection:
            if self._dialect == "sqlite":
                connection.execute("BEGIN IMMEDIATE")
            else:
                connection.execute("BEGIN")
                connection.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 8))", (key,))
            try:
                run = connection.execute
                run(self._sql("DELETE FROM attempts WHERE at <= ?"), (now - HORIZON_SECONDS,))
                run(
                    self._sql("DELETE FROM attempts WHERE key = ? AND at <= ?"),
                    (key, now - window),
                )
                count, oldest = run(
                    self._sql("SELECT COUNT(*), MIN(at) FROM attempts WHERE key = ?"), (key,)
                ).fetchone()
                if count < limit:
                    run(self._sql("INSERT INTO attempts (key, at) VALUES (?, ?)"), (key, now))
                    oldest = None
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
            return oldest

    def clear(self, key: str) -> None:
        with self._connection() as connection:
            # Connections are in autocommit mode: this statement commits on its own.
            connection.execute(self._sql("DELETE FROM attempts WHERE key = ?"), (key,))


# Runs inside Redis, so the trim, the count and the add are one atomic step for all clients.
_HIT_SCRIPT = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  return redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return false
"""


class RedisAttemptStore(AttemptStore):
    """Attempts as one sorted set per key in Redis, expiring with the window."""

    def __init__(self, client: Any, prefix: str = "taskforge:attempts:") -> None:
        self._client = client
        self._prefix = prefix
        self._hit = client.register_script(_HIT_SCRIPT)

    def hit(self, key: str, now: float, window: float, limit: int) -> float | None:
        oldest = self._hit(keys=[self._prefix + key], args=[now, window, limit, uuid.uuid4().hex])
        return None if oldest is None else float(oldest)

    def clear(self, key: str) -> None:
        self._client.delete(self._prefix + key)
