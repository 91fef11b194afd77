"""Every report format is validated against the fields its platform publishes."""

from __future__ import annotations

import base64
import json
from xml.etree import ElementTree

import pytest

from graders.report import formats
from graders.results import ExerciseResult, GradingResult, TestResult


def make_result(*, problem: str = "") -> GradingResult:
    tests = [
        TestResult(
            "graders/ch30/test_x.py::test_ok",
            "ch30/x",
            1,
            "test_ok",
            "it works",
            "passed",
            points=2.0,
            max_points=2.0,
            duration=0.01,
        ),
        TestResult(
            "graders/ch30/test_x.py::test_bad",
            "ch30/x",
            2,
            "test_bad",
            "it refuses",
            "failed",
            message="Called:   f(1)\nReturned: 2\nExpected: 3",
            kind="assertion",
            points=0.0,
            max_points=3.0,
            duration=0.02,
        ),
        TestResult(
            "graders/ch30/test_x.py::test_boom",
            "ch30/x",
            2,
            "test_boom",
            "grader bug",
            "error",
            message="internal grader error",
            kind="grader_error",
            points=0.0,
            max_points=1.0,
        ),
    ]
    entry = ExerciseResult(
        "ch30/x", "X", tests=tests, problem=problem, problem_kind="syntax_error" if problem else ""
    )
    return GradingResult([entry], target="/tmp/t")


def test_our_json_round_trips():
    result = make_result()
    back = GradingResult.from_dict(json.loads(formats.to_json(result)))
    assert back.to_dict() == result.to_dict()
    assert (back.total, back.possible) == (2.0, 6.0)


def test_exercism_version_3_fields():
    data = json.loads(formats.to_exercism(make_result()))
    assert data["version"] == 3 and data["status"] == "fail"
    assert "message" not in data or data["message"] is None
    for test in data["tests"]:
        assert set(test) >= {"name", "status", "message", "test_code", "task_id"}
        assert test["status"] in {"pass", "fail", "error"}
        assert isinstance(test["name"], str) and isinstance(test["test_code"], str)
        assert isinstance(test["task_id"], int)
        if test["status"] == "pass":
            assert test["message"] is None
        else:
            assert isinstance(test["message"], str) and test["message"]
        assert test["output"] is None or len(test["output"]) <= 500
    assert [t["name"] for t in data["tests"]] == ["it works", "it refuses", "grader bug"]


def test_exercism_error_status_when_nothing_could_run():
    data = json.loads(formats.to_exercism(make_result(problem="SyntaxError in x.py, line 3")))
    assert data["status"] == "error" and "line 3" in data["message"]


GRADESCOPE_TOP = {
    "score",
    "max_score",
    "execution_time",
    "output",
    "output_format",
    "visibility",
    "stdout_visibility",
    "extra_data",
    "tests",
    "leaderboard",
}
GRADESCOPE_TEST = {
    "score",
    "max_score",
    "status",
    "name",
    "name_format",
    "number",
    "output",
    "output_format",
    "tags",
    "visibility",
    "extra_data",
}


def test_gradescope_fields():
    data = json.loads(formats.to_gradescope(make_result()))
    assert set(data) <= GRADESCOPE_TOP
    assert data["score"] == 2.0 and data["max_score"] == 6.0
    assert data["visibility"] in {"hidden", "after_due_date", "after_published", "visible"}
    for test in data["tests"]:
        assert set(test) <= GRADESCOPE_TEST
        assert test["status"] in {"passed", "failed"}
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
    assert sum(t["max_score"] for t in data["tests"]) == pytest.approx(data["max_score"])


def test_classroom_output_is_base64_json():
    result = make_result()
    line = formats.classroom_step_output(result)
    assert line.startswith("result=") and line.endswith("\n")
    data = json.loads(base64.b64decode(line[len("result=") :]))
    assert data == json.loads(formats.to_classroom(result))
    assert data["version"] == 1 and data["status"] == "fail" and data["max_score"] == 6.0
    for test in data["tests"]:
        assert set(test) >= {
            "name",
            "status",
            "message",
            "test_code",
            "filename",
            "line_no",
            "duration",
            "score",
        }
        assert test["status"] in {"pass", "fail", "error"}


def test_junit_structure():
    root = ElementTree.fromstring(formats.to_junit(make_result()))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "1")
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["test_ok", "test_bad", "test_boom"]
    assert cases[1].find("failure").get("message") == "Called:   f(1)"
    assert cases[2].find("error") is not None
