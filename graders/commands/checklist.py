"""``checklist``: the chapter's "I can ..." statements, to check yourself against."""

from __future__ import annotations

from rich.markup import escape

from graders.console import error, stdout_console
from graders.manifest import ManifestError, SelectionError, load_course


def main(*, chapter: str) -> int:
    try:
        course = load_course()
        course.select(chapter)
        from graders.quiz import load_checklist

        items = load_checklist(chapter.lower())
    except (ManifestError, SelectionError, OSError, ValueError) as exc:
        error(str(exc))
        return 2
    console = stdout_console()
    console.print(f"[bold]{chapter} checklist[/bold]: can you say yes to each?")
    for item in items:
        console.print(f"  [ ] {escape(item)}")
    return 0
