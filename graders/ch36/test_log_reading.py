"""Grader for ch36/log_reading: from a JSON Lines log to an incident's correlation id and cause.

Every log here is built by the grader (``incident_log``), seeded, with the traps a real log
has: lines out of time order, other requests failing too, ERRORs from background jobs that
have no correlation id, WARNINGs, statuses mentioned by events that do not end a request,
and equal timestamps. The expected answers come from the grader's own reading of the brief
(``oracle_*``), never from the learner's code.
"""

from __future__ import annotations

import json
import random
import re

import pytest
from hypothesis import strategies as st

from graders.acts import attempt
from graders.differential import agree
from graders.harness import GradeFailure

EXERCISE = "ch36/log_reading"
TIME_ORDER_NOTE = "lines are not in time order: compare records by ts, never by file position"


def ts(second: float) -> str:
    """A timestamp in the log's one format, `second` seconds after 10:00:00 UTC."""
    millis = round(second * 1000)
    minutes, millis = divmod(millis, 60_000)
    return f"2026-03-02T10:{minutes:02d}:{millis // 1000:02d}.{millis % 1000:03d}Z"


def rec(second, level, service, event, cid=None, **extra) -> dict:
    record = {"ts": ts(second), "level": level, "service": service, "event": event}
    if cid is not None:
        record["correlation_id"] = cid
    record.update(extra)
    return record


def lines(records: list[dict]) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


# -- the grader's own reading of the brief ------------------------------------------------
def _by_time(records):
    return sorted(records, key=lambda record: record["ts"])


def oracle_failed(records):
    failed = []
    for record in _by_time(records):
        finished = record.get("event") == "request_finished"
        if finished and record.get("status", 0) >= 500 and record["correlation_id"] not in failed:
            failed.append(record["correlation_id"])
    return failed


def oracle_first_error(records, cid):
    errors = [r for r in records if r.get("level") == "ERROR" and r.get("correlation_id") == cid]
    return _by_time(errors)[0] if errors else None


def oracle_summary(text):
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    failed = oracle_failed(records)
    if not failed:
        raise LookupError("no request failed")
    error = oracle_first_error(records, failed[0])
    return {
        "correlation_id": failed[0],
        "first_failing_service": error["service"] if error else None,
        "cause": error.get("message") if error else None,
    }


# -- a realistic incident log ---------------------------------------------------------------
CAUSES = {
    "tasks-db": "connection pool exhausted (20 of 20 in use)",
    "auth": "token signing key not loaded",
    "search": "index shard 3 unavailable",
}


def incident_log(seed: int, *, requests: int = 12, failing: int = 3) -> list[dict]:
    """Requests through gateway -> service -> backend; some fail deep down, the log shuffled."""
    rng = random.Random(seed)
    records: list[dict] = []
    fail_at = set(rng.sample(range(requests), failing))
    for number in range(requests):
        cid = f"req-{seed % 997:03d}{number:02d}"
        start = number * 0.7 + rng.random() * 0.2
        backend = rng.choice(sorted(CAUSES))
        records.append(rec(start, "INFO", "gateway", "request_started", cid, path="/api/tasks"))
        records.append(rec(start + 0.01, "DEBUG", "tasks", "handler_entered", cid))
        if number in fail_at:
            records.append(rec(start + 0.05, "WARNING", "tasks", "slow_query", cid, ms=900))
            records.append(
                rec(start + 0.2, "ERROR", backend, "call_failed", cid, message=CAUSES[backend])
            )
            records.append(
                rec(
                    start + 0.3,
                    "ERROR",
                    "tasks",
                    "upstream_error",
                    cid,
                    message=f"{backend} failed",
                )
            )
            records.append(
                rec(start + 0.31, "ERROR", "gateway", "upstream_status", cid, status=503)
            )
            records.append(
                rec(start + 0.32, "INFO", "gateway", "request_finished", cid, status=503)
            )
        else:
            records.append(rec(start + 0.1, "INFO", "gateway", "request_finished", cid, status=200))
    records.append(rec(0.05, "ERROR", "cleanup-job", "sweep_failed", message="disk full"))
    rng.shuffle(records)  # several writers, several buffers: file order is not time order
    return records


# -- acts: run inside the sandbox, next to the learner's code -------------------------------
def act_parse_error(module, text):
    """What parse_log raised (or returned) for a text with one bad line."""
    return attempt(module.parse_log, text)


