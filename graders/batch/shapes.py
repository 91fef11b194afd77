"""Recognise how a learner laid out their submission and find the folder shaped like exercises/."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from graders.manifest import Exercise

CHAPTER = re.compile(r"^ch\d\d$")
IGNORED = {"__MACOSX", "__pycache__", ".git", ".venv"}


class ShapeError(Exception):
    """The submission could be read more than one way (or not at all); the reason says why."""


@dataclass(frozen=True)
class Shape:
    name: str  # exercises | course_repo | folder/exercises | folder/course_repo | flat
    base: Path  # a folder laid out like exercises/ (chNN/<module>.py)
    detail: str = ""  # for people: where the files were found


def _entries(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir() if p.name not in IGNORED and not p.name.startswith(".")
    )


def _has_chapters(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_dir() and CHAPTER.match(p.name) for p in _entries(folder))


def _laid_out(folder: Path, prefix: str) -> list[Shape]:
    shown = f"{folder.name}/" if prefix else ""
    found = []
    if _has_chapters(folder):
        found.append(Shape(f"{prefix}exercises", folder, f"{shown}chNN/"))
    inner = folder / "exercises"
    if _has_chapters(inner):
        found.append(Shape(f"{prefix}course_repo", inner, f"{shown}exercises/chNN/"))
    return found


def _flat(root: Path, exercises: list[Exercise], scratch: Path) -> Shape | None:
    """Module files dropped straight in (Gradescope drag-and-drop), matched by file name."""
    by_name: dict[str, list[Exercise]] = {}
    for exercise in exercises:
        by_name.setdefault(f"{exercise.module}.py", []).append(exercise)
    matched = [p for p in _entries(root) if p.is_file() and p.name in by_name]
    if not matched:
        return None
    for path in matched:
        owners = by_name[path.name]
        if len(owners) > 1:
            chapters = ", ".join(e.chapter for e in owners)
            raise ShapeError(
                f"{path.name} could belong to more than one chapter ({chapters}); "
                "submit it inside its chapter folder (chNN/)"
            )
    scratch.mkdir(parents=True)
    for path in matched:
        exercise = by_name[path.name][0]
        target = scratch / exercise.relative_file
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return Shape("flat", scratch, ", ".join(p.name for p in matched))


def detect(root: Path, exercises: list[Exercise], scratch: Path) -> Shape:
    """The one reading of ``root`` that makes sense, or ShapeError saying why there is none."""
    candidates = _laid_out(root, "")
    entries = _entries(root)
    if not candidates and len(entries) == 1 and entries[0].is_dir():
        candidates = _laid_out(entries[0], "folder/")
    if len(candidates) > 1:
        places = " and ".join(c.detail for c in candidates)
        raise ShapeError(f"the submission holds exercises in two places ({places}); keep one")
    if candidates:
        return candidates[0]
    flat = _flat(root, exercises, scratch)
    if flat is None and len(entries) == 1 and entries[0].is_dir():
        flat = _flat(entries[0], exercises, scratch)
    if flat is not None:
        return flat
    wanted = ", ".join(str(e.relative_file) for e in exercises[:3])
    more = ", ..." if len(exercises) > 3 else ""
    raise ShapeError(
        "no exercise files were found: expected chNN/ folders (as in exercises/), a copy of "
        f"the course with exercises/ inside, or the module files themselves ({wanted}{more})"
    )
