"""``list``: chapters and exercises in course order."""

from __future__ import annotations

from graders.console import error, stdout_console
from graders.manifest import ManifestError, load_course


def main() -> int:
    try:
        course = load_course()
    except ManifestError as exc:
        error(str(exc))
        return 2
    console = stdout_console()
    for chapter in course.chapters:
        console.print(
            f"[bold]{chapter.id}[/bold] {chapter.title} [dim](phase {chapter.phase})[/dim]"
        )
        for exercise in course.exercises_in(chapter.id):
            console.print(
                f"  {exercise.id:<32} {exercise.title} [dim]({exercise.points:g} points)[/dim]"
            )
    return 0
