"""Alternative: failures collected in a dict of earliest failure (id -> (ts, position)) and
sorted at the end; first_error keeps a running minimum over (ts, position) keys."""

from __future__ import annotations

import json


def parse_log(text: str) -> list[dict]:
    out = []
    for position, raw in enumerate(text.split("\n")):
        stripped = raw.strip()
        if stripped == "":
            continue
        try:
            value = json.loads(stripped)
        except ValueError:
            value = None
        if type(value) is not dict:
            raise ValueError(f"bad record on line {position + 1}")
        out.append(value)
    return out


def failed_requests(records: list[dict]) -> list[str]:
    earliest: dict[str, tuple[str, int]] = {}
    for position, record in enumerate(records):
        if record.get("event") == "request_finished" and record.get("status", 0) >= 500:
            key = (record["ts"], position)
            cid = record["correlation_id"]
            if cid not in earliest or key < earliest[cid]:
                earliest[cid] = key
    return sorted(earliest, key=earliest.__getitem__)


def first_error(records: list[dict], correlation_id: str) -> dict | None:
    best, best_key = None, None
    for position, record in enumerate(records):
        if record.get("level") != "ERROR" or record.get("correlation_id") != correlation_id:
            continue
        key = (record["ts"], position)
        if best_key is None or key < best_key:
            best, best_key = record, key
    return best


def incident_summary(text: str) -> dict:
    records = parse_log(text)
    failures = failed_requests(records)
    if len(failures) == 0:
        raise LookupError("every request succeeded")
    cid = failures[0]
    error = first_error(records, cid) or {}
    return {
        "correlation_id": cid,
        "first_failing_service": error.get("service"),
        "cause": error.get("message"),
    }
