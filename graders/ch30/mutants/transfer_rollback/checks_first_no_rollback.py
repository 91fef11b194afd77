"""Mutant: checks everything before the UPDATEs and never rolls back, so a database error in the credit leaves the debit pending."""

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


def get_balances(conn: sqlite3.Connection) -> dict[str, int]:
    """Return every account's balance as a plain dict: {name: balance}."""
    rows = conn.execute("SELECT name, balance FROM accounts").fetchall()
    return {name: balance for name, balance in rows}


def transfer(conn: sqlite3.Connection, from_name: str, to_name: str, amount: int) -> dict[str, int]:
    """Move ``amount`` from one account to another in a single transaction.

    Raises ValueError, leaving every balance unchanged, when the amount is not positive,
    when either account does not exist, or when the sender has less than ``amount``.
    On success the change is committed and the new balances (``get_balances``) returned.
    """
    if amount <= 0:
        raise ValueError(f"amount must be positive, got {amount}")
    # Every check first, so nothing needs undoing... unless the database itself fails.
    sender = conn.execute("SELECT balance FROM accounts WHERE name = ?", (from_name,)).fetchone()
    if sender is None:
        raise ValueError(f"no account named {from_name!r}")
    if conn.execute("SELECT 1 FROM accounts WHERE name = ?", (to_name,)).fetchone() is None:
        raise ValueError(f"no account named {to_name!r}")
    if sender[0] < amount:
        raise ValueError(f"{from_name} has {sender[0]}, cannot send {amount}")
    conn.execute("UPDATE accounts SET balance = balance - ? WHERE name = ?", (amount, from_name))
    conn.execute("UPDATE accounts SET balance = balance + ? WHERE name = ?", (amount, to_name))
    conn.commit()
    return get_balances(conn)
