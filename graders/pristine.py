"""What every untouched stub looks like (its hash), so progress can tell "started" apart.

``graders/stub_hashes.json`` maps each exercise id to the SHA-256 of its stub as shipped
(line endings normalised, so a Windows checkout matches). ``make verify`` reports a stub that
no longer matches; after changing a stub on purpose, record it again with
``python -m graders.pristine``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from graders.manifest import Course, Exercise, load_course
from graders.paths import EXERCISES_DIR, GRADERS_DIR

HASHES_PATH = GRADERS_DIR / "stub_hashes.json"


def file_hash(path: Path) -> str:
    data = path.read_bytes().replace(b"\r\n", b"\n")
    return hashlib.sha256(data).hexdigest()


def recorded() -> dict[str, str]:
    try:
        data = json.loads(HASHES_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def is_untouched(exercise: Exercise, target: Path = EXERCISES_DIR) -> bool | None:
    """True if the learner's file is the stub as shipped; None when that is unknown."""
    expected = recorded().get(exercise.id)
    path = target / exercise.relative_file
    if expected is None or not path.is_file():
        return None
    return file_hash(path) == expected


def record(course: Course) -> dict[str, str]:
    hashes = {e.id: file_hash(e.stub_file) for e in course.exercises if e.stub_file.is_file()}
    HASHES_PATH.write_text(json.dumps(hashes, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return hashes


def problems(exercise: Exercise) -> list[str]:
    """A stub that differs from its recorded hash (instructors' check, in verify)."""
    if not exercise.stub_file.is_file() or is_untouched(exercise) is not False:
        if exercise.stub_file.is_file() and exercise.id not in recorded():
            return [f"{exercise.id}: no recorded stub hash (run: python -m graders.pristine)"]
        return []
    return [
        f"{exercise.id}: the stub changed since its hash was recorded in "
        f"{HASHES_PATH.name} (if on purpose, run: python -m graders.pristine)"
    ]


if __name__ == "__main__":
    written = record(load_course())
    print(f"recorded {len(written)} stub hashes in {HASHES_PATH}")
    sys.exit(0)
