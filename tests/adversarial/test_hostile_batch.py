"""Real hostile submissions through a real batch: none earns a point, none stalls the batch."""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from graders.batch.runner import digest, trusted_files
from graders.manifest import load_course
from graders.paths import GRADERS_DIR, REPO_ROOT, SOLUTIONS_DIR
from graders.sandbox.isolation import SANDBOX_UID_BASE

HOSTILE = Path(__file__).parent / "hostile"
EXERCISE = "ch30/transfer_rollback"
MUTANT = GRADERS_DIR / "ch30" / "mutants" / "transfer_rollback" / "no_rollback.py"

pytestmark = [
    pytest.mark.skipif(
        not hasattr(os, "geteuid") or os.geteuid() != 0,
        reason="full isolation (own user, namespaces) needs root; fork bombs are unsafe without it",
    ),
    pytest.mark.timeout(900),  # the whole hostile batch runs inside the first test's fixture
]

# What the report must say happened, for the attacks that leave a trace.
EXPECTED_NOTES = {
    "infinite_loop": ["timed out"],
    "infinite_loop_in_c": ["timed out"],
    "memory_bomb": ["ran out of memory", "crashed"],
    "fork_bomb": ["timed out", "crashed"],
    "exit_at_import": ["could not be imported"],
    "os_exit_at_import": ["ended the process while being imported"],
    "exit_in_function": ["crashed"],
    "huge_output": ["output limit", "crashed", "timed out"],
}


def trusted_digest() -> str:
    return digest(trusted_files(load_course().select(EXERCISE)))


class Listener:
    """A loopback server that counts connections: network isolation must keep it at zero."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.server.close()


def sandbox_processes() -> list[int]:
    """Live processes of sandbox users (zombies hold nothing and wait for their reaper)."""
    uids = range(SANDBOX_UID_BASE, SANDBOX_UID_BASE + 400 * 32)
    return [
        int(p.name)
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and _owner(p) in uids and not _zombie(p)
    ]


def _zombie(path: Path) -> bool:
    try:
        return (path / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True  # gone already


def _owner(path: Path) -> int:
    try:
        return path.stat().st_uid
    except OSError:
        return -1


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    submissions, out = root / "submissions", root / "out"
    listener = Listener()
    for attack in sorted(HOSTILE.glob("*.py")):
        folder = submissions / attack.stem / "ch30"
        folder.mkdir(parents=True)
        shutil.copyfile(attack, folder / "transfer_rollback.py")
        (folder / "port.txt").write_text(str(listener.port))
    for name, source in (
        ("honest", SOLUTIONS_DIR / "ch30" / "transfer_rollback.py"),
        ("partly_right", MUTANT),
    ):
        (submissions / name / "ch30").mkdir(parents=True)
        shutil.copyfile(source, submissions / name / "ch30" / "transfer_rollback.py")
    before = trusted_digest()
    env = {**os.environ, "GRADER_SECRET": "must-not-leak"}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "graders",
            "grade",
            str(submissions),
            "--out",
            str(out),
            "--select",
            EXERCISE,
            "--jobs",
            "2",
            "--time-limit",
            "2",
            "--learner-timeout",
            "120",
            "--memory-mb",
            "512",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    listener.close()
    with (out / "gradebook.csv").open() as handle:
        rows = {row["learner"]: row for row in csv.DictReader(handle)}
    yield {
        "completed": completed,
        "rows": rows,
        "out": out,
        "submissions": submissions,
        "before": before,
        "listener": listener,
    }


def test_the_batch_finishes_and_lists_every_learner(batch):
    assert batch["completed"].returncode == 0, batch["completed"].stderr
    expected = {p.stem for p in HOSTILE.glob("*.py")} | {"honest", "partly_right"}
    assert set(batch["rows"]) == expected


@pytest.mark.parametrize("attack", sorted(p.stem for p in HOSTILE.glob("*.py")))
def test_no_hostile_submission_earns_a_point(batch, attack):
    row = batch["rows"][attack]
    assert float(row["total"]) == 0.0, row
    assert row["status"] in {"graded", "error"}


@pytest.mark.parametrize("attack", sorted(EXPECTED_NOTES))
def test_the_report_says_what_happened(batch, attack):
    notes = batch["rows"][attack]["notes"]
    assert any(word in notes for word in EXPECTED_NOTES[attack]), notes


def test_honest_work_is_still_graded_correctly(batch):
    assert float(batch["rows"]["honest"]["total"]) == 12.0
    partly = float(batch["rows"]["partly_right"]["total"])
    assert 0 < partly < 12.0


def test_grader_files_and_solutions_are_untouched(batch):
    assert trusted_digest() == batch["before"]


def test_no_forged_file_appears_in_the_output_or_submissions(batch):
    out, submissions = batch["out"], batch["submissions"]
    for path in [*out.rglob("*"), *submissions.rglob("*")]:
        if path.is_file() and path.suffix == ".json":
            text = path.read_text()
            assert '"exercises": []' not in text, path
    assert not (REPO_ROOT / "result.json").exists()


def test_every_learner_gets_every_format(batch):
    for learner in batch["rows"]:
        folder = batch["out"] / "learners" / learner
        outcome = json.loads((folder / "outcome.json").read_text())
        if outcome["status"] == "graded":
            for name in (
                "json.json",
                "junit.xml",
                "exercism.json",
                "gradescope.json",
                "classroom.json",
                "classroom.output",
                "feedback.md",
                "feedback.html",
            ):
                assert (folder / name).is_file(), (learner, name)


def test_no_report_shows_where_grading_happened(batch):
    # Tracebacks and crashes name files; every report shows them as the learner sees them.
    for path in batch["out"].rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            for leaked in ("/tmp/", "submission-", str(REPO_ROOT)):
                assert leaked not in text, (path, leaked)


def test_network_was_unreachable(batch):
    assert batch["listener"].connections == 0


def test_no_sandbox_process_outlives_the_batch(batch):
    assert sandbox_processes() == []


def test_item_analysis_names_the_hardest_tests(batch):
    text = (batch["out"] / "item_analysis.md").read_text()
    assert "| ch30/transfer_rollback |" in text
