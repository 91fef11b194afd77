"""Grader for ch30/transfer_rollback: atomic transfers that commit or change nothing."""

from __future__ import annotations

import itertools
import random
import sqlite3
from contextlib import closing

import pytest

from graders.acts import attempt
from graders.harness import GradeFailure, Learner, Outcome

EXERCISE = "ch30/transfer_rollback"
START = {"Alice": 1000, "Bob": 500}
_bank_numbers = itertools.count(1)


# -- the judge's own view of the database ------------------------------------------
def make_bank(learner: Learner, accounts: dict[str, int] = START, *extra_sql: str) -> str:
    path = learner.workdir / f"bank-{next(_bank_numbers)}.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(
            "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
            " balance INTEGER NOT NULL)"
        )
        conn.executemany("INSERT INTO accounts (name, balance) VALUES (?, ?)", accounts.items())
        for sql in extra_sql:
            conn.execute(sql)
    return str(path)


# A database rule the learner's code does not know about: crediting "Frozen" fails inside
# SQLite, AFTER the debit has already run in the same transaction.
FROZEN_TRIGGER = (
    "CREATE TRIGGER frozen BEFORE UPDATE OF balance ON accounts"
    " WHEN NEW.name = 'Frozen' BEGIN SELECT RAISE(ABORT, 'account Frozen is frozen'); END"
)


def committed(path: str) -> dict[str, int]:
    """Balances as a second connection sees them: only committed data."""
    with closing(sqlite3.connect(path)) as conn:
        return dict(conn.execute("SELECT name, balance FROM accounts"))


# -- acts: run inside the sandbox, next to the learner's code ----------------------
def act_get_balances(module, path):
    with closing(sqlite3.connect(path)) as conn:
        return attempt(module.get_balances, conn)


def act_transfers(module, path, transfers):
    """Run transfers on one connection, recording what each did and what it left behind."""
    steps = []
    with closing(sqlite3.connect(path)) as conn:
        for sender, recipient, amount in transfers:
            record = attempt(module.transfer, conn, sender, recipient, amount)
            record["open_transaction"] = conn.in_transaction
            record["same_connection"] = dict(conn.execute("SELECT name, balance FROM accounts"))
            steps.append(record)
    return steps


# -- helpers for the judge ---------------------------------------------------------
def describe(sender: str, recipient: str, amount: int) -> str:
    return f"transfer(conn, {sender!r}, {recipient!r}, {amount!r})"


def run_transfers(learner: Learner, path: str, transfers: list[tuple[str, str, int]]) -> list[dict]:
    calls = "; ".join(describe(*t) for t in transfers)
    return learner.run(act_transfers, path, transfers, call=calls).value("the transfers to run")


def step_outcome(transfer: tuple[str, str, int], step: dict) -> Outcome:
    return Outcome.from_attempt(describe(*transfer), step)


def expect_unchanged(transfer: tuple[str, str, int], step: dict, path: str, before: dict) -> None:
    call = describe(*transfer)
    if step["same_connection"] != before:
        raise GradeFailure(
            f"Called:   {call}\nThen:     the same connection reads {step['same_connection']}\n"
            f"Expected: balances unchanged, {before}\n"
            "Why:      a refused transfer must roll back whatever it had already changed"
        )
    if step["open_transaction"]:
        raise GradeFailure(
            f"Called:   {call}\n"
            "Then:     conn.in_transaction is True (a transaction was left open)\n"
            "Expected: the failed transaction rolled back, nothing pending"
        )
    if committed(path) != before:
        raise GradeFailure(
            f"Called:   {call}\nThen:     a second connection reads {committed(path)}\n"
            f"Expected: balances unchanged, {before}"
        )


# -- task 1 --------------------------------------------------------------------------
@pytest.mark.task(1)
def test_get_balances_reads_every_account(learner):
    """get_balances returns {name: balance} for Alice and Bob"""
    path = make_bank(learner)
    record = learner.run(act_get_balances, path, call="get_balances(conn)").value()
    Outcome.from_attempt("get_balances(conn)", record).expect({"Alice": 1000, "Bob": 500})


@pytest.mark.task(1)
def test_get_balances_reads_any_accounts(learner):
    """get_balances works for other names and amounts, including a zero balance"""
    accounts = {"Carol": 0, "Dan": 42, "Erin": 7_000_000}
    path = make_bank(learner, accounts)
    record = learner.run(act_get_balances, path, call="get_balances(conn)").value()
    Outcome.from_attempt("get_balances(conn)", record).expect(accounts)


