"""Learner-style TaskForges for the Phase 8 gate, kept small: each is a copy of a correct
upgrade (the reference) with a few files changed, or a folder holding only a design document.

Every overlay names the requirement it concerns and what the gate must say about it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
REFERENCE = REPO / "taskforge"
DESIGNS = HERE / "designs"
HOLES = HERE / "holes"
IGNORED = shutil.ignore_patterns("__pycache__", "instance", "*.sqlite", "*.log")
WRAPPED_FACTORY = '''"""TaskForge, with one module added around the app factory."""

from .app import create_app as _create_app
from .gate_cache import install


def create_app(config=None):
    app = _create_app(config)
    install(app)
    return app
'''


def reference_copy(folder: Path) -> Path:
    target = folder / "taskforge"
    shutil.copytree(REFERENCE, target, ignore=IGNORED)
    return target


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if text.count(old) != 1:
        raise AssertionError(f"{path.name}: the overlay's anchor is gone: {old!r}")
    path.write_text(text.replace(old, new), encoding="utf-8")


def design_only(folder: Path, document: str) -> Path:
    """A TaskForge folder with just a design document (R1 reads files only)."""
    target = folder / "taskforge"
    (target / "docs" / "design").mkdir(parents=True)
    (target / "__init__.py").write_text('"""Design only."""\n', encoding="utf-8")
    shutil.copyfile(DESIGNS / document, target / "docs" / "design" / "system-design.md")
    return target


def string_user_id(folder: Path) -> Path:
    """R2, correct: user_id logged as text ("7"), as chapter 36's demo does."""
    target = reference_copy(folder)
    replace_once(
        target / "observability" / "hooks.py",
        '    return getattr(user, "id", None)',
        '    value = getattr(user, "id", None)\n    return None if value is None else str(value)',
    )
    return target


def server_errors_unlogged(folder: Path) -> Path:
    """R2, hole: requests that end in a server error (5xx) are never logged."""
    target = reference_copy(folder)
    replace_once(
        target / "observability" / "hooks.py",
        "        seconds = max(0.0, timer() - info.started)\n",
        "        if status >= 500:\n            return\n"
        "        seconds = max(0.0, timer() - info.started)\n",
    )
    return target


def disk_cache(folder: Path) -> Path:
    """R3, hole: a never-expiring response cache on disk over a slow listing."""
    target = reference_copy(folder)
    shutil.copyfile(HOLES / "disk_cache.py", target / "gate_cache.py")
    (target / "__init__.py").write_text(WRAPPED_FACTORY, encoding="utf-8")
    return target


def reporting_split(folder: Path) -> Path:
    """R4, correct: the refactor renamed legacy/reporting/, its SQL in two modules, its
    settings in a JSON file; the characterisation tests import it under its new name."""
    target = reference_copy(folder)
    legacy = target / "legacy"
    shutil.rmtree(legacy / "reports")
    shutil.copytree(DESIGNS / "reporting", legacy / "reporting", ignore=IGNORED)
    replace_once(
        legacy / "test_characterisation.py",
        "from taskforge.legacy import reports, reports_before",
        "from taskforge.legacy import reporting as reports\n"
        "from taskforge.legacy import reports_before",
    )
    return target


def subclassed(folder: Path) -> Path:
    """R4, hole: the "refactor" subclasses the legacy class (injection and all)."""
    target = reference_copy(folder)
    shutil.copyfile(HOLES / "subclass_init.py", target / "legacy" / "reports" / "__init__.py")
    return target


def unwatched_change(folder: Path) -> Path:
    """R4, hole: the refactor changes behaviour where the characterisation tests never look
    (action names are matched case-insensitively and without surrounding spaces)."""
    target = reference_copy(folder)
    replace_once(
        target / "legacy" / "reports" / "center.py",
        "run = self._actions.get(action)",
        "run = self._actions.get(str(action).strip().lower())",
    )
    return target


def targeted_tests(folder: Path) -> Path:
    """R4, hole: tests aimed at the four announced changes, padded with empty ones."""
    target = reference_copy(folder)
    shutil.copyfile(HOLES / "targeted_tests.py", target / "legacy" / "test_characterisation.py")
    return target
