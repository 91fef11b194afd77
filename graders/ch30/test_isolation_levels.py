"""Grader for ch30/isolation_levels: the standard's isolation table, and two live demos.

Facts are compared with the SQL standard's table (and the documented defaults:
PostgreSQL read committed, MySQL repeatable read, SQLite serializable). For the
demonstrations the judge makes its own SQLite file per call, with random values, and runs
the learner's function in the sandbox with ``sqlite3.connect`` wrapped so that every
connection's statements land, numbered per connection, in one shared log (SQLite's trace
callback reports BEGIN, COMMIT and ROLLBACK too). The judge then checks three things: the
values returned, the order of events in the log (a real interleaving of two connections,
not a story told afterwards), and what the file itself holds after the call.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
import string
from contextlib import closing

import pytest
from hypothesis import strategies as st

from graders.acts import attempt
from graders.differential import agree
from graders.harness import GradeFailure, Learner, Outcome

EXERCISE = "ch30/isolation_levels"
_file_numbers = itertools.count(1)

LEVELS = ("read_uncommitted", "read_committed", "repeatable_read", "serializable")
PREVENTED = {
    "read_uncommitted": set(),
    "read_committed": {"dirty_read"},
    "repeatable_read": {"dirty_read", "non_repeatable_read"},
    "serializable": {"dirty_read", "non_repeatable_read", "phantom_read"},
}
DEFAULTS = {"postgresql": "read_committed", "mysql": "repeatable_read", "sqlite": "serializable"}


# -- part 1: facts ------------------------------------------------------------------
@pytest.mark.task(1)
@pytest.mark.parametrize("level", LEVELS)
def test_anomalies_prevented(learner, level):
    """anomalies_prevented gives the set of anomalies each level rules out"""
    learner.call("anomalies_prevented", level).expect(
        PREVENTED[level],
        note="each level prevents what the one below it prevents, plus one more anomaly; "
        "read uncommitted prevents none, serializable all three",
    )


@pytest.mark.task(1)
def test_anomalies_prevented_any_letter_case(learner):
    """anomalies_prevented accepts level names in any letter case"""
    learner.call("anomalies_prevented", "SERIALIZABLE").expect(PREVENTED["serializable"])
    learner.call("anomalies_prevented", "Read_Committed").expect(PREVENTED["read_committed"])


@pytest.mark.task(1)
@pytest.mark.parametrize("level", ["snapshot", "", "read_commited", "chaos"])
def test_anomalies_prevented_unknown_level(learner, level):
    """anomalies_prevented raises ValueError for a level it does not know"""
    learner.call("anomalies_prevented", level).expect_raises(ValueError)


def act_fresh_sets(module):
    """Change the set one call returns, then ask again: the answer must not change."""
    first = attempt(module.anomalies_prevented, "serializable").get("returned")
    try:
        first.clear()
        first.add("oops")
    except Exception:  # noqa: BLE001 - not a set: the second answer will show it
        pass
    return attempt(module.anomalies_prevented, "serializable")


@pytest.mark.task(1)
def test_anomalies_prevented_returns_a_new_set(learner):
    """changing a returned set does not change the next answer"""
    call = (
        "s = anomalies_prevented('serializable'); s.clear(); s.add('oops'); "
        "anomalies_prevented('serializable')"
    )
    record = learner.run(act_fresh_sets, call=call).value()
    Outcome.from_attempt(call, record).expect(
        PREVENTED["serializable"],
        note="return a new set each time (set(...) of a constant), not a shared one",
    )


@pytest.mark.task(2)
@pytest.mark.parametrize("database", sorted(DEFAULTS))
def test_default_level(learner, database):
    """default_level knows PostgreSQL, MySQL and SQLite defaults"""
    learner.call("default_level", database).expect(
        DEFAULTS[database],
        note="PostgreSQL: read committed; MySQL (InnoDB): repeatable read; SQLite: serializable",
    )


@pytest.mark.task(2)
def test_default_level_any_case_and_unknown(learner):
    """default_level accepts any letter case and rejects unknown databases with ValueError"""
    learner.call("default_level", "PostgreSQL").expect("read_committed")
    learner.call("default_level", "MySQL").expect("repeatable_read")
    for name in ("oracle", "postgres ql", ""):
        learner.call("default_level", name).expect_raises(ValueError)


def _cased(name_and_flags):
    name, flags = name_and_flags
    return "".join(
        c.upper() if up else c for c, up in zip(name, flags + [False] * len(name), strict=False)
    )


def names_like(known):
    """Known names in random letter case, near misses, and random ASCII words."""
    cased = st.tuples(st.sampled_from(sorted(known)), st.lists(st.booleans(), max_size=20))
    return st.one_of(
        cased.map(_cased),
        st.sampled_from(sorted(known)).map(lambda name: name[:-1]),
        st.text(alphabet=string.ascii_letters + "_", max_size=16),
    )


def oracle_prevented(level):
    if level.lower() not in PREVENTED:
        raise ValueError(level)
    return set(PREVENTED[level.lower()])


def oracle_default(database):
    if database.lower() not in DEFAULTS:
        raise ValueError(database)
    return DEFAULTS[database.lower()]


@pytest.mark.task(1)
def test_anomalies_prevented_agrees_on_generated_names(learner):
    """generated names (any case, near misses, random words): the table, or ValueError"""
    agree(
        learner,
        "anomalies_prevented",
        oracle_prevented,
        st.tuples(names_like(LEVELS)),
        max_examples=60,
    )


@pytest.mark.task(2)
def test_default_level_agrees_on_generated_names(learner):
    """generated names (any case, near misses, random words): the three defaults, or ValueError"""
    agree(
        learner, "default_level", oracle_default, st.tuples(names_like(DEFAULTS)), max_examples=60
    )


# -- part 2: demonstrations -----------------------------------------------------------
def make_store(learner: Learner, value: int) -> str:
    path = learner.workdir / f"store-{next(_file_numbers)}.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("PRAGMA synchronous = OFF")  # a scratch file: no need to wait for fsync
        conn.execute("CREATE TABLE kv (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")
        conn.executemany(
            "INSERT INTO kv (key, value) VALUES (?, ?)",
            [("a", 1), ("x", value), ("y", value + 1)],
        )
    return str(path)


def stored(path: str) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as conn:
        return dict(conn.execute("SELECT key, value FROM kv"))


def act_watched(module, function, path, new_value):
    """Call ``function`` with sqlite3.connect wrapped: every statement is logged by connection."""
    log: list[list] = []
    numbers = itertools.count(1)
    real_connect = sqlite3.connect

    def watched_connect(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        number = next(numbers)
        conn.set_trace_callback(lambda sql: log.append([number, sql[:300]]))
        return conn

    opened = []  # kept referenced, so a connection left open is still open when we look

    def recording_connect(*args, **kwargs):
        conn = watched_connect(*args, **kwargs)
        opened.append(conn)
        return conn

    patched = [name for name, value in vars(module).items() if value is real_connect]
    sqlite3.connect = recording_connect
    for name in patched:
        setattr(module, name, recording_connect)
    try:
        record = attempt(getattr(module, function), path, new_value)
    finally:
        sqlite3.connect = real_connect
        for name in patched:
            setattr(module, name, real_connect)
    left_open = sum(_is_open(conn) for conn in opened)
    for conn in opened:
        if _is_open(conn):
            conn.set_trace_callback(None)
    opened.clear()  # Python frees (and closes) what nobody else holds
    return {"record": record, "log": log[:200], "left_open": left_open}


def _is_open(conn) -> bool:
    try:
        conn.total_changes  # noqa: B018 - raises ProgrammingError once the connection is closed
    except sqlite3.ProgrammingError:
        return False
    return True


def _kind(sql: str) -> str:
    text = sql.lstrip()
    while text.startswith(("--", "/*")):
        end = text.find("\n") if text.startswith("--") else text.find("*/")
        text = "" if end < 0 else text[end + (1 if text.startswith("--") else 2) :].lstrip()
    word = text.split(None, 1)[0].upper() if text.split() else ""
    if word in {"UPDATE", "INSERT", "REPLACE", "DELETE"}:
        return "write"
    if word in {"SELECT", "WITH"}:
        return "read"
    if word in {"COMMIT", "END"}:
        return "commit"
    if word == "ROLLBACK":
        return "rollback"
    if word in {"BEGIN", "SAVEPOINT"}:
        return "begin"
    return "other"


def events(log: list) -> list[tuple[int, str]]:
    return [(conn, _kind(sql)) for conn, sql in log]


def show_log(log: list) -> str:
    lines = [f"connection {conn}: {' '.join(sql.split())[:70]}" for conn, sql in log[:12]]
    if len(log) > 12:
        lines.append(f"... {len(log) - 12} more")
    return "\n          ".join(lines) or "(no statements: open connections with sqlite3.connect)"


def dirty_read_story(log: list) -> str:
    """'' if the log shows: A writes; B reads before A ends; A commits; another reads after."""
    seen = events(log)
    if len({conn for conn, _ in seen}) < 2:
        return "every statement ran on one connection: B must be a second sqlite3.connect(...)"
    for i, (writer, kind) in enumerate(seen):
        if kind != "write":
            continue
        ends = [
            k
            for k in range(i + 1, len(seen))
            if seen[k][0] == writer and seen[k][1] in ("commit", "rollback")
        ]
        end = ends[0] if ends else len(seen)
        read_during = any(c != writer and k == "read" for c, k in seen[i + 1 : end])
        if not read_during:
            continue
        if end == len(seen) or seen[end][1] != "commit":
            if (writer, "begin") not in seen[:i]:
                return (
                    "A's UPDATE ran with no transaction open (autocommit: no BEGIN before "
                    "it), so it was committed at once and B saw the new value straight away"
                )
            return "A's change was never committed (call commit() on A after B's first read)"
        if any(c != writer and k == "read" for c, k in seen[end + 1 :]):
            return ""
        return "B must read again AFTER A commits"
    return (
        "B must read while A's change is still uncommitted: A writes, B reads, only then A commits"
    )


def rollback_story(log: list) -> str:
    """'' if the log shows: A writes; A reads its own change; A rolls back."""
    seen = events(log)
    for i, (writer, kind) in enumerate(seen):
        if kind != "write":
            continue
        ends = [
            k
            for k in range(i + 1, len(seen))
            if seen[k][0] == writer and seen[k][1] in ("commit", "rollback")
        ]
        if not ends or seen[ends[0]][1] != "rollback":
            continue
        if any(c == writer and k == "read" for c, k in seen[i + 1 : ends[0]]):
            return ""
        return "A must read 'x' itself BEFORE rolling back (it sees its own change)"
    return "A must change 'x' and then roll back (conn.rollback()), not commit"


def run_demo(learner: Learner, function: str, old: int, new: int) -> tuple[Outcome, list, str]:
    outcome, result, path = run_demo_result(learner, function, old, new)
    return outcome, result["log"], path


def run_demo_result(learner: Learner, function: str, old: int, new: int):
    path = make_store(learner, old)
    call = f"{function}(path, {new})   # 'x' holds {old} in the file before the call"
    result = learner.run(act_watched, function, path, new, call=call).value("the demo to run")
    return Outcome.from_attempt(call, result["record"]), result, path


DEMOS = [
    pytest.param("demonstrate_no_dirty_read", marks=pytest.mark.task(3), id="no_dirty_read"),
    pytest.param("demonstrate_rollback", marks=pytest.mark.task(4), id="rollback"),
]


@pytest.mark.parametrize("function", DEMOS)
def test_demo_closes_its_connections(learner, function):
    """every connection the demonstration opened is closed when it returns"""
    outcome, result, _ = run_demo_result(learner, function, 4, 40)
    outcome.value("a tuple of two ints")
    if result["left_open"]:
        raise outcome.fail(
            "every connection it opened closed before it returns",
            got=f"{outcome._got_line()}\nThen:     {result['left_open']} connection(s) it "
            "opened were still open",
            note="close A and B (conn.close(), or contextlib.closing); `with conn:` "
            "commits or rolls back but does not close",
        )


def values_pairs(seed: int) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    pairs = [(10, 99)]
    while len(pairs) < 3:
        old, new = rng.randint(-500, 5000), rng.randint(-500, 5000)
        if old != new:
            pairs.append((old, new))
    return pairs


@pytest.mark.task(3)
@pytest.mark.parametrize("old, new", values_pairs(303))
def test_no_dirty_read_values(learner, old, new):
    """B sees the old value while A's change is uncommitted, the new one after A commits"""
    outcome, _, path = run_demo(learner, "demonstrate_no_dirty_read", old, new)
    outcome.expect(
        (old, new),
        note="(B's read before A commits, B's read after): a second connection never sees "
        "uncommitted data",
    )
    after = stored(path)
    if after != {"a": 1, "x": new, "y": old + 1}:
        raise GradeFailure(
            f"Called:   {outcome.call}\nThen:     the file holds {after}\n"
            f"Expected: {{'a': 1, 'x': {new}, 'y': {old + 1}}} (A committed its change, and "
            "only row 'x' changed)"
        )


