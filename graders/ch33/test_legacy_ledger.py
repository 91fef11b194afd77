"""Grader for ch33/legacy_ledger: the audit is checked by attacking each fixed function.

* Search: real SQL injection payloads must return only rows whose memo really contains
  the text, never the secret table, and every table must survive.
* HTML: XSS payloads are rendered, and the output is parsed here with ``html.parser``;
  the page must contain exactly one ``<li>`` with the right attributes and text (so any
  correct escaping passes: ``&#34;`` and ``&quot;`` alike, and double escaping fails).
* API keys: timing is never measured (too noisy to grade). Instead the act wraps
  ``hmac.compare_digest`` (also reachable as ``secrets.compare_digest`` or imported by
  name into the module) with a recorder, and the results must be exact bools.
* Payments: the judge injects a failing INSERT (a trigger, or the memo CHECK) and checks
  that the debit was rolled back, from the same and from a second connection.
* The blocking call: the act starts the learner's ``serve_ledger`` on loopback with a
  receipt function that blocks until the act releases it, sends a payment, and while that
  receipt is held sends a search. The verdict is an ordering, not a stopwatch: did the
  search get its answer while the receipt was still held? A server that blocks cannot
  answer until the release, however long the act waits; a free one answers in
  milliseconds, so the generous ANSWER_WAIT only bounds the failing case.

Fair points for code that starts out working. The stub is the vulnerable service, and it
already does much of what honest callers need: it finds "coffee", renders a plain memo,
accepts the right key, records a payment. Those checks matter (a fix must not break them),
but passing them is not an achievement of the learner's: the untouched file would earn
points for the audit it never made. So each task's "still works for honest callers" tests
count only once that task's finding is fixed, as shown by the task's core attack (the
FIX_GATES below: the classic ``' OR '1'='1' --`` search, a ``<script>`` memo, the key check
going through compare_digest, a failing INSERT rolling back the debit, a search answered
while a receipt is held). A fix that breaks honest use still loses only the tests it
breaks; a task whose finding is still open earns nothing, which is what the task asks.
Gates never reach across tasks: a finding left open costs only its own task.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import http.client
import itertools
import json
import secrets
import sqlite3
import threading
from contextlib import closing
from html.parser import HTMLParser
from pathlib import Path

import pytest

from graders.acts import attempt
from graders.harness import GradeFailure, Learner, Outcome

EXERCISE = "ch33/legacy_ledger"
_db_numbers = itertools.count(1)

SCHEMA = """
CREATE TABLE accounts (
    id      INTEGER PRIMARY KEY,
    name    TEXT    NOT NULL UNIQUE,
    balance INTEGER NOT NULL CHECK (balance >= 0)
);
CREATE TABLE entries (
    id      INTEGER PRIMARY KEY,
    account TEXT    NOT NULL,
    amount  INTEGER NOT NULL,
    memo    TEXT    NOT NULL CHECK (memo <> '')
);
CREATE TABLE api_secrets (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL,
    secret TEXT NOT NULL
);
"""
SECRET = "sk_live_TOP_SECRET_4242"
ACCOUNTS = {"Alice": 10_000, "Bob": 500, "O'Brien": 300}
ENTRIES = [  # (account, amount, memo); ids are 1, 2, 3... in this order
    ("Alice", -450, "Coffee beans"),
    ("Bob", -120, "coffee with O'Reilly"),
    ("Alice", -2000, "Office chairs, 50% off"),
    ("Bob", -500, "500 pens"),
    ("Alice", -75, "file_name.txt backup"),
    ("Alice", -80, "filename.txt backup"),
    ("O'Brien", -10, "C:\\temp\\log cleanup"),
    ("Bob", -1, "note: ' OR '1'='1"),
    ("Alice", -99, "Café crème"),
    ("Bob", -3, "<script>alert(1)</script>"),
]
ROWS = [
    {"id": number, "account": account, "amount": amount, "memo": memo}
    for number, (account, amount, memo) in enumerate(ENTRIES, start=1)
]


# -- the judge's own database ------------------------------------------------------
def make_ledger(
    learner: Learner,
    accounts: dict[str, int] = ACCOUNTS,
    entries: list[tuple[str, int, str]] = ENTRIES,
    extra_sql: str = "",
) -> str:
    path = learner.workdir / f"ledger-{next(_db_numbers)}.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(SCHEMA + extra_sql)
        with conn:
            conn.executemany("INSERT INTO accounts (name, balance) VALUES (?, ?)", accounts.items())
            conn.executemany(
                "INSERT INTO entries (account, amount, memo) VALUES (?, ?, ?)", entries
            )
            conn.execute("INSERT INTO api_secrets (name, secret) VALUES ('payments', ?)", (SECRET,))
    return str(path)


def snapshot(path: str) -> dict:
    """Everything in the database, as a second connection sees it (committed data only)."""
    with closing(sqlite3.connect(path)) as conn:
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        state = {"tables": sorted(tables)}
        for table in ("accounts", "entries", "api_secrets"):
            if table in tables:
                state[table] = conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
        return state


def matching(text: str) -> list[dict]:
    """The rows a correct search returns: memo contains text, ASCII case ignored, by id."""
    return [row for row in ROWS if text.lower() in row["memo"].lower()]


# -- acts: run inside the sandbox, next to the learner's code ----------------------
def act_search(module, path, text):
    with closing(sqlite3.connect(path)) as conn:
        return attempt(module.search_entries, conn, text)


def act_render(module, entry):
    record = attempt(module.render_entry_html, entry)
    value = record.get("returned")
    if isinstance(value, str):  # a markupsafe.Markup is a str subclass: send its text
        record["returned"] = str.__str__(value)
    return record


def act_check_keys(module, pairs):
    """Call check_api_key for each (given, expected), recording compare_digest calls."""
    original = hmac.compare_digest
    calls = []

    def recording_compare_digest(a, b):
        calls.append(1)
        return original(a, b)

    hmac.compare_digest = recording_compare_digest
    secrets.compare_digest = recording_compare_digest
    for name, value in list(vars(module).items()):
        if value is original:  # `from hmac import compare_digest` and friends
            setattr(module, name, recording_compare_digest)
    results = []
    for given, expected in pairs:
        before = len(calls)
        record = attempt(module.check_api_key, given, expected)
        record["compare_digest_calls"] = len(calls) - before
        results.append(record)
    return results


def act_payments(module, path, payments):
    """Run payments on one connection, recording results and what each left behind."""
    steps = []
    with closing(sqlite3.connect(path)) as conn:
        for account, amount, memo in payments:
            record = attempt(module.record_payment, conn, account, amount, memo)
            record["open_transaction"] = conn.in_transaction
            record["balances"] = dict(conn.execute("SELECT name, balance FROM accounts"))
            record["entries"] = conn.execute(
                "SELECT account, amount, memo FROM entries ORDER BY id"
            ).fetchall()
            steps.append(record)
    return steps


# -- task 1: SQL injection in search_entries ---------------------------------------
def search(learner: Learner, path: str, text: str) -> Outcome:
    call = f"search_entries(conn, {text!r})"
    record = learner.run(act_search, path, text, call=call).value()
    return Outcome.from_attempt(call, record)


def expect_search(learner: Learner, text: str, note: str = "", *, gated: bool = False) -> None:
    if gated:
        requires_fix(learner, 1)
    path = make_ledger(learner)
    before = snapshot(path)
    outcome = search(learner, path, text)
    if outcome.returned and SECRET in repr(outcome.reply.value):
        raise outcome.fail(
            "only ledger entries, never rows from another table",
            note="the search text became SQL and read the api_secrets table (UNION SELECT)",
        )
    outcome.expect(matching(text), note=note)
    after = snapshot(path)
    if after != before:
        raise GradeFailure(
            f"Called:   search_entries(conn, {text!r})\n"
            f"Then:     the database changed: tables are now {after['tables']}\n"
            "Expected: a search never changes the database"
        )


@pytest.mark.task(1)
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("coffee", id="ignores_case"),
        pytest.param("backup", id="two_matches"),
        pytest.param("Café", id="non_ascii"),
        pytest.param("no such memo", id="no_match"),
    ],
)
def test_search_finds_matching_memos(learner, text):
    """search_entries returns every entry whose memo contains the text, ordered by id"""
    expect_search(learner, text, gated=True)


@pytest.mark.task(1)
def test_search_text_with_a_quote(learner):
    """searching for O'Reilly works (a quote in the text is just a character)"""
    expect_search(learner, "O'Reilly", note="pass the text as a parameter: WHERE memo LIKE ?")


