"""Every lesson has diagrams, and every Mermaid diagram parses with Mermaid's own parser."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from graders.paths import REPO_ROOT

CHAPTERS = REPO_ROOT / "chapters"
TOOL_SOURCE = REPO_ROOT / "tests" / "mermaid"
TOOL_HOME = REPO_ROOT / "build" / "mermaid-check"
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
    """Install mermaid and jsdom from the lock file into build/, again only if the lock changed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("Node.js and npm are not installed here: Mermaid diagrams were not parsed")
    lock = (TOOL_SOURCE / "package-lock.json").read_bytes()
    stamp = TOOL_HOME / ".lock-sha256"
    digest = hashlib.sha256(lock).hexdigest()
    ready = (TOOL_HOME / "node_modules" / "mermaid").is_dir()
    if not ready or not stamp.is_file() or stamp.read_text() != digest:
        shutil.rmtree(TOOL_HOME, ignore_errors=True)
        TOOL_HOME.mkdir(parents=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(TOOL_SOURCE / name, TOOL_HOME / name)
        try:
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=TOOL_HOME,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.skip("npm ci for mermaid did not finish in 300 s: diagrams were not parsed")
        if done.returncode != 0:
            pytest.skip(f"npm could not install mermaid (no registry?): {done.stderr[-300:]}")
        stamp.write_text(digest)
    shutil.copy(TOOL_SOURCE / "parse.mjs", TOOL_HOME / "parse.mjs")
    return TOOL_HOME / "parse.mjs"


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
