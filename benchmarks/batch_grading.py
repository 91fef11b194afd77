"""Batch grading speed: isolation overhead per submission, submissions per minute, and a
full-course batch (targets: isolated <= 1.3x bare pytest; 100 full-course submissions < 5 min).

Every benchmark submission is distinct bytes (a comment naming it is appended to each file), so
the content cache cannot serve one learner for another; the cache's own effect is measured
apart, by grading the same class again into a fresh folder. BENCH_FULL_COURSE sets the size of
the full-course class (default 100; 0 skips it): on a loaded machine measure 10 and scale.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.timing import median, time_command
from graders.batch.cache import FOLDER_VARIABLE
from graders.manifest import load_course
from graders.paths import GRADERS_DIR, REPO_ROOT, SOLUTIONS_DIR

HOSTILE = REPO_ROOT / "tests" / "adversarial" / "hostile"
EXERCISE = "ch30/transfer_rollback"
ISOLATED_TARGET = 1.3
FULL_COURSE_TARGET_S = 300.0


def make_submissions(folder: Path, count: int, exercises: list, seed: int = 7) -> None:
    """A class of distinct submissions: mostly correct, some with a known mistake, a few hostile."""
    rng = random.Random(seed)
    hostile = sorted(HOSTILE.glob("*.py")) if HOSTILE.is_dir() else []
    for index in range(count):
        learner = folder / f"learner{index:03d}"
        roll = rng.random()
        for exercise in exercises:
            target = learner / exercise.relative_file
            target.parent.mkdir(parents=True, exist_ok=True)
            mutants = sorted(exercise.mutants_dir.glob("*.py"))
            if roll < 0.1 and hostile and exercise.id == EXERCISE:
                source = rng.choice(hostile)
            elif roll < 0.5 and mutants:
                source = rng.choice(mutants)
            else:
                source = exercise.solution_file
            shutil.copyfile(source, target)
            with target.open("a", encoding="utf-8") as handle:  # distinct bytes: no cache hit
                handle.write(f"\n# benchmark submission {index} of {exercise.id}\n")


def _batch_seconds(
    submissions: Path,
    selector: str,
    isolation: str,
    jobs: int,
    out: Path | None = None,
    cache: Path | None = None,
    extra: tuple[str, ...] = (),
) -> float:
    """Wall time of one `grade` run; ``cache`` None means a fresh, empty content cache."""
    keep = out is not None
    out = out or Path(tempfile.mkdtemp(prefix="bench-out-"))
    cold = cache is None
    cache = cache or Path(tempfile.mkdtemp(prefix="bench-cache-"))
    env = {**os.environ, FOLDER_VARIABLE: str(cache)}
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "graders",
            "grade",
            str(submissions),
            "--out",
            str(out),
            "--select",
            selector,
            "--isolation",
            isolation,
            "--jobs",
            str(jobs),
            "--time-limit",
            "2",
            *extra,
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    seconds = time.perf_counter() - started
    if not keep:
        shutil.rmtree(out, ignore_errors=True)
    if cold:
        shutil.rmtree(cache, ignore_errors=True)
    return seconds


def run(runs: int = 5, class_size: int = 20, full_course: int | None = None) -> dict[str, float]:
    course = load_course()
    jobs = 2  # the figure: 2 jobs (this machine has 2 cores)
    if full_course is None:
        full_course = int(os.environ.get("BENCH_FULL_COURSE", "100"))
    figures: dict[str, float] = {}
    test_file = GRADERS_DIR / "ch30" / "test_transfer_rollback.py"
    bare = [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(GRADERS_DIR / "pytest.ini"),
        "-q",
        "--target",
        str(SOLUTIONS_DIR),
        str(test_file),
    ]
    isolated = [
        sys.executable,
        "-m",
        "graders",
        "check",
        EXERCISE,
        "--target",
        str(SOLUTIONS_DIR),
        "--quiet",
        "--no-record",
        "--isolation",
        "full",
    ]
    figures["bare_pytest_s"] = median(time_command(bare, cwd=REPO_ROOT, runs=runs))
    figures["isolated_check_s"] = median(time_command(isolated, cwd=REPO_ROOT, runs=runs))
    figures["isolated_ratio"] = figures["isolated_check_s"] / figures["bare_pytest_s"]
    with tempfile.TemporaryDirectory(prefix="bench-class-") as scratch:
        folder = Path(scratch)
        make_submissions(folder, class_size, course.select(EXERCISE))
        plain = _batch_seconds(folder, EXERCISE, "none", jobs)
        with (
            tempfile.TemporaryDirectory(prefix="bench-out-") as kept,
            tempfile.TemporaryDirectory(prefix="bench-cache-") as cache,
        ):
            full = _batch_seconds(folder, EXERCISE, "full", jobs, Path(kept), Path(cache))
            # Nothing changed: every stored result is reused (content-addressed re-run).
            figures["rerun_s"] = _batch_seconds(folder, EXERCISE, "full", jobs, Path(kept))
            # A fresh output folder, the cache warm: every exercise result comes from it.
            figures["cached_s"] = _batch_seconds(folder, EXERCISE, "full", jobs, None, Path(cache))
        figures["rerun_speedup"] = full / figures["rerun_s"]
        figures["cached_speedup"] = full / figures["cached_s"]
    figures["class_size"] = class_size
    figures["per_minute_isolated"] = class_size / full * 60
    figures["per_minute_plain"] = class_size / plain * 60
    figures["isolation_overhead"] = full / plain
    if full_course:
        with tempfile.TemporaryDirectory(prefix="bench-course-") as scratch:
            folder = Path(scratch)
            make_submissions(folder, full_course, list(course.exercises))
            figures["full_course_submissions"] = full_course
            figures["full_course_s"] = _batch_seconds(folder, "all", "full", jobs)
            figures["full_course_per_100_s"] = figures["full_course_s"] * 100 / full_course
    return figures


def report(figures: dict[str, float]) -> str:
    lines = [
        f"one submission of {EXERCISE}: bare pytest {figures['bare_pytest_s']:.3f} s | isolated "
        f"check {figures['isolated_check_s']:.3f} s | ratio {figures['isolated_ratio']:.2f}x "
        f"(target {ISOLATED_TARGET}x)",
        f"class of {figures['class_size']:g} ({EXERCISE}, 10% hostile): "
        f"{figures['per_minute_isolated']:.0f}/min isolated, {figures['per_minute_plain']:.0f}/min "
        f"without isolation, overhead {figures['isolation_overhead']:.2f}x",
        f"re-running that class unchanged: {figures['rerun_s']:.2f} s, "
        f"{figures['rerun_speedup']:.0f}x faster than grading it (every result reused)",
        f"the same class into a fresh folder, content cache warm: {figures['cached_s']:.2f} s, "
        f"{figures['cached_speedup']:.1f}x faster (identical files are graded once)",
    ]
    if "full_course_s" in figures:
        per_100 = figures["full_course_per_100_s"]
        verdict = "OK" if per_100 < FULL_COURSE_TARGET_S else "OVER TARGET"
        scaled = "" if figures["full_course_submissions"] == 100 else f", {per_100:.0f} s per 100"
        lines.append(
            f"{figures['full_course_submissions']:g} distinct full-course submissions, 2 jobs: "
            f"{figures['full_course_s']:.0f} s{scaled} (target 100 < {FULL_COURSE_TARGET_S:g} s)"
            f" {verdict}"
        )
    return "\n".join(lines)
