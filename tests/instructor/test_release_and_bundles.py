"""The learner release, the Gradescope bundle and the learners' GitHub workflow, exercised
in simulated layouts."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest
import yaml

from graders.instructor import gradescope, release
from graders.manifest import load_course
from graders.paths import EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR
from tests.engine.test_formats import reporter_script, run_reporter

VENV = Path(sys.executable).parent.parent
DATA = Path(__file__).parents[1] / "engine" / "data"
EXERCISE = "ch30/transfer_rollback"


def run(
    command: list[str],
    cwd: Path,
    env: dict | None = None,
    stdin: str | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


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
    for gone in (
        "graders/instructor",
        "graders/batch",
        "tests",
        "instructor.mk",
        "taskforge",
        "bin",
    ):
        assert not (out / gone).exists(), gone
    for kept in (
        "Makefile",
        "README.md",
        "course.toml",
        "chapters",
        "exercises/ch30",
        "graders/ch30/test_transfer_rollback.py",
        ".github/workflows/grade.yml",
    ):
        assert (out / kept).exists(), kept
    stub = (out / "exercises/ch30/transfer_rollback.py").read_text()
    assert "NotImplementedError" in stub


def make_in_release(out: Path, *args: str, stdin: str | None = None, state: Path | None = None):
    env = {"COURSE_STATE": str(state)} if state else {}
    return run(
        ["make", "--no-print-directory", "-o", ".venv/.installed-stamp", *args],
        out,
        env=env,
        stdin=stdin,
    )


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
    result = run(
        [
            sys.executable,
            "-m",
            "graders",
            "check",
            "ch30/transfer_rollback",
            "--target",
            str(submission),
        ],
        learner_release,
    )
    assert result.returncode == 0, result.stdout


def test_release_is_a_repository_with_its_first_commit(learner_release):
    log = run(["git", "log", "--format=%s"], learner_release)
    assert log.returncode == 0 and log.stdout.splitlines() == ["Course repository"]
    status = run(["git", "status", "--porcelain"], learner_release)
    # Everything is committed; the test's .venv is a symlink, which .venv/ does not match.
    assert [line for line in status.stdout.splitlines() if line != "?? .venv"] == []


def test_release_readme_is_written_for_learners(learner_release):
    text = (learner_release / "README.md").read_text()
    for gone in (
        "make test",
        "make serve",
        "make verify",
        "make grade",
        "solutions/",
        "For instructors",
        "instructor",
    ):
        assert gone not in text, gone
    assert "make check ch30" in text


def test_every_make_command_in_the_release_readme_exists_there(learner_release):
    text = (learner_release / "README.md").read_text()
    targets = sorted(set(re.findall(r"`make ([a-z][a-z-]*)", text)))
    assert {"check", "hint", "watch", "progress", "quiz", "gate"} <= set(targets)
    makefile = (learner_release / "Makefile").read_text()
    defined = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE))
    for target in targets:
        assert target in defined, target
        dry = make_in_release(learner_release, "-n", target)
        assert dry.returncode == 0, (target, dry.stderr)
    assert "make serve" not in make_in_release(learner_release, "help").stdout


def test_every_relative_link_in_the_release_readme_resolves(learner_release):
    text = (learner_release / "README.md").read_text()
    links = re.findall(r"\]\(([^)]+)\)", text)
    relative = [link for link in links if not link.startswith(("http://", "https://", "#"))]
    assert len(relative) >= 5
    for link in relative:
        assert (learner_release / link.split("#")[0]).exists(), link


# -- Gradescope ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def autograder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gradescope") / "autograder"
    bundle = gradescope.build(root.parent / "bundle.zip", selection="ch30/transfer_rollback")
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        assert "setup.sh" in names and "run_autograder" in names
        assert not [n for n in names if n.startswith(("solutions/", "exercises/"))]
        assert not [n for n in names if "/mutants/" in n or n.startswith("graders/instructor")]
        assert "graders/batch/single.py" in names and "graders/batch/runner.py" not in names
        archive.extractall(root / "source")
    return root


def submit(autograder: Path, files: dict[str, Path]) -> dict:
    submission = autograder / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    for name, source in files.items():
        (submission / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, submission / name)
    env = {
        "AUTOGRADER_ROOT": str(autograder),
        "AUTOGRADER_PYTHON": sys.executable,
        "AUTOGRADER_ISOLATION": "full" if os.geteuid() == 0 else "none",
    }
    result = run(["bash", str(autograder / "source" / "run_autograder")], autograder, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads((autograder / "results" / "results.json").read_text())


@pytest.mark.parametrize(
    ("files", "score"),
    [
        ({"transfer_rollback.py": SOLUTIONS_DIR / "ch30/transfer_rollback.py"}, 12),  # flat
        (
            {
                "course-main/exercises/ch30/transfer_rollback.py": SOLUTIONS_DIR
                / "ch30/transfer_rollback.py"
            },
            12,
        ),  # a whole copy, in its folder
        ({"ch30/transfer_rollback.py": EXERCISES_DIR / "ch30/transfer_rollback.py"}, None),
    ],
    ids=["flat", "course-copy", "stub"],
)
def test_gradescope_grades_the_bundled_selection_in_any_shape(autograder, files, score):
    """Spec: Gradescope autograder specifications (results.json), via the bundle's script."""
    data = submit(autograder, files)
    schema = json.loads((DATA / "gradescope-results.schema.json").read_text())
    jsonschema.validate(data, schema)
    # ch30/transfer_rollback only, as bundled
    assert data["tests"] and all(t["name"].startswith(EXERCISE) for t in data["tests"])
    assert sum(Fraction(t["max_score"]) for t in data["tests"]) == 12
    assert sum(Fraction(t["score"]) for t in data["tests"]) == Fraction(data["score"])
    if score is not None:
        assert data["score"] == score
    else:
        assert data["score"] < 12


