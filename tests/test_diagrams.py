"""Every lesson has diagrams, and every Mermaid diagram parses with Mermaid's own parser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from coursesite.vendor import NODE_PROJECT, VendorError, install_mermaid
from graders.paths import REPO_ROOT

CHAPTERS = REPO_ROOT / "chapters"
MERMAID_BLOCK = re.compile(r"^```mermaid\n(.*?)^```", re.S | re.M)


def mermaid_blocks() -> list[tuple[str, str]]:
    """(name, source) of every Mermaid block in the Markdown under chapters/."""
    blocks = []
    for path in sorted(CHAPTERS.rglob("*.md")):
        for index, match in enumerate(MERMAID_BLOCK.finditer(path.read_text(encoding="utf-8"))):
            blocks.append((f"{path.relative_to(REPO_ROOT)} diagram {index + 1}", match.group(1)))
    return blocks


def lesson_files() -> list[Path]:
    return sorted(CHAPTERS.glob("ch*/lesson.md"))


@pytest.mark.parametrize("lesson", lesson_files(), ids=lambda path: path.parent.name)
def test_every_lesson_has_a_diagram(lesson: Path) -> None:
    assert MERMAID_BLOCK.search(lesson.read_text(encoding="utf-8")), (
        f"{lesson.relative_to(REPO_ROOT)} has no ```mermaid diagram"
    )


def _install_parser() -> Path:
    """The parser script, next to an installed mermaid (skips with the reason when impossible)."""
    try:
        home = install_mermaid()
    except VendorError as exc:
        pytest.skip(f"Mermaid diagrams were not parsed: {exc}")
    shutil.copy(NODE_PROJECT / "parse.mjs", home / "parse.mjs")
    return home / "parse.mjs"


def test_every_mermaid_diagram_parses() -> None:
    blocks = mermaid_blocks()
    assert len(blocks) >= 12, f"only {len(blocks)} diagrams in the lessons"
    script = _install_parser()
    done = subprocess.run(
        ["node", str(script)],
        input=json.dumps(blocks),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=script.parent,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout)
    assert [name for name, _, _ in results] == [name for name, _ in blocks]
    broken = [f"{name}: {detail}" for name, ok, detail in results if not ok]
    assert not broken, "Mermaid cannot parse:\n" + "\n".join(broken)


def test_the_parser_rejects_a_broken_diagram() -> None:
    """The check above can fail: a diagram with a dangling arrow is refused."""
    script = _install_parser()
    done = subprocess.run(
        ["node", str(script)],
        input=json.dumps([["broken", "flowchart LR\n    A --> --> B\n"]]),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=script.parent,
    )
    [[_, ok, detail]] = json.loads(done.stdout)
    assert not ok and "Parse error" in detail
