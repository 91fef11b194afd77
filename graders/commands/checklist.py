"""``checklist``: tick a chapter's "I can ..." statements one by one; progress remembers them."""

from __future__ import annotations

import sys
from typing import TextIO

from rich.markup import escape

from graders.console import error, stdout_console
from graders.manifest import ManifestError, SelectionError, load_course
from graders.state import load_state, update_state

YES, NO, STOP = {"y", "yes"}, {"n", "no"}, {"q", "quit"}


def ticked(state: dict, chapter: str, items: list[str]) -> set[str]:
    """The items of a chapter's checklist the learner has said yes to."""
    saved = state["checklists"].get(chapter, {})
    marks = saved.get("items", {}) if isinstance(saved, dict) else {}
    return {item for item in items if marks.get(item) is True}


def _save(chapter: str, item: str, answer: bool) -> None:
    with update_state() as state:
        entry = state["checklists"].setdefault(chapter, {})
        entry.setdefault("items", {})[item] = answer


def main(*, chapter: str, stdin: TextIO | None = None) -> int:
    try:
        course = load_course()
        course.select(chapter)
        from graders.quiz import load_checklist

        chapter = chapter.lower().strip("/")
        chapter = f"ch{chapter}" if chapter.isdigit() else chapter
        items = load_checklist(chapter)
    except (ManifestError, SelectionError, OSError, ValueError) as exc:
        error(str(exc))
        return 2
    stdin = stdin or sys.stdin
    console = stdout_console()
    done = ticked(load_state(), chapter, items)
    console.print(f"[bold]{chapter} checklist[/bold]: can you say yes to each?")
    console.print(
        "[dim]Answer y or n; Enter keeps the current mark; q stops (answers are kept).[/dim]"
    )
    asked = 0
    for number, item in enumerate(items, start=1):
        mark = "x" if item in done else " "
        console.print(f"{number}/{len(items)} {escape(f'[{mark}]')} {escape(item)}")
        while True:
            console.print("    y/n? ", end="")
            line = stdin.readline()
            if not line:  # end of input (a pipe, or no terminal): keep the rest as they are
                console.print()
                return _summary(console, chapter, items, asked)
            answer = line.strip().lower()
            if not _isatty(stdin):  # piped answers: show them, so the transcript reads right
                console.print(answer)
            if answer in STOP:
                return _summary(console, chapter, items, asked)
            if answer in YES | NO:
                _save(chapter, item, answer in YES)
                asked += 1
                break
            if not answer:
                break
            console.print(f"    [yellow]'{escape(answer)}' is not y or n.[/yellow]")
    return _summary(console, chapter, items, asked)


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _summary(console, chapter: str, items: list[str], answered: int) -> int:
    done = ticked(load_state(), chapter, items)
    console.print(
        f"[bold]{len(done)}/{len(items)} ticked[/bold] for {chapter}"
        + (" (saved; make progress shows it)." if answered else ".")
    )
    return 0
