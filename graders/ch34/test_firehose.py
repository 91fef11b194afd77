"""Grader for ch34/firehose: a buffered, batching event collector driven over real sockets.

Every test runs one scenario inside the sandbox (``act_scenario``): it starts the learner's
collector on 127.0.0.1 with a clock the grader moves by hand, sends events from several
client threads at once, can lock the database to make an outage, samples queue_depth()
all along, records the SQL each connection runs, and stops the collector. The judge then
reads the database file itself: what is stored is never taken from the learner's word.
No test measures speed; throughput is in ``make bench`` (benchmarks/firehose.py).
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from itertools import count

import pytest

from graders.harness import GradeFailure, Learner

EXERCISE = "ch34/firehose"
RUN_LIMIT = 60.0  # seconds for one whole scenario (several hundred requests on a busy machine)
STOP_WAIT = 10.0  # a stop() that hangs costs its own tests, not every later one (time-out budget)
CLEANUP_WAIT = 2.0  # the clean-up stop() after a scenario: nobody checks it, so wait less
_numbers = count(1)


# -- acts: run inside the sandbox, next to the learner's code ----------------------------------
def act_scenario(module, db_path, options, steps):
    """Run the steps against a started collector; every observation comes back as data.

    sqlite3.connect is watched for the whole scenario (the writer may connect late, in its
    own thread): each connection's SQL goes to the trace, and its time-out is noted.
    """
    import sqlite3 as sql
    from itertools import count as numbers

    trace: list[tuple[int, str]] = []
    timeouts: list[float] = []
    real_connect = sql.connect
    serial = numbers(1)

    def watched_connect(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        timeouts.append(kwargs.get("timeout", args[1] if len(args) > 1 else 5.0))
        ident = next(serial)
        conn.set_trace_callback(lambda text: trace.append((ident, text)))
        return conn

    sql.connect = watched_connect
    try:
        out = _scenario(module, db_path, options, steps, real_connect, trace)
    finally:
        sql.connect = real_connect
    out["timeouts"] = [t if isinstance(t, int | float) else repr(t) for t in timeouts]
    return out


def _scenario(module, db_path, options, steps, real_connect, trace):
    import http.client
    import threading
    import time

    from graders.acts import FakeClock, attempt

    clock = FakeClock()
    out: dict = {"steps": [], "depths": []}
    made = attempt(module.make_collector, db_path, clock=clock, **options)
    if "raised" in made:
        out["start_error"] = f"make_collector raised {made['raised']}: {made['message']}"
        return out
    collector = made["returned"]
    started = attempt(collector.start)
    if "raised" in started:
        out["start_error"] = f"start() raised {started['raised']}: {started['message']}"
        return out
    address = started["returned"]
    out["address"] = repr(address)
    try:
        host, port = address
        port = int(port)
    except (TypeError, ValueError):
        out["start_error"] = f"start() returned {address!r}, not (host, port)"
        _stop_quietly(collector)
        return out
    sampling = threading.Event()

    def sample():
        while not sampling.is_set():
            depth = attempt(collector.queue_depth).get("returned")
            out["depths"].append(depth if isinstance(depth, int) else repr(depth))
            time.sleep(0.005)

    def request(method, path, body):
        conn = http.client.HTTPConnection(host, port, timeout=10)
        try:
            conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
            reply = conn.getresponse()
            reply.read()
            return {"status": reply.status, "retry_after": reply.getheader("Retry-After")}
        except OSError as error:
            return {"status": None, "error": f"{type(error).__name__}: {error}"}
        finally:
            conn.close()

    def post_all(events, clients):
        answers = [None] * len(events)

        def client(first):
            for number in range(first, len(events), clients):
                body = json.dumps(events[number]).encode()
                answers[number] = request("POST", "/events", body)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return [{"id": e["id"], **a} for e, a in zip(events, answers, strict=True)]

    def rows():
        with closing(real_connect(db_path, timeout=10)) as conn:
            return conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lock = None
    stopped = False
    try:
        for step in steps:
            kind = step[0]
            if kind == "post":
                out["steps"].append(post_all(step[1], step[2]))
            elif kind == "raw":
                out["steps"].append(request(step[1], step[2], step[3].encode("utf-8")))
            elif kind == "advance":
                clock.advance(step[1])
                out["steps"].append(None)
            elif kind == "pause":
                time.sleep(step[1])
                out["steps"].append(None)
            elif kind == "rows":  # wait until at least step[1] rows, or step[2] seconds
                deadline = time.monotonic() + step[2]
                seen = rows()
                while seen < step[1] and time.monotonic() < deadline:
                    time.sleep(0.02)
                    seen = rows()
                out["steps"].append(seen)
            elif kind == "depth":  # wait until depth == step[1], or step[2] seconds
                deadline = time.monotonic() + step[2]
                seen = attempt(collector.queue_depth).get("returned")
                while seen != step[1] and time.monotonic() < deadline:
                    time.sleep(0.02)
                    seen = attempt(collector.queue_depth).get("returned")
                out["steps"].append(seen if isinstance(seen, int) else repr(seen))
            elif kind == "lock":
                lock = real_connect(db_path, timeout=10, isolation_level=None)
                lock.execute("BEGIN EXCLUSIVE")
                out["steps"].append(None)
            elif kind == "unlock":
                lock.execute("COMMIT")
                lock.close()
                lock = None
                out["steps"].append(None)
            elif kind == "stop":
                result = bounded(collector.stop, STOP_WAIT)
                stopped = True
                probe = None
                try:
                    with closing(__import__("socket").create_connection((host, port), 1)):
                        probe = "connected"
                except OSError as error:
                    probe = type(error).__name__
                out["steps"].append(
                    {
                        "raised": result.get("raised"),
                        "message": result.get("message"),
                        "probe": probe,
                    }
                )
        # before the clean-up stop() below: a test of batches must not depend on stop()
        out["transactions"] = transactions(list(trace))
    finally:
        sampling.set()
        sampler.join(STOP_WAIT)
        if lock is not None:
            lock.execute("COMMIT")
            lock.close()
        if not stopped:
            _stop_quietly(collector)
    out.setdefault("transactions", transactions(trace))
    return out


def _stop_quietly(collector):
    # a broken stop() is reported by the tests that call it; here it only must not hide them
    bounded(collector.stop, CLEANUP_WAIT)


def bounded(call, seconds):
    """attempt(call) in a thread: a call that hangs is reported instead of hanging the act."""
    import threading

    from graders.acts import attempt

    box = {}
    worker = threading.Thread(target=lambda: box.update(attempt(call)), daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        return {"raised": "Timeout", "message": f"did not return within {seconds:g} s"}
    return box


def transactions(trace):
    """Sizes of the committed transactions that inserted rows, from each connection's SQL."""
    open_inserts: dict[int, int | None] = {}
    sizes = []
    for conn, text in trace:
        word = text.strip().split(None, 1)[0].upper() if text.strip() else ""
        if word == "BEGIN":
            open_inserts[conn] = 0
        elif word in ("COMMIT", "END"):
            if open_inserts.get(conn):
                sizes.append(open_inserts[conn])
            open_inserts[conn] = None
        elif word == "ROLLBACK":
            open_inserts[conn] = None
        elif word == "INSERT":
            if open_inserts.get(conn) is None:
                sizes.append(1)  # autocommit: each INSERT is its own transaction
            else:
                open_inserts[conn] += 1
    return sizes


