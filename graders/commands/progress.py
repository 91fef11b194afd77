"""``progress``: every chapter's exercises (done / started / not started), points and quizzes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.table import Table

from graders.commands.checklist import ticked
from graders.console import error, stdout_console
from graders.manifest import Exercise, ManifestError, load_course
from graders.paths import CHAPTERS_DIR
from graders.pristine import is_untouched
from graders.state import load_state


def exercise_status(exercise: Exercise, saved: dict | None) -> str:
    """done / started / not started, plus 'changed since' when the file moved on.

    "started" means the file differs from the stub as shipped (graders.pristine); a check
    run on an untouched stub does not start anything.
    """
    untouched = is_untouched(exercise)
    if saved and saved.get("status") == "passed":
        status = "done"
    elif untouched is None:  # no recorded stub to compare with: fall back on the score
        status = "started" if saved and saved.get("score", 0) > 0 else "not started"
    else:
        status = "not started" if untouched else "started"
    if not saved:
        return status
    try:
        checked = datetime.fromisoformat(saved["when"]).timestamp()
        if status != "not started" and exercise.stub_file.stat().st_mtime > checked + 1:
            status += " (edited since last check)"
    except (KeyError, ValueError, OSError):
        pass
    return status


def _checklist(chapter_id: str, state: dict) -> str:
    """'3/9 ticked (make checklist ch32)', or '-' for a chapter without a checklist."""
    path = Path(CHAPTERS_DIR) / chapter_id / "checklist.toml"
    if not path.is_file():
        return "-"
    try:
        from graders.quiz import load_checklist

        items = load_checklist(chapter_id)
    except Exception:  # noqa: BLE001 - progress must show even if a checklist is broken
        return "-"
    done = len(ticked(state, chapter_id, items))
    return f"{done}/{len(items)} ticked (make checklist {chapter_id})"


def main() -> int:
    try:
        course = load_course()
    except ManifestError as exc:
        error(str(exc))
        return 2
    state = load_state()
    table = Table(title="Your progress")
    for column in ("chapter", "exercises", "points", "quiz", "checklist"):
        table.add_column(column)
    total = possible = 0.0
    for chapter in course.chapters:
        exercises = course.exercises_in(chapter.id)
        lines, score, points = [], 0.0, 0.0
        for exercise in exercises:
            saved = state["exercises"].get(exercise.id)
            status = exercise_status(exercise, saved)
            mark = {"done": "[green]✓[/green]", "not started": "[dim]·[/dim]"}.get(
                status.split(" (")[0], "[yellow]~[/yellow]"
            )
            lines.append(f"{mark} {exercise.module}: {status}")
            score += float(saved.get("score", 0)) if saved else 0.0
            points += exercise.points
        quiz = state["quizzes"].get(chapter.id)
        quiz_text = (
            f"{quiz['score']}/{quiz['total']}"
            + (f" (best {quiz['best']})" if "best" in quiz else "")
            if quiz
            else "[dim]not taken[/dim]"
        )
        table.add_row(
            f"{chapter.id} {chapter.title}",
            "\n".join(lines) or "[dim]none yet[/dim]",
            f"{score:g}/{points:g}",
            quiz_text,
            _checklist(chapter.id, state),
        )
        total, possible = total + score, possible + points
    console = stdout_console()
    console.print(table)
    console.print(f"Total: {total:g}/{possible:g} points. Check a chapter with `make check chNN`.")
    for gate in ("phase7", "phase8"):
        saved = state["gates"].get(gate)
        if saved:
            verdict = "[green]passed[/green]" if saved.get("passed") else "not passed yet"
            console.print(
                f"Gate {gate}: {saved['earned']:g}/{saved['possible']:g} points, "
                f"{verdict} (make gate {gate})"
            )
        else:
            console.print(f"Gate {gate}: [dim]not run yet (make gate {gate})[/dim]")
    return 0
