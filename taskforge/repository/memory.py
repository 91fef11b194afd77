"""In-memory repositories: the same contracts as SQLite, kept in dicts (tests and demos)."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace

from ..domain import Category, Credentials, NewTask, Project, Task, TaskEvent, TaskQuery, User
from ..errors import Conflict
from .base import UPDATABLE_TASK_FIELDS, TaskRepository, UserRepository

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(text: str) -> str:
    """Lower-case ASCII letters only, which is how SQLite's NOCASE and LIKE compare."""
    return text.translate(_ASCII_LOWER)


@dataclass
class _Tables:
    users: dict[int, Credentials] = field(default_factory=dict)
    projects: dict[int, Project] = field(default_factory=dict)
    categories: dict[int, Category] = field(default_factory=dict)
    tasks: dict[int, dict] = field(default_factory=dict)
    events: dict[int, TaskEvent] = field(default_factory=dict)
    members: set[tuple[int, int]] = field(default_factory=set)  # (project_id, user_id)
    last_ids: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.last_ids[table] = self.last_ids.get(table, 0) + 1
        return self.last_ids[table]


class InMemoryStore:
    """The shared state behind the in-memory repositories (one per app or per test).

    A transaction snapshots every table on entry and restores the snapshot if the block
    raises, which gives the same all-or-nothing behaviour as a database rollback. One
    re-entrant lock serialises transactions and reads across threads.
    """

    def __init__(self) -> None:
        self.tables = _Tables()
        self.lock = threading.RLock()
        self._depth = 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing block; nested blocks join the outer one."""
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            snapshot = copy.deepcopy(self.tables)
            self._depth = 1
            try:
                yield
            except BaseException:
                self.tables = snapshot
                raise
            finally:
                self._depth = 0

    def require_transaction(self) -> None:
        """Refuse a write outside a transaction, exactly as the SQLite backend does."""
        if not self._depth:
            raise RuntimeError("repository writes must run inside repository.atomic()")


class InMemoryTaskRepository(TaskRepository):
    """TaskRepository kept in memory; pass a store to share it with InMemoryUserRepository."""

    def __init__(self, store: InMemoryStore | None = None) -> None:
        self.store = store or InMemoryStore()

    @property
    def _t(self) -> _Tables:
        return self.store.tables

    def atomic(self) -> AbstractContextManager[None]:
        return self.store.transaction()

    # projects
    def add_project(self, name: str, description: str, owner_id: int | None, now: str) -> Project:
        with self.store.lock:
            self.store.require_transaction()
            if any(fold(p.name) == fold(name) for p in self._t.projects.values()):
                raise Conflict(f"a project named {name!r} already exists")
            project = Project(self._t.next_id("projects"), name, description, owner_id, now)
            self._t.projects[project.id] = project
            return project

    def get_project(self, project_id: int) -> Project | None:
        with self.store.lock:
            return self._t.projects.get(project_id)

    def list_projects(self, member_id: int | None = None) -> list[Project]:
        with self.store.lock:
            found = [
                p
                for p in self._t.projects.values()
                if member_id is None or (p.id, member_id) in self._t.members
            ]
            return sorted(found, key=lambda p: p.id)

    # members
    def add_member(self, project_id: int, user_id: int) -> None:
        with self.store.lock:
            self.store.require_transaction()
            self._t.members.add((project_id, user_id))

    def is_member(self, project_id: int, user_id: int) -> bool:
        with self.store.lock:
            return (project_id, user_id) in self._t.members

    def list_members(self, project_id: int) -> list[User]:
        with self.store.lock:
            ids = sorted(u for p, u in self._t.members if p == project_id)
            return [self._t.users[u].user for u in ids if u in self._t.users]

    # categories
    def add_category(self, name: str) -> Category:
        with self.store.lock:
            self.store.require_transaction()
            if any(fold(c.name) == fold(name) for c in self._t.categories.values()):
                raise Conflict(f"a category named {name!r} already exists")
            category = Category(self._t.next_id("categories"), name)
            self._t.categories[category.id] = category
            return category

    def get_category(self, category_id: int) -> Category | None:
        with self.store.lock:
            return self._t.categories.get(category_id)

    def list_categories(self) -> list[Category]:
        with self.store.lock:
            return sorted(self._t.categories.values(), key=lambda c: (fold(c.name), c.id))

    def user_exists(self, user_id: int) -> bool:
        with self.store.lock:
            return user_id in self._t.users

    # tasks
    def add_task(self, task: NewTask) -> int:
        with self.store.lock:
            self.store.require_transaction()
            task_id = self._t.next_id("tasks")
            row = {name: getattr(task, name) for name in NewTask.__dataclass_fields__}
            row.update(id=task_id, updated_at=task.created_at)
            self._t.tasks[task_id] = row
            return task_id

    def get_task(self, task_id: int) -> Task | None:
        with self.store.lock:
            row = self._t.tasks.get(task_id)
            return self._view(row) if row else None

    def list_tasks(self, query: TaskQuery) -> list[Task]:
        with self.store.lock:
            members = self._t.members
            rows = [row for row in self._t.tasks.values() if _matches(row, query, members)]
        rows.sort(key=lambda row: row["id"])
        if query.sort == "priority":
            rows.sort(key=lambda row: row["priority"], reverse=query.descending)
        else:
            dated = [row for row in rows if row["due_date"] is not None]
            undated = [row for row in rows if row["due_date"] is None]
            dated.sort(key=lambda row: row["due_date"], reverse=query.descending)
            rows = dated + undated
        end = None if query.limit is None else query.offset + query.limit
        return [self._view(row) for row in rows[query.offset : end]]

    def update_task(self, task_id: int, changes: Mapping[str, object], now: str) -> None:
        unknown = set(changes) - set(UPDATABLE_TASK_FIELDS)
        if unknown:
            raise ValueError(f"cannot update task fields {sorted(unknown)}")
        with self.store.lock:
            self.store.require_transaction()
            row = self._t.tasks.get(task_id)
            if row is not None:
                row.update(changes, updated_at=now)

    def set_project(self, task_ids: Sequence[int], project_id: int, now: str) -> None:
        with self.store.lock:
            self.store.require_transaction()
            for task_id in task_ids:
                if task_id in self._t.tasks:
                    self._t.tasks[task_id].update(project_id=project_id, updated_at=now)

    def descendant_ids(self, task_id: int) -> list[int]:
        with self.store.lock:
            found: set[int] = set()
            frontier = {task_id}
            while frontier:
                children = {
                    row["id"]
                    for row in self._t.tasks.values()
                    if row["parent_id"] in frontier and row["id"] not in found
                }
                found |= children
                frontier = children
            return sorted(found)

    def delete_tasks(self, task_ids: Sequence[int]) -> None:
        doomed = set(task_ids)
        with self.store.lock:
            self.store.require_transaction()
            for task_id in doomed:
                self._t.tasks.pop(task_id, None)
            for event_id in [e.id for e in self._t.events.values() if e.task_id in doomed]:
                del self._t.events[event_id]

    # history
    def add_event(
        self, task_id: int, kind: str, detail: Mapping, actor_id: int | None, now: str
    ) -> None:
        with self.store.lock:
            self.store.require_transaction()
            event_id = self._t.next_id("events")
            self._t.events[event_id] = TaskEvent(
                event_id, task_id, kind, copy.deepcopy(dict(detail)), actor_id, now
            )

    def list_events(self, task_id: int) -> list[TaskEvent]:
        with self.store.lock:
            found = [e for e in self._t.events.values() if e.task_id == task_id]
            return [replace(e, detail=copy.deepcopy(e.detail)) for e in sorted(found, key=_id)]

    def _view(self, row: dict) -> Task:
        category = self._t.categories.get(row["category_id"])
        assignee = self._t.users.get(row["assignee_id"])
        return Task(
            **row,
            category=category.name if category else None,
            assignee=assignee.user.username if assignee else None,
        )


def _id(item: TaskEvent) -> int:
    return item.id


def _matches(row: dict, query: TaskQuery, members: set[tuple[int, int]]) -> bool:
    if query.member_id is not None and (row["project_id"], query.member_id) not in members:
        return False
    for name in ("project_id", "status", "assignee_id", "category_id"):
        wanted = getattr(query, name)
        if wanted is not None and row[name] != wanted:
            return False
    if query.search:
        needle = fold(query.search)
        return needle in fold(row["title"]) or needle in fold(row["description"])
    return True


class InMemoryUserRepository(UserRepository):
    """UserRepository kept in memory; pass a store to share it with InMemoryTaskRepository."""

    def __init__(self, store: InMemoryStore | None = None) -> None:
        self.store = store or InMemoryStore()

    @property
    def _t(self) -> _Tables:
        return self.store.tables

    def atomic(self) -> AbstractContextManager[None]:
        return self.store.transaction()

    def add_user(self, username: str, password_hash: str, role: str) -> User:
        with self.store.lock:
            self.store.require_transaction()
            if self._find(username) is not None:
                raise Conflict(f"username {username!r} is already taken")
            user = User(self._t.next_id("users"), username, role)
            self._t.users[user.id] = Credentials(user, password_hash)
            return user

    def get_user(self, user_id: int) -> User | None:
        with self.store.lock:
            found = self._t.users.get(user_id)
            return found.user if found else None

    def get_credentials(self, username: str) -> Credentials | None:
        with self.store.lock:
            return self._find(username)

    def list_users(self) -> list[User]:
        with self.store.lock:
            return [self._t.users[key].user for key in sorted(self._t.users)]

    def count_users(self, role: str | None = None) -> int:
        with self.store.lock:
            users = [c.user for c in self._t.users.values()]
            return sum(1 for user in users if role is None or user.role == role)

    def set_role(self, user_id: int, role: str) -> None:
        with self.store.lock:
            self.store.require_transaction()
            found = self._t.users[user_id]
            self._t.users[user_id] = Credentials(
                replace(found.user, role=role), found.password_hash
            )

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        with self.store.lock:
            self.store.require_transaction()
            found = self._t.users[user_id]
            self._t.users[user_id] = Credentials(found.user, password_hash)

    def _find(self, username: str) -> Credentials | None:
        for credentials in self._t.users.values():
            if fold(credentials.user.username) == fold(username):
                return credentials
        return None
