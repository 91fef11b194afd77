"""The learner release, the Gradescope bundle and the learners' GitHub workflow, exercised
in simulated layouts."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from graders.instructor import gradescope, release
from graders.paths import EXERCISES_DIR, SOLUTIONS_DIR

VENV = Path(sys.executable).parent.parent


def run(command: list[str], cwd: Path, env: dict | None = None, stdin: str | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env={**os.environ, **(env or {})}, input=stdin,
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def learner_release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "course"
    release.build(out)
    (out / ".venv").symlink_to(VENV)  # the test reuses this environment instead of installing
    return out


def test_release_leaves_out_instructor_material(learner_release):
    out = learner_release
    assert not (out / "solutions").exists()
    assert not list(out.glob("graders/*/mutants"))
    for gone in ("graders/instructor", "graders/batch", "tests", "instructor.mk", "taskforge"):
        assert not (out / gone).exists(), gone
    for kept in ("Makefile", "README.md", "course.toml", "chapters", "exercises/ch30",
                 "graders/ch30/test_transfer_rollback.py", ".github/workflows/grade.yml"):
        assert (out / kept).exists(), kept
    stub = (out / "exercises/ch30/transfer_rollback.py").read_text()
    assert "NotImplementedError" in stub


def make_in_release(out: Path, *args: str, stdin: str | None = None, state: Path | None = None):
    env = {"COURSE_STATE": str(state)} if state else {}
    return run(["make", "--no-print-directory", "-o", ".venv/.installed-stamp", *args], out,
               env=env, stdin=stdin)


def test_release_check_hint_quiz_and_progress_work(learner_release, tmp_path):
    state = tmp_path / "state.json"
    checked = make_in_release(learner_release, "check", "ch30", state=state)
    assert checked.returncode != 0  # the stubs fail
    assert "Hint for task 1" in checked.stdout and "still the stub" in checked.stdout
    hint = make_in_release(learner_release, "hint", "ch30", state=state)
    assert "Hint 1/" in hint.stdout
    quiz = make_in_release(learner_release, "quiz", "ch33", stdin="a\n" * 12, state=state)
    assert quiz.returncode == 0, quiz.stdout + quiz.stderr
    progress = make_in_release(learner_release, "progress", state=state)
    assert "ch33" in progress.stdout and "not taken" in progress.stdout


def test_release_refuses_instructor_commands_clearly(learner_release):
    result = run([sys.executable, "-m", "graders", "verify"], learner_release)
    assert result.returncode == 2
    assert "instructor tool" in result.stderr


def test_release_passes_a_solved_exercise(learner_release, tmp_path):
    submission = tmp_path / "sub"
    shutil.copytree(SOLUTIONS_DIR / "ch30", submission / "ch30")
    result = run([sys.executable, "-m", "graders", "check", "ch30/transfer_rollback",
                  "--target", str(submission)], learner_release)
    assert result.returncode == 0, result.stdout


# -- Gradescope ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def autograder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gradescope") / "autograder"
    bundle = gradescope.build(root.parent / "bundle.zip")
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        assert "setup.sh" in names and "run_autograder" in names
        assert not [n for n in names if n.startswith(("solutions/", "exercises/"))]
        assert not [n for n in names if "/mutants/" in n]
        archive.extractall(root / "source")
    return root


@pytest.mark.parametrize(("source", "score"), [(SOLUTIONS_DIR, 12.0), (EXERCISES_DIR, 0.0)])
def test_gradescope_run_autograder_writes_results(autograder, source, score):
    submission = autograder / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    shutil.copytree(source / "ch30", submission / "ch30")
    env = {"AUTOGRADER_ROOT": str(autograder), "AUTOGRADER_PYTHON": sys.executable,
           "GRADESCOPE_SELECTION": "ch30/transfer_rollback",
           "AUTOGRADER_ISOLATION": "full" if os.geteuid() == 0 else "none"}
    result = run(["bash", str(autograder / "source" / "run_autograder")], autograder, env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads((autograder / "results" / "results.json").read_text())
    assert data["score"] == score and data["max_score"] == 12.0
    assert len(data["tests"]) == 15


def test_gradescope_setup_script_is_valid_bash(autograder):
    assert run(["bash", "-n", str(autograder / "source" / "setup.sh")], autograder).returncode == 0


# -- the learners' GitHub Actions workflow --------------------------------------------
def test_learner_workflow_runs_in_a_simulated_checkout(learner_release, tmp_path):
    workflow = yaml.safe_load((learner_release / ".github/workflows/grade.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))
    assert "push" in triggers
    steps = workflow["jobs"]["grade"]["steps"]
    grade_step = next(step for step in steps if step.get("id") == "grade")
    output, summary = tmp_path / "output", tmp_path / "summary"
    env = {"GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
           "COURSE_STATE": str(tmp_path / "state.json")}
    script = grade_step["run"].replace("check all", "check ch30/transfer_rollback")  # keep it short
    result = run(["bash", "-e", "-c", script], learner_release, env=env)
    assert result.returncode == 0, result.stderr
    values = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert values["exit_code"] == "1"
    data = json.loads(base64.b64decode(values["result"]))
    assert data["status"] == "fail" and data["max_score"] == 12.0
    assert (learner_release / "grading" / "junit.xml").is_file()
    assert "ch30/transfer_rollback" in summary.read_text()
