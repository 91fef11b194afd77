"""``verify``: prove graders right: reference and alternatives pass, stubs score 0, mutants fail.

Also checks each exercise's files (graders.devcheck) and its spec map (graders.spec).
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from graders import plans
from graders.batch.cache import cache_folder
from graders.console import error, stdout_console
from graders.devcheck import check_course, mutant_files
from graders.manifest import Exercise, ManifestError, SelectionError, load_course
from graders.paths import EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR
from graders.pristine import problems as stub_hash_problems
from graders.spec import problems as spec_problems

RUN_LIMIT = 600
# Which test caught each mutant last time: tried first next time (not part of the repo).
KILLERS_PATH = REPO_ROOT / ".course" / "verify-killers.json"
CORRECT_ROLES = ("reference", "alternative")  # code that must pass every test
PUBLIC_ONLY = " (public tests)"  # a run's name ends so when it leaves the hidden tests out


@dataclass
class Run:
    exercise: str
    role: str  # reference | alternative | stub | mutant
    name: str
    passed: int = 0
    points: float = 0.0
    failed: int = 0
    kinds: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    killer: str = ""  # the first failing test (for a mutant: what caught it)

    @property
    def all_passed(self) -> bool:
        return not self.error and self.failed == 0 and self.passed > 0

    @property
    def ok(self) -> bool:
        """Whether this run came out as a correct grader demands."""
        if self.role in CORRECT_ROLES:
            return self.all_passed
        if self.role == "stub":  # an untouched stub earns nothing, not even a fraction
            return not self.error and self.failed > 0 and self.points == 0
        return not self.error and self.failed > 0


def _grade(
    exercise: Exercise, target: Path, role: str, name: str, extra: tuple[str, ...] = ()
) -> Run:
    run = Run(exercise.id, role, name)
    with tempfile.TemporaryDirectory(prefix="verify-") as scratch:
        report = Path(scratch) / "result.json"
        started = time.perf_counter()
        command = [
            sys.executable,
            "-m",
            "graders",
            "check",
            exercise.id,
            "--target",
            str(target),
            "--json",
            str(report),
            "--quiet",
            "--no-record",
            # Hidden tests are part of the grader: proven with them, and (see plan) without.
            *(() if name.endswith(PUBLIC_ONLY) else ("--with-hidden",)),
            *extra,
        ]
        try:
            completed = subprocess.run(
                command,
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                timeout=RUN_LIMIT,
                # Draw each test's inputs once for all runs; a mutant needs a verdict only.
                env=plans.judge_environment(cache_folder() / "plans", shrink=False),
                check=False,
            )
        except subprocess.TimeoutExpired:
            run.error = f"the check did not finish within {RUN_LIMIT} s"
            return run
        run.seconds = round(time.perf_counter() - started, 2)
        if completed.returncode not in (0, 1) or not report.is_file():
            run.error = (completed.stderr.strip() or completed.stdout.strip())[-500:]
            return run
        data = json.loads(report.read_text(encoding="utf-8"))
    for entry in data["exercises"]:
        for test in entry["tests"]:
            run.points = round(run.points + float(test.get("points") or 0), 4)
            if test["outcome"] == "passed":
                run.passed += 1
            else:
                run.failed += 1
                run.killer = run.killer or test["id"]
                run.kinds.append(test["kind"])
                if test["kind"] == "grader_error" and role in CORRECT_ROLES:
                    run.error = test["message"][:500]
    return run


def _module_run(exercise: Exercise, module: Path, role: str, extra: tuple[str, ...] = ()) -> Run:
    """Grade one stand-in module (a mutant or an alternative) in a tree of its own."""
    with tempfile.TemporaryDirectory(prefix=f"{role}-") as tree:
        destination = Path(tree) / exercise.relative_file
        destination.parent.mkdir(parents=True)
        shutil.copyfile(module, destination)
        return _grade(exercise, Path(tree), role, module.stem, extra)


def load_killers() -> dict[str, str]:
    """Which test caught each mutant last time ("chNN/module/mutant" -> test id)."""
    try:
        data = json.loads(KILLERS_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_killers(runs: list[Run], known: dict[str, str]) -> None:
    killers = dict(known)
    for run in runs:
        if run.role == "mutant" and run.killer:
            killers[f"{run.exercise}/{run.name}"] = run.killer
    with contextlib.suppress(OSError):
        KILLERS_PATH.parent.mkdir(parents=True, exist_ok=True)
        KILLERS_PATH.write_text(json.dumps(killers, indent=1, sort_keys=True), encoding="utf-8")


def mutant_flags(exercise: Exercise, mutant: Path, killers: dict[str, str] | None) -> tuple:
    """Fast mode: stop at the first failing test, and try last time's killer first."""
    if killers is None:
        return ()
    flags: tuple[str, ...] = ("--stop-at-first-failure",)
    killer = killers.get(f"{exercise.id}/{mutant.stem}")
    return (*flags, "--first-test", killer) if killer else flags


