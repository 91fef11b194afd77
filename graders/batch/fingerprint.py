"""Content addresses: a stored grade is reused only while submission, selection and graders
are byte for byte what produced it."""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

from graders.manifest import Course, Exercise
from graders.paths import GRADERS_DIR, MANIFEST_PATH

# None of these can change a grade, so editing them never re-grades the class.
SKIPPED_PARTS = {"__pycache__", "mutants", "alternatives", "specs"}


def _counts(path: Path) -> bool:
    """Grader inputs only: not caches (.pytest_cache, __pycache__), mutants or alternatives."""
    parts = path.relative_to(GRADERS_DIR).parts
    return (
        path.is_file()
        and not SKIPPED_PARTS & set(parts)
        and not any(part.startswith(".") for part in parts)
    )


def _hash_files(hasher: hashlib._Hash, root: Path, paths: list[Path]) -> None:
    for path in sorted(set(paths)):
        hasher.update(str(path.relative_to(root)).encode() + b"\0")
        hasher.update(path.read_bytes() if path.is_file() else b"<missing>")
        hasher.update(b"\0")


def learner_files(base: Path, exercises: list[Exercise], course: Course) -> list[Path]:
    """What the selected exercises can read: their modules and non-module files beside them."""
    others = {e.relative_file for e in course.exercises} - {e.relative_file for e in exercises}
    files = [base / e.relative_file for e in exercises]
    for chapter in sorted({e.chapter for e in exercises}):
        folder = base / chapter
        if folder.is_dir():
            files += [
                p
                for p in folder.rglob("*")
                if p.is_file()
                and not p.is_symlink()
                and "__pycache__" not in p.parts
                and p.relative_to(base) not in others
            ]
    return files


def submission_digest(base: Path, exercises: list[Exercise], course: Course) -> str:
    hasher = hashlib.sha256()
    _hash_files(hasher, base, learner_files(base, exercises, course))
    return hasher.hexdigest()


def engine_version() -> str:
    try:
        return metadata.version("craft-and-scale")
    except metadata.PackageNotFoundError:
        return "unknown"


def graders_digest(exercises: list[Exercise]) -> str:
    """The engine, course.toml and every grader file of the selected chapters."""
    hasher = hashlib.sha256(engine_version().encode())
    engine = [
        p
        for p in GRADERS_DIR.rglob("*")
        if _counts(p) and not p.relative_to(GRADERS_DIR).parts[0].startswith(("ch", "gates"))
    ]
    graders = [
        p
        for chapter in sorted({e.chapter for e in exercises})
        for p in (GRADERS_DIR / chapter).rglob("*")
        if _counts(p)
    ]
    _hash_files(hasher, GRADERS_DIR.parent, [*engine, *graders, MANIFEST_PATH])
    return hasher.hexdigest()


def describe_change(old: dict, new: dict) -> str:
    """Why a stored grade cannot be reused, in the words of the run's summary."""
    if not old:
        return "new"
    if old.get("selection") != new.get("selection"):
        return "selection changed"
    if old.get("graders") != new.get("graders"):
        return "graders changed"
    if old.get("submission") != new.get("submission") or old.get("shape") != new.get("shape"):
        return "submission changed"
    return ""
