"""The learner's saved progress: checks, hints seen, quizzes, gates, checklists: one JSON file."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from graders.paths import state_path

SECTIONS = ("exercises", "hints", "quizzes", "gates", "checklists")


def _empty() -> dict[str, Any]:
    return {section: {} for section in SECTIONS}


def load_state(path: Path | None = None) -> dict[str, Any]:
    """Read the saved progress; a missing or unreadable file counts as a fresh start."""
    path = path or state_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _empty()
    if not isinstance(data, dict):
        return _empty()
    for section in SECTIONS:
        if not isinstance(data.get(section), dict):
            data[section] = {}
    return data


def save_state(data: dict[str, Any], path: Path | None = None) -> None:
    """Write the progress atomically, so an interrupted write never corrupts it."""
    path = path or state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def update_state(path: Path | None = None) -> Iterator[dict[str, Any]]:
    """Load, let the caller change, then save the progress file."""
    data = load_state(path)
    yield data
    save_state(data, path)
