"""Grader for ch30/flash_sale: exactly the stock is sold, across threads and processes.

The judge builds each store itself (WAL mode, like ``create_store``) and adds an audit
trigger that logs every value ``in_stock`` takes, so "never negative" is checked for every
committed change, not only at the end. Acts run the learner's ``buy`` one call after
another; from 32 threads with a tiny switch interval, so an unprotected read-then-write
interleaves every time; from a pool of 6 forked processes, where a threading.Lock protects
nothing; and in rounds where 6 processes wait at a barrier and call ``buy`` at the same
instant for the last pair, which makes the cross-process race certain even when commits
are fast. Afterwards the judge reads the file itself: orders, stock, the audit log, and
that every True matches an order row. Stores live in /dev/shm when it exists (hundreds of
commits per sale; an fsync each on a slow disk would make the suite crawl).
"""

from __future__ import annotations

import itertools
import multiprocessing
import random
import sqlite3
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest

from graders.acts import attempt
from graders.expectations import show
from graders.harness import GradeFailure, Learner, Outcome

EXERCISE = "ch30/flash_sale"
ITEM = "limited-sneakers"
THREADS = 32
PROCESSES = 6
_store_numbers = itertools.count(1)

SCHEMA = """
CREATE TABLE inventory (item TEXT PRIMARY KEY, in_stock INTEGER NOT NULL);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY, buyer_id INTEGER NOT NULL UNIQUE,
    item TEXT NOT NULL REFERENCES inventory(item)
);
CREATE TABLE grader_stock_log (seq INTEGER PRIMARY KEY, in_stock INTEGER NOT NULL);
CREATE TRIGGER grader_stock_audit AFTER UPDATE OF in_stock ON inventory
BEGIN
    INSERT INTO grader_stock_log (in_stock) VALUES (NEW.in_stock);
END;
"""


# -- the judge's own store ------------------------------------------------------------
@pytest.fixture(scope="module")
def store_dir():
    """Stores live in the sandbox's private work folder, which the engine shares with the
    learner's (possibly unprivileged) process; no other folder is writable there."""
    return None


def make_store(learner: Learner, stock: int, folder: Path | None) -> str:
    path = (folder or learner.workdir) / f"sale-{next(_store_numbers)}.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")  # only the judge's set-up skips the fsyncs
        conn.executescript(SCHEMA)
        with conn:
            conn.execute("INSERT INTO inventory (item, in_stock) VALUES (?, ?)", (ITEM, stock))
    return str(path)


def read_store(path: str) -> dict:
    """What a fresh connection sees: committed data only."""
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        return {
            "stock": conn.execute("SELECT in_stock FROM inventory").fetchone()[0],
            "orders": [row[0] for row in conn.execute("SELECT buyer_id FROM orders")],
            "lowest": conn.execute("SELECT MIN(in_stock) FROM grader_stock_log").fetchone()[0],
            "log": [row[0] for row in conn.execute("SELECT in_stock FROM grader_stock_log")],
        }


def stale_writes(start: int, log: list[int]) -> int:
    """How many committed stock changes did not go below the value before them: each one
    wrote a number computed from an older read (a lost update)."""
    previous, count = start, 0
    for value in log:
        if value >= previous:
            count += 1
        previous = value
    return count


# -- acts: run inside the sandbox, next to the learner's code ----------------------
# Every connection the learner's buy opens is recorded (with its busy timeout) and KEPT
# referenced until buy has returned: so a connection that buy forgot to close is still
# open when we look, instead of being closed silently when Python frees it.
_REAL_CONNECT = sqlite3.connect
_opened = threading.local()


def _recording_connect(*args, **kwargs):
    conn = _REAL_CONNECT(*args, **kwargs)
    seen = getattr(_opened, "seen", None)
    if seen is not None:
        timeout = kwargs.get("timeout", args[1] if len(args) > 1 else 5.0)
        seen.append((conn, timeout))
    return conn


def _is_open(conn) -> bool:
    try:
        conn.total_changes  # noqa: B018 - raises ProgrammingError once the connection is closed
    except sqlite3.ProgrammingError:
        return False
    return True