# -- task 2 --------------------------------------------------------------------------
@pytest.mark.task(2)
def test_transfer_moves_money_and_returns_new_balances(learner):
    """transfer moves the amount and returns the new balances"""
    path = make_bank(learner)
    transfer = ("Alice", "Bob", 100)
    (step,) = run_transfers(learner, path, [transfer])
    step_outcome(transfer, step).expect({"Alice": 900, "Bob": 600})


@pytest.mark.task(2)
def test_transfer_is_committed(learner):
    """after a transfer, a second connection sees the new balances (it was committed)"""
    path = make_bank(learner)
    transfer = ("Bob", "Alice", 250)
    (step,) = run_transfers(learner, path, [transfer])
    step_outcome(transfer, step).value()
    seen = committed(path)
    if seen != {"Alice": 1250, "Bob": 250} or step["open_transaction"]:
        raise GradeFailure(
            f"Called:   {describe(*transfer)}\nThen:     a second connection reads {seen}\n"
            "Expected: {'Alice': 1250, 'Bob': 250}\n"
            "Why:      without conn.commit() (or `with conn:`) the change stays private and is "
            "lost when the connection closes"
        )


@pytest.mark.task(2)
def test_transfer_of_the_whole_balance(learner):
    """sending exactly everything you have is allowed and leaves 0"""
    path = make_bank(learner)
    transfer = ("Bob", "Alice", 500)
    (step,) = run_transfers(learner, path, [transfer])
    step_outcome(transfer, step).value("a successful transfer")
    if committed(path) != {"Alice": 1500, "Bob": 0}:
        raise GradeFailure(
            f"Called:   {describe(*transfer)}\nThen:     a second connection reads "
            f"{committed(path)}\nExpected: {{'Alice': 1500, 'Bob': 0}}\n"
            "Why:      a sender may send exactly what it has (balance >= amount)"
        )


@pytest.mark.task(2)
def test_names_with_quotes(learner):
    """names containing quotes work (values are passed as SQL parameters)"""
    accounts = {"O'Brien": 300, 'Robert"); DROP TABLE accounts;--': 10, "Alice": 5}
    path = make_bank(learner, accounts)
    transfer = ("O'Brien", 'Robert"); DROP TABLE accounts;--', 120)
    (step,) = run_transfers(learner, path, [transfer])
    expected = {"O'Brien": 180, 'Robert"); DROP TABLE accounts;--': 130, "Alice": 5}
    step_outcome(transfer, step).value(
        "a successful transfer (build SQL with ? placeholders, not f-strings)"
    )
    if committed(path) != expected:
        raise GradeFailure(
            f"Called:   {describe(*transfer)}\nThen:     a second connection "
            f"reads {committed(path)}\nExpected: {expected}"
        )


@pytest.mark.task(2)
def test_other_accounts_are_untouched(learner):
    """only the two accounts named change; the result lists every account"""
    accounts = {"Alice": 1000, "Bob": 500, "Carol": 77}
    path = make_bank(learner, accounts)
    transfer = ("Alice", "Carol", 1)
    (step,) = run_transfers(learner, path, [transfer])
    step_outcome(transfer, step).value("a successful transfer")
    if step["same_connection"] != {"Alice": 999, "Bob": 500, "Carol": 78}:
        raise GradeFailure(
            f"Called:   {describe(*transfer)}\nThen:     the table holds "
            f"{step['same_connection']}\nExpected: {{'Alice': 999, 'Bob': 500, 'Carol': 78}}"
        )


# -- task 3 --------------------------------------------------------------------------
REFUSED = [
    pytest.param(("Bob", "Alice", 501), id="insufficient_funds"),
    pytest.param(("Mallory", "Bob", 10), id="unknown_sender"),
    pytest.param(("Alice", "Nobody", 10), id="unknown_recipient"),
    pytest.param(("Alice", "Bob", 0), id="zero_amount"),
    pytest.param(("Alice", "Bob", -50), id="negative_amount"),
]


@pytest.mark.task(3)
@pytest.mark.parametrize("transfer", REFUSED)
def test_bad_transfer_raises_and_changes_nothing(learner, transfer):
    """a transfer that cannot happen raises ValueError and leaves every balance as it was"""
    path = make_bank(learner)
    (step,) = run_transfers(learner, path, [transfer])
    step_outcome(transfer, step).expect_raises(ValueError)
    expect_unchanged(transfer, step, path, START)