@pytest.mark.task(1)
def test_empty_search_lists_everything(learner):
    """an empty search text matches every entry"""
    expect_search(learner, "", gated=True)


PAYLOADS = [
    pytest.param("' OR '1'='1' --", id="or_1_equals_1"),
    pytest.param("' OR 1=1 /*", id="open_comment"),
    pytest.param("coffee%' --", id="comment_out_the_rest"),
    pytest.param("%' UNION SELECT id, name, 0, secret FROM api_secrets --", id="union_select"),
    pytest.param(
        "x' UNION SELECT 1, name, 2, secret FROM api_secrets WHERE '%'='",
        id="union_select_no_comment",
    ),
    pytest.param("'; DROP TABLE entries; --", id="drop_table"),
    pytest.param("' OR '1'='1", id="payload_stored_in_a_memo"),
]


@pytest.mark.task(1)
@pytest.mark.parametrize("text", PAYLOADS)
def test_search_resists_sql_injection(learner, text):
    """SQL injection payloads only find memos that really contain them; tables survive"""
    expect_search(
        learner,
        text,
        note="the text must stay data: pass it as a parameter (?), never inside the SQL string",
    )


@pytest.mark.task(1)
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("50%", id="percent"),
        pytest.param("%", id="lone_percent"),
        pytest.param("_", id="underscore"),
        pytest.param("e_n", id="underscore_inside"),
        pytest.param("\\", id="backslash"),
        pytest.param("\\t", id="backslash_letter"),
    ],
)
def test_percent_and_underscore_are_literal(learner, text):
    """% and _ in the search text match only themselves, not any characters"""
    expect_search(
        learner,
        text,
        note="in LIKE, % and _ are wildcards: escape them (and the escape character) "
        "with LIKE ? ESCAPE '\\', or search without LIKE",
        gated=True,
    )


