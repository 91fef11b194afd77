"""Runs the Python examples of every lesson, and checks the runner that does it."""

from __future__ import annotations

import gc
import socket
import sqlite3
import textwrap
from pathlib import Path

import pytest

from graders import lesson_examples
from graders.lesson_examples import extract_blocks, open_resources, python_blocks, run_lesson

LESSONS = lesson_examples.lesson_paths()


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.parent.name)
def test_lesson_examples_run(path: Path) -> None:
    report = run_lesson(path)
    gc.collect()  # surface any unclosed-resource warning here, not in a later test
    assert report.failure is None, report.failure
    assert report.leaks == [], f"left open at the end of the lesson: {report.leaks}"
    assert report.ran > 0


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "chXX" / "lesson.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_extract_blocks_languages_flags_and_lines() -> None:
    text = textwrap.dedent(
        """\
        # Title

        ```python
        x = 1
        ```

        ```python no-run
        broken(
        ```

        ```sql
        SELECT 1;
        ```

        ````markdown
        ```python
        not_a_block()
        ```
        ````
        """
    )
    blocks = extract_blocks(text)
    assert [(b.language, b.line) for b in blocks] == [
        ("python", 4),
        ("python", 8),
        ("sql", 12),
        ("markdown", 16),
    ]
    assert [b.runnable for b in python_blocks(text)] == [True, False]
    assert python_blocks(text)[0].code == "x = 1\n"


def test_blocks_share_a_namespace_and_run_in_a_temp_folder(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        ```python
        from pathlib import Path
        Path("note.txt").write_text("hi")
        total = 2
        ```

        ```python no-run
        raise SystemExit("never runs")
        ```

        ```python
        assert Path("note.txt").read_text() == "hi"
        assert total == 2
        ```
        """,
    )
    report = run_lesson(path)
    assert report.ok, report.failure
    assert (report.ran, report.skipped) == (2, 1)
    assert not (path.parent / "note.txt").exists()


def test_failure_names_the_lesson_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        Intro

        ```python
        value = 1
        assert value == 2, "value should be 2"
        ```
        """,
    )
    report = run_lesson(path)
    assert not report.ok
    assert report.failed_line == 4
    assert f"{path.resolve()}:5:" in report.failure
    assert "value should be 2" in report.failure


def test_dataclasses_work_in_lessons(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        ```python
        from __future__ import annotations
        from dataclasses import dataclass

        @dataclass
        class Task:
            title: str

        assert Task("x").title == "x"
        ```
        """,
    )
    assert run_lesson(path).ok


def test_open_connections_and_sockets_are_reported() -> None:
    conn = sqlite3.connect(":memory:")
    closed = sqlite3.connect(":memory:")
    closed.close()
    sock = socket.socket()
    try:
        namespace = {"conn": conn, "closed": closed, "sock": sock, "n": 1}
        assert open_resources(namespace) == ["conn (sqlite3 connection)", "sock (socket)"]
    finally:
        conn.close()
        sock.close()
    assert open_resources(namespace) == []


def test_main_reports_each_lesson(tmp_path: Path, capsys) -> None:
    good = write(tmp_path, "```python\nx = 1\n```\n")
    assert lesson_examples.main(paths=[good]) == 0
    assert "1 blocks ran" in capsys.readouterr().out
