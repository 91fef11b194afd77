"""Machine-readable views of one GradingResult: our JSON, JUnit XML, Exercism v3, Gradescope
and GitHub Classroom. Each is a pure function of the result, seen as the learner sees it."""

from __future__ import annotations

import base64
import copy
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from graders.manifest import Course
from graders.report import scoring, test_source
from graders.report.learner_text import for_learner, split_printed
from graders.results import GradingResult, TestResult

# Exercism test-runner interface (version 3): per-test output is capped at 500 characters.
EXERCISM_OUTPUT_LIMIT = 500
EXERCISM_TRUNCATED = "Output was truncated. Please limit to 500 chars"
# Failure kinds that mean "the code gave a wrong answer"; every other failure means the test
# could not run to its verdict (crash, stub, syntax error, time-out...): an error.
WRONG_ANSWER_KINDS = frozenset({"assertion"})
# GitHub Actions refuses an environment string over 128 KiB; stay clear of it with the name.
CLASSROOM_RESULT_LIMIT = 120_000


def _umask() -> int:
    """The process umask, read without changing it (batch threads write files meanwhile)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return _UMASK_AT_START


def _read_umask_once() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK_AT_START = _read_umask_once()  # at import, before any grading thread exists


def write_atomic(path: Path, text: str) -> None:
    """Write a file so readers never see half of it; its mode follows the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; a report is an ordinary file
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def learner_view(result: GradingResult, course: Course | None = None) -> GradingResult:
    """Exact points, learner-visible paths and no control codes: what every format shows."""
    view = scoring.rescore(result, course)
    target = result.target
    view.target = "exercises"
    for entry in view.exercises:
        entry.problem = for_learner(entry.problem, target)
        for test in entry.tests:
            test.message = for_learner(test.message, target)
            test.description = for_learner(test.description, target)
    return view


def printed(test: TestResult) -> tuple[str, str]:
    """(message without the learner's prints, the prints)."""
    own = getattr(test, "output", None)
    if isinstance(own, str):
        return test.message, own
    return split_printed(test.message)


def is_error(test: TestResult) -> bool:
    return not test.passed and test.kind not in WRONG_ANSWER_KINDS


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def to_json(result: GradingResult, course: Course | None = None) -> str:
    view = learner_view(result, course)
    data = view.to_dict()
    data["total"] = scoring.total(view.tests())
    data["possible"] = scoring.possible(view.tests())
    for raw, entry in zip(data["exercises"], view.exercises, strict=True):
        raw["score"], raw["possible"] = scoring.total(entry.tests), scoring.possible(entry.tests)
    return json.dumps(data, indent=2)


def to_junit(result: GradingResult, course: Course | None = None) -> str:
    """JUnit XML as Jenkins reads it (junit-10.xsd): one testsuite per exercise."""
    view = learner_view(result, course)
    tests = view.tests()
    suites = ET.Element(
        "testsuites",
        name="graders",
        tests=str(len(tests)),
        failures=str(sum(not t.passed and not is_error(t) for t in tests)),
        errors=str(sum(is_error(t) for t in tests)),
        time=f"{sum(t.duration for t in tests):.3f}",
    )
    for entry in view.exercises:
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=entry.id,
            tests=str(len(entry.tests)),
            failures=str(sum(not t.passed and not is_error(t) for t in entry.tests)),
            errors=str(sum(is_error(t) for t in entry.tests)),
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
            message, output = printed(test)
            if not test.passed:
                tag = "error" if is_error(test) else "failure"
                node = ET.SubElement(case, tag, message=_first_line(message), type=test.kind or tag)
                node.text = message
            if output:
                ET.SubElement(case, "system-out").text = output
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _exercism_output(text: str) -> str | None:
    if not text:
        return None
    if len(text) <= EXERCISM_OUTPUT_LIMIT:
        return text
    keep = EXERCISM_OUTPUT_LIMIT - len(EXERCISM_TRUNCATED) - 1
    return text[:keep] + "\n" + EXERCISM_TRUNCATED


def _exercism_code(test: TestResult) -> str:
    """The test's source, unless the test is not meant to be seen yet (hidden tests)."""
    if test_source.is_hidden(test.id) or test_source.visibility(test.id, test.name) != "visible":
        return test.name
    return test_source.test_code(test.id, test.name) or test.name


def to_exercism(result: GradingResult, course: Course | None = None) -> str:
    """Exercism test-runner interface, version 3: tests in file order, linked to their task."""
    view = learner_view(result, course)
    tests = view.tests()
    data: dict[str, Any] = {"version": 3, "status": "pass" if view.passed else "fail"}
    data["message"] = None
    problems = [e.problem for e in view.exercises if e.problem]
    if view.exercises and len(problems) == len(view.exercises):
        data["status"] = "error"  # nothing ran: a syntax error, a missing file...
        data["message"] = "\n".join(problems)
    entries = []
    for test in tests:
        message, output = printed(test)
        status = "pass" if test.passed else ("error" if is_error(test) else "fail")
        entry: dict[str, Any] = {
            "name": test.description,
            "status": status,
            "message": message if status != "pass" else None,
            "output": _exercism_output(output),
            "test_code": _exercism_code(test),
        }
        if isinstance(test.task, int):
            entry["task_id"] = test.task
        entries.append(entry)
    data["tests"] = entries
    return json.dumps(data, indent=2)


