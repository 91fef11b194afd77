"""`grade --scheduler`: a Dask scheduler and two workers, each its own process on 127.0.0.1, grade
a class; the gradebook matches a local run, and killing a worker midway loses nobody.

Lean on purpose: six distinct copies of one small exercise, without isolation (the workers run
the same judge command as a local batch, so isolation is exercised by the local batch tests).
"""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graders.batch.cache import FOLDER_VARIABLE
from graders.paths import GRADERS_DIR, REPO_ROOT, SOLUTIONS_DIR

distributed = pytest.importorskip(
    "distributed", reason="Dask is not installed: pip install 'dask[distributed]'"
)

pytestmark = pytest.mark.timeout(600)

EXERCISE = "ch30/transfer_rollback"
MUTANTS = GRADERS_DIR / "ch30" / "mutants" / "transfer_rollback"
CLASS_SIZE = 6


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(*args: str, log: Path) -> subprocess.Popen:
    with log.open("w") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=REPO_ROOT,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: stopping it stops whatever it started
        )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.fixture
def cluster(tmp_path):
    """A scheduler and two single-threaded workers on loopback; yields (address, workers)."""
    address = f"tcp://127.0.0.1:{free_port()}"
    scheduler = start(
        "distributed.cli.dask_scheduler",
        "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard",
        log=tmp_path / "scheduler.log",
    )  # fmt: skip
    workers = [
        start(
            "distributed.cli.dask_worker",
            address,
            "--nthreads",
            "1",
            "--no-nanny",
            "--no-dashboard",
            "--host",
            "127.0.0.1",
            "--local-directory",
            str(tmp_path / f"worker{n}"),
            log=tmp_path / f"worker{n}.log",
        )  # fmt: skip
        for n in (1, 2)
    ]
    try:
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address, workers
    finally:
        for process in [*workers, scheduler]:
            stop(process)


@pytest.fixture
def classroom(tmp_path) -> Path:
    """Distinct files (a unique comment each), so no cache can serve one learner for another."""
    submissions = tmp_path / "submissions"
    sources = [SOLUTIONS_DIR / f"{EXERCISE}.py"] * 3 + sorted(MUTANTS.glob("*.py"))[:3]
    for number, source in enumerate(sources[:CLASS_SIZE]):
        folder = submissions / f"learner{number}" / "ch30"
        folder.mkdir(parents=True)
        text = source.read_text(encoding="utf-8") + f"\n# learner {number}\n"
        (folder / "transfer_rollback.py").write_text(text, encoding="utf-8")
    return submissions


def grade_command(submissions: Path, out: Path, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "graders", "grade", str(submissions), "--out", str(out)]
    return [*command, "--select", EXERCISE, "--isolation", "none", *extra]


def own_cache(tmp_path: Path, name: str) -> dict[str, str]:
    """A cache of its own per run: the cluster run must judge everything, not reuse the local."""
    return {**os.environ, FOLDER_VARIABLE: str(tmp_path / f"cache-{name}")}


def finished(out: Path) -> int:
    return len(list((out / "learners").glob("*/outcome.json")))


def gradebook(out: Path) -> list[dict[str, str]]:
    with (out / "gradebook.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_a_cluster_grades_like_a_local_run_and_survives_a_dead_worker(cluster, classroom, tmp_path):
    address, workers = cluster
    local = subprocess.run(
        grade_command(classroom, tmp_path / "local", "--jobs", "2"),
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, env=own_cache(tmp_path, "l"),
    )  # fmt: skip
    assert local.returncode == 0, local.stderr

    out = tmp_path / "remote"
    grading = subprocess.Popen(
        grade_command(classroom, out, "--scheduler", address),
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=own_cache(tmp_path, "r"),
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while finished(out) < 1 and grading.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    done_when_killed = finished(out)
    stop(workers[0])  # midway: the other learners' judges are queued or running
    stdout, stderr = grading.communicate(timeout=600)
    assert grading.returncode == 0, stderr
    assert "Dask cluster" in stdout
    assert 1 <= done_when_killed < CLASS_SIZE, "the worker was not killed midway"

    rows = gradebook(out)
    assert len(rows) == CLASS_SIZE
    assert all(row["status"] == "graded" for row in rows), stdout
    assert (out / "gradebook.csv").read_text() == (tmp_path / "local" / "gradebook.csv").read_text()
    assert {row["total"] for row in rows} != {rows[0]["total"]}  # mutants and solutions differ


def test_an_unreachable_scheduler_is_a_clear_error(classroom, tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"
    done = subprocess.run(
        grade_command(classroom, tmp_path / "out", "--scheduler", address),
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "3s"},
    )  # fmt: skip
    assert done.returncode == 2
    assert "cannot reach the Dask scheduler" in done.stdout + done.stderr
