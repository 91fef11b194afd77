"""The judge process: grade one learner's folder on a selection and print the result as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from graders.cli import add_sandbox_options, sandbox_options
from graders.manifest import load_course
from graders.runner import run_exercises


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graders.batch.judge")
    parser.add_argument("--target", required=True)
    parser.add_argument("--exercise", action="append", required=True, help="exercise id")
    add_sandbox_options(parser, isolation="full")
    options = vars(parser.parse_args(argv))
    course = load_course()
    exercises = [course.exercise(name) for name in options.pop("exercise")]
    if any(e is None for e in exercises):
        print("unknown exercise", file=sys.stderr)
        return 2
    target = Path(options.pop("target"))
    # The class is graded on every test, the hidden ones included.
    result, _log = run_exercises(
        exercises, target=target, options=sandbox_options(options), hidden=True
    )
    sys.stdout.write(json.dumps(result.to_dict()) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
