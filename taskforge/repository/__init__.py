"""Storage backends behind one interface (the Strategy pattern): SQLite and in-memory."""

from .base import UPDATABLE_TASK_FIELDS, TaskRepository, UserRepository
from .memory import InMemoryStore, InMemoryTaskRepository, InMemoryUserRepository
from .sqlite_support import SqliteSession
from .sqlite_tasks import SqliteTaskRepository, build_task_count, build_task_listing
from .sqlite_users import SqliteUserRepository

__all__ = [
    "UPDATABLE_TASK_FIELDS",
    "InMemoryStore",
    "InMemoryTaskRepository",
    "InMemoryUserRepository",
    "SqliteSession",
    "SqliteTaskRepository",
    "SqliteUserRepository",
    "TaskRepository",
    "UserRepository",
    "build_task_count",
    "build_task_listing",
]