def gradescope_data(result: GradingResult, course: Course | None = None) -> dict[str, Any]:
    """Gradescope results.json: only fields of the published spec; tests add up to the score."""
    view = learner_view(result, course)
    tests = view.tests()
    rows = []
    for number, entry in enumerate(view.exercises, start=1):
        for index, test in enumerate(entry.tests, start=1):
            message, output = printed(test)
            text = message if not test.passed else ""
            if output:
                text = (text + "\n\n" if text else "") + "Your code printed:\n" + output
            task = f"task {test.task}: " if test.task else ""
            rows.append(
                {
                    "name": f"{entry.id} {task}{test.description}",
                    "number": f"{number}.{index}",
                    "score": test.points,
                    "max_score": test.max_points,
                    "status": "passed" if test.passed else "failed",
                    "output": text,
                    "tags": [entry.id, entry.id.split("/")[0]]
                    + ([f"task {test.task}"] if test.task else [])
                    + ([test.kind] if test.kind else []),
                    "visibility": test_source.visibility(test.id, test.name),
                }
            )
    total, possible = scoring.total(tests), scoring.possible(tests)
    problems = [f"{e.id}: {e.problem}" for e in view.exercises if e.problem]
    return {
        "score": total,
        "execution_time": math.ceil(sum(t.duration for t in tests)),
        "output": "\n".join([f"{scoring.show(total)}/{scoring.show(possible)} points", *problems]),
        "stdout_visibility": "hidden",
        "tests": rows,
    }


def to_gradescope(result: GradingResult, course: Course | None = None) -> str:
    return json.dumps(gradescope_data(result, course), indent=2)


def _classroom_status(tests: list[TestResult]) -> str:
    if tests and all(t.passed for t in tests):
        return "pass"
    if tests and all(is_error(t) for t in tests):
        return "error"
    return "fail"


def _classroom_payload(view: GradingResult, message_limit: int | None) -> dict[str, Any]:
    tests = view.tests()
    rows = []
    for test in tests:
        message, _output = printed(test)
        if message_limit is not None:
            message = message[:message_limit]
        rows.append(
            {
                "name": f"{test.exercise}: {test.description}",
                "status": "pass" if test.passed else ("error" if is_error(test) else "fail"),
                "message": (message or None) if not test.passed else None,
                "line_no": 0,  # the reporter prints " - line N" unless this is 0
                "score": test.points,
            }
        )
    return {
        "version": 1,
        "status": _classroom_status(tests),
        "max_score": scoring.possible(tests),
        "tests": rows,
    }


def classroom_data(result: GradingResult, course: Course | None = None) -> dict[str, Any]:
    """The result JSON GitHub Classroom's reporter reads from one runner (before base64)."""
    return _classroom_payload(learner_view(result, course), None)


def to_classroom(result: GradingResult, course: Course | None = None) -> str:
    return json.dumps(classroom_data(result, course), indent=2)


def _per_exercise_payload(view: GradingResult) -> dict[str, Any]:
    """Last resort for a huge result: one entry per exercise, points still exact."""
    rows = [
        {
            "name": entry.id,
            "status": _classroom_status(entry.tests),
            "message": None,
            "line_no": 0,
            "score": scoring.total(entry.tests),
        }
        for entry in view.exercises
    ]
    tests = view.tests()
    return {
        "version": 1,
        "status": _classroom_status(tests),
        "max_score": scoring.possible(tests),
        "tests": rows,
    }


def classroom_encoded(result: GradingResult, course: Course | None = None) -> str:
    """Base64 of compact result JSON, shortened until it fits in one environment value:
    first the messages, then (for very large results) one entry per exercise."""
    view = learner_view(result, course)
    payloads = [lambda limit=limit: _classroom_payload(view, limit) for limit in (None, 500, 0)]
    payloads.append(lambda: _per_exercise_payload(view))
    for payload in payloads:
        compact = json.dumps(payload(), separators=(",", ":"))
        encoded = base64.b64encode(compact.encode("utf-8")).decode("ascii")
        if len(encoded) <= CLASSROOM_RESULT_LIMIT:
            break
    return encoded


def classroom_step_output(result: GradingResult, course: Course | None = None) -> str:
    """The step output line the Classroom reporter reads: result=<base64 of compact JSON>."""
    return "result=" + classroom_encoded(result, course) + "\n"


def per_chapter(result: GradingResult) -> dict[str, GradingResult]:
    """One result per chapter, in course order: one Classroom runner each keeps each small."""
    chapters: dict[str, GradingResult] = {}
    for entry in result.exercises:
        chapter = entry.id.split("/")[0]
        part = chapters.setdefault(chapter, GradingResult(target=result.target))
        part.exercises.append(copy.deepcopy(entry))
    return chapters


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
