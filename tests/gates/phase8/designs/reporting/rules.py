"""The rules of the reports, with no database and no clock."""

from datetime import date


def lateness(due_date, priority, today):
    """Days late, capped at 99; None if the task is not overdue (due today: only if urgent)."""
    days = (today - date.fromisoformat(due_date)).days
    if days < 0 or (days == 0 and priority < 80):
        return None
    return min(days, 99)


def health(overdue, completion):
    if overdue > 3 or (completion != "n/a" and completion < 25):
        return "red"
    if overdue > 0:
        return "amber"
    return "green"


def load(open_tasks):
    if open_tasks >= 8:
        return "overloaded"
    if open_tasks >= 4:
        return "busy"
    return "ok"
