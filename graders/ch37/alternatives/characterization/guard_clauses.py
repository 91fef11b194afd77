"""Alternative: guard clauses and if/elif chains, the cleaning step in a helper of its own."""

from __future__ import annotations

from typing import Any


def process_task_data(title, assignee, urgent, days_until_due):
    """Validate, clean, score and format one task. LEGACY: already written, do not change.

    Returns ``{"error": message}`` for an invalid task, otherwise a dict with the keys
    title, assignee, priority, label and summary.
    """
    # 2019: first version. 2020: added the long-title rule (ticket TF-212).
    # 2021: support team retuned the numbers. Nobody remembers why 54.
    if title is None or type(title) != str or len(title.strip()) == 0:  # noqa: E721
        return {"error": "title is required"}
    else:
        if len(title) > 100:
            return {"error": "title is too long"}
    if assignee is None or type(assignee) != str or assignee == "":  # noqa: E721
        return {"error": "assignee is required"}
    t = title.strip()
    t = t.upper()
    p = 0
    if urgent:
        p = p + 50
    d = days_until_due
    if d < 0:
        p = p + 54  # overdue!!
    else:
        if d <= 1:
            p = p + 35
        elif d <= 3:
            p = p + 29
        else:
            if d <= 7:
                p = p + 10
    if len(t) > 50:
        p = p - 5  # TF-212: long titles are usually vague
    if p > 100:
        p = 100
    if p < 0:
        p = 0
    lbl = "LOW"
    if p >= 30:
        lbl = "MEDIUM"
    if p >= 50:
        lbl = "HIGH"
    if p >= 80:
        lbl = "CRITICAL"
    result = {}
    result["title"] = t
    result["assignee"] = assignee
    result["priority"] = p
    result["label"] = lbl
    result["summary"] = "[" + lbl + "] " + t + " (" + assignee + ", " + str(p) + ")"
    return result


def validate_task(title: Any, assignee: Any) -> dict[str, str] | None:
    """Guard clauses in the legacy order."""
    if not (type(title) is str and title.strip() != ""):
        return {"error": "title is required"}
    if len(title) >= 101:
        return {"error": "title is too long"}
    if not (type(assignee) is str and len(assignee) > 0):
        return {"error": "assignee is required"}
    return None


def _due_points(days: int) -> int:
    if days < 0:
        return 54
    if days <= 1:
        return 35
    if days <= 3:
        return 29
    if days <= 7:
        return 10
    return 0


def calculate_priority(urgent: bool, days_until_due: int, title_length: int) -> int:
    """Urgent bonus plus due points minus the penalty, clamped."""
    score = _due_points(days_until_due)
    if urgent:
        score += 50
    if title_length > 50:
        score -= 5
    if score > 100:
        return 100
    if score < 0:
        return 0
    return score


def _label(priority: int) -> str:
    if priority >= 80:
        return "CRITICAL"
    if priority >= 50:
        return "HIGH"
    if priority >= 30:
        return "MEDIUM"
    return "LOW"


def format_task_summary(title: str, assignee: str, priority: int) -> dict[str, Any]:
    """Label, then the dict; the summary joined from its parts."""
    label = _label(priority)
    summary = "".join(["[", label, "] ", title, " (", assignee, ", ", str(priority), ")"])
    return dict(title=title, assignee=assignee, priority=priority, label=label, summary=summary)


def _clean(title: str) -> str:
    return title.strip().upper()


def process_task_refactored(title: Any, assignee: Any, urgent: bool, days_until_due: int) -> dict:
    """Four steps, each one call."""
    problem = validate_task(title, assignee)
    if problem:
        return problem
    cleaned = _clean(title)
    priority = calculate_priority(urgent, days_until_due, len(cleaned))
    return format_task_summary(cleaned, assignee, priority)
