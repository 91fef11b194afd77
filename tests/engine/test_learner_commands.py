"""Learner commands: make flags, hints for the exercise being worked on, progress, checklists."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from graders.manifest import load_course
from graders.paths import EXERCISES_DIR, REPO_ROOT
from graders.pristine import is_untouched
from graders.report.terminal import render_exercise
from graders.results import ExerciseResult, TestResult


def run(*command: str, state: Path, stdin: str | None = None, timeout: float = 300):
    env = {**os.environ, "COURSE_STATE": str(state)}
    return subprocess.run(
        list(command),
        cwd=REPO_ROOT,
        env=env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def graders(*args: str, state: Path, stdin: str | None = None):
    return run(sys.executable, "-m", "graders", *args, state=state, stdin=stdin)


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state.json"


def test_make_passes_v_and_answers_through(state):
    check = run("make", "-n", "check", "ch29", "V=1", state=state)
    assert "graders check ch29" in check.stdout and " -v" in check.stdout
    quiz = run("make", "-n", "quiz", "ch29", "ANSWERS=abcd", state=state)
    assert "graders quiz ch29 --answers 'abcd'" in quiz.stdout


def test_the_more_failures_line_names_v_1_for_make_users():
    entry = ExerciseResult("ch29/joins_windows", "Joins")
    entry.tests = [
        TestResult(str(n), entry.id, 1, str(n), f"test {n}", "failed", "Called: f()", "assertion")
        for n in range(5)
    ]
    console = Console(width=200, record=True)
    render_exercise(console, entry, load_course(), show_hint=False)
    assert "2 more failure(s): see them in full with make check ch29/joins_windows V=1" in (
        console.export_text()
    )


def test_the_first_build_says_what_it_is_doing(state):
    plan = run("make", "-n", "-B", ".venv/.installed-stamp", state=state).stdout
    for step in ("[1/3] Creating", "[2/3] Updating pip", "[3/3] Installing"):
        assert step in plan
    assert "Collecting" in plan  # pip's own lines, one per package, are shown


def test_started_means_the_file_differs_from_the_stub(tmp_path):
    exercise = load_course().exercise("ch30/flash_sale")
    (tmp_path / "ch30").mkdir()
    copy = tmp_path / exercise.relative_file
    shutil.copyfile(EXERCISES_DIR / exercise.relative_file, copy)
    assert is_untouched(exercise, tmp_path) is True
    copy.write_text(copy.read_text() + "\n# my first line\n")
    assert is_untouched(exercise, tmp_path) is False


def test_checking_an_untouched_stub_does_not_start_it(state):
    graders("check", "ch30/transfer_rollback", state=state)
    progress = graders("progress", state=state)
    assert "transfer_rollback: not" in progress.stdout  # "not started", maybe wrapped
    assert "transfer_rollback: started" not in progress.stdout


@pytest.fixture
def ch28_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(EXERCISES_DIR / "ch28", tree / "ch28")
    return tree


def test_hint_follows_the_latest_edited_exercise_until_the_hints_run_out(state, ch28_tree):
    edited = ch28_tree / "ch28" / "command_undo.py"
    edited.write_text(edited.read_text() + "\n# working on it\n")
    older = time.time() - 3600
    for path in (ch28_tree / "ch28").glob("*.py"):
        if path != edited:
            os.utime(path, (older, older))
    task = load_course().exercise("ch28/command_undo").tasks[0]
    outputs = []
    for _ in range(len(task.hints) + 1):
        result = graders("hint", "--target", str(ch28_tree), state=state)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert all("ch28/command_undo task 1" in out for out in outputs)
    count = len(task.hints)
    for level, out in enumerate(outputs[:count], start=1):
        assert f"Hint {level}/{count}" in out and f"Hint {level + 1}/{count}" not in out
    assert "That was the last hint" in outputs[count - 1]
    assert f"You have seen all {count} hints" in outputs[count]


def test_make_hint_ends_without_a_make_error(state):
    result = run("make", "hint", "ch28/command_undo", state=state)
    assert result.returncode == 0
    assert "Error" not in result.stderr and "Hint 1/" in result.stdout


def test_checklist_asks_item_by_item_and_progress_shows_the_ticks(state):
    first = graders("checklist", "ch32", state=state, stdin="y\nn\nmaybe\ny\n")
    assert first.returncode == 0
    assert "'maybe' is not y or n" in first.stdout
    assert "2/9 ticked" in first.stdout
    again = graders("checklist", "ch32", state=state, stdin="\nq\n")  # Enter keeps, q stops
    assert "1/9 [x]" in again.stdout and "2/9 ticked" in again.stdout
    no_input = graders("checklist", "ch32", state=state)  # no terminal, nothing to read
    assert no_input.returncode == 0 and "2/9 ticked" in no_input.stdout
    progress = graders("progress", state=state)
    assert "2/9 ticked" in progress.stdout
