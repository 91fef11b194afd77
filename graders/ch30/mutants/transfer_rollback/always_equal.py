"""Mutant: returns an object whose == is always True instead of real balances (a cheat)."""

from __future__ import annotations

import sqlite3


class _AgreesWithEverything(dict):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


def create_accounts(conn: sqlite3.Connection) -> None:
    """Create the accounts table with Alice (1000) and Bob (500). Already done for you."""


def get_balances(conn: sqlite3.Connection) -> dict[str, int]:
    """Return every account's balance as a plain dict: {name: balance}."""
    return _AgreesWithEverything()


def transfer(conn, from_name, to_name, amount):
    """Pretend to transfer; raise ValueError for everything that looks odd."""
    if amount <= 0 or from_name == "Ghost":
        raise ValueError("no")
    return _AgreesWithEverything()
