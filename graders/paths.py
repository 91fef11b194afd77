"""Well-known locations inside the course repository."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CHAPTERS_DIR = REPO_ROOT / "chapters"
EXERCISES_DIR = REPO_ROOT / "exercises"
SOLUTIONS_DIR = REPO_ROOT / "solutions"
GRADERS_DIR = REPO_ROOT / "graders"
MANIFEST_PATH = REPO_ROOT / "course.toml"


def state_path() -> Path:
    """Where the learner's progress is kept; COURSE_STATE overrides it (tests use this)."""
    override = os.environ.get("COURSE_STATE")
    if override:
        return Path(override)
    return REPO_ROOT / ".course" / "state.json"
