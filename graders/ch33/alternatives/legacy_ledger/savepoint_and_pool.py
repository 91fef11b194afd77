"""Alternative: LIKE with ESCAPE '!', Markup.format, hashed keys, a SAVEPOINT, a thread pool.

Chapter 33 exercise: audit the legacy ledger and fix its five weaknesses.

You have inherited a small ledger service. It works: it searches payments, renders them
as HTML, checks API keys, records payments and serves all that over HTTP. It is also
wide open. Your job is the audit: find each weakness, understand how an attacker uses it,
and fix it without changing what the functions do for honest callers.

The database (``create_ledger``, already written, builds it with a few rows to play with)::

    accounts(id INTEGER PRIMARY KEY, name TEXT UNIQUE, balance INTEGER CHECK (balance >= 0))
    entries(id INTEGER PRIMARY KEY, account TEXT, amount INTEGER, memo TEXT CHECK (memo <> ''))

Try it in a REPL::

    >>> import sqlite3
    >>> conn = sqlite3.connect(":memory:")
    >>> create_ledger(conn)
    >>> search_entries(conn, "coffee")
    [{'id': 1, 'account': 'Alice', 'amount': -450, 'memo': 'Coffee beans'}]
    >>> render_entry_html({"account": "Alice", "amount": -450, "memo": "Coffee beans"})
    '<li class="entry" title="Coffee beans">Alice -450: Coffee beans</li>'
    >>> check_api_key("k-123", "k-123")
    True
    >>> record_payment(conn, "Bob", 200, "Train ticket")
    1000

The five findings, one task each:

1. ``search_entries`` pasted the search text into its SQL with an f-string: SQL injection
   (``' OR '1'='1``, ``UNION SELECT`` from another table, ``--`` and ``/*`` comments).
   Pass the text as a parameter. The search text is matched *literally*: ``%`` and ``_``
   are ordinary characters here, not LIKE wildcards (searching ``50%`` must not find
   ``500 pens``), so escape them (``LIKE ? ESCAPE '\\'``) or avoid LIKE.
2. ``render_entry_html`` put stored text straight into HTML: cross-site scripting (XSS).
   Escape every piece of text, quotes included, because the memo also goes inside a
   ``title="..."`` attribute. ``markupsafe.escape`` or ``html.escape`` does it; escape
   once, not twice (``&amp;lt;`` shows the reader a garbled ``&lt;``).
3. ``check_api_key`` compared keys with ``==``, which answers faster the earlier the first
   wrong character is, so response times leak the key one character at a time. Use
   ``hmac.compare_digest`` (or ``secrets.compare_digest``). The grader cannot measure
   nanoseconds reliably, so it checks the answers and also watches, by wrapping
   ``hmac.compare_digest``, that a constant-time comparison is really what decides.
4. ``record_payment`` committed the debit before writing the ledger entry: if the insert
   fails, the money is gone and nothing records why. Make the debit and the insert one
   transaction, all or nothing.
5. ``handle_payment``, run by the ledger's asyncio HTTP server (``serve_ledger``), calls the
   slow, blocking mail gateway (``send_receipt``) directly. Every request shares one event
   loop, so while a receipt is being sent the whole server stands still: one slow payment
   freezes every other client, and a few of them make a denial of service. Keep the loop
   free: run the blocking call in a worker thread and await it. The grader sends a payment
   whose receipt it holds back, then checks that another request is answered meanwhile.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

from markupsafe import Markup

_RECEIPT_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="receipts")

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
    literal = "".join("!" + ch if ch in "!%_" else ch for ch in text)
    rows = conn.execute(
        "SELECT id, account, amount, memo FROM entries WHERE memo LIKE ? ESCAPE '!' ORDER BY id",
        (f"%{literal}%",),
    ).fetchall()
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def render_entry_html(entry: dict) -> str:
    """Return one entry as an HTML list item, with every text safely escaped.

    The shape is ``<li class="entry" title="MEMO">ACCOUNT AMOUNT: MEMO</li>``, built from
    ``entry["account"]``, ``entry["amount"]`` and ``entry["memo"]``.
    """
    template = Markup('<li class="entry" title="{0}">{1} {2}: {0}</li>')
    return str(template.format(entry["memo"], entry["account"], entry["amount"]))


def check_api_key(given: str, expected: str) -> bool:
    """Return True only if ``given`` equals ``expected``, compared in constant time.

    Returns a real bool. ``given`` comes from the caller and may be any text, including
    non-ASCII: it is simply wrong, never an error. An empty ``expected`` means no key is
    configured, and then every key is refused.
    """
    if not expected:
        return False
    digest_given = hashlib.sha256(given.encode("utf-8")).digest()
    digest_expected = hashlib.sha256(expected.encode("utf-8")).digest()
    return hmac.compare_digest(digest_given, digest_expected)


def record_payment(conn: sqlite3.Connection, account: str, amount: int, memo: str) -> int:
    """Pay ``amount`` out of ``account``: debit it and add the entry (account, -amount, memo).

    Both changes are committed together or not at all. Raises ValueError for an amount
    that is not positive or an unknown account; any database error (an overdraft or an
    empty memo breaks a CHECK) propagates and leaves the database unchanged.
    Returns the account's new balance.
    """
    if not amount > 0:
        raise ValueError("amount must be positive")
    conn.execute("SAVEPOINT payment")
    try:
        conn.execute("UPDATE accounts SET balance = balance - ? WHERE name = ?", (amount, account))
        if conn.execute("SELECT changes()").fetchone()[0] != 1:
            raise ValueError(f"unknown account {account!r}")
        conn.execute(
            "INSERT INTO entries (account, amount, memo) VALUES (?, ?, ?)",
            (account, -amount, memo),
        )
    except BaseException:
        conn.execute("ROLLBACK TO payment")
        conn.execute("RELEASE payment")
        if conn.in_transaction:
            conn.rollback()
        raise
    conn.execute("RELEASE payment")
    if conn.in_transaction:
        conn.commit()
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
    sent = asyncio.get_running_loop().run_in_executor(
        _RECEIPT_POOL, receipts, account, amount, memo
    )
    await sent
    return {"balance": balance}