def alternative_files(exercise: Exercise) -> list[Path]:
    folder = exercise.alternatives_dir
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))


def mutant_diff(exercise: Exercise, mutant: Path) -> str:
    """The mutant as a unified diff from the reference: the one mistake, ready to read."""
    reference = exercise.solution_file.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = mutant.read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(
        difflib.unified_diff(
            reference,
            changed,
            fromfile=f"solutions/{exercise.relative_file}",
            tofile=f"mutants/{exercise.module}/{mutant.name}",
            n=2,
        )
    )


def print_diffs(console, exercises: list[Exercise], runs: list[Run], everything: bool) -> None:
    """Every mutant's diff (--diff), or only the survivors' (what a reader must look at)."""
    survivors = {(r.exercise, r.name) for r in runs if r.role == "mutant" and not r.ok}
    for exercise in exercises:
        for mutant in mutant_files(exercise):
            if not everything and (exercise.id, mutant.stem) not in survivors:
                continue
            label = "survivor" if (exercise.id, mutant.stem) in survivors else "mutant"
            console.print(f"[bold]{label} {exercise.id} {mutant.stem}[/bold]")
            console.print(escape(mutant_diff(exercise, mutant)) or "(same as the reference)")


def plan(exercises: list[Exercise], killers: dict[str, str] | None = None):
    """Every run verify makes; ``killers`` (None: run every test) speeds up the mutants."""
    for exercise in exercises:
        yield lambda e=exercise: _grade(e, SOLUTIONS_DIR, "reference", "solution")
        for alternative in alternative_files(exercise):
            yield lambda e=exercise, a=alternative: _module_run(e, a, "alternative")
        yield lambda e=exercise: _grade(e, EXERCISES_DIR, "stub", "stub")
        if exercise.hidden_test_file.is_file():
            # What a learner's own check runs must still judge alone: the reference passes
            # the public tests and the stub fails them.
            yield lambda e=exercise: _grade(e, SOLUTIONS_DIR, "reference", "solution" + PUBLIC_ONLY)
            yield lambda e=exercise: _grade(e, EXERCISES_DIR, "stub", "stub" + PUBLIC_ONLY)
        for mutant in mutant_files(exercise):
            flags = mutant_flags(exercise, mutant, killers)
            yield lambda e=exercise, m=mutant, f=flags: _module_run(e, m, "mutant", f)


def render(
    runs: list[Run], exercises: list[Exercise], spec_counts: dict[str, int] | None = None
) -> Table:
    """The verdict table; ``spec_counts`` holds each exercise's spec-map problem count."""
    table = Table(title="Grader verification")
    columns = ("exercise", "reference", "alternatives", "stub", "mutants killed", "survivors")
    columns += ("spec map",)
    for column in (*columns, "seconds"):
        table.add_column(column)
    for exercise in exercises:
        mine = [r for r in runs if r.exercise == exercise.id]
        # With hidden tests there are two of each: the worse one speaks for the row.
        reference = min((r for r in mine if r.role == "reference"), key=lambda r: r.ok)
        stub = min((r for r in mine if r.role == "stub"), key=lambda r: r.ok)
        mutants = [r for r in mine if r.role == "mutant"]
        alternatives = [r for r in mine if r.role == "alternative"]
        killed = sum(r.ok for r in mutants)
        wrong_alternatives = [r.name for r in alternatives if not r.ok]
        if wrong_alternatives:
            alternatives_cell = f"[red]FAIL: {', '.join(wrong_alternatives)}[/red]"
        else:
            alternatives_cell = f"{len(alternatives)} pass" if alternatives else "-"
        if stub.ok:
            stub_cell = f"[green]fails {stub.failed}/{stub.passed + stub.failed}[/green]"
        elif stub.points > 0:
            stub_cell = f"[red]SCORES {stub.points:g}[/red]"
        else:
            stub_cell = "[red]PASSES[/red]"
        table.add_row(
            exercise.id,
            "[green]pass[/green]"
            if reference.ok
            else f"[red]FAIL ({reference.failed} failed)[/red]",
            alternatives_cell,
            stub_cell,
            f"{killed}/{len(mutants)}",
            ", ".join(r.name for r in mutants if not r.ok) or "-",
            _spec_cell((spec_counts or {}).get(exercise.id)),
            f"{sum(r.seconds for r in mine):.1f}",
        )
    return table


