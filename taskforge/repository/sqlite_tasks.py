"""SqliteTaskRepository: projects, categories, tasks and history stored in SQLite."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager

from ..domain import MAX_ID, Category, NewTask, Project, Task, TaskEvent, TaskQuery, User
from ..errors import Conflict
from .base import UPDATABLE_TASK_FIELDS, TaskRepository
from .pg_support import PgSession
from .sqlite_support import SqliteSession, UniqueViolation

# One query serves every task read: the category and assignee names come from LEFT JOINs,
# so a listing costs one statement however many tasks it returns (no N+1). The columns come
# in the order of Task's fields, so a plain tuple row becomes a Task positionally (cheaper
# than building a dict per row; a test keeps the two lists in step).
TASK_COLUMNS = (
    ("t.id", "id"),
    ("t.title", "title"),
    ("t.description", "description"),
    ("t.priority", "priority"),
    ("t.status", "status"),
    ("t.due_date", "due_date"),
    ("t.project_id", "project_id"),
    ("t.category_id", "category_id"),
    ("c.name", "category"),
    ("t.assignee_id", "assignee_id"),
    ("u.username", "assignee"),
    ("t.parent_id", "parent_id"),
    ("t.created_at", "created_at"),
    ("t.updated_at", "updated_at"),
)
TASK_SELECT = (
    "\nSELECT "
    + ", ".join(f"{expression} AS {name}" for expression, name in TASK_COLUMNS)
    + """
FROM tasks AS t
LEFT JOIN categories AS c ON c.id = t.category_id
LEFT JOIN users AS u ON u.id = t.assignee_id
"""
)

# Fixed SQL fragments chosen by key; user input only ever reaches the parameters.
_FILTERS = {
    "project_id": "t.project_id = ?",
    "status": "t.status = ?",
    "assignee_id": "t.assignee_id = ?",
    "category_id": "t.category_id = ?",
}
_SEARCH = "(t.title LIKE ? ESCAPE '\\' OR t.description LIKE ? ESCAPE '\\')"
_MEMBER = "t.project_id IN (SELECT project_id FROM project_members WHERE user_id = ?)"
# The due-date orderings start with "due_date IS NULL" so tasks without a date come last;
# migration 006 indexes that same expression, so SQLite can read rows already in order.
_ORDERINGS = {
    ("priority", True): "t.priority DESC, t.id ASC",
    ("priority", False): "t.priority ASC, t.id ASC",
    ("due_date", True): "t.due_date IS NULL, t.due_date DESC, t.id ASC",
    ("due_date", False): "t.due_date IS NULL, t.due_date ASC, t.id ASC",
}
_PAGE = "\nLIMIT ? OFFSET ?"
_SET_CLAUSES = {name: f"{name} = ?" for name in UPDATABLE_TASK_FIELDS}

DESCENDANTS = """
WITH RECURSIVE below(id) AS (
    SELECT id FROM tasks WHERE parent_id = ?
    UNION
    SELECT t.id FROM tasks AS t JOIN below ON t.parent_id = below.id
)
SELECT id FROM below ORDER BY id
"""


def like_pattern(text: str) -> str:
    """A LIKE pattern matching text anywhere, with %, _ and \\ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(query: TaskQuery) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    for name, fragment in _FILTERS.items():
        value = getattr(query, name)
        if value is not None:
            clauses.append(fragment)
            params.append(value)
    if query.search:
        clauses.append(_SEARCH)
        pattern = like_pattern(query.search)
        params.extend([pattern, pattern])
    if query.member_id is not None:
        clauses.append(_MEMBER)
        params.append(query.member_id)
    return ("WHERE " + " AND ".join(clauses) + "\n" if clauses else ""), params


def build_task_count(query: TaskQuery) -> tuple[str, list[object]]:
    """The SQL and parameters counting the tasks a listing filters (all pages)."""
    where, params = _where(query)
    return "SELECT COUNT(*) AS n FROM tasks AS t\n" + where, params


def build_task_listing(query: TaskQuery) -> tuple[str, list[object]]:
    """The SQL and parameters for a task listing (exposed so tests can EXPLAIN it)."""
    where, params = _where(query)
    sql = TASK_SELECT + where
    sql += "ORDER BY " + _ORDERINGS[(query.sort, query.descending)]
    if query.limit is not None or query.offset:
        # LIMIT goes into the query, so the database stops after one page instead of
        # reading every matching row (2**63 - 1 means "no limit" when only an offset is given).
        sql += _PAGE
        params.extend([MAX_ID if query.limit is None else query.limit, query.offset])
    return sql, params