# -- task 2: XSS in render_entry_html ------------------------------------------------
class _PageEvents(HTMLParser):
    """What a browser would build from the markup: tags, attributes and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.events.append(("start tag", tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.events.append(("empty tag", tag, attrs))

    def handle_endtag(self, tag):
        self.events.append(("end tag", tag))

    def handle_data(self, data):
        if self.events and self.events[-1][0] == "text":
            self.events[-1] = ("text", self.events[-1][1] + data)
        else:
            self.events.append(("text", data))

    def handle_comment(self, data):
        self.events.append(("comment", data))

    def handle_decl(self, decl):
        self.events.append(("declaration", decl))

    def unknown_decl(self, data):
        self.events.append(("declaration", data))

    def handle_pi(self, data):
        self.events.append(("processing instruction", data))


def page_events(markup: str) -> list[tuple]:
    parser = _PageEvents()
    parser.feed(markup)
    parser.close()
    return parser.events


def expect_safe_html(learner: Learner, entry: dict, note: str) -> None:
    call = f"render_entry_html({entry!r})"
    record = learner.run(act_render, entry, call=call).value()
    outcome = Outcome.from_attempt(call, record)
    markup = outcome.expect_that(lambda v: type(v) is str, "a str of HTML")
    account, amount, memo = entry["account"], entry["amount"], entry["memo"]
    expected = [
        ("start tag", "li", [("class", "entry"), ("title", memo)]),
        ("text", f"{account} {amount}: {memo}"),
        ("end tag", "li"),
    ]
    seen = page_events(markup)
    if seen != expected:
        shown = "\n          ".join(repr(event) for event in seen)
        wanted = "\n          ".join(repr(event) for event in expected)
        raise GradeFailure(
            f"Called:   {call}\nReturned: {markup!r}\n"
            f"A browser reads it as:\n          {shown}\n"
            f"Expected: exactly one <li> showing the text as text:\n          {wanted}\n"
            f"Why:      {note}"
        )


@pytest.mark.task(2)
def test_plain_entry_renders_unchanged(learner):
    """an entry without special characters renders as the documented <li>"""
    requires_fix(learner, 2)
    entry = {"account": "Alice", "amount": -450, "memo": "Coffee beans"}
    call = f"render_entry_html({entry!r})"
    record = learner.run(act_render, entry, call=call).value()
    Outcome.from_attempt(call, record).expect(
        '<li class="entry" title="Coffee beans">Alice -450: Coffee beans</li>'
    )


XSS = [
    pytest.param("Alice", "<script>alert(document.cookie)</script>", id="script_tag"),
    pytest.param("Alice", '" onmouseover="alert(1)', id="break_out_of_attribute"),
    pytest.param("Bob", '"><img src=x onerror=alert(1)>', id="img_onerror"),
    pytest.param("<img src=x onerror=alert(1)>", "harmless memo", id="evil_account_name"),
    pytest.param("Mallory", "</li><li>fake entry", id="close_the_tag"),
    pytest.param("Tom & Jerry", "5 &lt; 6 &amp; AT&T", id="ampersands"),
    pytest.param("O'Brien", "it's 'quoted' \"twice\"", id="quotes"),
]


@pytest.mark.task(2)
@pytest.mark.parametrize(("account", "memo"), XSS)
def test_render_escapes_xss_payloads(learner, account, memo):
    """XSS payloads in the memo or account come out escaped: shown as text, never run"""
    expect_safe_html(
        learner,
        {"account": account, "amount": -7, "memo": memo},
        note="escape every value exactly once, quotes included (markupsafe.escape or "
        "html.escape); unescaped text becomes tags and attributes",
    )


# -- task 3: constant-time API key check ---------------------------------------------
KEY = "k-7f3a9c2e51d04b68"


def check_keys(learner: Learner, pairs: list[tuple[str, str]]) -> list[tuple[Outcome, dict]]:
    calls = "; ".join(f"check_api_key({g!r}, {e!r})" for g, e in pairs)
    records = learner.run(act_check_keys, pairs, call=calls).value()
    return [
        (Outcome.from_attempt(f"check_api_key({g!r}, {e!r})", record), record)
        for (g, e), record in zip(pairs, records, strict=True)
    ]


@pytest.mark.task(3)
def test_right_key_is_accepted(learner):
    """the right key gives True (a real bool)"""
    requires_fix(learner, 3)
    ((outcome, _),) = check_keys(learner, [(KEY, KEY)])
    outcome.expect(True)


@pytest.mark.task(3)
@pytest.mark.parametrize(
    "given",
    [
        pytest.param("k-7f3a9c2e51d04b69", id="last_character_wrong"),
        pytest.param("x-7f3a9c2e51d04b68", id="first_character_wrong"),
        pytest.param("k-7f3a9c2e", id="prefix_of_the_key"),
        pytest.param(KEY + "0", id="key_plus_extra"),
        pytest.param(KEY.upper(), id="wrong_case"),
        pytest.param("", id="empty"),
        pytest.param("clé-secrète-ü", id="non_ascii_text"),
    ],
)
def test_wrong_key_is_refused(learner, given):
    """a wrong key (wrong letter, prefix, longer, empty, non-ASCII) gives False, no error"""
    requires_fix(learner, 3)
    ((outcome, _),) = check_keys(learner, [(given, KEY)])
    outcome.expect(
        False,
        note="hmac.compare_digest refuses str with non-ASCII characters: compare "
        "given.encode('utf-8') with expected.encode('utf-8')",
    )


@pytest.mark.task(3)
def test_no_configured_key_refuses_everything(learner):
    """with no key configured (expected is empty), even an empty key gives False"""
    ((outcome, _),) = check_keys(learner, [("", "")])
    outcome.expect(False, note="an empty expected key means no key is set: refuse every caller")


@pytest.mark.task(3)
def test_keys_are_compared_in_constant_time(learner):
    """the decision is made by hmac.compare_digest (checked by wrapping it), not by =="""
    pairs = [(KEY, KEY), ("k-7f3a9c2e51d04b00", KEY)]
    for (outcome, record), expected in zip(check_keys(learner, pairs), [True, False], strict=True):
        outcome.expect(expected)
        if record["compare_digest_calls"] == 0:
            raise outcome.fail(
                "hmac.compare_digest (or secrets.compare_digest) to be called",
                got="Then:     the key was compared without hmac.compare_digest",
                note="== returns sooner the earlier a character differs, and that timing "
                "leaks the key; compare_digest always takes the same time",
            )


# -- task 4: atomic record_payment -----------------------------------------------------
FAILING_INSERT = """
CREATE TRIGGER entries_insert_fails BEFORE INSERT ON entries
WHEN NEW.memo LIKE '%FAIL%'
BEGIN
    SELECT RAISE(ABORT, 'injected failure: the ledger disk is full');
