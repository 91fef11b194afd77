"""verify's verdict rules: stubs earn nothing, alternatives pass, mutants read as diffs."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from graders.commands.verify import Run, alternative_files, mutant_diff, print_diffs, render
from graders.manifest import Exercise, Task


def test_a_stub_that_earns_any_points_is_a_wrong_verdict():
    assert Run("ch99/x", "stub", "stub", passed=0, failed=5).ok
    scoring = Run("ch99/x", "stub", "stub", passed=1, failed=4, points=0.4)
    assert not scoring.ok
    console = Console(width=200, record=True)
    runs = [Run("ch99/x", "reference", "solution", passed=5), scoring]
    exercise = Exercise("ch99/x", "X", "", 5.0, (Task(1, "t", 1.0, ("h",)),))
    console.print(render(runs, [exercise]))
    assert "SCORES 0.4" in console.export_text()


def test_alternatives_must_pass_every_test_like_the_reference():
    assert Run("ch99/x", "alternative", "two_dicts", passed=5).ok
    assert not Run("ch99/x", "alternative", "two_dicts", passed=4, failed=1).ok


@pytest.fixture
def exercise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Exercise:
    monkeypatch.setattr("graders.manifest.SOLUTIONS_DIR", tmp_path / "solutions")
    monkeypatch.setattr("graders.manifest.GRADERS_DIR", tmp_path / "graders")
    (tmp_path / "solutions" / "ch99").mkdir(parents=True)
    (tmp_path / "solutions" / "ch99" / "x.py").write_text(
        '"""Reference."""\n\n\ndef f(a):\n    return a + 1\n\n\ndef g():\n    return 2\n'
    )
    mutants = tmp_path / "graders" / "ch99" / "mutants" / "x"
    mutants.mkdir(parents=True)
    (mutants / "off_by_one.py").write_text(
        '"""Reference."""\n\n\ndef f(a):\n    return a + 2\n\n\ndef g():\n    return 2\n'
    )
    alternatives = tmp_path / "graders" / "ch99" / "alternatives" / "x"
    alternatives.mkdir(parents=True)
    (alternatives / "lookup.py").write_text('"""Alternative."""\n')
    return Exercise("ch99/x", "X", "", 5.0, (Task(1, "t", 1.0, ("h",)),))


def test_a_mutant_reads_as_its_one_change(exercise):
    mutant = exercise.mutants_dir / "off_by_one.py"
    diff = mutant_diff(exercise, mutant)
    changed = [line for line in diff.splitlines() if line[:1] in "+-"]
    assert changed == [
        "--- solutions/ch99/x.py",
        "+++ mutants/x/off_by_one.py",
        "-    return a + 1",
        "+    return a + 2",
    ]
    console = Console(width=200, record=True)
    survivor = Run("ch99/x", "mutant", "off_by_one", passed=3)
    print_diffs(console, [exercise], [survivor], everything=False)
    assert "survivor ch99/x off_by_one" in console.export_text()


def test_alternatives_are_found_next_to_the_mutants(exercise):
    assert [p.name for p in alternative_files(exercise)] == ["lookup.py"]


def test_a_mutant_run_stops_at_its_last_killer_tried_first(tmp_path):
    from graders.manifest import load_course
    from graders.runner import run_exercises

    exercise = load_course().exercise("ch28/command_undo")
    mutant = sorted(exercise.mutants_dir.glob("*.py"))[0]
    (tmp_path / "ch28").mkdir()
    (tmp_path / "ch28" / "command_undo.py").write_text(mutant.read_text())
    full, _ = run_exercises([exercise], target=tmp_path)
    failing = [t.id for t in full.tests() if not t.passed]
    assert failing, "the mutant must be caught"
    killer = failing[-1]
    fast, _ = run_exercises(
        [exercise], target=tmp_path, stop_at_first_failure=True, first=(killer,)
    )
    assert [(t.id, t.passed) for t in fast.tests()] == [(killer, False)]