def watched_buy(module, path, buyer):
    """attempt(buy) plus what it did with its connections: timeouts, left open, seconds."""
    _opened.seen = []
    started = time.monotonic()
    try:
        record = attempt(module.buy, path, buyer)
    finally:
        seen, _opened.seen = _opened.seen, None
    record["seconds"] = round(time.monotonic() - started, 3)
    record["timeouts"] = [timeout for _, timeout in seen]
    record["left_open"] = sum(_is_open(conn) for conn, _ in seen)
    # Drop our references without closing anything: Python then frees (and so closes) a
    # connection nobody else holds, and one the learner's code keeps stays as it left it.
    del seen
    return record


class recording_connections:  # noqa: N801 - used like a function, as a context manager
    """Route sqlite3.connect (and a copy the learner imported by name) through the recorder."""

    def __init__(self, module):
        self.module = module
        self.names = [name for name, value in vars(module).items() if value is _REAL_CONNECT]

    def __enter__(self):
        sqlite3.connect = _recording_connect
        for name in self.names:
            setattr(self.module, name, _recording_connect)

    def __exit__(self, *exc):
        sqlite3.connect = _REAL_CONNECT
        for name in self.names:
            setattr(self.module, name, _REAL_CONNECT)


def act_in_order(module, path, buyers):
    with recording_connections(module):
        return [watched_buy(module, path, buyer) for buyer in buyers]


