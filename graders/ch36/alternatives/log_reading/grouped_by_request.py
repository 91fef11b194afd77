"""Alternative: records grouped per correlation id first (a defaultdict of lists), then each
question answered from the group with min() over the timestamp; line errors via a generator."""

from __future__ import annotations

import json
from collections import defaultdict


def _numbered_lines(text):
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            yield number, line


def parse_log(text: str) -> list[dict]:
    records = []
    for number, line in _numbered_lines(text):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise ValueError(f"line {number} is not valid JSON") from None
        if not isinstance(record, dict):
            raise ValueError(f"line {number} holds JSON that is not an object")
        records.append(record)
    return records


def _groups(records):
    groups = defaultdict(list)
    for record in records:
        if "correlation_id" in record:
            groups[record["correlation_id"]].append(record)
    return groups


def failed_requests(records: list[dict]) -> list[str]:
    firsts = []
    for order, (cid, group) in enumerate(_groups(records).items()):
        failures = [
            r for r in group if r.get("event") == "request_finished" and r.get("status", 0) >= 500
        ]
        if failures:
            earliest = min(failures, key=lambda r: r["ts"])  # min keeps the first of equals
            firsts.append((earliest["ts"], records.index(earliest), order, cid))
    return [cid for *_, cid in sorted(firsts)]


def first_error(records: list[dict], correlation_id: str) -> dict | None:
    errors = [r for r in _groups(records).get(correlation_id, []) if r.get("level") == "ERROR"]
    return min(errors, key=lambda r: r["ts"]) if errors else None


def incident_summary(text: str) -> dict:
    records = parse_log(text)
    failed = failed_requests(records)
    if not failed:
        raise LookupError("no failed request in the log")
    error = first_error(records, failed[0])
    return {
        "correlation_id": failed[0],
        "first_failing_service": None if error is None else error["service"],
        "cause": None if error is None else error["message"],
    }
