"""Alternative: validation as an ordered rule table, scoring and labels from band tables."""

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


_RULES = (
    (lambda title, assignee: type(title) is not str or not title.strip(), "title is required"),
    (lambda title, assignee: len(title) > 100, "title is too long"),
    (lambda title, assignee: type(assignee) is not str or assignee == "", "assignee is required"),
)
# (days strictly below this bound, points); the first band that fits wins.
_DUE_BANDS = ((0, 54), (2, 35), (4, 29), (8, 10))
_LABELS = ((80, "CRITICAL"), (50, "HIGH"), (30, "MEDIUM"))


def validate_task(title: Any, assignee: Any) -> dict[str, str] | None:
    """Return the first failing rule's error dict, or None."""
    for broken, message in _RULES:
        if broken(title, assignee):
            return {"error": message}
    return None


def calculate_priority(urgent: bool, days_until_due: int, title_length: int) -> int:
    """Sum the bonuses, subtract the long-title penalty, clamp to 0..100."""
    due = next((points for bound, points in _DUE_BANDS if days_until_due < bound), 0)
    score = (50 if urgent else 0) + due - (5 if title_length > 50 else 0)
    return max(0, min(100, score))


def format_task_summary(title: str, assignee: str, priority: int) -> dict[str, Any]:
    """Build the five-key dict."""
    label = next((name for floor, name in _LABELS if priority >= floor), "LOW")
    return {
        "title": title,
        "assignee": assignee,
        "priority": priority,
        "label": label,
        "summary": f"[{label}] {title} ({assignee}, {priority})",
    }


def process_task_refactored(title: Any, assignee: Any, urgent: bool, days_until_due: int) -> dict:
    """Validate, clean, score, format."""
    error = validate_task(title, assignee)
    if error is not None:
        return error
    cleaned = title.strip().upper()
    return format_task_summary(
        cleaned, assignee, calculate_priority(urgent, days_until_due, len(cleaned))
    )
