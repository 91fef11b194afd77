"""A pytest plugin, living in the trusted process, that records each grader test's verdict."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any

import pytest

from graders.harness import GradeFailure, SubmissionProblem


@dataclass
class Record:
    nodeid: str
    module: str
    exercise: str
    name: str
    description: str
    task: int | None
    requirement: str = ""
    outcome: str = "passed"
    message: str = ""
    kind: str = ""
    duration: float = 0.0


def _classify(excinfo: pytest.ExceptionInfo[BaseException]) -> tuple[str, str, str]:
    """Turn an exception into (outcome, kind, message) for the learner."""
    exc = excinfo.value
    if isinstance(exc, GradeFailure):
        text = str(exc)
        kind = "stub" if "still the stub" in text else "assertion"
        for marker, name in (
            ("MemoryError", "memory"),
            ("File too large", "output_limit"),
            ("timed out", "timeout"),
            ("Problem:  the process", "crashed"),
            ("has no function named", "missing"),
            ("Problem:  not run: calls into this code timed out", "not_run"),
        ):
            if marker in text:
                kind = name
        return "failed", kind, text
    if isinstance(exc, SubmissionProblem):
        return "failed", exc.kind, str(exc)
    if isinstance(exc, AssertionError):
        return "failed", "assertion", str(exc) or excinfo.exconly()
    if excinfo.typename == "Failed" and "Timeout" in str(exc):
        return "failed", "timeout", str(exc).strip().splitlines()[0]
    detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-3:])
    return "error", "grader_error", f"internal grader error (please report it): {detail.strip()}"


def _with_printed_output(item: pytest.Item, message: str) -> str:
    """Add what the learner's code printed during the test, unless the message has it."""
    if "Printed:" in message:
        return message
    funcargs = getattr(item, "funcargs", {})
    for name in ("learner", "taskforge"):
        sandbox = getattr(funcargs.get(name), "sandbox", None)
        printed = "".join(getattr(sandbox, "recent_output", [])).strip()
        if printed:
            lines = printed.splitlines()[-8:]
            return message + "\nPrinted:  " + "\n          ".join(lines)
    return message


def _requirement(item: pytest.Item) -> str:
    marker = item.get_closest_marker("requirement")
    return str(marker.args[0]) if marker is not None and marker.args else ""


@dataclass(eq=False)  # pytest keeps plugins in a set: identity, not field equality
class Collector:
    """Collects one Record per test, plus errors raised while collecting grader files."""

    records: list[Record] = field(default_factory=list)
    collection_errors: list[str] = field(default_factory=list)
    ran: set[str] = field(default_factory=set)  # node ids that got as far as a report
    _by_id: dict[str, Record] = field(default_factory=dict)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(f"{report.nodeid}: {report.longreprtext[-800:]}")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            marker = item.get_closest_marker("task")
            task = None
            if marker is not None:
                task = marker.args[0] if marker.args else marker.kwargs.get("taskno")
            doc = (getattr(item, "function", None).__doc__ or "").strip()
            module = getattr(item, "module", None)
            description = doc.splitlines()[0] if doc else item.name.replace("_", " ")
            callspec = getattr(item, "callspec", None)
            if callspec is not None:
                description += f" ({callspec.id.replace('_', ' ')})"
            record = Record(
                nodeid=item.nodeid,
                module=getattr(module, "__name__", ""),
                exercise=getattr(module, "EXERCISE", ""),
                name=item.name,
                description=description,
                task=task,
                requirement=_requirement(item),
            )
            self.records.append(record)
            self._by_id[item.nodeid] = record

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[Any]):
        outcome = yield
        report = outcome.get_result()
        record = self._by_id.get(item.nodeid)
        if record is None:
            return
        self.ran.add(item.nodeid)
        record.duration += report.duration
        if report.failed and record.outcome == "passed":
            if call.excinfo is not None:
                record.outcome, record.kind, record.message = _classify(call.excinfo)
                record.message = _with_printed_output(item, record.message)
            else:
                record.outcome, record.kind = "error", "grader_error"
                record.message = report.longreprtext[-800:]
        elif report.skipped and record.outcome == "passed":
            record.outcome, record.kind, record.message = (
                "failed",
                "skipped",
                "this test did not run",
            )