def expect_line_error(learner, text, line_number, what):
    call = f"parse_log({text!r})" if len(text) < 160 else "parse_log(<a log with a bad line>)"
    record = learner.run(act_parse_error, text, call=call).value()
    wanted = rf"\bline {line_number}\b"
    if "ValueError" not in record.get("mro", []):
        got = (
            f"Returned: {record['returned']!r}"[:300]
            if "returned" in record
            else f"Raised:   {record['raised']}: {record['message']}"
        )
        raise GradeFailure(
            f"Called:   {call}\n{got}\nExpected: ValueError, because line {line_number} is {what}"
        )
    if not re.search(wanted, record["message"]):
        raise GradeFailure(
            f"Called:   {call}\nRaised:   ValueError: {record['message']}\n"
            f"Expected: a message containing 'line {line_number}'\n"
            f"Why:      line {line_number} of the text is {what}; count every line from 1, "
            "blank ones included (json.loads only knows about its own one line)"
        )


# -- task 1: parse_log ----------------------------------------------------------------------
SMALL = [
    rec(3.0, "INFO", "gateway", "request_finished", "req-1", status=200),
    rec(1.0, "INFO", "gateway", "request_started", "req-1"),
    rec(2.0, "ERROR", "cleanup-job", "sweep_failed", message="disk full"),
]


@pytest.mark.task(1)
def test_parse_reads_every_record_in_file_order(learner):
    """parse_log returns every record as a dict, in the order of the file (not sorted)"""
    learner.call("parse_log", lines(SMALL)).expect(SMALL)


@pytest.mark.task(1)
def test_parse_skips_blank_lines(learner):
    """lines holding only whitespace are skipped, wherever they are"""
    text = "\n" + json.dumps(SMALL[0]) + "\n   \n\t\n" + json.dumps(SMALL[1]) + "\n\n"
    learner.call("parse_log", text).expect(SMALL[:2])


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("bad", "blank_before", "line_number", "what"),
    [
        pytest.param('{"ts": "2026-03-02T10:00:01.000Z", "level": ', False, 3, "cut off", id="cut"),
        pytest.param("not json at all", True, 4, "not JSON", id="after_blank"),
        pytest.param('[{"ts": "x"}]', False, 3, "a JSON list", id="list"),
        pytest.param("42", False, 3, "a JSON number", id="number"),
        pytest.param('"just a string"', True, 4, "a JSON string", id="string"),
    ],
)
def test_parse_names_the_line_that_is_not_a_json_object(
    learner, bad, blank_before, line_number, what
):
    """a line that is not a JSON object raises ValueError naming 'line N' (blank lines count)"""
    good = [json.dumps(SMALL[0]), json.dumps(SMALL[1])]
    text_lines = [good[0], "", good[1], bad] if blank_before else [*good, bad, good[0]]
    expect_line_error(learner, "\n".join(text_lines) + "\n", line_number, what)


# -- task 2: failed_requests ----------------------------------------------------------------
def finished(second, cid, status):
    return rec(second, "INFO", "gateway", "request_finished", cid, status=status)


@pytest.mark.task(2)
def test_failed_requests_are_status_500_and_above(learner):
    """a request failed when its request_finished status is 500 or more (499 is not)"""
    records = [
        finished(1, "ok", 200),
        finished(2, "missing", 404),
        finished(3, "client-gone", 499),
        finished(4, "boom", 500),
        finished(5, "unavailable", 503),
        finished(6, "gateway-timeout", 504),
    ]
    learner.call("failed_requests", records).expect(["boom", "unavailable", "gateway-timeout"])


@pytest.mark.task(2)
def test_failed_requests_in_time_order_not_file_order(learner):
    """ids are ordered by the ts of their request_finished record, not by file position"""
    records = [finished(9.5, "late", 503), finished(1.25, "early", 500), finished(4, "mid", 502)]
    learner.call("failed_requests", records).expect(["early", "mid", "late"], note=TIME_ORDER_NOTE)


@pytest.mark.task(2)
def test_only_request_finished_decides(learner):
    """a status on any other event never counts, and a finished 200 is a success"""
    records = [
        rec(1, "ERROR", "gateway", "upstream_status", "recovered", status=503),
        finished(2, "recovered", 200),
        rec(3, "INFO", "tasks", "retry_scheduled", "other", status=500),
        finished(4, "other", 201),
        finished(5, "real", 502),
    ]
    learner.call("failed_requests", records).expect(["real"])


@pytest.mark.task(2)
def test_each_failed_id_once(learner):
    """a request that finished with an error twice is listed once, at its earliest failure"""
    records = [
        finished(7, "twice", 503),
        finished(3, "once", 500),
        finished(2, "twice", 500),
    ]
    learner.call("failed_requests", records).expect(["twice", "once"])


