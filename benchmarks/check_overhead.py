"""Cost of `make check ch30` against a bare pytest run of the same grader tests (target <= 1.5x)."""

from __future__ import annotations

import sys

from benchmarks.timing import median, time_command
from graders.manifest import load_course
from graders.paths import GRADERS_DIR, REPO_ROOT, SOLUTIONS_DIR

TARGET_RATIO = 1.5


def run(runs: int = 5) -> dict[str, float]:
    make_check = ["make", "--no-print-directory", "check", "ch30", f"TARGET={SOLUTIONS_DIR}"]
    bare = [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(GRADERS_DIR / "pytest.ini"),
        "-q",
        "--target",
        str(SOLUTIONS_DIR),
        *[str(exercise.test_file) for exercise in load_course().select("ch30")],
    ]
    check_times = time_command(make_check, cwd=REPO_ROOT, runs=runs)
    bare_times = time_command(bare, cwd=REPO_ROOT, runs=runs)
    result = {
        "make_check_median_s": median(check_times),
        "bare_pytest_median_s": median(bare_times),
    }
    result["ratio"] = result["make_check_median_s"] / result["bare_pytest_median_s"]
    return result


def report(result: dict[str, float]) -> str:
    verdict = "OK" if result["ratio"] <= TARGET_RATIO else "OVER TARGET"
    return (
        f"check overhead (every ch30 exercise, reference, {TARGET_RATIO}x target): "
        f"make check {result['make_check_median_s']:.3f} s | bare pytest "
        f"{result['bare_pytest_median_s']:.3f} s | ratio {result['ratio']:.2f}x  {verdict}"
    )