END;
"""


TRIGGER_NOTE = "  [a trigger added by the grader makes this INSERT fail]"


def run_payments(learner: Learner, path: str, payments: list[tuple[str, int, str]]) -> list[dict]:
    calls = "; ".join(describe(*p) for p in payments)
    return learner.run(act_payments, path, payments, call=calls).value("the payments to run")


def describe(account: str, amount: int, memo: str) -> str:
    return f"record_payment(conn, {account!r}, {amount!r}, {memo!r})"


def committed(path: str) -> tuple[dict, list]:
    state = snapshot(path)
    return (
        dict((name, balance) for _, name, balance in state["accounts"]),
        [(account, amount, memo) for _, account, amount, memo in state["entries"]],
    )


def expect_nothing_changed(
    payment: tuple, step: dict, path: str, before: tuple, context: str = ""
) -> None:
    call = describe(*payment) + context
    outcome = Outcome.from_attempt(call, step)
    outcome.expect_raises(Exception, note="a failed payment must not be swallowed: let it raise")
    balances, entries = before
    if step["balances"] != balances or step["entries"] != entries:
        raise GradeFailure(
            f"Called:   {call}\nThen:     the same connection reads balances {step['balances']}"
            f" and {len(step['entries'])} entries\n"
            f"Expected: balances {balances} and {len(entries)} entries, as before\n"
            "Why:      the debit and the entry are one transaction: when the INSERT fails, "
            "the debit must be rolled back too"
        )
    if step["open_transaction"]:
        raise GradeFailure(
            f"Called:   {call}\nThen:     conn.in_transaction is True\n"
            "Expected: the failed transaction rolled back, nothing pending\n"
            "Why:      a failed statement leaves its transaction open (and the database "
            "locked); roll it back, as `with conn:` does when an exception leaves it"
        )
    if committed(path) != before:
        seen_balances, seen_entries = committed(path)
        raise GradeFailure(
            f"Called:   {call}\nThen:     a second connection reads balances {seen_balances}"
            f" and {len(seen_entries)} entries\n"
            f"Expected: balances {balances} and {len(entries)} entries, as before\n"
            "Why:      the debit was committed on its own before the INSERT failed"
        )


@pytest.mark.task(4)
def test_payment_debits_and_records(learner):
    """a payment debits the account, writes the entry, commits both and returns the balance"""
    requires_fix(learner, 4)
    path = make_ledger(learner, entries=[])
    payment = ("Alice", 1250, "Laptop")
    (step,) = run_payments(learner, path, [payment])
    Outcome.from_attempt(describe(*payment), step).expect(8750)
    expected = ({"Alice": 8750, "Bob": 500, "O'Brien": 300}, [("Alice", -1250, "Laptop")])
    if committed(path) != expected or step["open_transaction"]:
        raise GradeFailure(
            f"Called:   {describe(*payment)}\nThen:     a second connection reads "
            f"{committed(path)}\nExpected: {expected}\n"
            "Why:      both changes must be committed"
        )


@pytest.mark.task(4)
def test_failing_insert_rolls_back_the_debit(learner):
    """when the entry INSERT fails (injected by a trigger), the debit is undone too"""
    path = make_ledger(learner, entries=[], extra_sql=FAILING_INSERT)
    before = committed(path)
    payment = ("Alice", 1000, "rent FAIL")
    (step,) = run_payments(learner, path, [payment])
    expect_nothing_changed(payment, step, path, before, context=TRIGGER_NOTE)


@pytest.mark.task(4)
def test_check_constraint_failure_rolls_back(learner):
    """an empty memo breaks the entries CHECK: the payment raises and nothing changes"""
    path = make_ledger(learner, entries=[])
    before = committed(path)
    payment = ("Bob", 100, "")
    (step,) = run_payments(learner, path, [payment])
    expect_nothing_changed(payment, step, path, before, context="  [CHECK (memo <> '') fails]")


@pytest.mark.task(4)
def test_overdraft_changes_nothing(learner):
    """paying more than the balance raises (the balance CHECK) and changes nothing"""
    path = make_ledger(learner, entries=[])
    before = committed(path)
    payment = ("O'Brien", 301, "Too much")
    (step,) = run_payments(learner, path, [payment])
    expect_nothing_changed(
        payment, step, path, before, context="  [O'Brien has 300: CHECK (balance >= 0) fails]"
    )


@pytest.mark.task(4)
def test_failure_is_not_committed_by_the_next_payment(learner):
    """after a failed payment, the next good one commits only its own debit and entry"""
    path = make_ledger(learner, entries=[], extra_sql=FAILING_INSERT)
    payments = [("Bob", 200, "FAIL: printer"), ("Bob", 50, "Paper")]
    first, second = run_payments(learner, path, payments)
    Outcome.from_attempt(describe(*payments[0]) + TRIGGER_NOTE, first).expect_raises(Exception)
    outcome = Outcome.from_attempt(describe(*payments[1]), second)
    survived = outcome.returned and outcome.reply.value == 250  # 500 - 200 - 50
    outcome.expect(
        450,
        note="250 is 500 minus BOTH debits: the failed payment's debit survived its failed INSERT"
        if survived
        else "",
    )
    expected = ({"Alice": 10_000, "Bob": 450, "O'Brien": 300}, [("Bob", -50, "Paper")])
    if committed(path) != expected:
        raise GradeFailure(
            f"Called:   {describe(*payments[0])}; {describe(*payments[1])}\n"
            f"Then:     a second connection reads {committed(path)}\nExpected: {expected}"
        )


@pytest.mark.task(4)
@pytest.mark.parametrize(
    "payment",
    [
        pytest.param(("Alice", 0, "Nothing"), id="zero_amount"),
        pytest.param(("Alice", -500, "Refund?"), id="negative_amount"),
        pytest.param(("Mallory", 100, "Who?"), id="unknown_account"),
    ],
)
def test_bad_payment_raises_value_error(learner, payment):
    """a payment that is not positive, or for an unknown account, raises ValueError"""
    requires_fix(learner, 4)
    path = make_ledger(learner, entries=[])
    before = committed(path)
    (step,) = run_payments(learner, path, [payment])
    outcome = Outcome.from_attempt(describe(*payment), step)
    outcome.expect_raises(ValueError)
    if committed(path) != before or step["open_transaction"]:
        raise GradeFailure(
            f"Called:   {describe(*payment)}\nThen:     a second connection reads "
            f"{committed(path)}\nExpected: {before}, unchanged and nothing pending"
        )


# -- task 5: a blocking call inside the request handler -----------------------------------
ANSWER_WAIT = 4.0  # seconds the act waits for an answer; a free server needs milliseconds
HOLD = 6.0  # the longest the judge's receipt call blocks, should the act never release it
PAYMENT = {"account": "Alice", "amount": 1250, "memo": "Laptop"}


def _request(port: int, method: str, target: str, body: dict | None, held: threading.Event):
    """One HTTP request; what came back, and whether the receipt was still held by then."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=ANSWER_WAIT)
    try:
        payload = None if body is None else json.dumps(body)
        client.request(method, target, body=payload, headers={"Content-Type": "application/json"})
        reply = client.getresponse()
        data = reply.read()
        answered_while_held = not held.is_set()
        try:
            value = json.loads(data)
        except ValueError:
            value = data.decode("utf-8", "replace")[:200]
        return {"status": reply.status, "body": value, "while_held": answered_while_held}
    except TimeoutError:
        return {"timeout": True}
    except (OSError, http.client.HTTPException) as error:
        return {"error": f"{type(error).__name__}: {error}"}
    finally:
        client.close()


