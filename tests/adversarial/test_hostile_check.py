"""Attacks on an exercise check's judge: a learner folder with a conftest.py that would force
every test to pass if pytest ever loaded it into the grading process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graders.paths import EXERCISES_DIR, REPO_ROOT

EXERCISE = "ch30/transfer_rollback"
pytestmark = pytest.mark.timeout(600)

# If the judge ever imports this, every test passes and a marker file appears.
FORGER = """
from pathlib import Path

import pytest

Path(__file__).with_name("LOADED_BY_THE_JUDGE").write_text("yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None
"""


@pytest.mark.parametrize("where", ["top", "chapter", "both"])
def test_a_planted_conftest_never_reaches_the_judge(tmp_path: Path, where: str) -> None:
    target = tmp_path / "exercises"
    (target / "ch30").mkdir(parents=True)
    shutil.copy(EXERCISES_DIR / f"{EXERCISE}.py", target / f"{EXERCISE}.py")  # the stub
    folders = {"top": [target], "chapter": [target / "ch30"], "both": [target, target / "ch30"]}
    for folder in folders[where]:
        (folder / "conftest.py").write_text(FORGER)
    report = tmp_path / "result.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "graders",
            "check",
            EXERCISE,
            "--target",
            str(target),
            "--json",
            str(report),
            "--quiet",
            "--no-record",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr  # the stub still fails
    assert not list(target.rglob("LOADED_BY_THE_JUDGE")), "the learner's conftest ran"
    data = json.loads(report.read_text())
    assert data["total"] == 0, "a planted conftest earned points"