# -- the judge's side ----------------------------------------------------------------------------
def new_db(learner: Learner) -> str:
    return str(learner.workdir / f"firehose-{next(_numbers)}.db")


def events(prefix: str, n: int) -> list[dict]:
    return [{"id": f"{prefix}-{i:04d}", "kind": "click", "n": i, "text": "héllo"} for i in range(n)]


def stored(path: str) -> list[tuple[str, str]]:
    try:
        with closing(sqlite3.connect(path)) as conn:
            return conn.execute("SELECT id, body FROM events ORDER BY rowid").fetchall()
    except sqlite3.Error as error:
        raise GradeFailure(
            f"Could not read the events table the collector wrote: {error}"
        ) from None


def describe(options: dict, what: str) -> str:
    shown = ", ".join(f"{k}={v!r}" for k, v in options.items())
    return f"make_collector(db, {shown}, clock=<grader's clock>).start(); {what}"


def scenario(learner: Learner, options: dict, steps: list, what: str) -> tuple[dict, str, str]:
    path = new_db(learner)
    call = describe(options, what)
    data = learner.run(act_scenario, path, options, steps, call=call, timeout=RUN_LIMIT)
    data = data.value("the scenario to finish")
    if "start_error" in data:
        raise GradeFailure(f"Called:   {call}\nProblem:  {data['start_error']}")
    return data, path, call


