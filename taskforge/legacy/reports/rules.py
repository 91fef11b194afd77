"""The report rules, as pure functions: no database, no clock, no mail."""

from __future__ import annotations

from datetime import date

URGENT_PRIORITY = 80  # a task due today counts as overdue only from this priority up
MAX_DAYS_LATE = 99  # lateness is reported as at most this many days
STATUSES = ("todo", "doing", "done")
NO_DATA = "n/a"


def days_late(due_date: str, priority: int, today: date) -> int | None:
    """Days past due (capped), or None when the task does not count as overdue."""
    late = (today - date.fromisoformat(due_date)).days
    if late < 0 or (late == 0 and priority < URGENT_PRIORITY):
        return None
    return min(late, MAX_DAYS_LATE)


def overdue_order(entry: dict) -> tuple:
    """Sort key: the latest first, then by title."""
    return (-entry["days_late"], entry["title"])


def completion(done: int, total: int) -> int | str:
    """Percentage of done tasks, rounded down; "n/a" when there are no tasks at all."""
    return NO_DATA if total == 0 else int(done * 100 / total)


def health(overdue: int, done_share: int | str) -> str:
    """red, amber or green for a project."""
    if overdue > 3 or (done_share != NO_DATA and done_share < 25):
        return "red"
    return "amber" if overdue > 0 else "green"


def load_label(open_tasks: int) -> str:
    """How busy someone with this many open tasks is."""
    if open_tasks >= 8:
        return "overloaded"
    return "busy" if open_tasks >= 4 else "ok"


def person_key(username: str | None) -> str:
    """The workload key of a person: the lower-cased username, or "nobody"."""
    return username.lower() if username else "nobody"
