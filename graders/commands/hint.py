"""``hint``: the next hint for the exercise you are working on (one more each time you ask).

Without an exercise named, "the exercise you are working on" is the most recently edited
exercise file (in the chapter asked for, or anywhere) that differs from its stub and still
fails; when none is started yet, the first exercise not done in course order.
"""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape

from graders.console import error, stdout_console
from graders.manifest import Exercise, ManifestError, SelectionError, load_course
from graders.paths import EXERCISES_DIR
from graders.pristine import is_untouched
from graders.results import ExerciseResult
from graders.runner import run_exercises
from graders.state import load_state, update_state

WHOLE_FILE = {"missing_file", "syntax_error", "import_error", "import_timeout", "import_crash"}


def _started_by_recency(exercises: list[Exercise], target: Path) -> list[Exercise]:
    edited = []
    for exercise in exercises:
        path = target / exercise.relative_file
        if path.is_file() and is_untouched(exercise, target) is not True:
            edited.append((path.stat().st_mtime, exercise))
    return [exercise for _, exercise in sorted(edited, key=lambda pair: -pair[0])]


def _working_on(exercises: list[Exercise], target: Path) -> tuple[Exercise, ExerciseResult] | None:
    """The exercise to hint: the latest edited one that fails, else the first not done."""
    candidates = _started_by_recency(exercises, target) if len(exercises) > 1 else exercises
    for exercise in candidates:
        result, _ = run_exercises([exercise], target=target)
        entry = result.exercises[0]
        if not entry.passed:
            return exercise, entry
    done = load_state()["exercises"]
    for exercise in exercises:
        if exercise in candidates or done.get(exercise.id, {}).get("status") == "passed":
            continue
        result, _ = run_exercises([exercise], target=target)
        if not result.exercises[0].passed:
            return exercise, result.exercises[0]
    return None


def main(*, selector: str = "all", target: str | None = None) -> int:
    try:
        course = load_course()
        exercises = course.select(selector)
    except (ManifestError, SelectionError) as exc:
        error(str(exc))
        return 2
    target_dir = Path(target) if target else EXERCISES_DIR
    if not target_dir.is_dir():
        error(f"target folder not found: {target_dir}")
        return 2
    console = stdout_console()
    found = _working_on(exercises, target_dir)
    if found is None:
        where = "" if selector == "all" else f" in {selector}"
        console.print(f"[green]Everything{where} passes: no hint needed.[/green]")
        return 0
    exercise, entry = found
    whole = entry.problem or next(
        (t.message for t in entry.tests if t.kind in WHOLE_FILE and not t.passed), ""
    )
    if whole:
        console.print(
            f"[bold]{entry.id}[/bold]: first fix this, then ask again:\n  {escape(whole)}"
        )
        return 0
    number = entry.first_failing_task() or 1
    task = exercise.task(number)
    key = f"{entry.id}#{number}"
    with update_state() as state:
        shown = int(state["hints"].get(key, 0))
        level = min(shown + 1, len(task.hints))
        state["hints"][key] = level
    console.print(f"[bold]{entry.id}[/bold] task {number}: {escape(task.title)}")
    if shown >= len(task.hints):
        console.print(
            f"  [yellow]You have seen all {len(task.hints)} hints for this task.[/yellow] "
            "The lesson in chapters/ has worked examples; the failing test's message says "
            f"what was called and what came back (make check {entry.id} V=1)."
        )
    for index, text in enumerate(task.hints[:level], start=1):
        console.print(f"  [cyan]Hint {index}/{len(task.hints)}:[/cyan] {escape(text)}")
    if level < len(task.hints):
        console.print("  [dim]Ask again (make hint) for the next one.[/dim]")
    elif shown < len(task.hints):
        console.print("  [dim]That was the last hint for this task.[/dim]")
    return 0
