"""Chapter 30 challenge: a flash sale that never oversells, across threads AND processes.

At noon, 100 pairs of limited sneakers go on sale and 1,000 buyers click "buy" in the same
second. The store lives in one SQLite file (``create_store`` builds it; ``ITEM`` names the
one product on sale)::

    CREATE TABLE inventory (item TEXT PRIMARY KEY, in_stock INTEGER NOT NULL);
    CREATE TABLE orders (
        id       INTEGER PRIMARY KEY,
        buyer_id INTEGER NOT NULL UNIQUE,      -- one pair per buyer
        item     TEXT    NOT NULL REFERENCES inventory(item)
    );

Your task is ``buy(db_path, buyer_id)``. It opens its OWN connection (each buyer may run in
a different thread or a different process), and either sells one pair, which means
``in_stock`` goes down by one AND an order row for this buyer is inserted, both committed
together, and returns True; or changes nothing and returns False, because the stock is
gone or this buyer already has an order. However the calls interleave, exactly
``min(stock, number of different buyers)`` pairs are sold, ``in_stock`` never drops below
0, and every True has its order row.

The obvious code, "SELECT the stock; if it is above 0, UPDATE it", is a race: between the
SELECT and the UPDATE other buyers read the same number, and the last pair is sold several
times. Fix it in the database, where every buyer meets:

* take the write lock BEFORE reading: open the connection with ``isolation_level=None``
  and run ``BEGIN IMMEDIATE``, then read, decide, write and ``COMMIT`` (a plain ``BEGIN``
  takes no lock until the first write: too late); or
* let one statement check and change at once: ``UPDATE inventory SET in_stock =
  in_stock - 1 WHERE item = ? AND in_stock > 0`` and look at ``cursor.rowcount`` (1: you
  got a pair, 0: sold out), then insert the order in the SAME transaction.

A ``threading.Lock`` is not enough: it lives in one process's memory, and the grader also
runs buyers in separate processes, each with its own copy of the lock.

While one buyer holds the write lock, the others must WAIT, not fail: give the connection a
busy timeout (``sqlite3.connect(db_path, timeout=10)``; never 0) so "database is locked"
does not reach your caller, and never turn that error into a False (a buyer would be
refused while pairs are left). The store runs in WAL mode, where readers never block the
writer. Try it::

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "sale.db")
    >>> create_store(path, stock=2)
    >>> buy(path, 1), buy(path, 1), buy(path, 2), buy(path, 3)
    (True, False, True, False)
    >>> stock_left(path), buyers_served(path)
    (0, [1, 2])
"""

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


def buy(db_path: str, buyer_id: int) -> bool:
    """Sell one pair to ``buyer_id`` if any are left and they have none yet; True if sold.

    Opens its own connection, waits (busy timeout) rather than failing when another buyer
    holds the lock, and commits the stock change and the order together, or neither.
    """
    conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT, isolation_level=None)
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
        conn.close()  # without a COMMIT, closing rolls back
