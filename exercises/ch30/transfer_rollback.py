"""Chapter 30 exercise: move money between two accounts, all or nothing.

The bank keeps one table::

    CREATE TABLE accounts (
        id      INTEGER PRIMARY KEY,
        name    TEXT    NOT NULL UNIQUE,
        balance INTEGER NOT NULL
    )

``create_accounts`` (already written for you) builds it with Alice (1000) and Bob (500),
so you can try your functions in a REPL::

    >>> import sqlite3
    >>> conn = sqlite3.connect(":memory:")
    >>> create_accounts(conn)
    >>> transfer(conn, "Alice", "Bob", 100)
    {'Alice': 900, 'Bob': 600}

Your two tasks are ``get_balances`` and ``transfer``. A transfer is two UPDATEs that must
succeed or fail together: if anything is wrong, raise ``ValueError`` and leave the
database exactly as it was; if all is well, make the change permanent (commit), so that
other connections see it.
"""

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
    # TODO (task 1): select name and balance from accounts and build the dict.
    raise NotImplementedError("get_balances is not written yet")


def transfer(conn: sqlite3.Connection, from_name: str, to_name: str, amount: int) -> dict[str, int]:
    """Move ``amount`` from one account to another in a single transaction.

    Raises ValueError, leaving every balance unchanged, when the amount is not positive,
    when either account does not exist, or when the sender has less than ``amount``.
    On success the change is committed and the new balances (``get_balances``) returned.
    """
    # TODO (tasks 2-4): check the amount, then inside ONE transaction check the sender,
    # debit, credit, and commit; on any problem roll back and raise ValueError.
    # Always pass values as SQL parameters (?), never by formatting strings.
    raise NotImplementedError("transfer is not written yet")