class SqliteTaskRepository(TaskRepository):
    """TaskRepository on a sqlite3 connection (opened and closed by the caller)."""

    def __init__(self, connection: sqlite3.Connection | SqliteSession | PgSession) -> None:
        self._db = (
            connection
            if isinstance(connection, (SqliteSession, PgSession))
            else SqliteSession(connection)
        )

    def atomic(self) -> AbstractContextManager[None]:
        return self._db.atomic()

    # projects
    def add_project(self, name: str, description: str, owner_id: int | None, now: str) -> Project:
        try:
            project_id = self._db.write(
                "INSERT INTO projects (name, description, owner_id, created_at) "
                "VALUES (?, ?, ?, ?)",
                (name, description, owner_id, now),
            )
        except UniqueViolation:
            raise Conflict(f"a project named {name!r} already exists") from None
        return Project(project_id, name, description, owner_id, now)

    def get_project(self, project_id: int) -> Project | None:
        row = self._db.row(
            "SELECT id, name, description, owner_id, created_at FROM projects WHERE id = ?",
            (project_id,),
        )
        return Project(**dict(row)) if row else None

    def list_projects(self, member_id: int | None = None) -> list[Project]:
        sql = "SELECT id, name, description, owner_id, created_at FROM projects"
        params: tuple = ()
        if member_id is not None:
            sql += " WHERE id IN (SELECT project_id FROM project_members WHERE user_id = ?)"
            params = (member_id,)
        rows = self._db.rows(sql + " ORDER BY id", params)
        return [Project(**dict(row)) for row in rows]

    # members
    def add_member(self, project_id: int, user_id: int) -> None:
        if not self.is_member(project_id, user_id):
            self._db.write(
                "INSERT INTO project_members (project_id, user_id) VALUES (?, ?)",
                (project_id, user_id),
            )

    def is_member(self, project_id: int, user_id: int) -> bool:
        row = self._db.row(
            "SELECT 1 AS yes FROM project_members WHERE project_id = ? AND user_id = ?",
            (project_id, user_id),
        )
        return row is not None

    def list_members(self, project_id: int) -> list[User]:
        rows = self._db.rows(
            "SELECT u.id, u.username, u.role FROM project_members AS m "
            "JOIN users AS u ON u.id = m.user_id WHERE m.project_id = ? ORDER BY u.id",
            (project_id,),
        )
        return [User(**dict(row)) for row in rows]

    # categories
    def add_category(self, name: str) -> Category:
        try:
            category_id = self._db.write("INSERT INTO categories (name) VALUES (?)", (name,))
        except UniqueViolation:
            raise Conflict(f"a category named {name!r} already exists") from None
        return Category(category_id, name)

    def get_category(self, category_id: int) -> Category | None:
        row = self._db.row("SELECT id, name FROM categories WHERE id = ?", (category_id,))
        return Category(**dict(row)) if row else None

    def list_categories(self) -> list[Category]:
        rows = self._db.rows("SELECT id, name FROM categories ORDER BY name COLLATE NOCASE, id")
        return [Category(**dict(row)) for row in rows]

    def user_exists(self, user_id: int) -> bool:
        return self._db.row("SELECT 1 FROM users WHERE id = ?", (user_id,)) is not None

    # tasks
    def add_task(self, task: NewTask) -> int:
        return self._db.write(
            "INSERT INTO tasks (project_id, title, description, priority, status, due_date, "
            "category_id, assignee_id, parent_id, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                task.project_id,
                task.title,
                task.description,
                task.priority,
                task.status,
                task.due_date,
                task.category_id,
                task.assignee_id,
                task.parent_id,
                task.created_at,
                task.created_at,
            ),
        )

    def get_task(self, task_id: int) -> Task | None:
        rows = self._db.tuples(TASK_SELECT + "WHERE t.id = ?", (task_id,))
        return Task(*rows[0]) if rows else None

    def list_tasks(self, query: TaskQuery) -> list[Task]:
        sql, params = build_task_listing(query)
        return [Task(*row) for row in self._db.tuples(sql, params)]

    def count_tasks(self, query: TaskQuery) -> int:
        sql, params = build_task_count(query)
        return self._db.row(sql, params)["n"]

    def count_active_tasks(self) -> int:
        row = self._db.row("SELECT COUNT(*) AS n FROM tasks WHERE status <> ?", ("done",))
        return row["n"]

    def update_task(self, task_id: int, changes: Mapping[str, object], now: str) -> None:
        unknown = set(changes) - set(_SET_CLAUSES)
        if unknown:
            raise ValueError(f"cannot update task fields {sorted(unknown)}")
        names = list(changes)
        assignments = ", ".join([_SET_CLAUSES[name] for name in names] + ["updated_at = ?"])
        params = [changes[name] for name in names] + [now, task_id]
        self._db.write("UPDATE tasks SET " + assignments + " WHERE id = ?", params)

    def set_project(self, task_ids: Sequence[int], project_id: int, now: str) -> None:
        self._db.write_many(
            "UPDATE tasks SET project_id = ?, updated_at = ? WHERE id = ?",
            [(project_id, now, task_id) for task_id in task_ids],
        )

    def descendant_ids(self, task_id: int) -> list[int]:
        return [row["id"] for row in self._db.rows(DESCENDANTS, (task_id,))]

    def delete_tasks(self, task_ids: Sequence[int]) -> None:
        rows = [(task_id,) for task_id in task_ids]
        self._db.write_many("DELETE FROM task_events WHERE task_id = ?", rows)
        self._db.write_many("DELETE FROM tasks WHERE id = ?", rows)

    # history
    def add_event(
        self, task_id: int, kind: str, detail: Mapping, actor_id: int | None, now: str
    ) -> None:
        self._db.write(
            "INSERT INTO task_events (task_id, kind, detail, actor_id, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (task_id, kind, json.dumps(dict(detail), sort_keys=True), actor_id, now),
        )

    def list_events(self, task_id: int) -> list[TaskEvent]:
        rows = self._db.rows(
            "SELECT id, task_id, kind, detail, actor_id, created_at FROM task_events "
            "WHERE task_id = ? ORDER BY id",
            (task_id,),
        )
        return [TaskEvent(**{**dict(row), "detail": json.loads(row["detail"])}) for row in rows]
