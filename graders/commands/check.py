"""``check``: grade a learner's exercises and explain every result in plain words."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from graders.console import error, stdout_console
from graders.manifest import ManifestError, SelectionError, load_course
from graders.options import SandboxOptions
from graders.paths import EXERCISES_DIR
from graders.report import formats, terminal
from graders.results import GradingResult
from graders.runner import run_exercises
from graders.state import update_state

USAGE_ERROR = 2


def record_progress(result: GradingResult) -> None:
    """Remember each exercise's latest result for `make progress` and `make hint`."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with update_state() as state:
        for entry in result.exercises:
            state["exercises"][entry.id] = {
                "score": entry.score,
                "possible": entry.possible,
                "status": entry.status,
                "failing_tasks": sorted({t.task for t in entry.tests if not t.passed and t.task}),
                "when": now,
            }


def main(
    *,
    selector: str,
    target: str | None = None,
    verbose: bool = False,
    quiet: bool = False,
    record: bool | None = None,
    reports: dict[str, str] | None = None,
    options: SandboxOptions | None = None,
    stop_at_first_failure: bool = False,
    first_tests: list[str] | None = None,
    with_hidden: bool = False,
) -> int:
    """Run the check and return the exit code: 0 all pass, 1 a failure, 2 a usage error."""
    try:
        course = load_course()
        exercises = course.select(selector)
    except (ManifestError, SelectionError) as exc:
        error(str(exc))
        return USAGE_ERROR
    target_dir = Path(target) if target else EXERCISES_DIR
    if not target_dir.is_dir():
        error(f"target folder not found: {target_dir}")
        return USAGE_ERROR
    if not exercises:
        error(f"no exercises in '{selector}' yet")
        return USAGE_ERROR
    result, _log = run_exercises(
        exercises,
        target=target_dir,
        options=options,
        stop_at_first_failure=stop_at_first_failure,
        first=tuple(first_tests or ()),
        hidden=with_hidden,
    )
    for name, path in (reports or {}).items():
        if path == "-":
            sys.stdout.write(formats.WRITERS[name](result, course) + "\n")
        elif path:
            formats.write_report(name, result, Path(path), course)
    if not quiet:
        terminal.render(stdout_console(), result, course, verbose=verbose)
    should_record = (
        record if record is not None else target_dir.resolve() == EXERCISES_DIR.resolve()
    )
    if should_record:
        record_progress(result)
    return 0 if result.passed else 1