@pytest.mark.task(3)
def test_database_error_midway_rolls_back(learner):
    """SQLite refuses the credit after the debit ran: transfer raises and the debit is undone"""
    accounts = {"Alice": 1000, "Frozen": 50}
    path = make_bank(learner, accounts, FROZEN_TRIGGER)
    transfer = ("Alice", "Frozen", 10)
    (step,) = run_transfers(learner, path, [transfer])
    outcome = step_outcome(transfer, step)
    if not (outcome.raised(ValueError) or outcome.raised(sqlite3.DatabaseError)):
        raise outcome.fail(
            "ValueError, or the database's own error (sqlite3.IntegrityError) passed on",
            note="a trigger on this database refuses any change to Frozen's balance",
        )
    call = describe(*transfer) + "   # a trigger refuses to credit Frozen"
    if step["same_connection"] != accounts or step["open_transaction"]:
        raise GradeFailure(
            f"Called:   {call}\nRaised:   {step.get('raised')}: {step.get('message')}\n"
            f"Then:     the same connection reads {step['same_connection']}"
            + (", with a transaction still open" if step["open_transaction"] else "")
            + f"\nExpected: {accounts}, nothing pending\n"
            "Why:      the debit had already run when the credit failed; only a rollback on "
            "ANY exception (`with conn:`, or except: conn.rollback(); raise) takes it back"
        )
    if committed(path) != accounts:
        raise GradeFailure(
            f"Called:   {call}\nThen:     a second connection reads {committed(path)}\n"
            f"Expected: {accounts}"
        )


# -- task 4 --------------------------------------------------------------------------
@pytest.mark.task(4)
def test_failure_does_not_undo_earlier_success(learner):
    """a failed transfer never undoes an earlier successful one"""
    path = make_bank(learner)
    transfers = [("Alice", "Bob", 300), ("Bob", "Alice", 10_000)]
    first, second = run_transfers(learner, path, transfers)
    step_outcome(transfers[0], first).value("a successful transfer")
    step_outcome(transfers[1], second).expect_raises(ValueError)
    expect_unchanged(transfers[1], second, path, {"Alice": 700, "Bob": 800})


@pytest.mark.task(4)
def test_refused_transfer_is_not_committed_later(learner):
    """a refused transfer's half-done work is not committed by the next transfer"""
    path = make_bank(learner)
    transfers = [("Alice", "Nobody", 10), ("Alice", "Bob", 1)]
    _, second = run_transfers(learner, path, transfers)
    step_outcome(transfers[1], second).value("a successful transfer")
    if committed(path) != {"Alice": 999, "Bob": 501}:
        raise GradeFailure(
            f"Called:   {describe(*transfers[0])}; {describe(*transfers[1])}\n"
            f"Then:     a second connection reads {committed(path)}\n"
            "Expected: {'Alice': 999, 'Bob': 501}\n"
            "Why:      the refused transfer must be rolled back, or the next commit saves its "
            "debit"
        )


@pytest.mark.task(4)
def test_money_is_conserved_over_many_transfers(learner):
    """over 60 mixed transfers, good and bad, every balance matches the bookkeeping"""
    rng = random.Random(30)
    names = ["Alice", "Bob", "Carol", "Dan"]
    balances = {"Alice": 400, "Bob": 300, "Carol": 200, "Dan": 100}
    path = make_bank(learner, dict(balances))
    transfers = []
    for _ in range(60):
        sender = rng.choice([*names, "Ghost"])
        recipient = rng.choice([name for name in names if name != sender])
        transfers.append((sender, recipient, rng.randint(-20, 250)))
    steps = run_transfers(learner, path, transfers)
    for transfer, step in zip(transfers, steps, strict=True):
        sender, recipient, amount = transfer
        if amount > 0 and sender in balances and balances[sender] >= amount:
            balances[sender] -= amount
            balances[recipient] += amount
            # Judged on the table (read by the act's own SELECT), not on the return value:
            # that is get_balances' job, graded in tasks 1 and 2.
            outcome = step_outcome(transfer, step)
            outcome.value("a successful transfer")
            if step["same_connection"] != balances:
                raise outcome.fail(
                    f"the table to hold {balances}",
                    got=f"Then:     the table holds {step['same_connection']}",
                )
        else:
            step_outcome(transfer, step).expect_raises(ValueError)
    if sum(committed(path).values()) != 1000 or committed(path) != balances:
        raise GradeFailure(
            f"After:    60 transfers\nThen:     a second connection reads {committed(path)}\n"
            f"Expected: {balances} (total 1000)"
        )
