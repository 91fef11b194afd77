"""Machine-readable views of one GradingResult: our JSON, JUnit XML, Exercism v3,
Gradescope and GitHub Classroom. Each is a pure function of the result."""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from graders.manifest import Course
from graders.results import ERROR, PASSED, GradingResult, TestResult

EXERCISM_OUTPUT_LIMIT = 500
EXERCISM_MESSAGE_LIMIT = 65535


def write_atomic(path: Path, text: str) -> None:
    """Write a file so readers never see half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def to_json(result: GradingResult, course: Course | None = None) -> str:
    return json.dumps(result.to_dict(), indent=2)


def to_junit(result: GradingResult, course: Course | None = None) -> str:
    """JUnit XML: one testsuite per exercise, one testcase per grader test."""
    tests = result.tests()
    suites = ET.Element(
        "testsuites",
        name="graders",
        tests=str(len(tests)),
        failures=str(sum(t.outcome == "failed" for t in tests)),
        errors=str(sum(t.outcome == ERROR for t in tests)),
        time=f"{sum(t.duration for t in tests):.3f}",
    )
    for entry in result.exercises:
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=entry.id,
            tests=str(len(entry.tests)),
            failures=str(sum(t.outcome == "failed" for t in entry.tests)),
            errors=str(sum(t.outcome == ERROR for t in entry.tests)),
            skipped="0",
            time=f"{sum(t.duration for t in entry.tests):.3f}",
        )
        for test in entry.tests:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=entry.id.replace("/", "."),
                name=test.name,
                time=f"{test.duration:.3f}",
            )
            if test.outcome != PASSED:
                tag = "error" if test.outcome == ERROR else "failure"
                node = ET.SubElement(
                    case, tag, message=_first_line(test.message), type=test.kind or tag
                )
                node.text = test.message
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _exercism_status(test: TestResult) -> str:
    return {"passed": "pass", "failed": "fail"}.get(test.outcome, "error")


def to_exercism(result: GradingResult, course: Course | None = None) -> str:
    """Exercism test-runner interface, version 3: tests in file order with task ids."""
    tests = result.tests()
    data: dict[str, Any] = {"version": 3, "status": "pass" if result.passed else "fail"}
    problems = [e.problem for e in result.exercises if e.problem]
    if problems and len(problems) == len(result.exercises):
        data["status"] = "error"
        data["message"] = "\n".join(problems)[:EXERCISM_MESSAGE_LIMIT]
    data["tests"] = [
        {
            "name": test.description,
            "status": _exercism_status(test),
            "message": test.message[:EXERCISM_MESSAGE_LIMIT] if test.outcome != PASSED else None,
            "output": None,
            "test_code": f"{test.exercise}: {test.name}",
            "task_id": test.task,
        }
        for test in tests
    ]
    return json.dumps(data, indent=2)


def to_gradescope(result: GradingResult, course: Course | None = None) -> str:
    """Gradescope autograder results.json: overall score plus one entry per test."""
    data = {
        "score": result.total,
        "max_score": result.possible,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "output": f"{result.total:g}/{result.possible:g} points ({result.percent:g}%)",
        "tests": [
            {
                "name": f"{test.exercise} task {test.task}: {test.description}",
                "number": f"{index}",
                "score": test.points,
                "max_score": test.max_points,
                "status": "passed" if test.passed else "failed",
                "output": test.message,
                "visibility": "visible",
            }
            for index, test in enumerate(result.tests(), start=1)
        ],
    }
    return json.dumps(data, indent=2)


def classroom_data(result: GradingResult) -> dict[str, Any]:
    """The JSON GitHub Classroom's Python grader reports (before base64 encoding)."""
    tests = result.tests()
    status = "pass" if result.passed else "fail"
    if tests and all(t.outcome == ERROR for t in tests):
        status = "error"
    return {
        "version": 1,
        "status": status,
        "max_score": result.possible,
        "tests": [
            {
                "name": test.description,
                "status": _exercism_status(test),
                "message": test.message or None,
                "test_code": test.name,
                "filename": test.id.split("::")[0],
                "line_no": 0,
                "duration": test.duration,
                "score": test.points,
            }
            for test in tests
        ],
    }


def to_classroom(result: GradingResult, course: Course | None = None) -> str:
    return json.dumps(classroom_data(result), indent=2)


def classroom_step_output(result: GradingResult) -> str:
    """The step output line the Classroom reporter reads: result=<base64 of compact JSON>."""
    compact = json.dumps(classroom_data(result), separators=(",", ":"))
    return "result=" + base64.b64encode(compact.encode("utf-8")).decode("ascii") + "\n"


WRITERS = {
    "json": to_json,
    "junit": to_junit,
    "exercism": to_exercism,
    "gradescope": to_gradescope,
    "classroom": to_classroom,
}


def write_report(
    name: str, result: GradingResult, path: Path, course: Course | None = None
) -> None:
    """Write one named format to a file, atomically."""
    write_atomic(path, WRITERS[name](result, course))
