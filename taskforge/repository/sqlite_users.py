"""SqliteUserRepository: user accounts stored in SQLite."""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager

from ..domain import Credentials, User
from ..errors import Conflict
from .base import UserRepository
from .pg_support import PgSession
from .sqlite_support import SqliteSession, UniqueViolation


class SqliteUserRepository(UserRepository):
    """UserRepository on a sqlite3 connection (opened and closed by the caller)."""

    def __init__(self, connection: sqlite3.Connection | SqliteSession | PgSession) -> None:
        self._db = (
            connection
            if isinstance(connection, (SqliteSession, PgSession))
            else SqliteSession(connection)
        )

    def atomic(self) -> AbstractContextManager[None]:
        return self._db.atomic()

    def add_user(self, username: str, password_hash: str, role: str) -> User:
        try:
            user_id = self._db.write(
                "INSERT INTO users (username, password_hash, role) VALUES (?, ?, ?)",
                (username, password_hash, role),
            )
        except UniqueViolation:
            raise Conflict(f"username {username!r} is already taken") from None
        return User(user_id, username, role)

    def get_user(self, user_id: int) -> User | None:
        row = self._db.row("SELECT id, username, role FROM users WHERE id = ?", (user_id,))
        return User(**dict(row)) if row else None

    def get_credentials(self, username: str) -> Credentials | None:
        row = self._db.row(
            "SELECT id, username, role, password_hash FROM users WHERE "
            + self._db.nocase_equals("username"),
            (username,),
        )
        if row is None:
            return None
        return Credentials(User(row["id"], row["username"], row["role"]), row["password_hash"])

    def list_users(self) -> list[User]:
        rows = self._db.rows("SELECT id, username, role FROM users ORDER BY id")
        return [User(**dict(row)) for row in rows]

    def count_users(self, role: str | None = None) -> int:
        if role is None:
            row = self._db.row("SELECT COUNT(*) AS n FROM users")
        else:
            row = self._db.row("SELECT COUNT(*) AS n FROM users WHERE role = ?", (role,))
        return row["n"]

    def set_role(self, user_id: int, role: str) -> None:
        self._db.write("UPDATE users SET role = ? WHERE id = ?", (role, user_id))

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self._db.write("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))
