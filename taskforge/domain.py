"""Domain model: the records TaskForge stores, the rules for their fields, and list queries."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone

STATUSES = ("todo", "doing", "done")
ROLES = ("admin", "editor", "viewer")
MIN_PRIORITY, MAX_PRIORITY, DEFAULT_PRIORITY = 0, 100, 50
MAX_TITLE = 200
MAX_DESCRIPTION = 10_000
MAX_NAME = 100
SORT_FIELDS = ("priority", "due_date")
SORT_ORDERS = ("asc", "desc")
MAX_PAGE_SIZE = 500  # the most tasks one listing request may ask for with limit
DEFAULT_PAGE_SIZE = 50  # what GET /api/tasks returns when the client names no limit
MAX_ID = 2**63 - 1  # ids are 64-bit integers in SQLite and PostgreSQL alike

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_USERNAME_RE = re.compile(r"[A-Za-z0-9_.-]{3,32}")


@dataclass(frozen=True)
class User:
    """A person who can log in. The password hash is never part of this object."""

    id: int
    username: str
    role: str


@dataclass(frozen=True)
class Credentials:
    """A user together with their stored password hash, used only by login."""

    user: User
    password_hash: str


@dataclass(frozen=True)
class Project:
    """A container of tasks."""

    id: int
    name: str
    description: str
    owner_id: int | None
    created_at: str


@dataclass(frozen=True)
class Category:
    """A named kind of task (bug, feature, ...)."""

    id: int
    name: str


@dataclass(frozen=True)
class Task:
    """A task as clients see it: its own columns plus its category and assignee names."""

    id: int
    title: str
    description: str
    priority: int
    status: str
    due_date: str | None
    project_id: int
    category_id: int | None
    category: str | None
    assignee_id: int | None
    assignee: str | None
    parent_id: int | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class TaskEvent:
    """One entry of a task's history (created, updated, moved)."""

    id: int
    task_id: int
    kind: str
    detail: dict
    actor_id: int | None
    created_at: str


@dataclass(frozen=True)
class NewTask:
    """The validated fields of a task about to be inserted."""

    project_id: int
    title: str
    description: str = ""
    priority: int = DEFAULT_PRIORITY
    status: str = "todo"
    due_date: str | None = None
    category_id: int | None = None
    assignee_id: int | None = None
    parent_id: int | None = None
    created_at: str = ""


@dataclass(frozen=True)
class TaskQuery:
    """Filters and ordering for a task listing. None means "do not filter on this"."""

    project_id: int | None = None
    status: str | None = None
    assignee_id: int | None = None
    category_id: int | None = None
    search: str | None = None
    sort: str = "priority"
    order: str | None = None
    limit: int | None = None  # at most this many tasks (None: all of them)
    offset: int = 0  # skip this many first (with the same order, this pages through a list)
    member_id: int | None = None  # only projects this user is a member of (None: every project)

    @property
    def descending(self) -> bool:
        """Priority sorts high-to-low and due dates soonest-first unless order says otherwise."""
        if self.order is None:
            return self.sort == "priority"
        return self.order == "desc"


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string with a Z suffix, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- field rules: each returns the cleaned value or raises ValueError with a short reason ---


def clean_text(value: object, *, max_length: int, required: bool) -> str:
    """A string, stripped; required text must not be empty (null is not a string)."""
    if not isinstance(value, str):
        raise ValueError("must be a string")
    if len(value) > max_length:  # as sent, so a padded value cannot slip under the limit
        raise ValueError(f"must be at most {max_length} characters")
    value = value.strip()
    if required and not value:
        raise ValueError("must not be empty")
    if len(value) > max_length:
        raise ValueError(f"must be at most {max_length} characters")
    return value


def clean_priority(value: object) -> int:
    """An integer from 0 to 100 (booleans are not integers here)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be an integer from {MIN_PRIORITY} to {MAX_PRIORITY}")
    if not MIN_PRIORITY <= value <= MAX_PRIORITY:
        raise ValueError(f"must be between {MIN_PRIORITY} and {MAX_PRIORITY}")
    return value


def clean_status(value: object) -> str:
    """One of todo, doing, done."""
    if value not in STATUSES:
        raise ValueError(f"must be one of {', '.join(STATUSES)}")
    return str(value)


def clean_due_date(value: object) -> str | None:
    """None, or a real calendar date written YYYY-MM-DD."""
    if value is None:
        return None
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise ValueError("must be a date written YYYY-MM-DD, or null")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError("is not a real calendar date") from None
    return value


def clean_id(value: object, *, optional: bool) -> int | None:
    """A positive integer id (or None when optional)."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise ValueError("must be a positive integer id" + (" or null" if optional else ""))
    return value


def clean_role(value: object) -> str:
    """One of admin, editor, viewer."""
    if value not in ROLES:
        raise ValueError(f"must be one of {', '.join(ROLES)}")
    return str(value)


def clean_username(value: object) -> str:
    """3-32 characters: letters, digits, dot, dash, underscore."""
    if not isinstance(value, str) or not _USERNAME_RE.fullmatch(value):
        raise ValueError("must be 3-32 characters of letters, digits, '.', '-' or '_'")
    return value


def clean_password(value: object) -> str:
    """At least 8 characters, at most 1024."""
    if not isinstance(value, str) or not 8 <= len(value) <= 1024:
        raise ValueError("must be a string of 8 to 1024 characters")
    return value


class FieldErrors:
    """Collects per-field problems so a client hears about all of them at once."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def check(self, name: str, rule: Callable[..., object], value: object, **kwargs: object):
        """Apply rule to value; remember the reason under name if it fails."""
        try:
            return rule(value, **kwargs)
        except ValueError as exc:
            self.errors[name] = str(exc)
            return None

    def add(self, name: str, reason: str) -> None:
        """Record a problem found by a rule that needs more than the value itself."""
        self.errors.setdefault(name, reason)

    def __bool__(self) -> bool:
        return bool(self.errors)