def _spec_cell(count: int | None) -> str:
    if count is None:
        return "-"
    return "[green]complete[/green]" if count == 0 else f"[red]{count} problem(s)[/red]"


def changed_between_rounds(rounds: list[list[Run]], fact: Callable[[Run], object]) -> list[str]:
    """Runs for which ``fact(run)`` was not the same in every round."""
    seen: dict[tuple[str, str, str], set] = {}
    for runs in rounds:
        for run in runs:
            seen.setdefault((run.exercise, run.role, run.name), set()).add(fact(run))
    return [
        f"{e} {role} {name}" for (e, role, name), facts in sorted(seen.items()) if len(facts) > 1
    ]


def main(
    *,
    selector: str = "all",
    jobs: int | None = None,
    json_file: str | None = None,
    repeat: int = 1,
    diff: bool = False,
    full: bool = False,
) -> int:
    try:
        course = load_course()
        exercises = course.select(selector)
    except (ManifestError, SelectionError) as exc:
        error(str(exc))
        return 2
    console = stdout_console()
    problems = check_course(course, exercises)
    spec_found = {exercise.id: spec_problems(exercise) for exercise in exercises}
    problems += [p for found in spec_found.values() for p in found]
    problems += [p for exercise in exercises for p in stub_hash_problems(exercise)]
    for problem in problems:
        console.print(f"[red]✗[/red] {problem}")
    runnable = [
        e
        for e in exercises
        if e.stub_file.is_file() and e.solution_file.is_file() and e.test_file.is_file()
    ]
    killers = None if full else load_killers()
    rounds: list[list[Run]] = []
    for round_number in range(1, max(1, repeat) + 1):
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 2) as pool:
            runs = list(pool.map(lambda job: job(), list(plan(runnable, killers))))
        rounds.append(runs)
        if repeat > 1:
            console.print(f"round {round_number}: {time.perf_counter() - started:.1f} s")
    console.print(render(runs, runnable, {k: len(v) for k, v in spec_found.items()}))
    if killers is not None:
        save_killers(runs, killers)
    print_diffs(console, runnable, runs, diff)
    flaky = changed_between_rounds(rounds, lambda run: run.ok)
    for name in flaky:
        console.print(f"[red]flaky:[/red] {name} changed its verdict between rounds")
    # A mutant that is itself random (e.g. random_each_call) may fail a different number
    # of tests each time while always being caught: worth knowing, not a flaky grader.
    for name in changed_between_rounds(rounds, lambda run: (run.passed, run.failed)):
        if name not in flaky:
            console.print(f"[dim]varies:[/dim] {name}: same verdict, different failing tests")
    for run in runs:
        if not run.ok and run.error:
            console.print(f"[red]{run.exercise} {run.role} {run.name}:[/red] {run.error}")
    bad = [r for r in runs if not r.ok]
    console.print(
        f"{len(runs)} runs in {time.perf_counter() - started:.1f} s; "
        f"{len(problems)} file problem(s), {len(bad)} wrong verdict(s)"
    )
    if json_file:
        Path(json_file).write_text(json.dumps([asdict(r) | {"ok": r.ok} for r in runs], indent=2))
    return 0 if not problems and not bad and not flaky else 1
