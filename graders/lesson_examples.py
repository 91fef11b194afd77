"""Run a lesson's fenced Python examples in order, like notebook cells, and report failures."""

from __future__ import annotations

import argparse
import os
import re
import socket
import sqlite3
import sys
import tempfile
import time
import traceback
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from graders.paths import CHAPTERS_DIR

FENCE_RE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
RUN_LANGUAGES = {"python", "py", "python3"}
NO_RUN_FLAG = "no-run"


@dataclass(frozen=True)
class Block:
    """One fenced code block: `line` is the lesson line of its first line of code."""

    line: int
    code: str
    language: str
    flags: tuple[str, ...] = ()

    @property
    def runnable(self) -> bool:
        """True for a Python block that is not marked no-run."""
        return self.language in RUN_LANGUAGES and NO_RUN_FLAG not in self.flags


@dataclass
class LessonReport:
    """What happened when a lesson's examples ran."""

    path: Path
    ran: int = 0
    skipped: int = 0
    timings: list[tuple[int, float]] = field(default_factory=list)
    failure: str | None = None
    failed_line: int | None = None
    leaks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every block ran and nothing was left open."""
        return self.failure is None and not self.leaks


def extract_blocks(text: str) -> list[Block]:
    """Find every fenced code block, with its language, flags and starting line."""
    blocks: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = FENCE_RE.match(lines[index])
        if not match:
            index += 1
            continue
        words = match["info"].split()
        fence, indent = match["fence"], len(match["indent"])
        body, index = _read_body(lines, index + 1, fence, indent)
        start = index - len(body)
        language = words[0].lower() if words else ""
        blocks.append(Block(start, "\n".join(body) + "\n", language, tuple(words[1:])))
    return blocks


def _read_body(lines: list[str], index: int, fence: str, indent: int) -> tuple[list[str], int]:
    """Collect lines up to the closing fence; return them and the index after the fence."""
    closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    body = []
    while index < len(lines) and not closing.match(lines[index]):
        line = lines[index]
        body.append(line[min(indent, len(line) - len(line.lstrip(" "))) :])
        index += 1
    return body, index + 1


def python_blocks(text: str) -> list[Block]:
    """Only the Python blocks, in order (runnable and no-run alike)."""
    return [block for block in extract_blocks(text) if block.language in RUN_LANGUAGES]


@contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


@contextmanager
def _lesson_module(path: Path) -> Iterator[types.ModuleType]:
    """A throwaway module, registered while the lesson runs so pickling and dataclasses work."""
    name = "lesson_" + re.sub(r"\W", "_", path.parent.name or path.stem)
    module = types.ModuleType(name, f"Examples from {path}")
    module.__file__ = str(path)
    saved = sys.modules.get(name)
    sys.modules[name] = module
    try:
        yield module
    finally:
        if saved is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = saved


def _compile(block: Block, path: Path) -> types.CodeType:
    """Compile a block so tracebacks point at the real lines of the lesson file."""
    padded = "\n" * (block.line - 1) + block.code
    return compile(padded, str(path), "exec")


def _format_failure(path: Path, block: Block, exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    lesson_lines = [f.lineno for f in frames if f.filename == str(path) and f.lineno]
    where = lesson_lines[-1] if lesson_lines else block.line
    detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return f"{path}:{where}: the block starting at line {block.line} failed\n{detail}"


def open_resources(namespace: dict[str, object]) -> list[str]:
    """Names of sockets and SQLite connections a lesson left open at the top level."""
    leaks = []
    for name, value in namespace.items():
        if isinstance(value, socket.socket) and value.fileno() != -1:
            leaks.append(f"{name} (socket)")
        elif isinstance(value, sqlite3.Connection) and _is_open(value):
            leaks.append(f"{name} (sqlite3 connection)")
    return leaks


def _is_open(conn: sqlite3.Connection) -> bool:
    try:
        conn.total_changes  # noqa: B018 - raises ProgrammingError once closed
    except sqlite3.ProgrammingError:
        return False
    return True


def run_lesson(path: Path) -> LessonReport:
    """Run every runnable Python block of a lesson in one namespace, in a fresh temp folder."""
    path = Path(path).resolve()
    report = LessonReport(path)
    blocks = python_blocks(path.read_text(encoding="utf-8"))
    with (
        tempfile.TemporaryDirectory(prefix="lesson-") as tmp,
        _working_directory(Path(tmp)),
        _lesson_module(path) as module,
    ):
        namespace = module.__dict__
        for block in blocks:
            if not block.runnable:
                report.skipped += 1
                continue
            started = time.perf_counter()
            try:
                exec(_compile(block, path), namespace)  # noqa: S102 - running lesson examples
            except Exception as exc:  # report every kind of failure with its lesson line
                report.failure = _format_failure(path, block, exc)
                report.failed_line = block.line
                return report
            report.timings.append((block.line, time.perf_counter() - started))
            report.ran += 1
        report.leaks = open_resources(namespace)
    return report


def lesson_paths() -> list[Path]:
    """Every chapters/*/lesson.md that exists, in chapter order."""
    return sorted(CHAPTERS_DIR.glob("*/lesson.md"))


def _summary(report: LessonReport) -> str:
    if report.failure:
        return report.failure
    if report.leaks:
        return f"{report.path}: left open at the end: {', '.join(report.leaks)}"
    slowest = max((t for _, t in report.timings), default=0.0)
    return (
        f"{report.path}: {report.ran} blocks ran, {report.skipped} shown only "
        f"(slowest {slowest:.2f} s)"
    )


def main(*, paths: list[Path] | None = None) -> int:
    """Run the given lessons (default: all); return 0 when every example passed."""
    failed = 0
    for path in paths or lesson_paths():
        report = run_lesson(path)
        print(_summary(report))
        failed += not report.ok
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("lessons", nargs="*", type=Path, help="lesson files (default: all)")
    sys.exit(main(paths=parser.parse_args().lessons))
