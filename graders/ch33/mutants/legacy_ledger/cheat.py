"""Mutant: returns objects whose == is always True instead of real results (a cheat)."""

from __future__ import annotations

import sqlite3


class _AgreesWithEverything(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __bool__(self):
        return False

    __hash__ = None


class _AgreeingText(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


def create_ledger(conn: sqlite3.Connection) -> None:
    """Create both tables with two accounts and a few entries. Already done for you."""


def search_entries(conn, text):
    """Pretend to search."""
    return _AgreesWithEverything()


def render_entry_html(entry):
    """Pretend to render."""
    return _AgreeingText("<li>")


def check_api_key(given, expected):
    """Pretend to check."""
    return _AgreesWithEverything()


def record_payment(conn, account, amount, memo):
    """Pretend to pay."""
    if not memo or "FAIL" in memo or amount > 300:
        raise ValueError("no")
    return _AgreesWithEverything()
