"""Loads a gate's requirement table (``graders/gates/<phase>/requirements.toml``).

Each ``[[requirement]]`` has ``id`` (used by ``@pytest.mark.requirement(id)``), ``title``,
``points`` and ``syllabus`` (the gate text it grades). Order is the order of the report.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from graders.paths import GRADERS_DIR

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

GATES_DIR = GRADERS_DIR / "gates"


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    points: float
    syllabus: str


def gate_names() -> list[str]:
    return sorted(p.parent.name for p in GATES_DIR.glob("*/requirements.toml"))


def load_requirements(gate: str) -> list[Requirement]:
    path: Path = GATES_DIR / gate / "requirements.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Requirement(r["id"], r["title"], float(r["points"]), r.get("syllabus", ""))
        for r in data.get("requirement", [])
    ]