@pytest.mark.task(3)
def test_no_dirty_read_really_interleaves(learner):
    """the demo runs on two connections: A writes, B reads, A commits, B reads again"""
    outcome, log, _ = run_demo(learner, "demonstrate_no_dirty_read", 7, 70)
    outcome.value("a tuple (B before commit, B after commit)")
    problem = dirty_read_story(log)
    if problem:
        raise GradeFailure(
            f"Called:   {outcome.call}\nSaw:      {show_log(log)}\n"
            "Expected: A writes; B reads before A commits; A commits; B reads again\n"
            f"Why:      {problem}"
        )


@pytest.mark.task(4)
@pytest.mark.parametrize("old, new", values_pairs(304))
def test_rollback_values(learner, old, new):
    """A sees its own change inside the transaction; after rollback the old value is back"""
    outcome, _, path = run_demo(learner, "demonstrate_rollback", old, new)
    outcome.expect(
        (new, old),
        note="(A's read inside its transaction, the read after rollback)",
    )
    after = stored(path)
    if after != {"a": 1, "x": old, "y": old + 1}:
        raise GradeFailure(
            f"Called:   {outcome.call}\nThen:     the file holds {after}\n"
            f"Expected: {{'a': 1, 'x': {old}, 'y': {old + 1}}} (nothing kept after a rollback)"
        )


@pytest.mark.task(4)
def test_rollback_really_rolls_back(learner):
    """the demo writes, reads its own change, then rolls back on that connection"""
    outcome, log, _ = run_demo(learner, "demonstrate_rollback", 3, 30)
    outcome.value("a tuple (inside the transaction, after rollback)")
    problem = rollback_story(log)
    if problem:
        raise GradeFailure(
            f"Called:   {outcome.call}\nSaw:      {show_log(log)}\n"
            "Expected: A writes; A reads; A rolls back\n"
            f"Why:      {problem}"
        )
