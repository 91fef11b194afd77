"""Where one learner's full-course grading spends its time: judge start-up and collection versus
the grader tests themselves, and which tests (the slowest tenth, property-based "generated" ones,
the slowest exercises) carry most of it. Graded: the reference solutions, isolated."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from graders.paths import REPO_ROOT, SOLUTIONS_DIR

GENERATED = ("generated", "any_", "for_any", "hypothesis", "agrees", "matches_the_answer")


def run(runs: int = 1) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as scratch:
        report = Path(scratch) / "result.json"
        command = [sys.executable, "-m", "graders", "check", "all", "--target", str(SOLUTIONS_DIR)]
        command += ["--no-record", "--quiet", "--with-hidden", "--isolation", "full"]
        command += ["--json", str(report)]
        started = time.perf_counter()
        subprocess.run(command, cwd=REPO_ROOT, capture_output=True, check=False)
        wall = time.perf_counter() - started
        data = json.loads(report.read_text(encoding="utf-8"))
    tests = [(t["duration"], t["name"], e["id"]) for e in data["exercises"] for t in e["tests"]]
    durations = sorted(d for d, _, _ in tests)
    spent = sum(durations)
    tenth = durations[int(0.9 * len(durations)) :]
    generated = sum(d for d, name, _ in tests if any(word in name for word in GENERATED))
    per_exercise: dict[str, float] = {}
    for duration, _, exercise in tests:
        per_exercise[exercise] = per_exercise.get(exercise, 0.0) + duration
    slowest = sorted(per_exercise.items(), key=lambda item: -item[1])[:5]
    figures: dict[str, float] = {
        "wall_s": wall,
        "tests": len(tests),
        "tests_s": spent,
        "outside_tests_s": wall - spent,
        "slowest_tenth_share": sum(tenth) / spent if spent else 0.0,
        "generated_share": generated / spent if spent else 0.0,
        "median_test_ms": 1000 * durations[len(durations) // 2] if durations else 0.0,
    }
    figures |= {f"exercise {name}": seconds for name, seconds in slowest}
    return figures


def report(figures: dict[str, float]) -> str:
    slowest = ", ".join(
        f"{name.removeprefix('exercise ')} {seconds:.1f} s"
        for name, seconds in figures.items()
        if name.startswith("exercise ")
    )
    return (
        f"one full-course learner (reference, isolated): {figures['wall_s']:.1f} s wall, "
        f"{figures['tests_s']:.1f} s inside {figures['tests']:g} tests, "
        f"{figures['outside_tests_s']:.1f} s start-up and collection; median test "
        f"{figures['median_test_ms']:.0f} ms; slowest tenth of tests "
        f"{100 * figures['slowest_tenth_share']:.0f}% of test time, property-based/generated "
        f"tests {100 * figures['generated_share']:.0f}%; slowest exercises: {slowest}"
    )