def fail(call: str, got: str, expected: str, why: str = "") -> GradeFailure:
    text = f"Called:   {call}\nGot:      {got}\nExpected: {expected}"
    return GradeFailure(text + (f"\nWhy:      {why}" if why else ""))


def accepted(answers: list[dict]) -> list[str]:
    return [a["id"] for a in answers if a["status"] == 202]


def check_stored_once(call: str, path: str, sent: list[dict], answers: list[dict]) -> None:
    """Every 202 event stored exactly once with its body; no other event stored at all."""
    odd = [a for a in answers if a["status"] not in (202, 503)]
    if odd:
        raise fail(call, f"answers {odd[:3]!r}", "202 (buffered) or 503 (buffer full) only")
    rows = stored(path)
    ids = [row[0] for row in rows]
    wanted = set(accepted(answers))
    doubled = sorted({i for i in ids if ids.count(i) > 1})
    if doubled:
        raise fail(
            call,
            f"{len(doubled)} event(s) stored twice, e.g. {doubled[:3]}",
            "each accepted event stored exactly once",
        )
    lost = sorted(wanted - set(ids))
    if lost:
        raise fail(
            call,
            f"{len(lost)} of {len(wanted)} accepted events missing, e.g. {lost[:3]}",
            "every event answered 202 in the database",
            "a 202 is a promise: the event may wait in the buffer, but never vanish",
        )
    extra = sorted(set(ids) - wanted)
    if extra:
        raise fail(
            call,
            f"{len(extra)} event(s) stored that were answered 503, e.g. {extra[:3]}",
            "only accepted events stored",
            "a client that got 503 will send the event again: storing it makes a copy",
        )
    by_id = {e["id"]: e for e in sent}
    for event_id, body in rows:
        try:
            back = json.loads(body)
        except (TypeError, ValueError):
            back = body
        if back != by_id[event_id]:
            raise fail(
                call,
                f"row {event_id!r} has body {body!r}"[:300],
                f"JSON text of the event: {json.dumps(by_id[event_id])}",
            )


# -- task 1: the HTTP endpoint ------------------------------------------------------------------
ONE = {"max_buffer": 10, "batch_size": 1, "max_age_s": 60.0}


@pytest.mark.task(1)
def test_start_answers_on_loopback_and_stores_an_event(learner):
    """start() returns ('127.0.0.1', port); an accepted event is stored with its JSON body"""
    sent = events("one", 1)
    data, path, call = scenario(
        learner, ONE, [("post", sent, 1), ("rows", 1, 5.0)], "POST /events one event"
    )
    host = data["address"]
    if not host.startswith("('127.0.0.1', "):
        raise fail(call, f"start() returned {host}", "('127.0.0.1', <the port>)")
    (answer,) = data["steps"][0]
    if answer["status"] != 202:
        raise fail(call, f"POST /events answered {answer}", "202 Accepted")
    if data["steps"][1] != 1:
        raise fail(
            call,
            f"{data['steps'][1]} rows in events 5 s after the 202",
            "1 row: with batch_size=1 every event is a full batch at once",
        )
    check_stored_once(call, path, sent, data["steps"][0])