def _judge_search_entries(conn, text):
    """The judge's own search, so that task 5 does not depend on the learner's task 1."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = conn.execute(
        "SELECT id, account, amount, memo FROM entries WHERE memo LIKE ? ESCAPE '\\' ORDER BY id",
        (pattern,),
    ).fetchall()
    return [dict(zip(("id", "account", "amount", "memo"), row, strict=True)) for row in rows]


def _judge_record_payment(conn, account, amount, memo):
    """The judge's own payment, so that task 5 does not depend on the learner's task 4."""
    if amount <= 0:
        raise ValueError("amount must be positive")
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


def act_blocking(module, path):
    """Serve the ledger, hold one payment's receipt, and search while it is held.

    The learner's search_entries and record_payment are swapped for the judge's own while
    the server runs: task 5 is about the handler and the loop, and a mistake in task 1 or
    4 must not cost its points.
    """
    saved = module.search_entries, module.record_payment
    module.search_entries, module.record_payment = _judge_search_entries, _judge_record_payment
    try:
        return _hold_a_receipt(module, path)
    finally:
        module.search_entries, module.record_payment = saved


def _hold_a_receipt(module, path):
    conn = sqlite3.connect(path, check_same_thread=False)
    released = threading.Event()
    receipt_started = threading.Event()
    receipts: list[dict] = []
    loop = asyncio.new_event_loop()
    box: dict = {}
    ready = threading.Event()

    def receipt(account, amount, memo):
        receipts.append(
            {
                "args": [account, amount, memo],
                "on_loop_thread": threading.current_thread() is thread,
            }
        )
        receipt_started.set()
        released.wait(HOLD)

    def run_loop():
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(module.serve_ledger(conn, "127.0.0.1", 0, receipt))
            box["server"], box["port"] = server, server.sockets[0].getsockname()[1]
        except Exception as error:  # reported, never raised out of the thread
            box["error"] = f"{type(error).__name__}: {error}"
        ready.set()
        if "port" in box:
            loop.run_forever()

    thread = threading.Thread(target=run_loop, daemon=True)
    thread.start()
    ready.wait(ANSWER_WAIT)
    if "port" not in box:
        return {"start_error": box.get("error", "serve_ledger did not start")}
    port = box["port"]
    out: dict = {}
    payer = threading.Thread(
        target=lambda: out.update(pay=_request(port, "POST", "/payments", PAYMENT, released))
    )
    payer.start()
    out["receipt_started"] = receipt_started.wait(ANSWER_WAIT)
    out["search"] = _request(port, "GET", "/entries?q=coffee", None, released)
    released.set()
    payer.join(HOLD + ANSWER_WAIT)
    out["receipts"] = receipts

    async def stop():
        box["server"].close()
        await box["server"].wait_closed()

    with contextlib.suppress(Exception):
        asyncio.run_coroutine_threadsafe(stop(), loop).result(ANSWER_WAIT)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(ANSWER_WAIT)
    conn.close()
    return out


SERVE_CALL = (
    "serve_ledger(conn, '127.0.0.1', 0, receipts); POST /payments "
    f"{json.dumps(PAYMENT)}; while its receipts(...) call is held: GET /entries?q=coffee"
)


def serve_and_hold(learner: Learner) -> dict:
    path = make_ledger(learner)
    data = learner.run(act_blocking, path, call=SERVE_CALL).value("the server to run")
    if "start_error" in data:
        raise GradeFailure(
            f"Called:   {SERVE_CALL}\nProblem:  the server did not start: {data['start_error']}"
        )
    return data


def blocking_evidence(data: dict) -> str:
    """Why the search was not answered while the receipt was held ("" if it was)."""
    search = data["search"]
    if search.get("status") == 200 and search.get("while_held"):
        return ""
    if not data["receipt_started"]:
        return "receipts(...) was never called within the wait, so nothing was held"
    on_loop = any(r["on_loop_thread"] for r in data["receipts"])
    if search.get("timeout"):
        seen = f"GET /entries got no answer in {ANSWER_WAIT:g} s while the receipt was held"
        if on_loop:
            seen += (
                "; the receipt call ran on the event loop's own thread, so the loop could "
                "serve nothing else until it returned"
            )
        return seen
    if search.get("status") == 200:
        return "GET /entries was answered only after the receipt had been released"
    return f"GET /entries answered {search}"


def _fix_5(learner: Learner) -> str:
    return blocking_evidence(serve_and_hold(learner))


@pytest.mark.task(5)
def test_other_requests_are_answered_while_a_receipt_is_sent(learner):
    """while one payment's receipt is being sent, a search is answered at once"""
    data = serve_and_hold(learner)
    evidence = blocking_evidence(data)
    if evidence:
        raise GradeFailure(
            f"Called:   {SERVE_CALL}\nGot:      {evidence}\n"
            "Expected: the search answered (200) while the receipt was still being sent\n"
            "Why:      a blocking call inside an async handler holds the one event loop; "
            "run it with `await asyncio.to_thread(receipts, account, amount, memo)`"
        )
    rows = data["search"]["body"]
    wanted = [row for row in ROWS if "coffee" in row["memo"].lower()]
    if rows != wanted:
        raise GradeFailure(
            f"Called:   {SERVE_CALL}\nGot:      GET /entries?q=coffee answered {rows!r}\n"
            f"Expected: {wanted!r}"
        )


