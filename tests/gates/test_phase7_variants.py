"""Mutation testing for the Phase 7 gate: learner-style TaskForges it must accept or refuse.

Correct designs the contract allows are graded by the whole gate and must score 100/100.
Each hole runs only the gate modules of the checks it must fail (a hole is a one-rule
change of the reference, so the rest would pass as the reference does), to keep this lean.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from graders.paths import GRADERS_DIR, REPO_ROOT
from tests.gates.phase7.variants import CORRECT, HOLES, Variant

REFERENCE = REPO_ROOT / "taskforge"
GATE = GRADERS_DIR / "gates" / "phase7"
MIGRATION = re.compile(r"^(\d{3})_(.+)\.sql$")
pytestmark = pytest.mark.timeout(900)


class EditDoesNotApply(Exception):
    """The reference changed: the variant's edit must be updated to the new text."""


def build(variant: Variant, folder: Path) -> Path:
    shutil.copytree(REFERENCE, folder, ignore=shutil.ignore_patterns("__pycache__", "instance"))
    for name, old, new in variant.edits:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        if old not in text:
            raise EditDoesNotApply(f"{name} no longer contains {old[:80]!r}")
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    migrations = folder / "migrations"
    if variant.split_backfill:
        split_backfill(migrations)
    for name, sql in variant.migrations:
        number = max(int(MIGRATION.match(p.name)[1]) for p in migrations.glob("*.sql")) + 1
        (migrations / f"{number:03d}_{name}.sql").write_text(sql, encoding="utf-8")
    return folder


def split_backfill(migrations: Path) -> None:
    """Cut the categories migration after its ALTER TABLE; the rest becomes the next file and
    every later file moves up one number."""
    files = sorted(p for p in migrations.glob("*.sql") if MIGRATION.match(p.name))
    source = next(p for p in files if "categories" in p.name)
    text = source.read_text(encoding="utf-8")
    cut = text.index(";", text.index("ALTER TABLE tasks ADD COLUMN category_id")) + 1
    number = int(MIGRATION.match(source.name)[1])
    for path in reversed(files):
        found = MIGRATION.match(path.name)
        if int(found[1]) > number:
            path.rename(migrations / f"{int(found[1]) + 1:03d}_{found[2]}.sql")
    source.write_text(text[:cut] + "\n", encoding="utf-8")
    backfill = f"-- The backfill of {source.name}, in a file of its own.\n" + text[cut:]
    (migrations / f"{number + 1:03d}_backfill_categories.sql").write_text(backfill, "utf-8")


def gate_run(folder: Path) -> tuple[int, str, dict | None]:
    report = folder.parent / "gate.json"
    command = [sys.executable, "-m", "graders", "gate", "phase7", "--target", str(folder)]
    command += ["--json", str(report)]
    env = {**os.environ, "COURSE_STATE": str(folder.parent / "state.json")}
    done = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    data = json.loads(report.read_text("utf-8")) if report.is_file() else None
    return done.returncode, done.stdout + done.stderr, data


def checks_run(folder: Path, modules: set[str]) -> tuple[str, set[str]]:
    """Run some of the gate's modules on folder; the failing checks as module::test."""
    command = [
        sys.executable, "-m", "pytest", "-c", str(GRADERS_DIR / "pytest.ini"),
        "--rootdir", str(GRADERS_DIR), "-p", "no:cacheprovider", "-q", "-rf",
        f"--target={folder}", *sorted(str(GATE / m) for m in modules),
    ]  # fmt: skip
    env = {
        **os.environ,
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "PYTEST_ADDOPTS": "-p pytest_timeout",
    }
    done = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    failed = set(
        re.findall(r"^FAILED \S*?gates/phase7/(\S+?)(?:\[\S*\])?(?: |$)", done.stdout, re.M)
    )
    return done.stdout[-4000:], failed


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, object]:
    """Every variant built and graded, two at a time (each run mostly waits on its sandbox)."""

    def grade(item: tuple[str, Variant]) -> tuple[str, object]:
        name, variant = item
        try:
            folder = build(variant, tmp_path_factory.mktemp(name) / "taskforge")
        except EditDoesNotApply as exc:
            return name, exc
        if not variant.fails:
            return name, gate_run(folder)
        return name, checks_run(folder, {f.split("::")[0] for f in variant.fails})

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(grade, [*CORRECT.items(), *HOLES.items()]))


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_design_scores_100(graded, name):
    found = graded[name]
    assert not isinstance(found, Exception), f"{name}: {found}"
    code, output, report = found
    assert report is not None, output[-3000:]
    failing = [
        (r["id"], c["check"], c["message"][:300])
        for r in report["requirements"]
        for c in r["checks"]
        if c["outcome"] != "passed"
    ]
    assert report["earned"] == 100 and code == 0, (CORRECT[name].why, failing)


@pytest.mark.parametrize("name", sorted(HOLES))
def test_hole_fails_its_check(graded, name):
    found = graded[name]
    assert not isinstance(found, Exception), f"{name}: {found}"
    output, failed = found
    missing = [f for f in HOLES[name].fails if f not in failed]
    assert not missing, (HOLES[name].why, missing, sorted(failed), output)