BAD_BODIES = [
    pytest.param("not json", id="not_json"),
    pytest.param('["a", "list"]', id="json_list"),
    pytest.param('{"kind": "click"}', id="no_id"),
    pytest.param('{"id": 7, "kind": "click"}', id="id_not_a_string"),
    pytest.param('{"id": "cut', id="cut_off"),
]


@pytest.mark.task(1)
@pytest.mark.parametrize("body", BAD_BODIES)
def test_a_body_that_is_not_an_event_gets_400(learner, body):
    """a body that is not a JSON object with a string "id" gets 400 and nothing is stored"""
    steps = [("raw", "POST", "/events", body), ("pause", 0.2)]
    data, path, call = scenario(learner, ONE, steps, f"POST /events with body {body!r}")
    if data["steps"][0]["status"] != 400:
        raise fail(call, f"answer {data['steps'][0]}", "400: the client sent something wrong")
    if stored(path):
        raise fail(call, f"rows {stored(path)!r}", "nothing stored for a rejected body")


@pytest.mark.task(1)
@pytest.mark.parametrize(("method", "where"), [("POST", "/event"), ("GET", "/")])
def test_other_paths_get_404(learner, method, where):
    """any other path answers 404"""
    steps = [("raw", method, where, '{"id": "x"}'), ("pause", 0.2)]
    data, path, call = scenario(learner, ONE, steps, f"{method} {where}")
    if data["steps"][0]["status"] != 404:
        raise fail(call, f"answer {data['steps'][0]}", "404")
    if stored(path):
        raise fail(call, f"rows {stored(path)!r}", "nothing stored")


# -- task 2: batches by size and by age -----------------------------------------------------------
@pytest.mark.task(2)
def test_a_full_batch_is_written_in_one_transaction(learner):
    """batch_size waiting events are written at once, each batch one transaction"""
    options = {"max_buffer": 100, "batch_size": 10, "max_age_s": 60.0}
    sent = events("size", 25)
    steps = [
        ("post", sent, 4),
        ("rows", 20, 5.0),
        ("pause", 0.3),
        ("rows", 0, 0),
        ("depth", 5, 2.0),
    ]
    data, _path, call = scenario(learner, options, steps, "POST 25 events from 4 clients")
    if len(accepted(data["steps"][0])) != 25:
        raise fail(call, f"answers {data['steps'][0][:3]}...", "25 times 202: there is room")
    if data["steps"][1] < 20 or data["steps"][3] != 20:
        raise fail(
            call,
            f"{data['steps'][3]} rows stored (clock not moved)",
            "20: two full batches of 10; the other 5 wait for a full batch or for age",
        )
    if data["steps"][4] != 5:
        raise fail(call, f"queue_depth() == {data['steps'][4]}", "5 events still waiting")
    sizes = data["transactions"]
    if sizes != [10, 10]:
        raise fail(
            call,
            f"transactions inserting {sizes} rows",
            "[10, 10]: one executemany in one transaction per batch",
            "a commit per row costs a disk sync per row: batching is the whole point",
        )


