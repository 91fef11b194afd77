"""Hidden grader tests (graders/chNN/test_<module>_hidden.py): never shipped to learners, never run
by their checks, run and labelled by batch grading, shown after the due date on Gradescope."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graders.batch import feedback
from graders.batch.cache import FOLDER_VARIABLE
from graders.commands import verify
from graders.devcheck import mutant_files
from graders.instructor import release
from graders.manifest import load_course
from graders.paths import EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR
from graders.report import formats
from graders.runner import run_exercises

pytestmark = pytest.mark.timeout(600)

EXERCISE = "ch30/transfer_rollback"


@pytest.fixture(scope="module")
def exercise():
    found = load_course().exercise(EXERCISE)
    assert found is not None and found.hidden_test_file.is_file()
    return found


@pytest.fixture(scope="module")
def both(exercise):
    """The reference graded as a learner's check sees it, and as the class is graded."""
    public, _ = run_exercises([exercise], target=SOLUTIONS_DIR)
    full, _ = run_exercises([exercise], target=SOLUTIONS_DIR, hidden=True)
    return public, full


def hidden_ids(result) -> list[str]:
    return [t.id for t in result.tests() if "_hidden.py::" in t.id]


def test_a_learners_check_runs_only_the_public_tests(both):
    public, full = both
    assert public.tests() and not hidden_ids(public)
    assert len(hidden_ids(full)) == 2
    assert len(full.tests()) == len(public.tests()) + 2
    assert public.passed and full.passed  # the reference passes both sets


def test_the_public_tests_alone_still_fail_the_stub(exercise):
    result, _ = run_exercises([exercise], target=EXERCISES_DIR)
    assert not hidden_ids(result)
    assert result.tests() and not any(t.passed for t in result.tests())


def test_hidden_points_come_out_of_their_tasks_points(both, exercise):
    public, full = both
    for result in (public, full):
        assert sum(t.max_points for t in result.tests()) == pytest.approx(exercise.points, abs=0.01)


def test_gradescope_shows_hidden_tests_after_the_due_date(both):
    _public, full = both
    rows = formats.gradescope_data(full)["tests"]
    shown = {row["name"]: row["visibility"] for row in rows}
    hidden = [name for name, v in shown.items() if v == "after_due_date"]
    assert len(hidden) == 2 and all(v == "visible" for n, v in shown.items() if n not in hidden)


def test_exercism_never_shows_a_hidden_tests_code(both):
    _public, full = both
    entries = json.loads(formats.to_exercism(full))["tests"]
    codes = [e["test_code"] for e in entries]
    assert "test_hidden_transfer_between_other_accounts" in codes  # its name, not its body
    assert not any("make_bank(learner, OTHERS)" in code for code in codes)


def test_feedback_labels_each_hidden_test(both):
    _public, full = both
    text = feedback.to_markdown("ada", full, [])
    labelled = [line for line in text.splitlines() if line.endswith("(hidden test)")]
    assert len(labelled) == 2
    assert f"2 {feedback.HIDDEN_NOTE}" in text
    assert feedback.to_html("ada", full, []).count("(hidden test)") == 2


def test_the_learner_release_leaves_hidden_files_out(exercise):
    name = exercise.hidden_test_file.relative_to(REPO_ROOT).as_posix()
    assert release.is_excluded(name)
    assert not release.is_excluded(exercise.test_file.relative_to(REPO_ROOT).as_posix())


def test_verify_proves_the_grader_with_and_without_hidden_tests(exercise):
    runs = list(verify.plan([exercise]))
    expected = 2 + len(verify.alternative_files(exercise)) + len(mutant_files(exercise))
    assert len(runs) == expected + 2  # + the reference and the stub on the public tests alone


def test_batch_grading_runs_hidden_tests_and_says_which(tmp_path):
    submissions = tmp_path / "submissions"
    folder = submissions / "ada" / "ch30"
    folder.mkdir(parents=True)
    (folder / "transfer_rollback.py").write_bytes((SOLUTIONS_DIR / f"{EXERCISE}.py").read_bytes())
    out = tmp_path / "out"
    command = [sys.executable, "-m", "graders", "grade", str(submissions), "--out", str(out)]
    command += ["--select", EXERCISE, "--isolation", "none", "--jobs", "1"]
    env = {**os.environ, FOLDER_VARIABLE: str(tmp_path / "cache")}  # judged, not served
    done = subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, env=env
    )
    assert done.returncode == 0, done.stderr
    with (out / "gradebook.csv").open() as handle:
        (row,) = list(csv.DictReader(handle))
    assert float(row["total"]) == pytest.approx(load_course().exercise(EXERCISE).points)
    learner = out / "learners" / "ada"
    outcome = json.loads((learner / "outcome.json").read_text())
    assert len([t for t in outcome["tests"] if "_hidden.py::" in t["id"]]) == 2
    assert (learner / "feedback.md").read_text().count("(hidden test)") == 2
    rows = json.loads((learner / "gradescope.json").read_text())["tests"]
    assert sum(r["visibility"] == "after_due_date" for r in rows) == 2
    with (out / "item_analysis.csv").open() as handle:
        items = list(csv.DictReader(handle))
    hidden = sorted(row["test"].split("::")[1] for row in items if row["hidden"] == "yes")
    assert hidden == [
        "test_hidden_one_short_is_refused",
        "test_hidden_transfer_between_other_accounts",
    ]
    assert (out / "item_analysis.md").read_text().count("(hidden test)") == 2


def test_hidden_files_are_named_after_an_exercise():
    """A stray *_hidden.py that matches no exercise would never run: catch the typo here."""
    course = load_course()
    known = {e.hidden_test_file for e in course.exercises}
    found = set(Path(REPO_ROOT, "graders").glob("ch*/test_*_hidden.py"))
    assert found and found <= known


def test_the_gradescope_bundle_carries_hidden_files(exercise):
    """Gradescope grades with every test and shows hidden ones after the due date."""
    from graders.instructor import gradescope

    name = exercise.hidden_test_file.relative_to(REPO_ROOT).as_posix()
    assert gradescope._belongs_in_bundle(name)