@pytest.mark.task(2)
def test_no_failures_no_ids(learner):
    """a log where every request succeeded has no failed requests"""
    records = [finished(1, "a", 200), rec(0.5, "ERROR", "cleanup-job", "x", message="y")]
    learner.call("failed_requests", records).expect([])


# -- task 3: first_error --------------------------------------------------------------------
CHAIN = [
    rec(5.3, "ERROR", "gateway", "upstream_status", "req-9", status=503, message="tasks said 503"),
    rec(5.1, "ERROR", "tasks-db", "query_failed", "req-9", message="connection pool exhausted"),
    rec(5.2, "ERROR", "tasks", "upstream_error", "req-9", message="tasks-db failed"),
    rec(5.0, "WARNING", "tasks", "slow_query", "req-9", message="900 ms"),
]


@pytest.mark.task(3)
def test_first_error_by_time_not_file_order(learner):
    """the earliest ERROR by ts, though it sits in the middle of the file"""
    learner.call("first_error", CHAIN, "req-9").expect(CHAIN[1], note=TIME_ORDER_NOTE)


@pytest.mark.task(3)
def test_first_error_only_of_this_request(learner):
    """ERRORs of other requests and of jobs with no correlation_id never count"""
    records = [
        rec(1.0, "ERROR", "cleanup-job", "sweep_failed", message="disk full"),
        rec(2.0, "ERROR", "auth", "token_invalid", "req-1", message="expired token"),
        *CHAIN,
    ]
    learner.call("first_error", records, "req-9").expect(CHAIN[1])


@pytest.mark.task(3)
def test_a_warning_is_not_an_error(learner):
    """a request with only WARNING (and INFO) records has no first error: None"""
    records = [CHAIN[3], rec(5.5, "INFO", "gateway", "request_finished", "req-9", status=200)]
    learner.call("first_error", records, "req-9").expect(None)


@pytest.mark.task(3)
def test_unknown_request_has_no_error(learner):
    """an id that does not appear in the log gives None"""
    learner.call("first_error", CHAIN, "req-404").expect(None)


@pytest.mark.task(3)
def test_equal_times_keep_file_order(learner):
    """two ERRORs with the same ts: the one nearer the top of the file comes first"""
    same = ts(8.0)
    first = {**CHAIN[2], "ts": same, "service": "search", "message": "shard down"}
    second = {**CHAIN[1], "ts": same}
    later = {**CHAIN[0], "ts": ts(9.0)}
    learner.call("first_error", [later, first, second], "req-9").expect(first)
    learner.call("first_error", [later, second, first], "req-9").expect(second)


# -- task 4: incident_summary -------------------------------------------------------------------
@pytest.mark.task(4)
@pytest.mark.parametrize("seed", [36, 3601])
def test_summary_of_a_shuffled_incident(learner, seed):
    """a shuffled log of 12 requests, 3 failing: the first failure's id, service and cause"""
    text = lines(incident_log(seed))
    learner.call("incident_summary", text).expect(oracle_summary(text), note=TIME_ORDER_NOTE)


@pytest.mark.task(4)
def test_summary_without_failures_raises_lookup_error(learner):
    """when no request failed there is nothing to summarise: LookupError"""
    text = lines(incident_log(7, failing=0))
    learner.call("incident_summary", text).expect_raises(LookupError)


@pytest.mark.task(4)
def test_summary_of_a_failure_that_logged_no_error(learner):
    """a 503 with no ERROR record in its request: service and cause are None"""
    records = [
        rec(1.0, "ERROR", "cleanup-job", "sweep_failed", message="disk full"),
        rec(1.1, "INFO", "gateway", "request_started", "req-quiet"),
        rec(1.2, "WARNING", "tasks", "slow_query", "req-quiet", message="2 s"),
        finished(1.5, "req-quiet", 503),
        finished(2.5, "req-loud", 500),
        rec(2.4, "ERROR", "auth", "key_missing", "req-loud", message="no key"),
    ]
    expected = {"correlation_id": "req-quiet", "first_failing_service": None, "cause": None}
    learner.call("incident_summary", lines(records)).expect(expected)


@pytest.mark.task(4)
def test_summary_matches_the_brief_on_generated_logs(learner):
    """60 generated incident logs (Hypothesis, derandomized): the same summary every time"""
    logs = st.tuples(
        st.builds(
            lambda seed, requests, failing: lines(
                incident_log(seed, requests=requests, failing=min(failing, requests))
            ),
            st.integers(0, 10_000),
            st.integers(1, 8),
            st.integers(0, 3),
        )
    )
    agree(learner, "incident_summary", oracle_summary, logs, max_examples=60, note=TIME_ORDER_NOTE)