@pytest.mark.task(5)
def test_payment_answer_waits_for_its_receipt(learner):
    """the payment sends one receipt (account, amount, memo) and answers after it"""
    data = serve_and_hold(learner)
    evidence = blocking_evidence(data)
    if evidence:
        raise GradeFailure(
            "Not counted yet: this test checks that the fix for task 5 keeps payments and "
            "their receipts right, and it counts once that finding is fixed.\n"
            f"Then:     {evidence}"
        )
    sent = [r["args"] for r in data["receipts"]]
    pay = data.get("pay", {})
    if sent != [[PAYMENT["account"], PAYMENT["amount"], PAYMENT["memo"]]]:
        raise GradeFailure(
            f"Called:   {SERVE_CALL}\nGot:      receipts called with {sent!r}\n"
            "Expected: one call, receipts('Alice', 1250, 'Laptop')"
        )
    if pay.get("status") != 201 or pay.get("body") != {"balance": 8750}:
        raise GradeFailure(
            f"Called:   {SERVE_CALL}\nGot:      POST /payments answered {pay!r}\n"
            "Expected: 201 and {'balance': 8750}"
        )
    if pay.get("while_held"):
        raise GradeFailure(
            f"Called:   {SERVE_CALL}\nGot:      POST /payments was answered while its "
            "receipt was still being sent\nExpected: the answer after the receipt has gone "
            "out\nWhy:      the receipt was started but not awaited; await it "
            "(await asyncio.to_thread(...)) before returning"
        )


