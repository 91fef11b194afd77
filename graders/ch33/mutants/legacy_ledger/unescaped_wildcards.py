"""Mutant: passes the text as a parameter but leaves % and _ working as LIKE wildcards."""

from __future__ import annotations

import asyncio
import hmac
import json
import sqlite3
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from markupsafe import escape

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
    rows = conn.execute(
        "SELECT id, account, amount, memo FROM entries WHERE memo LIKE ? ORDER BY id",
        (f"%{text}%",),
    ).fetchall()
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def render_entry_html(entry: dict) -> str:
    """Return one entry as an HTML list item, with every text safely escaped.

    The shape is ``<li class="entry" title="MEMO">ACCOUNT AMOUNT: MEMO</li>``, built from
    ``entry["account"]``, ``entry["amount"]`` and ``entry["memo"]``.
    """
    account, amount, memo = escape(entry["account"]), escape(entry["amount"]), escape(entry["memo"])
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


# -- the HTTP front end (task 5) -------------------------------------------------------
RECEIPT_SECONDS = 2.0  # how long the legacy mail gateway takes to accept one receipt


def send_receipt(account: str, amount: int, memo: str) -> None:
    """E-mail a payment receipt through the bank's mail gateway. Already written.

    This is the gateway's own client library: a plain, blocking function that takes
    seconds to return (here ``time.sleep`` stands in for the slow network call).
    """
    time.sleep(RECEIPT_SECONDS)


async def _respond(writer: asyncio.StreamWriter, status: str, payload: object) -> None:
    body = json.dumps(payload).encode("utf-8")
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode("latin-1") + body)
    await writer.drain()
    writer.close()


async def _serve_one(reader, writer, conn, receipts) -> None:
    """Read one request, route it, answer it and close the connection."""
    try:
        request_line = (await reader.readline()).decode("latin-1").split()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        body = await reader.readexactly(length) if length else b""
        method, target = request_line[0], urlsplit(request_line[1])
        if method == "GET" and target.path == "/entries":
            text = parse_qs(target.query).get("q", [""])[0]
            await _respond(writer, "200 OK", search_entries(conn, text))
        elif method == "POST" and target.path == "/payments":
            answer = await handle_payment(conn, json.loads(body), receipts)
            await _respond(writer, "201 Created", answer)
        else:
            await _respond(writer, "404 Not Found", {"error": "no such route"})
    except (ValueError, KeyError, IndexError, TypeError, sqlite3.Error) as error:
        await _respond(writer, "400 Bad Request", {"error": str(error)})


async def serve_ledger(
    conn: sqlite3.Connection,
    host: str = "127.0.0.1",
    port: int = 0,
    receipts: Callable[[str, int, str], None] = send_receipt,
) -> asyncio.Server:
    """Start the ledger's HTTP API on one asyncio event loop. Already written.

    ``POST /payments`` with a JSON body ``{"account": ..., "amount": ..., "memo": ...}``
    answers ``201`` and ``{"balance": N}`` (see ``handle_payment``); ``GET /entries?q=TEXT``
    answers ``200`` and the entries ``search_entries`` finds. Bad input answers 400.
    ``port=0`` picks a free port: ``server.sockets[0].getsockname()[1]`` says which.
    """
    return await asyncio.start_server(
        lambda reader, writer: _serve_one(reader, writer, conn, receipts), host, port
    )


async def handle_payment(
    conn: sqlite3.Connection,
    payment: dict,
    receipts: Callable[[str, int, str], None] = send_receipt,
) -> dict:
    """Record one payment, send its receipt, and return ``{"balance": new balance}``.

    ``payment`` has the keys ``account``, ``amount`` and ``memo``. After
    ``record_payment`` succeeds, ``receipts(account, amount, memo)`` is called once, and
    the answer is returned only after it has finished. ``receipts`` blocks: it may take
    seconds, and it is not yours to change. While a receipt is being sent, the server
    keeps answering every other request.
    """
    account, amount, memo = payment["account"], payment["amount"], payment["memo"]
    balance = record_payment(conn, account, amount, memo)
    # A blocking call on the event loop would freeze every other request: run it in a
    # worker thread, and wait for it without holding the loop.
    await asyncio.to_thread(receipts, account, amount, memo)
    return {"balance": balance}
