"""Mutant: buy keeps one connection per store in a module-level dict and reuses it in every call."""

from __future__ import annotations

import sqlite3

ITEM = "limited-sneakers"
BUSY_TIMEOUT = 10.0  # seconds a connection waits for another buyer's lock

SCHEMA = """
CREATE TABLE IF NOT EXISTS inventory (
    item     TEXT    PRIMARY KEY,
    in_stock INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
    id       INTEGER PRIMARY KEY,
    buyer_id INTEGER NOT NULL UNIQUE,
    item     TEXT    NOT NULL REFERENCES inventory(item)
);
"""


def create_store(db_path: str, stock: int = 100) -> None:
    """Create the store file (WAL mode) with ``stock`` pairs of ITEM. Already done for you."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)
        with conn:
            conn.execute("INSERT INTO inventory (item, in_stock) VALUES (?, ?)", (ITEM, stock))
    finally:
        conn.close()


def stock_left(db_path: str) -> int:
    """How many pairs are left (committed data only). Already done for you."""
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT in_stock FROM inventory WHERE item = ?", (ITEM,)).fetchone()[0]
    finally:
        conn.close()


def buyers_served(db_path: str) -> list[int]:
    """The buyer ids that have an order, sorted. Already done for you."""
    conn = sqlite3.connect(db_path)
    try:
        return [row[0] for row in conn.execute("SELECT buyer_id FROM orders ORDER BY buyer_id")]
    finally:
        conn.close()


_connections: dict[str, sqlite3.Connection] = {}


def _connection(db_path: str) -> sqlite3.Connection:
    """One connection per store, opened once and reused by every call (to save time)."""
    if db_path not in _connections:
        _connections[db_path] = sqlite3.connect(
            db_path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
        )
    return _connections[db_path]


def buy(db_path: str, buyer_id: int) -> bool:
    """Sell one pair to ``buyer_id`` if any are left and they have none yet; True if sold.

    Opens its own connection, waits (busy timeout) rather than failing when another buyer
    holds the lock, and commits the stock change and the order together, or neither.
    """
    conn = _connection(db_path)
    try:
        conn.execute("BEGIN IMMEDIATE")  # the write lock first: nobody can change stock now
        (left,) = conn.execute("SELECT in_stock FROM inventory WHERE item = ?", (ITEM,)).fetchone()
        already = conn.execute("SELECT 1 FROM orders WHERE buyer_id = ?", (buyer_id,)).fetchone()
        if left <= 0 or already is not None:
            return False  # closing without COMMIT rolls the empty transaction back
        conn.execute("UPDATE inventory SET in_stock = in_stock - 1 WHERE item = ?", (ITEM,))
        conn.execute("INSERT INTO orders (buyer_id, item) VALUES (?, ?)", (buyer_id, ITEM))
        conn.execute("COMMIT")
        return True
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