@pytest.mark.task(2)
def test_the_oldest_event_is_written_when_old_enough(learner):
    """a partial batch is written once its oldest event is max_age_s old on the clock"""
    options = {"max_buffer": 100, "batch_size": 50, "max_age_s": 30.0}
    first, second = events("age", 1), events("age2", 2)
    steps = [
        ("post", first, 1),
        ("advance", 20.0),
        ("post", second, 1),
        ("pause", 0.3),
        ("rows", 0, 0),  # 20 s old: nothing yet
        ("advance", 10.0),
        ("rows", 3, 5.0),  # oldest is 30 s old: all three go
    ]
    data, path, call = scenario(
        learner, options, steps, "POST 1 event; clock +20 s; POST 2; clock +10 s"
    )
    if data["steps"][4] != 0:
        raise fail(
            call,
            f"{data['steps'][4]} rows when the oldest event was 20 s old",
            "0: max_age_s is 30 and the batch is not full",
        )
    if data["steps"][6] != 3:
        raise fail(
            call,
            f"{data['steps'][6]} rows 5 s after the oldest turned 30 s old",
            "3: the waiting events, as one batch",
            "measure age on the clock you were given (the grader moves it), from the "
            "OLDEST waiting event; look at it at least every 0.05 s",
        )
    if data["transactions"] != [3]:
        raise fail(call, f"transactions inserting {data['transactions']} rows", "[3]")
    check_stored_once(call, path, first + second, data["steps"][0] + data["steps"][2])


@pytest.mark.task(2)
def test_batches_are_oldest_first_and_never_above_batch_size(learner):
    """a batch holds at most batch_size events, oldest first"""
    options = {"max_buffer": 100, "batch_size": 4, "max_age_s": 1.0}
    sent = events("order", 14)
    steps = [("lock",), ("post", sent, 1), ("unlock",), ("advance", 5.0), ("rows", 14, 5.0)]
    data, path, call = scenario(
        learner, options, steps, "database locked; POST 14 events one after another; unlock"
    )
    ids = [row[0] for row in stored(path)]
    if ids != [e["id"] for e in sent]:
        raise fail(
            call,
            f"rows in order {ids}",
            f"{[e['id'] for e in sent]}",
            "take each batch from the front of the buffer: oldest first",
        )
    sizes = data["transactions"]
    if not sizes or max(sizes) > 4 or sum(sizes) != 14:
        raise fail(
            call,
            f"transactions inserting {sizes} rows",
            "batches of at most 4 rows that add up to 14",
        )


# -- task 3: backpressure ------------------------------------------------------------------------
OUTAGE = {"max_buffer": 20, "batch_size": 5, "max_age_s": 60.0, "db_timeout": 0.05, "retry_s": 0.05}
OUTAGE_STEPS_WHAT = "database locked; POST 40 events from 4 clients; unlock; POST 10 more"


def outage(learner: Learner) -> tuple[dict, str, str, list[dict], list[dict]]:
    during, after = events("down", 40), events("back", 10)
    steps = [
        ("lock",),
        ("post", during, 4),
        ("depth", 20, 1.0),
        ("pause", 0.3),
        ("unlock",),
        ("depth", 0, 10.0),
        ("post", after, 2),
        ("stop",),
    ]
    data, path, call = scenario(learner, OUTAGE, steps, OUTAGE_STEPS_WHAT)
    return data, path, call, during + after, data["steps"][1] + data["steps"][6]


@pytest.mark.task(3)
def test_a_full_buffer_answers_503_with_retry_after(learner):
    """when the buffer is full, 503 with a Retry-After header, and room is used up first"""
    data, _path, call, _sent, _answers = outage(learner)
    answers = data["steps"][1]
    taken = accepted(answers)
    refused = [a for a in answers if a["status"] == 503]
    if len(taken) != 20 or len(refused) != 20:
        raise fail(
            call,
            f"{len(taken)} answered 202 and {len(refused)} answered 503 while the "
            "database was locked",
            "20 and 20: accept while there is room (max_buffer=20), then refuse",
            "an event waiting to be written still takes room",
        )
    missing = [a for a in refused if not a.get("retry_after")]
    if missing:
        raise fail(
            call,
            f"503 answers without Retry-After: {missing[:2]}",
            "a Retry-After header on every 503",
        )


