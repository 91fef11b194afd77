"""A time-out costs only the tests that needed the code that hangs; a budget bounds the rest."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rich.console import Console

from graders.manifest import load_course
from graders.paths import REPO_ROOT, SOLUTIONS_DIR
from graders.report.terminal import render
from graders.results import ExerciseResult, GradingResult, TestResult
from graders.sandbox.client import Sandbox

LOOP = "    while True:  # the learner's mistake\n        pass\n"


def _with_loop(tmp_path: Path, exercise: str, function: str) -> Path:
    """A copy of the reference where one function never returns."""
    chapter, module = exercise.split("/")
    source = (SOLUTIONS_DIR / chapter / f"{module}.py").read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if f"def {function}(" in line)
    body = next(i for i in range(start, len(lines)) if lines[i].rstrip().endswith(":")) + 1
    if lines[body].strip().startswith(('"""', "'''")):  # after the docstring
        quote = lines[body].strip()[:3]
        if lines[body].strip().count(quote) < 2:
            body = next(i for i in range(body + 1, len(lines)) if quote in lines[i])
        body += 1
    lines.insert(body, LOOP)
    folder = tmp_path / "tree" / chapter
    folder.mkdir(parents=True)
    (folder / f"{module}.py").write_text("".join(lines), encoding="utf-8")
    return folder.parent


def _check(tree: Path, exercise: str, tmp_path: Path) -> dict:
    report = tmp_path / "result.json"
    subprocess.run(
        [sys.executable, "-m", "graders", "check", exercise, "--target", str(tree)]
        + ["--json", str(report), "--quiet", "--no-record", "--time-limit", "1"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return json.loads(report.read_text())["exercises"][0]


@pytest.mark.parametrize(
    ("exercise", "function", "needs_it"),
    [
        ("ch29/joins_windows", "rank_tasks_in_categories", ("rank",)),
        ("ch32/async_fanout", "choose_model", ("choose_model",)),
    ],
)
def test_a_loop_fails_only_the_tests_that_call_it(tmp_path, exercise, function, needs_it):
    entry = _check(_with_loop(tmp_path, exercise, function), exercise, tmp_path)
    tests = entry["tests"]
    callers = [t for t in tests if any(word in t["id"] for word in needs_it)]
    others = [t for t in tests if t not in callers]
    assert callers and others
    assert all(t["outcome"] == "failed" and t["kind"] == "timeout" for t in callers), callers
    assert [t["id"] for t in others if t["outcome"] != "passed"] == []


def test_the_budget_stops_hostile_code_and_says_so(tmp_path):
    (tmp_path / "solution.py").write_text(
        textwrap.dedent(
            """
            def spin():
                while True:
                    pass
            def fine():
                return 1
            """
        )
    )
    box = Sandbox(tmp_path / "solution.py", timeout=0.5, timeout_budget=1.0)
    try:
        box.begin_test()
        first = box.call("spin")
        second = box.call("fine")  # same test: not run, and says why truthfully
        box.begin_test()
        assert box.call("fine").status == "returned"  # a fresh worker for the next test
        box.call("spin")
        box.begin_test()
        last = box.call("fine")
    finally:
        box.close()
    assert (first.status, first.detail) == ("timeout", "0.5")
    assert second.status == "not_run" and "earlier call in this test" in second.detail
    assert last.status == "not_run" and "timed out for 1 s in all" in last.detail


def test_not_run_tests_are_reported_once_apart_from_failures():
    reason = "not run: calls into this code timed out for 120 s in all, the limit"
    entry = ExerciseResult("ch29/joins_windows", "Joins")
    entry.tests = [
        TestResult("a", entry.id, 1, "a", "first", "failed", "Called: f()\nBoom", "assertion"),
        TestResult("b", entry.id, 2, "b", "second", "failed", reason, "not_run"),
        TestResult("c", entry.id, 2, "c", "third", "failed", reason, "not_run"),
    ]
    console = Console(width=200, record=True)
    render(console, GradingResult([entry]), load_course())
    text = console.export_text()
    assert text.count("timed out for 120 s") == 1
    assert "2 test(s) not run: calls into this code" in text
    assert "○ task 2 second" in text and "○ task 2 third" in text
    assert "✗ task 1 first" in text and "✗ task 2 second" not in text
