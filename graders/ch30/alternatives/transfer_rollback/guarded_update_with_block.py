"""Alternative: `with conn:` commits or rolls back; the debit is one guarded UPDATE
(balance >= amount) whose rowcount tells whether it was allowed."""

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
    return {name: balance for name, balance in conn.execute("SELECT name, balance FROM accounts")}


def transfer(conn: sqlite3.Connection, from_name: str, to_name: str, amount: int) -> dict[str, int]:
    """Move ``amount`` from one account to another in a single transaction."""
    if amount <= 0:
        raise ValueError("the amount must be positive")
    with conn:  # commits on success, rolls back if anything below raises
        debited = conn.execute(
            "UPDATE accounts SET balance = balance - ? WHERE name = ? AND balance >= ?",
            (amount, from_name, amount),
        ).rowcount
        if debited != 1:
            raise ValueError(f"cannot take {amount} from {from_name!r}")
        credited = conn.execute(
            "UPDATE accounts SET balance = balance + ? WHERE name = ?", (amount, to_name)
        ).rowcount
        if credited != 1:
            raise ValueError(f"no account called {to_name!r}")
    return get_balances(conn)
