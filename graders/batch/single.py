"""Grade one submission, whatever its shape, into one platform's report (Gradescope, Exercism).

``python -m graders.batch.single SUBMISSION --select ch30 --format gradescope --out FILE``.
A submission that cannot be read still gets a valid report that says why.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from graders.batch.shapes import ShapeError, detect
from graders.cli import add_sandbox_options, sandbox_options
from graders.manifest import Course, Exercise, SelectionError, load_course
from graders.report import formats
from graders.report.learner_text import for_learner
from graders.runner import run_exercises

FORMATS = ("gradescope", "exercism", "junit", "json", "classroom")


def resolve(course: Course, selectors: list[str]) -> list[Exercise]:
    """A union of selectors; an Exercism slug (transfer-rollback) names its exercise too."""
    chosen: set[str] = set()
    for word in (w.strip() for s in selectors for w in s.split(",") if w.strip()):
        module = word.replace("-", "_")
        by_module = [e for e in course.exercises if e.module == module]
        if len(by_module) == 1 and "/" not in word and not word.startswith("ch"):
            chosen.add(by_module[0].id)
            continue
        chosen.update(e.id for e in course.select(word))
    return [e for e in course.exercises if e.id in chosen]


def unreadable_report(name: str, reason: str) -> str:
    """A valid report of the named format for a submission that could not be graded."""
    if name == "gradescope":
        data = {"score": 0.0, "output": reason, "stdout_visibility": "hidden", "tests": []}
        return json.dumps(data, indent=2)
    if name == "exercism":
        return json.dumps({"version": 3, "status": "error", "message": reason, "tests": []})
    raise ValueError(f"no report for an unreadable submission in {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graders.batch.single")
    parser.add_argument("submission", help="the learner's folder, in any supported shape")
    parser.add_argument("--select", action="append", required=True)
    parser.add_argument("--format", choices=FORMATS, required=True)
    parser.add_argument("--out", required=True, help="the report file to write")
    add_sandbox_options(parser, isolation="full")
    options = vars(parser.parse_args(argv))
    out, name = Path(options.pop("out")), options.pop("format")
    submission = Path(options.pop("submission"))
    course = load_course()
    try:
        exercises = resolve(course, options.pop("select"))
    except SelectionError as exc:
        formats.write_atomic(out, unreadable_report(name, str(exc)))
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="single-"))
    try:
        shape = detect(submission, exercises, scratch / "flat")
    except (ShapeError, OSError) as exc:
        formats.write_atomic(out, unreadable_report(name, for_learner(str(exc))))
        return 0
    try:
        result, _log = run_exercises(
            exercises, target=shape.base, options=sandbox_options(options), hidden=True
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    formats.write_report(name, result, out, course)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
