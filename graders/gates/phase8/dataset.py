"""The Phase 8 gate's task generator: realistic rows, bulk-inserted into a TaskForge schema."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

# The columns the generator writes (CONTRACT.md, section 4); the starter and the reference
# both have them. A task's category goes into category_id, the free-text category, or both,
# whichever of the two columns the tasks table has.
USER_COLUMNS = ("id", "username", "role")
PASSWORD_COLUMNS = ("password_hash", "password")  # the first one present gets a placeholder
PROJECT_COLUMNS = ("id", "name", "description", "owner_id", "created_at")
CATEGORY_COLUMNS = ("id", "name")
TASK_COLUMNS = (
    "id",
    "project_id",
    "title",
    "description",
    "priority",
    "status",
    "due_date",
    "assignee_id",
    "parent_id",
    "created_at",
    "updated_at",
)
TASK_CATEGORY_COLUMNS = ("category_id", "category")
TABLES = ("users", "projects", "categories", "tasks")
UNUSABLE_PASSWORD = "!generated-account-cannot-log-in"
FILTERS = ("project_id", "status", "assignee_id", "category_id")

CATEGORY_NAMES = (
    "bug",
    "feature",
    "chore",
    "docs",
    "design",
    "ops",
    "research",
    "support",
    "security",
    "performance",
    "accessibility",
    "infrastructure",
)
VERBS = (
    "Fix",
    "Review",
    "Write",
    "Refactor",
    "Design",
    "Test",
    "Document",
    "Deploy",
    "Investigate",
    "Update",
    "Remove",
    "Speed up",
    "Translate",
    "Migrate",
)
THINGS = (
    "the login form",
    "the billing page",
    "the search index",
    "the release notes",
    "the public API docs",
    "the mobile header",
    "the CSV export",
    "the onboarding flow",
    "the cache layer",
    "the error pages",
    "the weekly report",
    "the invoice e-mails",
    "the settings screen",
    "the audit log",
    "the nightly backup",
    "the sign-up funnel",
)
DETAILS = (
    "for Safari users",
    "before the March release",
    "after the database move",
    "for screen readers",
    "on slow connections",
    "for the enterprise plan",
    "in the admin area",
    "for right-to-left languages",
    "",
    "",
)
SENTENCES = (
    "Customers keep running into this and support has logged several tickets about it.",
    "Check the edge cases: empty input, very long names and characters outside ASCII.",
    "Talk to design before changing anything a user can see.",
    "Add tests that pin the expected behaviour so the next change cannot undo it.",
    "Measure before and after, and put the figures in the pull request.",
    "This blocks the next release, so please pick it up early in the sprint.",
    "Keep the old endpoint working until every client has moved to the new one.",
    "Steps to reproduce: log in as a viewer, open the board, filter by status.",
    "Expected: the list updates at once. Actual: it shows the previous filter's rows.",
    "The logs from last Tuesday show the same error about every ten minutes.",
    "Ask the on-call engineer for the dashboard link before starting.",
    "A first attempt was reverted because it broke the nightly import.",
    "Nothing here needs a migration, but double-check the staging data first.",
    "Once this ships, close the three duplicate tickets that point to it.",
)
STATUS_WEIGHTS = (("todo", 35), ("doing", 15), ("done", 50))
START = datetime(2024, 1, 8, 9, 0)  # naive; every stamp is written as UTC with a Z


class SchemaMismatch(Exception):
    """The database lacks a table or column the generator needs (the message says which)."""


@dataclass(frozen=True)
class Shape:
    """How much to generate; the same shape always gives the same rows."""

    tasks: int = 50_000
    projects: int = 10
    users: int = 25
    categories: int = 6
    seed: int = 8


@dataclass
class Plan:
    """Every generated row before it has database ids. Users, projects, categories and
    parent tasks are referred to by position (0, 1, ...) in their own list."""

    shape: Shape
    users: list[tuple[str, str]] = field(default_factory=list)  # username, role
    projects: list[tuple[str, str, str]] = field(default_factory=list)  # name, text, created
    categories: list[str] = field(default_factory=list)
    # project, title, description, priority, status, due_date, assignee, parent, created_at,
    # updated_at, category
    tasks: list[tuple] = field(default_factory=list)


@dataclass
class Dataset:
    """What one database received: the new ids, and every generated task as a dict."""

    user_ids: list[int] = field(default_factory=list)  # includes the users already there
    project_ids: list[int] = field(default_factory=list)
    category_ids: list[int] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {
            "tasks": len(self.tasks),
            "projects": len(self.project_ids),
            "users": len(self.user_ids),
            "categories": len(self.category_ids),
        }


def _stamp(moment: datetime) -> str:
    return moment.isoformat() + "Z"  # isoformat is much faster than strftime


def _pick(rng: random.Random, items: Sequence[Any]) -> Any:
    return items[int(rng.random() * len(items))]


def _description(rng: random.Random) -> str:
    # Most tasks carry a short note, many a paragraph, and some a long bug report.
    roll = rng.random()
    if roll < 0.3:
        size = int(rng.random() * 2)
    elif roll < 0.8:
        size = 2 + int(rng.random() * 4)
    else:
        size = 8 + int(rng.random() * 9)
    return " ".join([_pick(rng, SENTENCES) for _ in range(size)])


def _title(rng: random.Random, number: int) -> str:
    text = f"{_pick(rng, VERBS)} {_pick(rng, THINGS)}"
    detail = _pick(rng, DETAILS)
    return f"{text} {detail} (#{number})" if detail else f"{text} (#{number})"


def plan(shape: Shape = Shape()) -> Plan:
    """Build every row as plain data; tasks are created over time, a few as subtasks."""
    rng = random.Random(shape.seed)
    result = Plan(shape)
    for number in range(1, shape.users + 1):
        role = "viewer" if rng.random() < 0.25 else "editor"
        result.users.append((f"member{number:05d}", role))
    for number in range(1, shape.projects + 1):
        name = f"Project {number:04d}: {_pick(rng, THINGS)[4:]}"
        created = _stamp(START + timedelta(hours=number))
        result.projects.append((name, _pick(rng, SENTENCES), created))
    for number in range(shape.categories):
        base = CATEGORY_NAMES[number % len(CATEGORY_NAMES)]
        suffix = "" if number < len(CATEGORY_NAMES) else f"-{number}"
        result.categories.append(f"gen-{base}{suffix}")
    statuses = [name for name, weight in STATUS_WEIGHTS for _ in range(weight)]
    by_project: list[list[int]] = [[] for _ in range(shape.projects)]
    moment = START
    for index in range(shape.tasks):
        moment += timedelta(seconds=30 + int(rng.random() * 870))
        project = int(rng.random() * shape.projects)
        siblings = by_project[project]
        parent = _pick(rng, siblings) if siblings and rng.random() < 0.08 else None
        due = None
        if rng.random() < 0.75:
            due = (moment + timedelta(days=int(rng.random() * 150) - 30)).date().isoformat()
        assignee = int(rng.random() * shape.users) if rng.random() < 0.85 else None
        category = int(rng.random() * shape.categories) if rng.random() < 0.9 else None
        updated = moment + timedelta(minutes=int(rng.random() * 600))
        result.tasks.append(
            (
                project,
                _title(rng, index + 1),
                _description(rng),
                min(100, max(0, round(rng.triangular(0, 100, 50)))),
                _pick(rng, statuses),
                due,
                assignee,
                parent,
                _stamp(moment),
                _stamp(updated),
                category,
            )
        )
        siblings.append(index)
    return result


def _columns(connection: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in connection.execute("SELECT * FROM pragma_table_info(?)", (table,))]


def _require(connection: sqlite3.Connection, table: str, needed: Iterable[str]) -> list[str]:
    present = _columns(connection, table)
    if not present:
        raise SchemaMismatch(f"the database has no table named {table!r}")
    missing = [name for name in needed if name not in present]
    if missing:
        raise SchemaMismatch(f"table {table!r} has no column(s) {', '.join(missing)}")
    return present


def _table(name: str) -> str:
    if name not in TABLES:  # table names cannot be parameters; only these four are used
        raise ValueError(f"unexpected table {name!r}")
    return name


def _next_id(connection: sqlite3.Connection, table: str) -> int:
    row = connection.execute("SELECT coalesce(max(id), 0) FROM " + _table(table)).fetchone()
    return int(row[0]) + 1


def _insert(
    connection: sqlite3.Connection, table: str, columns: Sequence[str], rows: list[tuple]
) -> None:
    marks = ", ".join("?" for _ in columns)
    sql = "INSERT INTO " + _table(table) + " (" + ", ".join(columns) + ") VALUES (" + marks + ")"
    connection.executemany(sql, rows)


def generate(db_path: str, rows: Shape | Plan = Shape(), *, owner_id: int | None = None) -> Dataset:
    """Bulk-insert users, projects, categories and tasks into the database at db_path.

    Rows already there are kept; new rows get ids after the largest id of their table. Pass
    one Plan to put the same rows into several databases without building them again.
    """
    rows = rows if isinstance(rows, Plan) else plan(rows)
    data = Dataset()
    with closing(sqlite3.connect(db_path)) as connection:
        connection.execute("PRAGMA synchronous = OFF")  # throwaway data: no fsync needed
        connection.execute("PRAGMA cache_size = -65536")  # 64 MiB: index pages stay in memory
        user_columns = _require(connection, "users", USER_COLUMNS)
        _require(connection, "projects", PROJECT_COLUMNS)
        _require(connection, "categories", CATEGORY_COLUMNS)
        task_columns = _require(connection, "tasks", TASK_COLUMNS)
        category_columns = [name for name in TASK_CATEGORY_COLUMNS if name in task_columns]
        if not category_columns:
            raise SchemaMismatch("table 'tasks' has neither a category_id nor a category column")
        password = next((name for name in PASSWORD_COLUMNS if name in user_columns), None)
        with connection:  # one transaction for everything
            _insert_people(connection, rows, data, password)
            owner = owner_id if owner_id is not None else data.user_ids[0]
            _insert_projects(connection, rows, data, owner)
            _insert_tasks(connection, rows, data, category_columns)
    return data


def _insert_people(
    connection: sqlite3.Connection, rows: Plan, data: Dataset, password: str | None
) -> None:
    first = _next_id(connection, "users")
    existing = [row[0] for row in connection.execute("SELECT id FROM users ORDER BY id")]
    new_ids = list(range(first, first + len(rows.users)))
    secret = (UNUSABLE_PASSWORD,) if password else ()
    people = [
        (user_id, *person, *secret) for user_id, person in zip(new_ids, rows.users, strict=True)
    ]
    _insert(connection, "users", [*USER_COLUMNS, *([password] if password else [])], people)
    data.user_ids = existing + new_ids


def _insert_projects(connection: sqlite3.Connection, rows: Plan, data: Dataset, owner: int) -> None:
    first = _next_id(connection, "projects")
    data.project_ids = list(range(first, first + len(rows.projects)))
    projects = [
        (project_id, name, text, owner, created)
        for project_id, (name, text, created) in zip(data.project_ids, rows.projects, strict=True)
    ]
    _insert(connection, "projects", PROJECT_COLUMNS, projects)
    first = _next_id(connection, "categories")
    data.category_ids = list(range(first, first + len(rows.categories)))
    _insert(
        connection,
        "categories",
        CATEGORY_COLUMNS,
        list(zip(data.category_ids, rows.categories, strict=True)),
    )


def _insert_tasks(
    connection: sqlite3.Connection, rows: Plan, data: Dataset, category_columns: list[str]
) -> None:
    first = _next_id(connection, "tasks")
    new_users = data.user_ids[len(data.user_ids) - len(rows.users) :]
    table_rows = []
    for index, planned in enumerate(rows.tasks):
        project, title, text, priority, status, due, assignee, parent, created, updated, kind = (
            planned
        )
        category_id = None if kind is None else data.category_ids[kind]
        task = {
            "id": first + index,
            "project_id": data.project_ids[project],
            "title": title,
            "description": text,
            "priority": priority,
            "status": status,
            "due_date": due,
            "assignee_id": None if assignee is None else new_users[assignee],
            "parent_id": None if parent is None else first + parent,
            "created_at": created,
            "updated_at": updated,
            "category_id": category_id,
        }
        data.tasks.append(task)
        label = None if kind is None else rows.categories[kind]
        extra = tuple(category_id if name == "category_id" else label for name in category_columns)
        table_rows.append(tuple(task[name] for name in TASK_COLUMNS) + extra)
    _insert(connection, "tasks", [*TASK_COLUMNS, *category_columns], table_rows)


def expected_ids(tasks: list[dict[str, Any]], query: dict[str, Any]) -> list[int]:
    """The ids a correct listing returns for query, in order (the contract's rules).

    Filters: project_id, status, assignee_id, category_id (exact match, combined with AND).
    Sort: priority (default; descending unless order=asc) or due_date (ascending unless
    order=desc), tasks without a due date last either way; ties by id ascending.
    """
    wanted = {name: query[name] for name in FILTERS if name in query}
    chosen = [t for t in tasks if all(t[name] == value for name, value in wanted.items())]
    sort = query.get("sort", "priority")
    order = query.get("order") or ("desc" if sort == "priority" else "asc")
    chosen.sort(key=lambda t: t["id"])
    if sort == "priority":
        chosen.sort(key=lambda t: t["priority"], reverse=order == "desc")  # stable: ids stay
        return [t["id"] for t in chosen]
    dated = [t for t in chosen if t["due_date"] is not None]
    dated.sort(key=lambda t: t["due_date"], reverse=order == "desc")
    return [t["id"] for t in dated] + [t["id"] for t in chosen if t["due_date"] is None]