# -- the gates: a task's "honest use still works" tests count once its finding is fixed ----
def _fix_1(learner: Learner) -> str:
    text = "' OR '1'='1' --"
    outcome = search(learner, make_ledger(learner), text)
    if outcome.returned and outcome.reply.value == matching(text):
        return ""
    if outcome.returned:
        return f"search_entries(conn, {text!r}) still returns {len(outcome.reply.value)} rows"
    return f"search_entries(conn, {text!r}) raises {outcome.reply.error.get('type')}"


def _fix_2(learner: Learner) -> str:
    entry = {"account": "Alice", "amount": -7, "memo": "<script>alert(1)</script>"}
    record = learner.run(act_render, entry, call=f"render_entry_html({entry!r})").value()
    markup = record.get("returned")
    expected = [
        ("start tag", "li", [("class", "entry"), ("title", entry["memo"])]),
        ("text", f"Alice -7: {entry['memo']}"),
        ("end tag", "li"),
    ]
    if type(markup) is str and page_events(markup) == expected:
        return ""
    return f"render_entry_html({entry!r}) still returns {str(markup)[:120]!r}"


def _fix_3(learner: Learner) -> str:
    ((outcome, record),) = check_keys(learner, [(KEY, KEY)])
    if outcome.returned and record["compare_digest_calls"]:
        return ""
    return "check_api_key still decides without hmac.compare_digest"