def test_gradescope_explains_a_submission_it_cannot_read(autograder, tmp_path):
    data = submit(autograder, {"notes.txt": Path(__file__)})
    assert data["score"] == 0 and data["tests"] == []
    assert "no exercise files were found" in data["output"]


def test_gradescope_bundle_make_target_takes_a_selection():
    dry = run(["make", "-n", "gradescope-bundle", "SELECT=ch30"], REPO_ROOT)
    assert '--select "ch30"' in dry.stdout, dry.stdout + dry.stderr


def test_gradescope_setup_script_is_valid_bash(autograder):
    assert run(["bash", "-n", str(autograder / "source" / "setup.sh")], autograder).returncode == 0


# -- Exercism: bin/run.sh SLUG INPUT_DIR OUTPUT_DIR ----------------------------------
def test_exercism_entry_point_writes_results_v3(tmp_path):
    """Spec: Exercism test-runner interface (results.json version 3), bin/run.sh arguments."""
    given, output = tmp_path / "input", tmp_path / "output"
    given.mkdir()
    shutil.copyfile(SOLUTIONS_DIR / "ch30/transfer_rollback.py", given / "transfer_rollback.py")
    env = {
        "EXERCISM_PYTHON": sys.executable,
        "EXERCISM_ISOLATION": "full" if os.geteuid() == 0 else "none",
    }
    done = run(
        [str(REPO_ROOT / "bin" / "run.sh"), "transfer-rollback", f"{given}/", f"{output}/"],
        tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads((output / "results.json").read_text())
    jsonschema.validate(data, json.loads((DATA / "exercism-results-v3.schema.json").read_text()))
    assert data["status"] == "pass" and len(data["tests"]) >= 10
    unknown = run(
        [
            str(REPO_ROOT / "bin" / "run.sh"),
            "no-such-exercise",
            f"{given}/",
            f"{tmp_path / 'other'}/",
        ],
        tmp_path,
        env=env,
    )
    assert unknown.returncode == 0
    data = json.loads((tmp_path / "other" / "results.json").read_text())
    assert data["status"] == "error" and "no-such-exercise" in data["message"]


# -- the learners' GitHub Actions workflow --------------------------------------------
def test_learner_workflow_installs_only_what_grading_needs(learner_release):
    workflow = yaml.safe_load((learner_release / ".github/workflows/grade.yml").read_text())
    runs = [step.get("run", "") for step in workflow["jobs"]["grade"]["steps"]]
    installs = [r for r in runs if "pip install" in r]
    assert installs == ["python -m pip install --quiet -e ."]
    assert sum(r.count("graders check") for r in runs) == 1  # graded once


def test_learner_workflow_delivers_the_grade_to_classroom(learner_release, tmp_path):
    workflow = yaml.safe_load((learner_release / ".github/workflows/grade.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))
    assert "push" in triggers
    steps = workflow["jobs"]["grade"]["steps"]
    grade_step = next(step for step in steps if step.get("id") == "grade")
    reporter = next(s for s in steps if "autograding-grading-reporter" in s.get("uses", ""))
    runners = reporter["with"]["runners"].split(",")
    assert runners == [c.id for c in load_course().chapters if load_course().exercises_in(c.id)]
    assert reporter["env"] == {
        f"{r.upper()}_RESULTS": f"${{{{ steps.grade.outputs.{r} }}}}" for r in runners
    }
    output, summary = tmp_path / "output", tmp_path / "summary"
    env = {
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "COURSE_STATE": str(tmp_path / "state.json"),
        "PATH": f"{VENV}/bin:{os.environ['PATH']}",
    }
    script = grade_step["run"].replace("check all", "check ch30/transfer_rollback")  # keep it short
    result = run(["bash", "-e", "-c", script], learner_release, env=env)
    assert result.returncode == 0, result.stderr
    values = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert values["exit_code"] == "1"
    data = json.loads(base64.b64decode(values["ch30"]))
    # The untouched stubs: every test errors (or fails), none passes.
    assert data["status"] in {"fail", "error"} and data["max_score"] == 12
    assert len(values["ch30"]) < 120_000
    # Hand the step output to GitHub Classroom's own reporter, as the workflow's env does.
    script_js = reporter_script(tmp_path) if shutil.which("node") else None
    if script_js is not None:
        assert run_reporter(script_js, {"ch30": values["ch30"]}) == {
            "totalPoints": 0,
            "maxPoints": 12,
        }
    assert (learner_release / "grading" / "junit.xml").is_file()
    assert "ch30/transfer_rollback" in summary.read_text()


# -- the course website in the release --------------------------------------------------
def test_release_ships_the_site_and_a_pages_workflow_but_no_alternatives(learner_release):
    assert (learner_release / "coursesite" / "build.py").is_file()
    assert (learner_release / "notebooks" / "course_helpers.py").is_file()
    assert not list(learner_release.glob("graders/*/alternatives"))  # correct solutions
    assert not (learner_release / "tests" / "notebook_answers.toml").exists()
    pages = yaml.safe_load((learner_release / ".github/workflows/pages.yml").read_text())
    steps = pages["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert "python -m coursesite build" in runs
    assert any("upload-pages-artifact" in step.get("uses", "") for step in steps)
    assert any("deploy-pages" in s.get("uses", "") for s in pages["jobs"]["deploy"]["steps"])
    assert pages["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    makefile = (learner_release / "Makefile").read_text()
    assert "\nsite:" in makefile and "\nsite-serve:" in makefile