@pytest.mark.task(3)
def test_queue_depth_counts_every_unwritten_event_and_stays_bounded(learner):
    """queue_depth() counts events accepted and not yet stored, and never exceeds max_buffer"""
    data, _path, call, _sent, _answers = outage(learner)
    depths = data["depths"]
    odd = [d for d in depths if not isinstance(d, int)]
    if odd:
        raise fail(call, f"queue_depth() returned {odd[0]}", "an int")
    if data["steps"][2] != 20:
        raise fail(
            call,
            f"queue_depth() == {data['steps'][2]} with 20 accepted and nothing stored",
            "20, the batch being retried included",
        )
    if max(depths, default=0) > OUTAGE["max_buffer"]:
        raise fail(call, f"queue_depth() reached {max(depths)}", "never above max_buffer=20")
    if data["steps"][5] != 0:
        raise fail(call, f"queue_depth() == {data['steps'][5]} after everything was stored", "0")


# -- task 4: outages -----------------------------------------------------------------------------
@pytest.mark.task(4)
def test_nothing_accepted_is_lost_in_an_outage(learner):
    """after a database outage every accepted event is stored exactly once"""
    _data, path, call, sent, answers = outage(learner)
    check_stored_once(call, path, sent, answers)


@pytest.mark.task(4)
def test_connections_wait_db_timeout_for_a_locked_database(learner):
    """every connection is opened with timeout=db_timeout"""
    data, _path, call, _sent, _answers = outage(learner)
    wanted = OUTAGE["db_timeout"]
    if not data["timeouts"] or any(t != wanted for t in data["timeouts"]):
        raise fail(
            call,
            f"sqlite3.connect(...) time-outs {data['timeouts']}",
            f"timeout={wanted} for every connection",
            "db_timeout is how long one write waits for a locked database; with the default "
            "5 s a long outage blocks the writer instead of going to your retry loop",
        )


@pytest.mark.task(4)
def test_the_collector_accepts_again_after_an_outage(learner):
    """once the backlog is written, new events are accepted again"""
    data, _path, call, _sent, _answers = outage(learner)
    later = data["steps"][6]
    if len(accepted(later)) != 10:
        raise fail(
            call,
            f"after the outage: {[a['status'] for a in later]}",
            "10 times 202: the buffer drained",
        )


# -- task 5: load and shutdown -------------------------------------------------------------------
@pytest.mark.task(5)
def test_stop_writes_what_is_still_waiting(learner):
    """stop() writes every waiting event before it returns, and then the port is closed"""
    options = {"max_buffer": 100, "batch_size": 50, "max_age_s": 60.0}
    sent = events("bye", 7)
    data, path, call = scenario(
        learner, options, [("post", sent, 2), ("stop",)], "POST 7 events; stop()"
    )
    stop = data["steps"][1]
    if stop["raised"]:
        raise fail(call, f"stop(): {stop['raised']}: {stop['message']}", "stop() to return")
    if len(stored(path)) != 7:
        raise fail(
            call,
            f"{len(stored(path))} rows after stop() returned",
            "7: a clean shutdown writes the partial batch",
        )
    check_stored_once(call, path, sent, data["steps"][0])
    if stop["probe"] == "connected":
        raise fail(call, "a connection to the port succeeded after stop()", "refused")


@pytest.mark.task(5)
def test_many_clients_at_once_lose_nothing(learner):
    """8 clients sending 400 events at once: every accepted event stored exactly once"""
    options = {"max_buffer": 60, "batch_size": 10, "max_age_s": 0.5}
    sent = events("load", 400)
    steps = [("post", sent, 8), ("advance", 1.0), ("stop",)]
    data, path, call = scenario(learner, options, steps, "8 clients POST 400 events; stop()")
    if not accepted(data["steps"][0]):
        raise fail(call, "no event accepted", "most events answered 202")
    check_stored_once(call, path, sent, data["steps"][0])
    if max(data["depths"], key=lambda d: d if isinstance(d, int) else 0, default=0) > 60:
        raise fail(call, f"queue_depth() reached {max(data['depths'])}", "at most 60")