def _fix_4(learner: Learner) -> str:
    path = make_ledger(learner, entries=[], extra_sql=FAILING_INSERT)
    before = committed(path)
    run_payments(learner, path, [("Alice", 1000, "rent FAIL")])
    if committed(path) == before:
        return ""
    return (
        "record_payment still commits the debit when its INSERT fails "
        f"(balances now {committed(path)[0]})"
    )


FIX_GATES = {1: _fix_1, 2: _fix_2, 3: _fix_3, 4: _fix_4, 5: _fix_5}


_gate_verdicts: dict[tuple[str, str, int], str] = {}


def requires_fix(learner: Learner, task: int) -> None:
    """Fail as "not counted yet" while the finding of `task` is open (module docstring).

    A gate is judged once per submitted file (keyed by its content), so a function that
    hangs costs one time-out here, not one per gated test.
    """
    source = Path(learner.sandbox.learner_file)
    digest = hashlib.sha256(source.read_bytes()).hexdigest() if source.is_file() else ""
    key = (str(source), digest, task)
    if key not in _gate_verdicts:
        try:
            _gate_verdicts[key] = FIX_GATES[task](learner)
        except GradeFailure as failure:  # the core attack itself crashed or timed out
            _gate_verdicts[key] = " ".join(str(failure).split("\n")[:2])
    evidence = _gate_verdicts[key]
    if evidence:
        raise GradeFailure(
            f"Not counted yet: this test checks that the fix for task {task} keeps honest use "
            "working, and it counts once that finding is fixed.\n"
            f"Then:     {evidence}"
        )
