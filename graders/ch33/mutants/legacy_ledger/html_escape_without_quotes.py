"""Mutant: uses html.escape(..., quote=False), so quotes still break out of the title attribute."""

from __future__ import annotations

import hmac
import sqlite3

import html

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    id      INTEGER PRIMARY KEY,
    name    TEXT    NOT NULL UNIQUE,
    balance INTEGER NOT NULL CHECK (balance >= 0)
);
CREATE TABLE IF NOT EXISTS entries (
    id      INTEGER PRIMARY KEY,
    account TEXT    NOT NULL,
    amount  INTEGER NOT NULL,
    memo    TEXT    NOT NULL CHECK (memo <> '')
);
"""

COLUMNS = ("id", "account", "amount", "memo")


def create_ledger(conn: sqlite3.Connection) -> None:
    """Create both tables with two accounts and a few entries. Already done for you."""
    conn.executescript(SCHEMA)
    with conn:
        conn.executemany(
            "INSERT INTO accounts (name, balance) VALUES (?, ?)",
            [("Alice", 5000), ("Bob", 1200)],
        )
        conn.executemany(
            "INSERT INTO entries (account, amount, memo) VALUES (?, ?, ?)",
            [("Alice", -450, "Coffee beans"), ("Bob", -300, "Office chair, 50% off")],
        )


def search_entries(conn: sqlite3.Connection, text: str) -> list[dict]:
    """Return the entries whose memo contains ``text``, as dicts ordered by id.

    Each dict has the keys ``id``, ``account``, ``amount`` and ``memo``. Matching ignores
    the case of ASCII letters (as SQL LIKE does); every character of ``text`` is literal,
    ``%`` and ``_`` included; an empty ``text`` matches every entry.
    """
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = conn.execute(
        "SELECT id, account, amount, memo FROM entries WHERE memo LIKE ? ESCAPE '\\' ORDER BY id",
        (pattern,),
    ).fetchall()
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def render_entry_html(entry: dict) -> str:
    """Return one entry as an HTML list item, with every text safely escaped.

    The shape is ``<li class="entry" title="MEMO">ACCOUNT AMOUNT: MEMO</li>``, built from
    ``entry["account"]``, ``entry["amount"]`` and ``entry["memo"]``.
    """
    account = html.escape(str(entry["account"]), quote=False)
    amount = html.escape(str(entry["amount"]), quote=False)
    memo = html.escape(str(entry["memo"]), quote=False)
    return f'<li class="entry" title="{memo}">{account} {amount}: {memo}</li>'


def check_api_key(given: str, expected: str) -> bool:
    """Return True only if ``given`` equals ``expected``, compared in constant time.

    Returns a real bool. ``given`` comes from the caller and may be any text, including
    non-ASCII: it is simply wrong, never an error. An empty ``expected`` means no key is
    configured, and then every key is refused.
    """
    if not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def record_payment(conn: sqlite3.Connection, account: str, amount: int, memo: str) -> int:
    """Pay ``amount`` out of ``account``: debit it and add the entry (account, -amount, memo).

    Both changes are committed together or not at all. Raises ValueError for an amount
    that is not positive or an unknown account; any database error (an overdraft or an
    empty memo breaks a CHECK) propagates and leaves the database unchanged.
    Returns the account's new balance.
    """
    if amount <= 0:
        raise ValueError(f"amount must be positive, got {amount}")
    with conn:
        debited = conn.execute(
            "UPDATE accounts SET balance = balance - ? WHERE name = ?", (amount, account)
        )
        if debited.rowcount != 1:
            raise ValueError(f"no account named {account!r}")
        conn.execute(
            "INSERT INTO entries (account, amount, memo) VALUES (?, ?, ?)",
            (account, -amount, memo),
        )
    return conn.execute("SELECT balance FROM accounts WHERE name = ?", (account,)).fetchone()[0]
