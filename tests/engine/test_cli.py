"""The learner's CLI end to end: exit codes, plain-words output, reports, and no harm done."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from graders.paths import EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR

EXERCISE = "ch30/transfer_rollback"


def run_cli(*args: str, state: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COURSE_STATE": str(state)}
    return subprocess.run(
        [sys.executable, "-m", "graders", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state.json"


@pytest.fixture
def learner_tree(tmp_path: Path) -> Path:
    """A submission laid out like exercises/, starting from the reference solution."""
    tree = tmp_path / "submission"
    (tree / "ch30").mkdir(parents=True)
    shutil.copyfile(SOLUTIONS_DIR / f"{EXERCISE}.py", tree / f"{EXERCISE}.py")
    return tree


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_untouched_stub_fails_with_friendly_output_and_a_hint(state):
    result = run_cli("check", EXERCISE, "--target", str(EXERCISES_DIR), state=state)
    assert result.returncode == 1
    assert "Called:   get_balances(conn)" in result.stdout
    assert "still the stub" in result.stdout
    assert "Hint for task 1" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_reference_solutions_pass(state):
    result = run_cli("check", EXERCISE, "--target", str(SOLUTIONS_DIR), state=state)
    assert result.returncode == 0, result.stdout
    assert "All tests pass" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("check", "ch99"), "unknown chapter 'ch99'"),
        (("check", "ch30/nope"), "unknown exercise 'ch30/nope'"),
        (("check", "ch30", "--target", "/no/such/folder"), "target folder not found"),
        (("hint", "ch99"), "unknown chapter"),
        (("verify", "ch99"), "unknown chapter"),
    ],
)
def test_usage_errors_exit_2_with_one_line(state, args, message):
    result = run_cli(*args, state=state)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_syntax_error_is_reported_with_file_and_line(state, learner_tree):
    path = learner_tree / "ch30" / "transfer_rollback.py"
    text = path.read_text().splitlines()
    text[40] = "def broken(:"
    path.write_text("\n".join(text) + "\n")
    result = run_cli("check", EXERCISE, "--target", str(learner_tree), state=state)
    assert result.returncode == 1
    assert "SyntaxError" in result.stdout and "transfer_rollback.py, line 41" in result.stdout
    assert "Traceback" not in result.stdout


def test_missing_file_is_reported(state, learner_tree):
    (learner_tree / "ch30" / "transfer_rollback.py").unlink()
    result = run_cli("check", EXERCISE, "--target", str(learner_tree), state=state)
    assert result.returncode == 1
    assert "is missing (did you rename or move it?)" in result.stdout


def test_infinite_loop_is_reported_as_timed_out(state, learner_tree):
    path = learner_tree / "ch30" / "transfer_rollback.py"
    source = path.read_text().replace(
        "    if amount <= 0:\n", "    while True:\n        pass\n    if amount <= 0:\n"
    )
    path.write_text(source)
    result = run_cli(
        "check", "ch30", "--target", str(learner_tree), "--timeout-scale", "0.1", state=state
    )
    assert result.returncode == 1
    assert "did not finish within 1 s" in result.stdout
    assert "✓ task 1" in result.stdout  # get_balances still passes: one loop does not sink all


def test_json_and_junit_reports(state, tmp_path):
    report, junit = tmp_path / "r.json", tmp_path / "r.xml"
    result = run_cli(
        "check",
        EXERCISE,
        "--target",
        str(EXERCISES_DIR),
        "--json",
        str(report),
        "--junit",
        str(junit),
        "--quiet",
        state=state,
    )
    assert result.returncode == 1 and result.stdout == ""
    data = json.loads(report.read_text())
    assert data["total"] == 0 and data["possible"] == 12 and data["passed"] is False
    (exercise,) = data["exercises"]
    assert exercise["id"] == EXERCISE and exercise["status"] == "failed"
    first = exercise["tests"][0]
    assert {"id", "exercise", "task", "outcome", "message", "points", "max_points"} <= set(first)
    assert first["outcome"] == "failed" and first["task"] == 1
    assert sum(t["max_points"] for t in exercise["tests"]) == pytest.approx(12)
    suites = ElementTree.parse(junit).getroot()
    assert suites.tag == "testsuites" and suites.get("tests") == str(len(exercise["tests"]))
    # A stub's tests cannot reach a verdict: JUnit calls them errors, not failures.
    verdicts = suites.findall("./testsuite/testcase/failure") + suites.findall(
        "./testsuite/testcase/error"
    )
    assert len(verdicts) == len(exercise["tests"])


def test_learner_files_are_never_modified(state, learner_tree):
    before = digest(learner_tree)
    run_cli("check", EXERCISE, "--target", str(learner_tree), state=state)
    assert digest(learner_tree) == before


def test_checking_another_folder_does_not_touch_progress(state, learner_tree):
    run_cli("check", EXERCISE, "--target", str(learner_tree), state=state)
    assert not state.exists()


def test_hints_come_one_more_at_a_time(state):
    first = run_cli("hint", EXERCISE, state=state)
    second = run_cli("hint", EXERCISE, state=state)
    assert "Hint 1/2" in first.stdout and "Hint 2/2" not in first.stdout
    assert "Hint 2/2" in second.stdout


def test_progress_shows_every_chapter(state):
    run_cli("check", EXERCISE, state=state)
    result = run_cli("progress", state=state)
    assert result.returncode == 0
    for chapter in ("ch28", "ch30", "ch37"):
        assert chapter in result.stdout
    # Checking an untouched stub starts nothing ("started" = the file differs from the stub).
    assert "transfer_rollback: not" in result.stdout


def test_watch_reruns_the_check_after_a_save(state, learner_tree):
    """make watch: one run at start, another after the learner saves a file."""
    import selectors
    import time

    env = {**os.environ, "COURSE_STATE": str(state), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "graders", "watch", EXERCISE, "--target", str(learner_tree)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = ""
    try:
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + 120
        touched = False
        while time.monotonic() < deadline and seen.count("Score:") < 2:
            if selector.select(timeout=1):
                line = process.stdout.readline()
                seen += line
            if "Watching" in seen and not touched:
                time.sleep(0.5)  # let the watcher settle before the save
                path = learner_tree / "ch30" / "transfer_rollback.py"
                path.write_text(path.read_text() + "\n# saved again\n")
                touched = True
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
    assert seen.count("Score: 12/12") >= 2, seen


def test_printed_output_is_shown_and_warnings_are_not_errors(state, learner_tree):
    """Learner prints reach the failure message; a DeprecationWarning does not fail a test."""
    path = learner_tree / "ch30" / "transfer_rollback.py"
    source = path.read_text().replace(
        '    rows = conn.execute("SELECT name, balance FROM accounts").fetchall()\n',
        '    import warnings\n    warnings.warn("old style", DeprecationWarning)\n'
        '    print("debug: reading balances")\n'
        '    rows = conn.execute("SELECT name, balance FROM accounts").fetchall()\n'
        "    rows = rows[:1]\n",
    )
    path.write_text(source)
    result = run_cli("check", EXERCISE, "--target", str(learner_tree), state=state)
    assert result.returncode == 1
    assert "Printed:  debug: reading balances" in result.stdout
    assert "DeprecationWarning" not in result.stdout.split("Printed:")[0]
