"""Batch grading as an instructor uses it: folders and zips, resuming, crashes, interruptions."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from graders.paths import EXERCISES_DIR, GRADERS_DIR, REPO_ROOT, SOLUTIONS_DIR

EXERCISE = "ch30/transfer_rollback"
SOLUTION = SOLUTIONS_DIR / f"{EXERCISE}.py"
MUTANT = GRADERS_DIR / "ch30" / "mutants" / "transfer_rollback" / "no_rollback.py"


def grade_command(submissions: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "graders",
        "grade",
        str(submissions),
        "--out",
        str(out),
        "--select",
        EXERCISE,
        "--isolation",
        "none",
        "--jobs",
        "2",
        *extra,
    ]


def run_grade(submissions: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        grade_command(submissions, out, *extra),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def gradebook(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open() as handle:
        return {row["learner"]: row for row in csv.DictReader(handle)}


def add_folder(submissions: Path, learner: str, source: Path) -> None:
    folder = submissions / learner / "ch30"
    folder.mkdir(parents=True)
    (folder / "transfer_rollback.py").write_bytes(source.read_bytes())


def add_zip(submissions: Path, learner: str, members: dict[str, bytes]) -> None:
    submissions.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(submissions / f"{learner}.zip", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


@pytest.fixture
def classroom(tmp_path: Path) -> Path:
    submissions = tmp_path / "submissions"
    add_folder(submissions, "ada", SOLUTION)
    add_folder(submissions, "ben", MUTANT)
    add_folder(submissions, "cy", EXERCISES_DIR / f"{EXERCISE}.py")
    add_zip(submissions, "dee", {"dee-work/ch30/transfer_rollback.py": SOLUTION.read_bytes()})
    add_zip(submissions, "eve", {"../../evil/ch30/transfer_rollback.py": b"x = 1\n"})
    (submissions / "fay.zip").write_bytes(b"this is not a zip file")
    return submissions


def test_folders_and_zips_are_graded_and_bad_ones_recorded(classroom, tmp_path):
    out = tmp_path / "out"
    result = run_grade(classroom, out)
    assert result.returncode == 0, result.stderr
    rows = gradebook(out)
    assert set(rows) == {"ada", "ben", "cy", "dee", "eve", "fay"}
    assert (rows["ada"]["total"], rows["ada"]["status"]) == ("12", "graded")
    assert rows["dee"]["total"] == "12"  # the zip's single top folder is looked inside
    assert 0 < float(rows["ben"]["total"]) < 12 and rows["cy"]["total"] == "0"
    assert rows["eve"]["status"] == "error" and "unsafe path" in rows["eve"]["notes"]
    assert rows["fay"]["status"] == "error" and "not a readable zip" in rows["fay"]["notes"]
    assert "ETA" in result.stdout and "[6/6]" in result.stdout


def test_a_rerun_skips_finished_learners_unless_forced(classroom, tmp_path):
    out = tmp_path / "out"
    run_grade(classroom, out)
    outcome = out / "learners" / "ada" / "outcome.json"
    first = outcome.stat().st_mtime_ns
    again = run_grade(classroom, out)
    assert again.stdout.count("already graded") == 6
    assert outcome.stat().st_mtime_ns == first
    forced = run_grade(classroom, out, "--force")
    assert "already graded" not in forced.stdout
    assert outcome.stat().st_mtime_ns != first
    assert gradebook(out)["ada"]["total"] == "12"


def test_killing_the_batch_loses_no_finished_grade(tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    for index in range(8):
        add_folder(submissions, f"learner{index}", SOLUTION if index % 2 else MUTANT)
    process = subprocess.Popen(
        grade_command(submissions, out, "--jobs", "1"),
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list(out.glob("learners/*/outcome.json"))) < 2:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = list(out.glob("learners/*/outcome.json"))
    assert 2 <= len(finished) < 8
    for path in finished:  # every grade written before the kill is whole and readable
        assert json.loads(path.read_text())["status"] == "graded"
    resumed = run_grade(submissions, out)
    assert resumed.stdout.count("already graded") == len(finished)
    rows = gradebook(out)
    assert len(rows) == 8
    for name, row in rows.items():
        if int(name[-1]) % 2:
            assert row["total"] == "12", row
        else:
            assert 0 < float(row["total"]) < 12, row
