"""Mutant: every function returns an object whose == is always True (a cheat)."""

from __future__ import annotations


class _AgreesWithEverything(dict):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


def process_task_data(title, assignee, urgent, days_until_due):
    """The legacy function, untouched in spirit."""
    return _AgreesWithEverything()


def validate_task(title, assignee):
    """Agree with anything."""
    return _AgreesWithEverything()


def calculate_priority(urgent, days_until_due, title_length):
    """Agree with anything."""
    return _AgreesWithEverything()


def format_task_summary(title, assignee, priority):
    """Agree with anything."""
    return _AgreesWithEverything()


def process_task_refactored(title, assignee, urgent, days_until_due):
    """Agree with anything."""
    return _AgreesWithEverything()
