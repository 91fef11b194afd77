"""Chapter 37 exercise: pin down legacy behaviour, then refactor it into small functions.

``process_task_data`` below is TaskForge legacy code: one function that validates,
cleans, scores and formats a task, patched by many hands over the years. It is already
written and it is the specification: whatever it returns, right or wrong, is what
TaskForge users rely on. Do not change it.

Your job is to split it into four small functions that each do one thing, and to prove
the refactor safe: ``process_task_refactored`` must return exactly what
``process_task_data`` returns, for every input, including its odd corners. Before you
write anything, call the legacy function on edge cases in a REPL and write the answers
down: those are your characterisation (golden master) tests::

    >>> legacy = process_task_data("  fix login page ", "ana", True, 2)
    >>> legacy["title"], legacy["priority"], legacy["label"]
    ('FIX LOGIN PAGE', 79, 'HIGH')
    >>> legacy["summary"]
    '[HIGH] FIX LOGIN PAGE (ana, 79)'
    >>> process_task_data("   ", "ana", False, 5)
    {'error': 'title is required'}
    >>> process_task_refactored("  fix login page ", "ana", True, 2) == legacy
    True

What the legacy code does, in plain words (read the code to confirm every detail):

* Validation, first rule that fails wins: a title that is not a ``str``, or is empty or
  only whitespace, gives ``{"error": "title is required"}``; a title longer than 100
  characters *as given* (surrounding spaces count) gives ``{"error": "title is too
  long"}``; an assignee that is not a ``str`` or is ``""`` gives ``{"error": "assignee is
  required"}``. An assignee of spaces only is accepted and kept as it is.
* "Not a ``str``" means what the legacy ``type(x) != str`` says: an instance of a
  *subclass* of ``str`` is not a ``str`` here, so it is refused like ``None``
  (``isinstance`` would accept it, and change the behaviour).
* Cleaning: the title is stripped of surrounding whitespace, then upper-cased.
* Scoring: start at 0; +50 if urgent; by days until due: below 0 (overdue) +54,
  0 or 1 +35, 2 or 3 +29, 4 to 7 +10, 8 or more +0; -5 when the cleaned title is longer
  than 50 characters; finally clamp to 0..100.
* Formatting: the label is CRITICAL from 80, HIGH from 50, MEDIUM from 30, else LOW.

Arguments: ``title`` and ``assignee`` may be anything (callers send ``None`` and numbers
too); ``urgent`` is a bool; ``days_until_due`` is an int (negative when overdue).

Your tasks:

1. ``validate_task(title, assignee)``.
2. ``calculate_priority(urgent, days_until_due, title_length)``.
3. ``format_task_summary(title, assignee, priority)``.
4. ``process_task_refactored(title, assignee, urgent, days_until_due)``, built by calling
   the three functions above; it must never call ``process_task_data``.
"""

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
    # TODO (task 1): the three checks, in this order, with the legacy messages.
    raise NotImplementedError("validate_task is not written yet")


def calculate_priority(urgent: bool, days_until_due: int, title_length: int) -> int:
    """Return the priority score, an int from 0 to 100.

    Start at 0; +50 if urgent; by days until due: below 0 +54, 0 or 1 +35, 2 or 3 +29,
    4 to 7 +10, 8 or more +0; -5 if title_length is over 50; then clamp to 0..100.
    """
    # TODO (task 2): urgent bonus + due-date amount - long-title penalty, then clamp.
    raise NotImplementedError("calculate_priority is not written yet")


def format_task_summary(title: str, assignee: str, priority: int) -> dict[str, Any]:
    """Return the five-key result for an already cleaned title.

    Keys: title and assignee (as given), priority, label (CRITICAL from 80, HIGH from 50,
    MEDIUM from 30, else LOW) and summary, laid out as ``"[HIGH] FIX LOGIN (ana, 55)"``.
    """
    # TODO (task 3): pick the label, then build the dict with exactly five keys.
    raise NotImplementedError("format_task_summary is not written yet")


def process_task_refactored(title: Any, assignee: Any, urgent: bool, days_until_due: int) -> dict:
    """Do what process_task_data does, as four readable steps, with the same result.

    Validate (return the error dict if any), clean the title (strip, then upper-case),
    score it with the length of the cleaned title, and format it, by calling
    validate_task, calculate_priority and format_task_summary.
    """
    # TODO (task 4): validate -> clean -> score -> format, calling your three functions.
    # Compare with process_task_data on every edge case you can think of.
    raise NotImplementedError("process_task_refactored is not written yet")
