"""Chapter 36 exercise: find the cause of an incident in a structured log.

At 10:02 the on-call phone rang: some TaskForge requests were answering 503. Every service
writes one JSON object per line (JSON Lines), and all the lines of one request carry the same
``correlation_id``, whichever service wrote them. Your job is to get from "users see errors"
to "this service failed first, because ..." with code instead of scrolling.

A record looks like this (one line of the log, shown on three lines here)::

    {"ts": "2026-03-02T10:01:58.412Z", "level": "ERROR", "service": "tasks-db",
     "correlation_id": "req-7f3a", "event": "query_failed",
     "message": "connection pool exhausted (20 of 20 in use)"}

Every record has ``ts``, ``level`` (DEBUG, INFO, WARNING or ERROR), ``service`` and ``event``.
``ts`` is a UTC time in one fixed format (ISO 8601 with milliseconds and a ``Z``), so
comparing two ``ts`` strings compares their times. Most records also have a
``correlation_id``; the records of background jobs have none. The record that ends a request
at the gateway has the event ``request_finished`` and an integer ``status``.

Several services write to the same file, each through its own buffer, so **the lines are not
in time order**: order records by ``ts``, never by their position in the file. When two
records have the same ``ts``, the one nearer the top of the file comes first.

    >>> records = parse_log(open("incident.jsonl").read())
    >>> failed_requests(records)
    ['req-7f3a', 'req-80c1']
    >>> first_error(records, "req-7f3a")["service"]
    'tasks-db'
    >>> summary = incident_summary(open("incident.jsonl").read())
    >>> summary["correlation_id"], summary["first_failing_service"]
    ('req-7f3a', 'tasks-db')
    >>> summary["cause"]
    'connection pool exhausted (20 of 20 in use)'

Your tasks:

1. ``parse_log``: read the text of a log into a list of records.
2. ``failed_requests``: which requests failed, earliest first.
3. ``first_error``: the first thing that went wrong in one request.
4. ``incident_summary``: the one-line answer the on-call engineer needs.
"""

from __future__ import annotations

import json  # noqa: F401 - json.loads reads one line


def parse_log(text: str) -> list[dict]:
    """The records of a JSON Lines log, as dicts, in the order of the file.

    Lines holding only whitespace are skipped. A line that is not valid JSON, or is valid
    JSON but not an object (a list, a number...), raises ValueError, and the message contains
    ``line N``, where N counts every line of the text from 1, blank lines included.
    """
    # TODO (task 1): split the text into lines, skip blank ones, json.loads the others, and
    # raise ValueError("line N: ...") for a line that is not a JSON object.
    raise NotImplementedError("parse_log is not written yet")


def failed_requests(records: list[dict]) -> list[str]:
    """The correlation ids of the requests that failed, earliest failure first.

    A request failed when a record with the event ``request_finished`` has a ``status`` of
    500 or more. Other events never count, whatever status they mention. Each id appears
    once, and the ids are ordered by the ``ts`` of their failing ``request_finished`` record
    (the earliest one, if a request has several).
    """
    # TODO (task 2)
    raise NotImplementedError("failed_requests is not written yet")


def first_error(records: list[dict], correlation_id: str) -> dict | None:
    """The earliest ERROR record of one request, or None when that request logged no ERROR.

    Earliest means by ``ts``. Only records with level ``ERROR`` count (a WARNING is not an
    error), and only records of this ``correlation_id``: records of other requests, and
    records without a ``correlation_id``, never do. Return the record itself, unchanged.
    """
    # TODO (task 3)
    raise NotImplementedError("first_error is not written yet")


def incident_summary(text: str) -> dict:
    """What failed first in the first failed request, from the text of a log.

    Take the first id that ``failed_requests`` gives for the log and return::

        {"correlation_id": <that id>,
         "first_failing_service": <the "service" of its first_error>,
         "cause": <the "message" of its first_error>}

    When that request logged no ERROR record, service and cause are both None. When no
    request failed at all, raise LookupError.
    """
    # TODO (task 4): build it from the three functions above.
    raise NotImplementedError("incident_summary is not written yet")
