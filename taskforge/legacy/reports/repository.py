"""The only module that speaks SQL: every statement is a constant, every value a parameter."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

_OPEN_DATED = (
    "SELECT t.id, t.title, t.due_date, t.priority, p.name AS project, u.username AS assignee "
    "FROM tasks t JOIN projects p ON p.id = t.project_id "
    "LEFT JOIN users u ON u.id = t.assignee_id "
    "WHERE t.status != 'done' AND t.due_date IS NOT NULL"
)
_IN_PROJECT = " AND p.name = ?"
_STATUS_COUNTS = (
    "SELECT t.status, COUNT(*) AS n FROM tasks t JOIN projects p ON p.id = t.project_id "
    "WHERE p.name = ? GROUP BY t.status"
)
_OPEN_PER_PERSON = (
    "SELECT u.username AS username, COUNT(t.id) AS n FROM tasks t "
    "LEFT JOIN users u ON u.id = t.assignee_id WHERE t.status != 'done' "
    "GROUP BY u.username"
)


@dataclass(frozen=True)
class DatedTask:
    """An open task with a due date, as the reports need it."""

    id: int
    title: str
    due_date: str
    priority: int
    project: str
    assignee: str | None


class ReportRepository:
    """Reads what the reports need from a TaskForge database (connection owned by the caller)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def open_dated_tasks(self, project_name: str | None = None) -> list[DatedTask]:
        """Open tasks that have a due date; of one project (by exact name) when given."""
        sql, params = _OPEN_DATED, []
        if project_name:
            sql, params = sql + _IN_PROJECT, [project_name]
        rows = self._db.execute(sql, params).fetchall()
        return [DatedTask(*row) for row in rows]

    def status_counts(self, project_name: str | None) -> dict[str, int]:
        """How many tasks of the project have each status."""
        rows = self._db.execute(_STATUS_COUNTS, (project_name,)).fetchall()
        return {status: count for status, count in rows}

    def open_tasks_per_person(self) -> list[tuple[str | None, int]]:
        """(username or None for unassigned, number of open tasks) pairs."""
        return [(name, count) for name, count in self._db.execute(_OPEN_PER_PERSON).fetchall()]
