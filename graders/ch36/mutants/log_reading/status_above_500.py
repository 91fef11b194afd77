"""Mutant: status > 500: a plain 500 Internal Server Error is not a failure."""

from __future__ import annotations

import json


def _in_time_order(records: list[dict]) -> list[dict]:
    """Records sorted by ts; sorted() is stable, so equal times keep their file order."""
    return sorted(records, key=lambda record: record["ts"])


def parse_log(text: str) -> list[dict]:
    """The records of a JSON Lines log, as dicts, in the order of the file.

    Lines holding only whitespace are skipped. A line that is not valid JSON, or is valid
    JSON but not an object (a list, a number...), raises ValueError, and the message contains
    ``line N``, where N counts every line of the text from 1, blank lines included.
    """
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {number}: not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise ValueError(f"line {number}: a JSON {type(record).__name__}, not an object")
        records.append(record)
    return records


def failed_requests(records: list[dict]) -> list[str]:
    """The correlation ids of the requests that failed, earliest failure first.

    A request failed when a record with the event ``request_finished`` has a ``status`` of
    500 or more. Other events never count, whatever status they mention. Each id appears
    once, and the ids are ordered by the ``ts`` of their failing ``request_finished`` record
    (the earliest one, if a request has several).
    """
    failed: list[str] = []
    for record in _in_time_order(records):
        if record.get("event") != "request_finished" or record.get("status", 0) <= 500:
            continue
        if record["correlation_id"] not in failed:
            failed.append(record["correlation_id"])
    return failed


def first_error(records: list[dict], correlation_id: str) -> dict | None:
    """The earliest ERROR record of one request, or None when that request logged no ERROR.

    Earliest means by ``ts``. Only records with level ``ERROR`` count (a WARNING is not an
    error), and only records of this ``correlation_id``: records of other requests, and
    records without a ``correlation_id``, never do. Return the record itself, unchanged.
    """
    errors = [
        record
        for record in records
        if record.get("level") == "ERROR" and record.get("correlation_id") == correlation_id
    ]
    return _in_time_order(errors)[0] if errors else None


def incident_summary(text: str) -> dict:
    """What failed first in the first failed request, from the text of a log.

    Take the first id that ``failed_requests`` gives for the log and return::

        {"correlation_id": <that id>,
         "first_failing_service": <the "service" of its first_error>,
         "cause": <the "message" of its first_error>}

    When that request logged no ERROR record, service and cause are both None. When no
    request failed at all, raise LookupError.
    """
    records = parse_log(text)
    failed = failed_requests(records)
    if not failed:
        raise LookupError("no request failed in this log")
    error = first_error(records, failed[0])
    return {
        "correlation_id": failed[0],
        "first_failing_service": error["service"] if error else None,
        "cause": error.get("message") if error else None,
    }
