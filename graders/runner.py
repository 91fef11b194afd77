"""Runs grader suites with pytest in this (trusted) process and builds a GradingResult."""

from __future__ import annotations

import contextlib
import io
import os
from collections import Counter
from pathlib import Path

import pytest

from graders.collector import Collector, Record
from graders.manifest import Exercise
from graders.options import SandboxOptions, joined
from graders.paths import GRADERS_DIR
from graders.results import ERROR, FAILED, ExerciseResult, GradingResult, TestResult

PYTEST_INI = GRADERS_DIR / "pytest.ini"
AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"


def precheck(exercise: Exercise, target: Path) -> tuple[str, str]:
    """Find whole-file problems without running learner code: (kind, message) or ('', '')."""
    path = target / exercise.relative_file
    shown = _display(path)
    if not path.is_file():
        return "missing_file", f"{shown} is missing (did you rename or move it?)"
    try:
        source = path.read_bytes()
        compile(source, str(path), "exec", dont_inherit=True)
    except SyntaxError as exc:
        text = f": {exc.text.strip()}" if exc.text else ""
        return (
            "syntax_error",
            f"{type(exc).__name__} in {shown}, line {exc.lineno}: {exc.msg}{text}",
        )
    except ValueError as exc:  # e.g. null bytes in the source
        return "syntax_error", f"{shown} cannot be read as Python: {exc}"
    return "", ""


def _display(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(Path.cwd()))
    return str(path)


def _points(exercise: Exercise, records: list[Record]) -> dict[str, float]:
    per_task = Counter(r.task for r in records)
    points: dict[str, float] = {}
    for record in records:
        task = exercise.task(record.task) if isinstance(record.task, int) else None
        points[record.nodeid] = task.points / per_task[record.task] if task else 0.0
    return points


def build_result(
    exercises: list[Exercise],
    collector: Collector,
    target: Path,
    problems: dict[str, tuple[str, str]],
) -> GradingResult:
    """Turn raw records into per-exercise results with points from the manifest."""
    result = GradingResult(target=str(target))
    for exercise in exercises:
        records = [r for r in collector.records if r.exercise == exercise.id]
        kind, message = problems.get(exercise.id, ("", ""))
        entry = ExerciseResult(exercise.id, exercise.title, problem=message, problem_kind=kind)
        points = _points(exercise, records)
        for record in records:
            if message:  # a whole-file problem overrides whatever the test itself said
                record.outcome, record.message, record.kind = FAILED, message, kind
            passed = record.outcome == "passed"
            entry.tests.append(
                TestResult(
                    id=record.nodeid,
                    exercise=exercise.id,
                    task=record.task,
                    name=record.name,
                    description=record.description,
                    outcome=record.outcome,
                    message=record.message,
                    kind=record.kind,
                    points=round(points[record.nodeid], 4) if passed else 0.0,
                    max_points=round(points[record.nodeid], 4),
                    duration=round(record.duration, 4),
                )
            )
        if not records and not message:
            entry.problem, entry.problem_kind = "no grader tests were found", ERROR
        result.exercises.append(entry)
    return result


@contextlib.contextmanager
def _own_plugins_only():
    """Load no pytest plugin just because it is installed (a dev tool's plugin can take
    seconds to import, in every check); the plugins graders need are named with -p."""
    saved = os.environ.get(AUTOLOAD)
    os.environ[AUTOLOAD] = "1"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(AUTOLOAD, None)
        else:
            os.environ[AUTOLOAD] = saved


class _RunFirst:
    """Moves the named tests to the front (verify tries a mutant's last killer first)."""

    def __init__(self, first: tuple[str, ...]) -> None:
        self.first = set(first)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        items.sort(key=lambda item: item.nodeid not in self.first)  # stable: order kept


def run_exercises(
    exercises: list[Exercise],
    *,
    target: Path,
    options: SandboxOptions | None = None,
    extra_args: tuple[str, ...] = (),
    stop_at_first_failure: bool = False,
    first: tuple[str, ...] = (),
    hidden: bool = False,
) -> tuple[GradingResult, str]:
    """Grade the exercises found under ``target``; returns the result and pytest's own log.

    ``stop_at_first_failure`` (for verify's mutants, which only need one failing test) stops
    after the first failing test and leaves the tests that never ran out of the result;
    ``first`` names tests to run before the others; ``hidden`` adds each exercise's hidden
    tests (graders/chNN/test_<module>_hidden.py), which learners' own checks never run.
    """
    target = target.resolve()
    problems = {e.id: precheck(e, target) for e in exercises}
    problems = {k: v for k, v in problems.items() if v[0]}
    collector = Collector()
    files = [str(path) for e in exercises for path in e.grader_files(hidden=hidden)]
    options = options or SandboxOptions()
    longest = options.time_limit or max((e.timeout for e in exercises), default=10)
    backstop = longest * options.timeout_scale * 6 + 30
    log = io.StringIO()
    if files:
        args = [
            "-c",
            str(PYTEST_INI),
            "--rootdir",
            str(GRADERS_DIR),
            # No conftest.py outside the graders is ever loaded, wherever pytest looks.
            "--confcutdir",
            str(GRADERS_DIR),
            "-q",
            # The collector writes every message; pytest's own long tracebacks would only be
            # thrown away, and building them re-parses each test file (seconds per check).
            "--tb=native",
            "-p",
            "pytest_timeout",  # the one installed plugin graders need (see _own_plugins_only)
            "-o",
            f"timeout={backstop:g}",
            "--target",
            str(target),
            *options.pytest_args(),
            *extra_args,
            *(["-x"] if stop_at_first_failure else []),
        ]
        # `--target DIR` as two words would let pytest's early pass take DIR for a test path
        # and import the learner's conftest.py into this (trusted) process: join each pair.
        args = [*joined(args), *files]
        plugins: list[object] = [collector]
        if first:
            plugins.append(_RunFirst(first))
        with _own_plugins_only(), contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            pytest.main(args, plugins=plugins)
        if stop_at_first_failure:
            collector.records = [r for r in collector.records if r.nodeid in collector.ran]
    for error in collector.collection_errors:
        for exercise in exercises:
            names = {p.name for p in exercise.grader_files(hidden=hidden)}
            if any(name in error for name in names) and exercise.id not in problems:
                problems[exercise.id] = ("grader_error", f"the grader could not be loaded: {error}")
    for exercise in exercises:
        if not exercise.test_file.is_file() and exercise.id not in problems:
            problems[exercise.id] = ("grader_error", f"grader file {exercise.test_file} is missing")
    return build_result(exercises, collector, target, problems), log.getvalue()
