"""The storage interfaces (Strategy): what the services need from any backend."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace

from ..domain import Category, Credentials, NewTask, Project, Task, TaskEvent, TaskQuery, User

# Task columns a caller may change through update_task, besides updated_at.
UPDATABLE_TASK_FIELDS = (
    "title",
    "description",
    "priority",
    "status",
    "due_date",
    "category_id",
    "assignee_id",
    "parent_id",
    "project_id",
)


class TaskRepository(ABC):
    """Stores projects, categories, tasks and task history.

    Every write must happen inside ``with repository.atomic():``. The block is one
    transaction: if it raises, nothing written inside it is kept. Blocks may nest; only the
    outermost one commits.
    """

    @abstractmethod
    def atomic(self) -> AbstractContextManager[None]:
        """A context manager that makes its block all-or-nothing."""

    # projects
    @abstractmethod
    def add_project(self, name: str, description: str, owner_id: int | None, now: str) -> Project:
        """Insert a project; Conflict if the name (case-insensitive) is taken."""

    @abstractmethod
    def get_project(self, project_id: int) -> Project | None:
        """The project, or None."""

    @abstractmethod
    def list_projects(self, member_id: int | None = None) -> list[Project]:
        """All projects ordered by id (only those member_id belongs to, when given)."""

    # members (tenancy)
    @abstractmethod
    def add_member(self, project_id: int, user_id: int) -> None:
        """Make user_id a member of project_id (nothing happens if they already are)."""

    @abstractmethod
    def is_member(self, project_id: int, user_id: int) -> bool:
        """True when user_id belongs to project_id."""

    @abstractmethod
    def list_members(self, project_id: int) -> list[User]:
        """The members of a project ordered by user id."""

    # categories
    @abstractmethod
    def add_category(self, name: str) -> Category:
        """Insert a category; Conflict if the name (case-insensitive) is taken."""

    @abstractmethod
    def get_category(self, category_id: int) -> Category | None:
        """The category, or None."""

    @abstractmethod
    def list_categories(self) -> list[Category]:
        """All categories ordered by name."""

    # people (read-only here: users are written through UserRepository)
    @abstractmethod
    def user_exists(self, user_id: int) -> bool:
        """True when a user with this id exists (tasks may only be assigned to real users)."""

    # tasks
    @abstractmethod
    def add_task(self, task: NewTask) -> int:
        """Insert a task and return its id."""

    @abstractmethod
    def get_task(self, task_id: int) -> Task | None:
        """The task with its category and assignee names, or None."""

    def count_active_tasks(self) -> int:
        """How many tasks are not done (backends may override with something cheaper)."""
        return sum(1 for task in self.list_tasks(TaskQuery()) if task.status != "done")

    @abstractmethod
    def list_tasks(self, query: TaskQuery) -> list[Task]:
        """Tasks matching query, in the order it asks for (ties broken by id ascending)."""

    def count_tasks(self, query: TaskQuery) -> int:
        """How many tasks match query's filters, ignoring its limit and offset."""
        return len(self.list_tasks(replace(query, limit=None, offset=0)))

    @abstractmethod
    def update_task(self, task_id: int, changes: Mapping[str, object], now: str) -> None:
        """Set the given fields (keys from UPDATABLE_TASK_FIELDS) and updated_at."""

    @abstractmethod
    def set_project(self, task_ids: Sequence[int], project_id: int, now: str) -> None:
        """Move the given tasks to project_id."""

    @abstractmethod
    def descendant_ids(self, task_id: int) -> list[int]:
        """Ids of every subtask below task_id, at any depth, in ascending order."""

    @abstractmethod
    def delete_tasks(self, task_ids: Sequence[int]) -> None:
        """Delete the given tasks and their history."""

    # history
    @abstractmethod
    def add_event(
        self, task_id: int, kind: str, detail: Mapping, actor_id: int | None, now: str
    ) -> None:
        """Append an entry to a task's history."""

    @abstractmethod
    def list_events(self, task_id: int) -> list[TaskEvent]:
        """A task's history, oldest first."""


class UserRepository(ABC):
    """Stores user accounts. Writes must happen inside ``with repository.atomic():``."""

    @abstractmethod
    def atomic(self) -> AbstractContextManager[None]:
        """A context manager that makes its block all-or-nothing."""

    @abstractmethod
    def add_user(self, username: str, password_hash: str, role: str) -> User:
        """Insert a user; Conflict if the username (case-insensitive) is taken."""

    @abstractmethod
    def get_user(self, user_id: int) -> User | None:
        """The user, or None."""

    @abstractmethod
    def get_credentials(self, username: str) -> Credentials | None:
        """The user and their password hash, looked up case-insensitively, or None."""

    @abstractmethod
    def list_users(self) -> list[User]:
        """All users ordered by id."""

    @abstractmethod
    def count_users(self, role: str | None = None) -> int:
        """How many users there are (with this role, when given)."""

    @abstractmethod
    def set_role(self, user_id: int, role: str) -> None:
        """Change a user's role."""

    @abstractmethod
    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Replace a user's stored password hash."""