def act_threads(module, path, buyers, threads):
    """Many buyers at once from a thread pool, switching threads as often as possible."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with recording_connections(module), ThreadPoolExecutor(max_workers=threads) as pool:
            return list(pool.map(lambda buyer: watched_buy(module, path, buyer), buyers))
    finally:
        sys.setswitchinterval(old)


_learner_module = None  # set in the act, inherited by the forked pool processes


def _buy_in_worker(job):
    path, buyer = job
    return watched_buy(_learner_module, path, buyer)


def act_processes(module, path, buyers, processes):
    """Many buyers at once from separate processes (fork): no Python object is shared."""
    global _learner_module
    _learner_module = module
    with recording_connections(module), multiprocessing.get_context("fork").Pool(processes) as pool:
        return pool.map(_buy_in_worker, [(path, buyer) for buyer in buyers], chunksize=1)


_start_line = None  # a multiprocessing.Barrier shared by the pool processes


def _join_start_line(barrier):
    global _start_line
    _start_line = barrier


def _buy_at_start_signal(job):
    path, buyer = job
    _start_line.wait(timeout=20)  # every process calls buy at the same moment
    return watched_buy(_learner_module, path, buyer)


def act_last_pair_rounds(module, paths, processes):
    """Round after round, one buyer per process clicks at the same instant for the last pair."""
    global _learner_module
    _learner_module = module
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes)
    rounds = []
    with (
        recording_connections(module),
        context.Pool(processes, initializer=_join_start_line, initargs=(barrier,)) as pool,
    ):
        for number, path in enumerate(paths):
            buyers = [100 * number + k for k in range(1, processes + 1)]
            records = pool.map(_buy_at_start_signal, [(path, b) for b in buyers], chunksize=1)
            rounds.append({"buyers": buyers, "records": records})
    return rounds


# -- judging ---------------------------------------------------------------------------
def check_calls(context: str, buyers: list[int], records: list[dict]) -> list[bool]:
    """Every call returned a bool (no exception): the answers, in the order of ``buyers``."""
    answers = []
    for buyer, record in zip(buyers, records, strict=True):
        outcome = Outcome.from_attempt(f"buy(path, {buyer})   # {context}", record)
        if not outcome.returned:
            locked = "locked" in str(record.get("message", "")).lower()
            raise outcome.fail(
                "True or False, never an exception",
                note=why_locked(record) if locked else "",
            )
        answers.append(outcome.expect_that(lambda value: type(value) is bool, "True or False"))
    return answers


def why_locked(record: dict) -> str:
    """What the evidence says about a 'database is locked' that reached the caller."""
    timeouts = [t for t in record.get("timeouts", []) if isinstance(t, (int, float))]
    waited = record.get("seconds")
    if not timeouts:
        return (
            f"another buyer held the lock; this call gave up after {waited} s (its "
            "connection could not be inspected)"
        )
    if min(timeouts) < 1:
        return (
            f"the connection was opened with timeout={min(timeouts)!r}, so it gave up as soon "
            "as another buyer held the lock: use a busy timeout (timeout=10) so it waits"
        )
    if waited is not None and waited < min(timeouts) / 2:
        return (
            f"the connection had timeout={min(timeouts)!r}, yet the call gave up after "
            f"{waited} s without waiting: SQLite does not wait when a transaction that has "
            "already READ asks to write after another buyer wrote (the read-then-write lock "
            "upgrade, e.g. a plain BEGIN then SELECT then UPDATE). Take the write lock before "
            "reading (BEGIN IMMEDIATE) or check and change in one UPDATE"
        )
    return (
        f"the call waited {waited} s, its whole busy timeout ({min(timeouts)!r} s), while "
        "other buyers held the lock: keep each transaction short"
    )


def check_connections_closed(context: str, buyers: list[int], records: list[dict]) -> None:
    """Every connection buy opened was closed by the time it returned (or raised)."""
    for buyer, record in zip(buyers, records, strict=True):
        if record.get("left_open"):
            outcome = Outcome.from_attempt(f"buy(path, {buyer})   # {context}", record)
            raise outcome.fail(
                "every connection buy opened closed when it returns",
                got=f"{outcome._got_line()}\nThen:     {record['left_open']} connection(s) "
                "it opened were still open",
                note="close the connection whatever happens: conn.close() in a finally "
                "block (a `with conn:` block commits or rolls back, but does not close)",
            )


def check_sale(call: str, path: str, buyers: list[int], answers: list[bool], stock: int) -> None:
    """The store after a sale: right number sold, stock never negative, True == order."""
    seen = read_store(path)
    winners = [buyer for buyer, answer in zip(buyers, answers, strict=True) if answer]
    expected_sold = min(stock, len(set(buyers)))
    lines = [f"Called:   {call}"]
    if seen["lowest"] is not None and seen["lowest"] < 0:
        lines += [
            f"Then:     in_stock went down to {seen['lowest']}; {len(seen['orders'])} "
            f"orders for {stock} pairs",
            "Expected: in_stock never below 0",
            "Why:      buyers read the stock, then others sold it before they wrote: "
            "check and write under one lock (BEGIN IMMEDIATE) or in one conditional "
            "UPDATE",
        ]
    elif len(seen["orders"]) != expected_sold or seen["stock"] != stock - expected_sold:
        lines += [
            f"Then:     {len(seen['orders'])} orders and in_stock = {seen['stock']} "
            f"(started at {stock})",
            f"Expected: exactly {expected_sold} orders and in_stock = {stock - expected_sold}",
        ]
        orders, decrease = len(seen["orders"]), stock - seen["stock"]
        stale = stale_writes(stock, seen["log"])
        if orders > decrease and stale:
            lines.append(
                f"Why:      {orders} orders but in_stock went down by only {decrease}, and "
                f"{stale} stock update(s) wrote a value no lower than the one before: "
                "decrements overwrote each other (a lost update: a buyer wrote a stock value "
                "computed from an earlier read); decrement in SQL (in_stock = in_stock - 1) "
                "under the write lock"
            )
        elif orders > decrease:
            lines.append(
                f"Why:      {orders} orders but in_stock went down by only {decrease}: orders "
                "were inserted for buyers who took no pair (insert the order only when the "
                "stock UPDATE changed a row: check cursor.rowcount, or the stock you read "
                "under the lock)"
            )
        elif orders > expected_sold:
            lines.append(
                "Why:      more orders than pairs: the stock check and the sale must "
                "happen as one protected step"
            )
        elif orders < decrease:
            lines.append(
                f"Why:      in_stock went down by {decrease} but only {orders} orders exist: "
                "a stock change was committed without its order; commit both in one "
                "transaction (or roll both back)"
            )
        else:
            lines.append(
                f"Why:      buyers got False while {seen['stock']} pairs were left and they "
                "had no order: False means sold out or already served, never 'the database "
                "was busy' (wait for the lock instead)"
            )
    elif sorted(winners) != sorted(seen["orders"]):
        lines += [
            f"Then:     {len(winners)} calls returned True; the orders table holds "
            f"{len(seen['orders'])} orders",
            "Expected: True exactly for the buyers who got an order row",
            f"Why:      e.g. buyers {show(sorted(set(winners) ^ set(seen['orders']))[:5])}"
            " differ: return True only after the order is committed",
        ]
    else:
        return
    raise GradeFailure("\n".join(lines))


def in_order(
    learner: Learner, folder: Path | None, stock: int, buyers: list[int], expected: list[bool]
) -> None:
    """Call buy for each buyer, one after another; check the answers, then the store."""
    path = make_store(learner, stock, folder)
    calls = "; ".join(f"buy(path, {buyer})" for buyer in buyers)
    call = f"{calls}   # in this order, stock {stock}"
    records = learner.run(act_in_order, path, buyers, call=call).value()
    answers = check_calls(f"called in order, stock {stock}", buyers, records)
    check_connections_closed(f"called in order, stock {stock}", buyers, records)
    if answers != expected:
        raise GradeFailure(
            f"Called:   {call}\nReturned: {show(answers)}\nExpected: {show(expected)}"
        )
    check_sale(call, path, buyers, answers, stock)


# -- task 1 --------------------------------------------------------------------------
@pytest.mark.task(1)
def test_first_buyer_gets_a_pair(learner, store_dir):
    """buy sells one pair: True, in_stock 100 -> 99, an order row, all committed"""
    in_order(learner, store_dir, 100, [1], [True])


@pytest.mark.task(1)
def test_sells_out_then_refuses(learner, store_dir):
    """with 3 pairs, the first 3 buyers get True, the next 2 get False and change nothing"""
    in_order(learner, store_dir, 3, [11, 12, 13, 14, 15], [True, True, True, False, False])


@pytest.mark.task(1)
def test_nothing_to_sell(learner, store_dir):
    """with no stock at all, buy returns False and records no order"""
    in_order(learner, store_dir, 0, [5], [False])


@pytest.mark.task(1)
def test_each_call_opens_its_own_connection(learner, store_dir):
    """every call to buy opens a connection of its own (buyers may be in other processes)"""
    path = make_store(learner, 5, store_dir)
    buyers = [1, 2, 2]
    call = "buy(path, 1); buy(path, 2); buy(path, 2)"
    records = learner.run(act_in_order, path, buyers, call=call).value()
    check_calls("called in order, stock 5", buyers, records)
    for number, record in enumerate(records, start=1):
        if not record["timeouts"]:
            raise GradeFailure(
                f"Called:   {call}\nThen:     call {number} opened no connection "
                "(sqlite3.connect was not called)\nExpected: a new connection in every call\n"
                "Why:      a connection kept from an earlier call cannot be shared with "
                "buyers in other threads or processes; open one per call and close it"
            )


# A database rule buy does not know about: the order of buyer 666 is refused inside SQLite
# (as a failing payment would be), after buy has begun its transaction.
REFUSE_ORDER = (
    "CREATE TRIGGER grader_refuse_order BEFORE INSERT ON orders WHEN NEW.buyer_id = 666"
    " BEGIN SELECT RAISE(ABORT, 'payment system down'); END"
)


@pytest.mark.task(1)
def test_failed_sale_changes_nothing_and_closes(learner, store_dir):
    """a refused order: no True, no stock change committed without it, the connection closed"""
    path = make_store(learner, 5, store_dir)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(REFUSE_ORDER)
    call = "buy(path, 666)   # the database refuses to insert this buyer's order"
    (record,) = learner.run(act_in_order, path, [666], call=call).value()
    outcome = Outcome.from_attempt(call, record)
    if not record["timeouts"]:
        raise outcome.fail(
            "a connection opened to the store (sqlite3.connect), and False or an exception",
            note="buy never reached the database",
        )
    if outcome.returned and outcome.reply.value is not False:
        raise outcome.fail(
            "False or an exception: no order could be recorded",
            note="True promises an order row, and there is none",
        )
    seen = read_store(path)
    if seen["stock"] != 5 or seen["orders"]:
        raise GradeFailure(
            f"Called:   {call}\n{outcome._got_line()}\nThen:     in_stock = {seen['stock']}, "
            f"orders {seen['orders']}\nExpected: in_stock = 5 and no order: the stock change "
            "and the order are committed together, or neither"
        )
    check_connections_closed("the database refuses the order", [666], [record])


# -- task 2 --------------------------------------------------------------------------
@pytest.mark.task(2)
def test_repeat_buyer_is_refused(learner, store_dir):
    """a buyer who already has a pair gets False, and their second try costs no stock"""
    in_order(learner, store_dir, 5, [7, 7, 8, 7], [True, False, True, False])


@pytest.mark.task(2)
def test_repeat_buyer_does_not_take_the_last_pair(learner, store_dir):
    """with 2 pairs, a repeat try never uses up the pair the next buyer should get"""
    in_order(learner, store_dir, 2, [1, 1, 2], [True, False, True])


# -- task 3 --------------------------------------------------------------------------
def threaded_sale(learner: Learner, folder: Path | None, stock: int, buyers: list[int]) -> None:
    path = make_store(learner, stock, folder)
    call = f"{len(buyers)} calls to buy from {THREADS} threads, stock {stock}"
    records = learner.run(act_threads, path, buyers, THREADS, call=call).value()
    answers = check_calls(f"one of {call}", buyers, records)
    check_sale(call, path, buyers, answers, stock)


@pytest.mark.task(3)
def test_threads_sell_exactly_the_stock(learner, store_dir):
    """1,000 buyers in 32 threads compete for 100 pairs: exactly 100 sold, never below 0"""
    threaded_sale(learner, store_dir, 100, list(range(1, 1001)))


@pytest.mark.task(3)
def test_threads_serve_everyone_when_stock_suffices(learner, store_dir):
    """150 buyers in 32 threads, 150 pairs: every buyer waits their turn and gets True"""
    threaded_sale(learner, store_dir, 150, list(range(1, 151)))


@pytest.mark.task(3)
def test_threads_repeat_buyers(learner, store_dir):
    """60 buyers each clicking 4 times at once: one pair each, no more"""
    buyers = [buyer for buyer in range(1, 61) for _ in range(4)]
    random.Random(30).shuffle(buyers)
    threaded_sale(learner, store_dir, 100, buyers)


# -- task 4 --------------------------------------------------------------------------
def process_sale(learner: Learner, folder: Path | None, stock: int, buyers: list[int]) -> None:
    path = make_store(learner, stock, folder)
    call = f"{len(buyers)} calls to buy from {PROCESSES} processes, stock {stock}"
    records = learner.run(act_processes, path, buyers, PROCESSES, call=call).value()
    answers = check_calls(f"one of {call}", buyers, records)
    check_sale(call, path, buyers, answers, stock)


@pytest.mark.task(4)
def test_processes_sell_exactly_the_stock(learner, store_dir):
    """1,000 buyers in 6 processes compete for 100 pairs: exactly 100 sold, never below 0"""
    process_sale(learner, store_dir, 100, list(range(1, 1001)))


@pytest.mark.task(4)
def test_processes_serve_everyone_when_stock_suffices(learner, store_dir):
    """120 buyers in 6 processes, 120 pairs: every buyer gets True"""
    process_sale(learner, store_dir, 120, list(range(1, 121)))


@pytest.mark.task(4)
def test_processes_race_for_the_last_pair(learner, store_dir):
    """6 processes click at the same instant for the last pair, 8 rounds: one winner each"""
    paths = [make_store(learner, 1, store_dir) for _ in range(8)]
    call = f"{PROCESSES} processes call buy at the same instant, 1 pair left"
    report = learner.run(act_last_pair_rounds, paths, PROCESSES, call=call + ", 8 rounds").value()
    for number, (path, sale) in enumerate(zip(paths, report, strict=True), start=1):
        buyers, label = sale["buyers"], f"{call} (round {number})"
        answers = check_calls(f"one of {label}", buyers, sale["records"])
        check_sale(label, path, buyers, answers, 1)
