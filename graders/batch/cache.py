"""A per-exercise result cache shared by a whole class and kept across runs: identical files are
graded once (in .course/grade-cache, or where GRADERS_GRADE_CACHE points).

The key is everything a verdict depends on: the exercise, the bytes of the learner's files it can
read, the graders and engine (``fingerprint.graders_digest``) and the sandbox limits. Results that
depend on how loaded the machine was (time-outs, memory, crashes) or on the course team (grader
errors) are never stored, so they are always tried again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from graders.batch import fingerprint
from graders.manifest import Course, Exercise
from graders.options import SandboxOptions
from graders.paths import REPO_ROOT
from graders.results import ExerciseResult, GradingResult

# Outcomes a second try on a quieter machine could change: never served from the cache.
UNSTABLE_KINDS = frozenset(
    {"timeout", "memory", "crashed", "not_run", "grader_error", "import_timeout", "import_crash"}
)
FOLDER_VARIABLE = "GRADERS_GRADE_CACHE"  # where the cache lives, if not in .course/
TARGET = "{{graded folder}}"  # stands for the graded folder's path inside stored messages


def _runtime() -> list[str]:
    """Python and the libraries graders run on: an upgrade may change a verdict."""
    versions = [sys.version]
    for name in ("pytest", "hypothesis"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} absent")
    return versions


def options_key(options: SandboxOptions) -> str:
    """The limits that can change a verdict (not the slot or hidden paths, which cannot)."""
    return json.dumps(
        [options.timeout_scale, options.time_limit, options.isolation, options.memory_mb,
         options.cpu_seconds, *_runtime()]
    )  # fmt: skip


def cache_folder() -> Path:
    """One cache for every class and run on this machine (content-addressed, so safe to share)."""
    return Path(os.environ.get(FOLDER_VARIABLE) or REPO_ROOT / ".course" / "grade-cache")


class ExerciseCache:
    """Stored exercise results under ``folder``, one JSON file per content address."""

    def __init__(self, folder: Path, graders: str, options: SandboxOptions, course: Course):
        self.folder, self.graders, self.course = folder, graders, course
        self.options = options_key(options)
        self.hits = self.stores = 0

    def key(self, exercise: Exercise, base: Path) -> str:
        content = fingerprint.submission_digest(base, [exercise], self.course)
        parts = [exercise.id, content, self.graders, self.options]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def holds(self, exercise: Exercise, base: Path) -> bool:
        return self._path(self.key(exercise, base)).is_file()

    def get(self, exercise: Exercise, base: Path, target: str) -> ExerciseResult | None:
        """The stored result for these bytes, its paths pointing into ``target``."""
        try:
            raw = self._path(self.key(exercise, base)).read_text(encoding="utf-8")
            data = json.loads(raw.replace(json.dumps(TARGET)[1:-1], _escaped(target or "?")))
            (entry,) = GradingResult.from_dict({"exercises": [data]}).exercises
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self.hits += 1
        return entry

    def put(self, entry: ExerciseResult, exercise: Exercise, base: Path, target: str) -> None:
        """Store a result graded in ``target`` (maybe another machine's folder) for ``base``."""
        if entry.problem_kind in UNSTABLE_KINDS or any(
            t.kind in UNSTABLE_KINDS for t in entry.tests
        ):
            return
        data = json.dumps(entry.to_dict() | {"tests": [asdict(t) for t in entry.tests]})
        if target:
            data = data.replace(_escaped(target), json.dumps(TARGET)[1:-1])
        path = self._path(self.key(exercise, base))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written whole then renamed: a reader never sees half a file, even mid-crash.
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(data)
            os.replace(temporary, path)
            self.stores += 1
        except OSError:
            pass  # a cache that cannot be written only costs speed


def _escaped(target: str) -> str:
    """The folder's path as it appears inside a JSON string."""
    return json.dumps(target)[1:-1]
