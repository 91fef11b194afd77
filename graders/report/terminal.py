"""Learner-facing terminal report: each test in plain words, failures explained, a hint."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from graders.manifest import Course
from graders.results import ExerciseResult, GradingResult

DETAILED_FAILURES = 3
NOT_RUN = "not_run"  # graders.harness.NOT_RUN: skipped when the exercise's time budget ran out
WHOLE_FILE_KINDS = {
    "missing_file",
    "syntax_error",
    "import_error",
    "import_timeout",
    "import_crash",
    "grader_error",
}


def _points(value: float) -> str:
    return f"{value:g}"


def _exercise_header(console: Console, entry: ExerciseResult, course: Course) -> None:
    passed = sum(t.passed for t in entry.tests)
    counts = f"{passed}/{len(entry.tests)} tests, {_points(entry.score)}/{_points(entry.possible)}"
    style = "green" if entry.passed else "red" if entry.problem else "yellow"
    console.print(
        Text.assemble(
            (f"{entry.id}", "bold"),
            f"  {entry.title}  ",
            (f"{counts} points", style),
        )
    )


def _indent(message: str, prefix: str = "      ") -> str:
    return "\n".join(prefix + line for line in message.splitlines())


def render_exercise(
    console: Console,
    entry: ExerciseResult,
    course: Course,
    *,
    verbose: bool = False,
    show_hint: bool = True,
) -> None:
    _exercise_header(console, entry, course)
    if entry.problem and entry.problem_kind in WHOLE_FILE_KINDS:
        console.print(f"  [red]✗[/red] {escape(entry.problem)}")
        console.print("    [dim]No test could run until this is fixed.[/dim]")
        return
    whole = next((t for t in entry.tests if t.kind in WHOLE_FILE_KINDS), None)
    if whole is not None:
        console.print(f"  [red]✗[/red] {escape(whole.message)}")
        console.print("    [dim]No test could run until this is fixed.[/dim]")
        return
    detailed = 0
    stub_notes = 0
    not_run = [t for t in entry.tests if t.kind == NOT_RUN]
    for test in entry.tests:
        task = f"[dim]task {test.task}[/dim] " if test.task else ""
        if test.kind == NOT_RUN:
            continue  # listed together below, with their one reason
        if test.passed:
            console.print(f"  [green]✓[/green] {task}{escape(test.description)}")
            continue
        console.print(f"  [red]✗[/red] {task}{escape(test.description)}")
        if test.kind == "stub":
            stub_notes += 1
            if stub_notes > 1 and not verbose:
                continue
        if detailed < DETAILED_FAILURES or verbose:
            console.print(escape(_indent(test.message)), highlight=False)
            detailed += 1
    hidden = sum(not t.passed for t in entry.tests) - len(not_run) - detailed
    if hidden > 0 and not verbose:
        console.print(
            f"    [dim]({hidden} more failure(s): see them in full with "
            f"make check {entry.id} V=1, or -v)[/dim]"
        )
    if not_run:
        lines = not_run[0].message.splitlines()
        reason = next((x for x in lines if "not run:" in x), lines[0] if lines else "")
        reason = reason.removeprefix("Problem:").strip().removeprefix("not run:").strip()
        console.print(f"  [yellow]○ {len(not_run)} test(s) not run[/yellow]: {escape(reason)}")
        for test in not_run:
            task = f"task {test.task} " if test.task else ""
            console.print(f"    [dim]○ {task}{escape(test.description)}[/dim]")
    if show_hint:
        _hint(console, entry, course)


def _hint(console: Console, entry: ExerciseResult, course: Course) -> None:
    exercise = course.exercise(entry.id)
    number = entry.first_failing_task()
    if exercise is None or number is None:
        return
    task = exercise.task(number)
    if task is None:
        return
    console.print(
        f"  [cyan]Hint for task {number} ({escape(task.title)}):[/cyan] {escape(task.hints[0])}"
    )
    if len(task.hints) > 1:
        console.print(f"    [dim]More hints: make hint {entry.id.split('/')[0]}[/dim]")


def render(
    console: Console, result: GradingResult, course: Course, *, verbose: bool = False
) -> None:
    """Print the whole report, one block per exercise, then the score line."""
    for entry in result.exercises:
        render_exercise(console, entry, course, verbose=verbose)
        console.print()
    done = sum(e.passed for e in result.exercises)
    style = "bold green" if result.passed else "bold"
    console.print(
        f"[{style}]Score: {_points(result.total)}/{_points(result.possible)} points "
        f"({result.percent:g}%), {done}/{len(result.exercises)} exercise(s) complete[/{style}]"
    )
    if result.passed:
        console.print("[green]All tests pass. Well done![/green]")
