"""Backends for the service tests: every test using `backend` runs once per repository."""

from contextlib import closing
from dataclasses import dataclass

import pytest

from taskforge.db import connect
from taskforge.repository import (
    InMemoryStore,
    InMemoryTaskRepository,
    InMemoryUserRepository,
    SqliteSession,
    SqliteTaskRepository,
    SqliteUserRepository,
    TaskRepository,
    UserRepository,
)


@dataclass
class Backend:
    name: str
    tasks: TaskRepository
    users: UserRepository

    def add_user(self, username: str, role: str = "viewer") -> int:
        with self.users.atomic():
            return self.users.add_user(username, "unused-hash", role).id


@pytest.fixture(params=["memory", "sqlite"])
def backend(request, db_path):
    if request.param == "memory":
        store = InMemoryStore()
        yield Backend("memory", InMemoryTaskRepository(store), InMemoryUserRepository(store))
        return
    with closing(connect(db_path)) as connection:
        session = SqliteSession(connection)
        yield Backend("sqlite", SqliteTaskRepository(session), SqliteUserRepository(session))
