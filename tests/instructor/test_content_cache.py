"""The per-exercise content cache: identical files are graded once across a class and across
runs, and the grades it serves are the grades a fresh judge gives."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graders.batch.cache import FOLDER_VARIABLE, ExerciseCache
from graders.manifest import load_course
from graders.options import SandboxOptions
from graders.paths import GRADERS_DIR, REPO_ROOT, SOLUTIONS_DIR
from graders.results import ExerciseResult, TestResult

pytestmark = pytest.mark.timeout(600)

EXERCISE = "ch30/transfer_rollback"
MUTANT = GRADERS_DIR / "ch30" / "mutants" / "transfer_rollback" / "no_rollback.py"


def add(submissions: Path, learner: str, source: bytes) -> None:
    folder = submissions / learner / "ch30"
    folder.mkdir(parents=True)
    (folder / "transfer_rollback.py").write_bytes(source)


def grade(submissions: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "graders", "grade", str(submissions), "--out", str(out)]
    command += ["--select", EXERCISE, "--isolation", "none", "--jobs", "1", *extra]
    env = {**os.environ, FOLDER_VARIABLE: str(submissions.parent / "cache")}
    return subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, env=env
    )


def rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open() as handle:
        return {row["learner"]: row for row in csv.DictReader(handle)}


def judged(out: Path) -> int:
    """How many exercise results the class's cache holds: one per distinct file graded."""
    return len(list((out.parent / "cache").rglob("*.json")))


@pytest.fixture(scope="module")
def class_of_four(tmp_path_factory):
    """Four learners, two distinct files: the solution three times, a mutant once."""
    root = tmp_path_factory.mktemp("cache")
    submissions, out = root / "submissions", root / "out"
    solution = (SOLUTIONS_DIR / f"{EXERCISE}.py").read_bytes()
    for learner in ("ada", "bo", "cy"):
        add(submissions, learner, solution)
    add(submissions, "dee", MUTANT.read_bytes())
    done = grade(submissions, out)
    assert done.returncode == 0, done.stderr
    return submissions, out


def test_identical_files_are_graded_once_across_a_class(class_of_four):
    _submissions, out = class_of_four
    assert judged(out) == 2
    book = rows(out)
    assert book["ada"]["total"] == book["bo"]["total"] == book["cy"]["total"]
    assert float(book["dee"]["total"]) < float(book["ada"]["total"])
    for learner in ("ada", "bo", "cy"):  # every copy gets its own full set of reports
        tests = json.loads((out / "learners" / learner / "outcome.json").read_text())["tests"]
        assert tests and all(t["outcome"] == "passed" for t in tests)


def test_a_cached_grade_is_the_grade_a_fresh_judge_gives(class_of_four, tmp_path):
    submissions, out = class_of_four
    fresh = tmp_path / "fresh"
    done = grade(submissions, fresh, "--force")
    assert done.returncode == 0, done.stderr
    assert (fresh / "gradebook.csv").read_text() == (out / "gradebook.csv").read_text()
    for learner in ("bo", "dee"):
        cached = (out / "learners" / learner / "feedback.md").read_text()
        assert cached == (fresh / "learners" / learner / "feedback.md").read_text()


def test_a_new_learner_with_a_known_file_is_served_from_the_cache(class_of_four, tmp_path):
    submissions, out = class_of_four
    add(submissions, "eve", MUTANT.read_bytes())
    done = grade(submissions, out)
    assert done.returncode == 0, done.stderr
    assert judged(out) == 2  # nothing new was judged
    assert rows(out)["eve"]["total"] == rows(out)["dee"]["total"]


def _entry(kind: str) -> ExerciseResult:
    entry = ExerciseResult(EXERCISE, "t")
    entry.tests = [TestResult("ch30/x.py::t", EXERCISE, 1, "t", "d", "failed", "m /w/x", kind)]
    return entry


@pytest.mark.parametrize("kind", ["timeout", "memory", "crashed", "grader_error", "not_run"])
def test_outcomes_a_quieter_machine_could_change_are_never_stored(tmp_path, kind):
    course = load_course()
    exercise = course.exercise(EXERCISE)
    base = tmp_path / "base"
    (base / "ch30").mkdir(parents=True)
    (base / "ch30" / "transfer_rollback.py").write_text("x = 1\n")
    cache = ExerciseCache(tmp_path / "c", "g", SandboxOptions(), course)
    cache.put(_entry(kind), exercise, base, "/w")
    assert not cache.holds(exercise, base)
    cache.put(_entry("assertion"), exercise, base, "/w")
    found = cache.get(exercise, base, "/elsewhere")
    assert found is not None and found.tests[0].message == "m /elsewhere/x"


def test_different_limits_or_graders_never_share_a_result(tmp_path):
    course = load_course()
    exercise = course.exercise(EXERCISE)
    base = tmp_path / "base"
    (base / "ch30").mkdir(parents=True)
    (base / "ch30" / "transfer_rollback.py").write_text("x = 1\n")
    stored = ExerciseCache(tmp_path / "c", "g", SandboxOptions(), course)
    stored.put(_entry("assertion"), exercise, base, "/w")
    assert stored.holds(exercise, base)
    other_limits = ExerciseCache(tmp_path / "c", "g", SandboxOptions(time_limit=9), course)
    other_graders = ExerciseCache(tmp_path / "c", "h", SandboxOptions(), course)
    assert not other_limits.holds(exercise, base) and not other_graders.holds(exercise, base)
    (base / "ch30" / "transfer_rollback.py").write_text("x = 2\n")
    assert not stored.holds(exercise, base)
