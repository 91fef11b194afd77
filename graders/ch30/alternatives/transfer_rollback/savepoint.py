"""Alternative: a SAVEPOINT around the checks and the two UPDATEs, rolled back to on any
error, released and committed on success."""

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
    balances: dict[str, int] = {}
    for row in conn.execute("SELECT name, balance FROM accounts ORDER BY id").fetchall():
        balances[row[0]] = row[1]
    return balances


def transfer(conn: sqlite3.Connection, from_name: str, to_name: str, amount: int) -> dict[str, int]:
    """Move ``amount`` from one account to another in a single transaction."""
    conn.execute("SAVEPOINT transfer")
    try:
        if not amount > 0:
            raise ValueError("amount must be greater than zero")
        found = dict(
            conn.execute(
                "SELECT name, balance FROM accounts WHERE name IN (?, ?)", (from_name, to_name)
            ).fetchall()
        )
        if from_name not in found or to_name not in found:
            raise ValueError("unknown account")
        if found[from_name] < amount:
            raise ValueError("insufficient funds")
        conn.execute(
            "UPDATE accounts SET balance = balance - ? WHERE name = ?", (amount, from_name)
        )
        conn.execute("UPDATE accounts SET balance = balance + ? WHERE name = ?", (amount, to_name))
    except BaseException:
        conn.execute("ROLLBACK TO transfer")
        conn.execute("RELEASE transfer")
        raise
    conn.execute("RELEASE transfer")
    conn.commit()
    return get_balances(conn)
