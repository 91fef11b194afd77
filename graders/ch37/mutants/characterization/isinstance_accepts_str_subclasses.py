"""Mutant: isinstance(x, str) replaces the legacy exact type check, so str subclasses pass."""
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
    """Return None when the task is valid, else ``{"error": message}`` for the first problem.

    In this order: title not exactly a str (a str subclass is not), empty or only
    whitespace -> "title is required"; title longer than 100 characters as given,
    spaces included -> "title is too long"; assignee not exactly a str or "" ->
    "assignee is required".
    """
    if not isinstance(title, str) or not title.strip():
        return {"error": "title is required"}
    if len(title) > 100:
        return {"error": "title is too long"}
    if not isinstance(assignee, str) or assignee == "":
        return {"error": "assignee is required"}
    return None


def calculate_priority(urgent: bool, days_until_due: int, title_length: int) -> int:
    """Return the priority score, an int from 0 to 100.

    Start at 0; +50 if urgent; by days until due: below 0 +54, 0 or 1 +35, 2 or 3 +29,
    4 to 7 +10, 8 or more +0; -5 if title_length is over 50; then clamp to 0..100.
    """
    score = 50 if urgent else 0
    if days_until_due < 0:
        score += 54
    elif days_until_due <= 1:
        score += 35
    elif days_until_due <= 3:
        score += 29
    elif days_until_due <= 7:
        score += 10
    if title_length > 50:
        score -= 5
    return max(0, min(100, score))


def format_task_summary(title: str, assignee: str, priority: int) -> dict[str, Any]:
    """Return the five-key result for an already cleaned title.

    Keys: title and assignee (as given), priority, label (CRITICAL from 80, HIGH from 50,
    MEDIUM from 30, else LOW) and summary, laid out as ``"[HIGH] FIX LOGIN (ana, 55)"``.
    """
    if priority >= 80:
        label = "CRITICAL"
    elif priority >= 50:
        label = "HIGH"
    elif priority >= 30:
        label = "MEDIUM"
    else:
        label = "LOW"
    return {
        "title": title,
        "assignee": assignee,
        "priority": priority,
        "label": label,
        "summary": f"[{label}] {title} ({assignee}, {priority})",
    }


def process_task_refactored(title: Any, assignee: Any, urgent: bool, days_until_due: int) -> dict:
    """Do what process_task_data does, as four readable steps, with the same result.

    Validate (return the error dict if any), clean the title (strip, then upper-case),
    score it with the length of the cleaned title, and format it, by calling
    validate_task, calculate_priority and format_task_summary.
    """
    error = validate_task(title, assignee)
    if error is not None:
        return error
    clean_title = title.strip().upper()
    priority = calculate_priority(urgent, days_until_due, len(clean_title))
    return format_task_summary(clean_title, assignee, priority)
