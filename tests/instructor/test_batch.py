"""Batch grading as an instructor uses it: every submission shape, collisions, re-runs that
reuse only unchanged results, crashes and interruptions."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from graders.manifest import load_course
from graders.paths import EXERCISES_DIR, GRADERS_DIR, REPO_ROOT, SOLUTIONS_DIR

# Each test runs whole batches (seconds per learner); on a loaded machine that can pass 120 s.
pytestmark = pytest.mark.timeout(600)

EXERCISE = "ch30/transfer_rollback"
SOLUTION = SOLUTIONS_DIR / f"{EXERCISE}.py"
MUTANT = GRADERS_DIR / "ch30" / "mutants" / "transfer_rollback" / "no_rollback.py"


def grade_command(
    submissions: Path, out: Path, *extra: str, select: str | None = EXERCISE
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "graders",
        "grade",
        str(submissions),
        "--out",
        str(out),
        *(["--select", select] if select else []),
        "--isolation",
        "none",
        "--jobs",
        "2",
        *extra,
    ]


def run_grade(
    submissions: Path,
    out: Path,
    *extra: str,
    umask: int | None = None,
    select: str | None = EXERCISE,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        grade_command(submissions, out, *extra, select=select),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        umask=-1 if umask is None else umask,
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


NOISY = SOLUTION.read_text() + (
    "\n\ndef get_balances(conn):\n"
    '    print("\\x1b[31mred alert\\x1b[0m and a NUL:\\x00 end")\n'
    "    return {}\n"
)


@pytest.fixture(scope="module")
def classroom(tmp_path_factory) -> Path:
    """Every submission shape, a name collision, a noisy learner and two broken zips."""
    submissions = tmp_path_factory.mktemp("class") / "submissions"
    add_folder(submissions, "ada", SOLUTION)  # laid out like exercises/
    clone = submissions / "li wei" / "exercises" / "ch30"  # a clone of the course repository
    clone.mkdir(parents=True)
    (clone / "transfer_rollback.py").write_bytes(SOLUTION.read_bytes())
    (submissions / "li wei" / "README.md").write_text("my course copy\n")
    flat = submissions / "li_wei"  # a flat upload; its id collides with "li wei"
    flat.mkdir()
    (flat / "transfer_rollback.py").write_bytes((EXERCISES_DIR / f"{EXERCISE}.py").read_bytes())
    add_folder(submissions, "cy", EXERCISES_DIR / f"{EXERCISE}.py")  # the untouched stub
    add_zip(
        submissions,
        "zed",
        {
            "course-main/exercises/ch30/transfer_rollback.py": MUTANT.read_bytes(),
            "course-main/README.md": b"x",
        },
    )
    add_zip(submissions, "dee", {"dee-work/ch30/transfer_rollback.py": NOISY.encode()})
    add_folder(submissions, "amb", SOLUTION)  # the same exercises in two places
    (submissions / "amb" / "exercises").mkdir()
    shutil.copytree(submissions / "amb" / "ch30", submissions / "amb" / "exercises" / "ch30")
    add_zip(submissions, "eve", {"../../evil/ch30/transfer_rollback.py": b"x = 1\n"})
    (submissions / "fay.zip").write_bytes(b"this is not a zip file")
    return submissions


@pytest.fixture(scope="module")
def graded(classroom, tmp_path_factory):
    out = tmp_path_factory.mktemp("graded") / "out"
    result = run_grade(classroom, out, umask=0o022)
    assert result.returncode == 0, result.stderr
    return out, result


def outcome(out: Path, learner: str) -> dict:
    return json.loads((out / "learners" / learner / "outcome.json").read_text())


def test_every_shape_is_found_and_recorded(graded):
    out, result = graded
    rows = gradebook(out)
    collided = next(name for name in rows if name.startswith("li_wei-"))
    assert set(rows) == {"ada", "li_wei", collided, "cy", "zed", "dee", "amb", "eve", "fay"}
    assert "[9/9]" in result.stdout and "ETA" in result.stdout
    shapes = {name: outcome(out, name)["shape"] for name in rows}
    assert shapes["ada"] == "exercises" and shapes[collided] == "course_repo"
    assert shapes["li_wei"] == "flat" and shapes["zed"] == "folder/course_repo"
    assert shapes["dee"] == "folder/exercises"
    for name in ("ada", collided):
        assert (rows[name]["total"], rows[name]["status"]) == ("12", "graded"), rows[name]
    assert rows["li_wei"]["total"] == rows["cy"]["total"]  # the same stub, two shapes
    assert float(rows["cy"]["total"]) < 12
    assert 0 < float(rows["zed"]["total"]) < 12 and rows["zed"]["status"] == "graded"


def test_what_cannot_be_read_is_an_error_with_its_reason(graded):
    rows = gradebook(graded[0])
    assert rows["amb"]["status"] == "error" and "two places" in rows["amb"]["notes"]
    assert "chNN/ and exercises/chNN/" in rows["amb"]["notes"]
    assert rows["eve"]["status"] == "error" and "unsafe path" in rows["eve"]["notes"]
    assert rows["fay"]["status"] == "error" and "not a readable zip" in rows["fay"]["notes"]


def test_colliding_names_get_distinct_ids_and_a_roster(graded):
    out = graded[0]
    with (out / "roster.csv").open() as handle:
        roster = {row["learner"]: row for row in csv.DictReader(handle)}
    collided = next(name for name in roster if name.startswith("li_wei-"))
    assert roster[collided]["submitted_as"] == "li wei"
    assert roster["li_wei"]["submitted_as"] == "li_wei"
    assert roster["zed"]["submitted_as"] == "zed.zip"


def test_no_report_shows_a_temporary_path_or_a_control_code(graded):
    out = graded[0]
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 40
    for path in files:
        text = path.read_text(encoding="utf-8")
        for bad in ("/tmp/", "submission-", str(REPO_ROOT), "\x1b", "\x00", "\\u0000"):
            assert bad not in text, (path, bad)


def test_the_noisy_learners_prints_are_kept_clean(graded):
    data = json.loads((graded[0] / "learners" / "dee" / "exercism.json").read_text())
    printed = [t["output"] for t in data["tests"] if t["output"]]
    assert printed and "red alert and a NUL: end" in printed[0]
    junit = (graded[0] / "learners" / "dee" / "junit.xml").read_text()
    assert "<system-out>red alert and a NUL: end" in junit


def test_item_analysis_groups_identical_failures(graded):
    text = (graded[0] / "item_analysis.csv").read_text()
    assert "2x " in text  # cy and li_wei failed every test the same way


def test_output_files_follow_the_umask_and_leave_no_temporaries(graded):
    out = graded[0]
    for path in [out / "gradebook.csv", out / "roster.csv", *out.glob("learners/ada/*")]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
    assert not [p for p in out.rglob(".*") if p.is_file()]


def test_a_rerun_regrades_only_what_changed(classroom, graded, tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    shutil.copytree(classroom, submissions)
    shutil.copytree(graded[0], out)
    (submissions / "zed.zip").unlink()  # zed fixes the bug and hands in again
    add_zip(
        submissions,
        "zed",
        {"course-main/exercises/ch30/transfer_rollback.py": SOLUTION.read_bytes()},
    )
    stamp = (out / "learners" / "ada" / "outcome.json").stat().st_mtime_ns
    again = run_grade(submissions, out)
    assert again.returncode == 0, again.stderr
    assert gradebook(out)["zed"]["total"] == "12"
    assert again.stdout.count("already graded") == 5
    assert "reused 5 stored result(s)" in again.stdout
    assert "1 submission changed" in again.stdout and "3 unreadable" in again.stdout
    assert (out / "learners" / "ada" / "outcome.json").stat().st_mtime_ns == stamp


def test_a_changed_selection_is_regraded_and_the_gradebook_shows_only_it(tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    add_folder(submissions, "ada", SOLUTION)
    run_grade(submissions, out)
    union = run_grade(submissions, out, "--select", "ch30/flash_sale")
    assert "1 selection changed" in union.stdout, union.stdout
    with (out / "gradebook.csv").open() as handle:
        header = next(csv.reader(handle))
    course_order = [e.id for e in load_course().select("ch30")]
    chosen = [e for e in course_order if e in {EXERCISE, "ch30/flash_sale"}]
    assert header[1:3] == chosen and header[3] == "total"
    assert gradebook(out)["ada"][EXERCISE] == "12"
    same = run_grade(submissions, out, "--select", f"ch30/flash_sale,{EXERCISE}")
    assert "reused 1 stored result(s)" in same.stdout
    narrowed = run_grade(submissions, out, "--select", "ch30/flash_sale", select=None)
    assert "1 selection changed" in narrowed.stdout
    assert EXERCISE not in (out / "gradebook.csv").read_text()
    assert EXERCISE not in (out / "learners" / "ada" / "junit.xml").read_text()
    forced = run_grade(submissions, out, "--select", "ch30/flash_sale", "--force", select=None)
    assert "already graded" not in forced.stdout and "1 forced" in forced.stdout


def test_killing_the_batch_loses_no_finished_grade(tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    for index in range(8):
        add_folder(submissions, f"learner{index}", SOLUTION if index % 2 else MUTANT)
        # Distinct bytes per learner: the shared content cache must not grade them all at once.
        module = submissions / f"learner{index}" / "ch30" / "transfer_rollback.py"
        module.write_text(module.read_text() + f"\n# learner {index}\n")
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
