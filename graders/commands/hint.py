"""``hint``: show the next hint for the first task that still fails (one more each time)."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape

from graders.console import error, stdout_console
from graders.manifest import ManifestError, SelectionError, load_course
from graders.paths import EXERCISES_DIR
from graders.runner import run_exercises
from graders.state import update_state


def main(*, selector: str, target: str | None = None) -> int:
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
    result, _ = run_exercises(exercises, target=target_dir)
    entry = next((e for e in result.exercises if not e.passed), None)
    if entry is None:
        console.print(f"[green]Everything in {selector} passes: no hint needed.[/green]")
        return 0
    exercise = course.exercise(entry.id)
    if entry.problem or any(
        t.kind in {"missing_file", "syntax_error", "import_error"} for t in entry.tests
    ):
        problem = entry.problem or next(t.message for t in entry.tests if not t.passed)
        console.print(
            f"[bold]{entry.id}[/bold]: first fix this, then ask again:\n  {escape(problem)}"
        )
        return 1
    number = entry.first_failing_task() or 1
    task = exercise.task(number)
    key = f"{entry.id}#{number}"
    with update_state() as state:
        shown = int(state["hints"].get(key, 0))
        level = min(shown + 1, len(task.hints))
        state["hints"][key] = level
    console.print(f"[bold]{entry.id}[/bold] task {number}: {escape(task.title)}")
    for index, text in enumerate(task.hints[:level], start=1):
        console.print(f"  [cyan]Hint {index}/{len(task.hints)}:[/cyan] {escape(text)}")
    if level < len(task.hints):
        console.print("  [dim]Run it again for the next hint.[/dim]")
    else:
        console.print(
            "  [dim]That is every hint for this task. "
            "The lesson in chapters/ has worked examples.[/dim]"
        )
    return 1
