"""Loads ``course.toml``: the single ordered list of chapters, exercises, tasks and hints.

Fields (all documented here, checked on load):

``[[chapter]]``
    ``id`` ("ch30"), ``title``, ``phase`` (7 or 8).
``[[exercise]]`` (learning order is position in the file)
    ``id`` ("ch30/transfer_rollback": chapter folder / module name), ``title``,
    ``timeout`` (seconds per call into learner code, default 10),
    ``summary`` (one line shown to learners),
    ``loopback`` (true when learner code must connect to a server the grader runs on
    127.0.0.1; under full isolation the sandbox then keeps the host's loopback network).
``[[exercise.task]]`` (numbered from 1 in order; tests carry ``@pytest.mark.task(N)``)
    ``title``, ``points`` (split evenly across the task's tests), ``hints`` (progressive,
    at least one).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from graders.paths import EXERCISES_DIR, GRADERS_DIR, MANIFEST_PATH, SOLUTIONS_DIR

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


class ManifestError(Exception):
    """course.toml is missing, unreadable or inconsistent."""


class SelectionError(Exception):
    """A chapter or exercise the user asked for does not exist."""


@dataclass(frozen=True)
class Task:
    number: int
    title: str
    points: float
    hints: tuple[str, ...]


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    summary: str
    timeout: float
    tasks: tuple[Task, ...]
    loopback: bool = False  # learner code must reach servers the grader runs on 127.0.0.1

    @property
    def chapter(self) -> str:
        return self.id.split("/")[0]

    @property
    def module(self) -> str:
        return self.id.split("/")[1]

    @property
    def relative_file(self) -> Path:
        return Path(self.chapter) / f"{self.module}.py"

    @property
    def stub_file(self) -> Path:
        return EXERCISES_DIR / self.relative_file

    @property
    def solution_file(self) -> Path:
        return SOLUTIONS_DIR / self.relative_file

    @property
    def test_file(self) -> Path:
        return GRADERS_DIR / self.chapter / f"test_{self.module}.py"

    @property
    def hidden_test_file(self) -> Path:
        """Grader tests learners never see: batch grading and verify run them, check does not."""
        return GRADERS_DIR / self.chapter / f"test_{self.module}_hidden.py"

    def grader_files(self, *, hidden: bool) -> list[Path]:
        """The grader files that exist: the public one, and the hidden one if asked for."""
        files = [self.test_file, *([self.hidden_test_file] if hidden else [])]
        return [path for path in files if path.is_file()]

    @property
    def mutants_dir(self) -> Path:
        return GRADERS_DIR / self.chapter / "mutants" / self.module

    @property
    def alternatives_dir(self) -> Path:
        """Other correct solutions, written from the stub alone; each must pass every test."""
        return GRADERS_DIR / self.chapter / "alternatives" / self.module

    @property
    def points(self) -> float:
        return sum(task.points for task in self.tasks)

    def task(self, number: int) -> Task | None:
        return next((task for task in self.tasks if task.number == number), None)


@dataclass(frozen=True)
class Chapter:
    id: str
    title: str
    phase: int

    @property
    def number(self) -> int:
        return int(self.id[2:])


@dataclass(frozen=True)
class Course:
    title: str
    chapters: tuple[Chapter, ...]
    exercises: tuple[Exercise, ...]

    def chapter(self, chapter_id: str) -> Chapter | None:
        return next((c for c in self.chapters if c.id == chapter_id), None)

    def exercise(self, exercise_id: str) -> Exercise | None:
        return next((e for e in self.exercises if e.id == exercise_id), None)

    def exercises_in(self, chapter_id: str) -> list[Exercise]:
        return [e for e in self.exercises if e.chapter == chapter_id]

    def select(self, selector: str) -> list[Exercise]:
        """Resolve ``all``, ``chNN`` (also ``30``/``ch30/``) or ``chNN/module`` to exercises."""
        text = selector.strip().strip("/").lower()
        if text == "all":
            return list(self.exercises)
        if text.isdigit():
            text = f"ch{text}"
        if "/" in text:
            exercise = self.exercise(text.removesuffix(".py"))
            if exercise is None:
                known = ", ".join(e.id for e in self.exercises_in(text.split("/")[0])) or "none"
                raise SelectionError(f"unknown exercise '{selector}' (known here: {known})")
            return [exercise]
        if self.chapter(text) is None:
            known = ", ".join(c.id for c in self.chapters)
            raise SelectionError(f"unknown chapter '{selector}' (choose one of: {known}, or all)")
        return self.exercises_in(text)


def _require(table: dict, key: str, kind: type, where: str):
    value = table.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ManifestError(f"{where}: '{key}' must be a {kind.__name__}")
    return value


def _parse_task(raw: dict, number: int, where: str) -> Task:
    where = f"{where} task {number}"
    hints = raw.get("hints")
    if not isinstance(hints, list) or not hints or not all(isinstance(h, str) and h for h in hints):
        raise ManifestError(f"{where}: 'hints' must be a non-empty list of texts")
    points = raw.get("points")
    if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
        raise ManifestError(f"{where}: 'points' must be a positive number")
    return Task(number, _require(raw, "title", str, where), float(points), tuple(hints))


def _parse_exercise(raw: dict, chapters: dict[str, Chapter]) -> Exercise:
    exercise_id = _require(raw, "id", str, "an exercise")
    where = f"exercise {exercise_id}"
    parts = exercise_id.split("/")
    if len(parts) != 2 or parts[0] not in chapters or not parts[1].isidentifier():
        raise ManifestError(f"{where}: id must be 'chNN/module' with a declared chapter")
    tasks_raw = raw.get("task")
    if not isinstance(tasks_raw, list) or not tasks_raw:
        raise ManifestError(f"{where}: needs at least one [[exercise.task]]")
    tasks = tuple(_parse_task(t, n, where) for n, t in enumerate(tasks_raw, start=1))
    timeout = raw.get("timeout", 10)
    if not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ManifestError(f"{where}: 'timeout' must be a positive number of seconds")
    return Exercise(
        id=exercise_id,
        title=_require(raw, "title", str, where),
        summary=str(raw.get("summary", "")),
        timeout=float(timeout),
        tasks=tasks,
        loopback=bool(raw.get("loopback", False)),
    )


def parse_course(data: dict) -> Course:
    """Build a Course from parsed TOML, with a clear error for the first problem found."""
    chapters: dict[str, Chapter] = {}
    for raw in data.get("chapter", []):
        chapter_id = _require(raw, "id", str, "a chapter")
        if chapter_id in chapters:
            raise ManifestError(f"chapter {chapter_id} is declared twice")
        phase = _require(raw, "phase", int, f"chapter {chapter_id}")
        chapters[chapter_id] = Chapter(chapter_id, _require(raw, "title", str, chapter_id), phase)
    exercises = [_parse_exercise(raw, chapters) for raw in data.get("exercise", [])]
    seen: set[str] = set()
    for exercise in exercises:
        if exercise.id in seen:
            raise ManifestError(f"exercise {exercise.id} is declared twice")
        seen.add(exercise.id)
    title = str(data.get("course", {}).get("title", "Course"))
    return Course(title, tuple(chapters.values()), tuple(exercises))


def load_course(path: Path = MANIFEST_PATH) -> Course:
    """Read and check the course manifest."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ManifestError(f"course manifest not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{path.name} is not valid TOML: {exc}") from exc
    return parse_course(data)
