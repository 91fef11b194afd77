"""Alternative: every check done in Python on get_balances(), both UPDATEs in one
executemany with signed amounts, explicit commit and rollback."""

from __future__ import annotations

import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    id      INTEGER PRIMARY KEY,
    name    TEXT    NOT NULL UNIQUE,
    balance INTEGER NOT NULL
)
"""


def create_accounts(conn: sqlite3.Connection) -> None:
    """Create the accounts table with Alice (1000) and Bob (500). Already done for you."""
    with conn:
        conn.execute(SCHEMA)
        conn.executemany(
            "INSERT INTO accounts (name, balance) VALUES (?, ?)",
            [("Alice", 1000), ("Bob", 500)],
        )


class _Refused(Exception):
    """Internal signal: the transfer is not allowed."""


def get_balances(conn: sqlite3.Connection) -> dict[str, int]:
    """Return every account's balance as a plain dict: {name: balance}."""
    return dict(conn.execute("SELECT name, balance FROM accounts").fetchall())


def transfer(conn: sqlite3.Connection, from_name: str, to_name: str, amount: int) -> dict[str, int]:
    """Move ``amount`` from one account to another in a single transaction."""
    try:
        before = get_balances(conn)
        if amount <= 0:
            raise _Refused(f"amount {amount} is not positive")
        for name in (from_name, to_name):
            if name not in before:
                raise _Refused(f"no account named {name!r}")
        if before[from_name] < amount:
            raise _Refused(f"{from_name} has only {before[from_name]}")
        conn.executemany(
            "UPDATE accounts SET balance = balance + ? WHERE name = ?",
            [(-amount, from_name), (amount, to_name)],
        )
        conn.commit()
    except _Refused as refused:
        conn.rollback()
        raise ValueError(str(refused)) from None
    except Exception:
        conn.rollback()
        raise
    return get_balances(conn)
