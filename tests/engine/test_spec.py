"""Spec maps: the sentence extractor's rule and every check of graders.spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from graders import spec
from graders.manifest import Exercise, Task

STUB = '''"""Module summary. It explains things.

Example::

    >>> add(1, 2)
    3

Your tasks:

1. ``add``: add two numbers.
2. Raise on text, e.g. on "a".
"""


def add(a, b):
    """Return a + b.

    * Raises TypeError for text. Never rounds.
    """
    # TODO (task 1): add them;
    # mind the types.
    raise NotImplementedError
'''

GRADER = """
def test_adds():
    pass


def test_text_raises():
    pass
"""


@pytest.fixture
def exercise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Exercise:
    (tmp_path / "exercises" / "ch99").mkdir(parents=True)
    (tmp_path / "graders" / "ch99" / "specs").mkdir(parents=True)
    (tmp_path / "exercises" / "ch99" / "adder.py").write_text(STUB)
    (tmp_path / "graders" / "ch99" / "test_adder.py").write_text(GRADER)
    monkeypatch.setattr("graders.manifest.EXERCISES_DIR", tmp_path / "exercises")
    monkeypatch.setattr("graders.manifest.GRADERS_DIR", tmp_path / "graders")
    return Exercise("ch99/adder", "Adder", "", 5.0, (Task(1, "Add  numbers", 1.0, ("h",)),))


def test_the_extractor_follows_its_documented_rule(exercise: Exercise) -> None:
    found = [(s.where, s.text) for s in spec.extract(exercise.stub_file, exercise)]
    assert found == [
        ("module", "Module summary."),
        ("module", "It explains things."),
        ("module", "Example::"),
        ("module", "Your tasks:"),
        ("module", "``add``: add two numbers."),
        ("module", 'Raise on text, e.g. on "a".'),
        ("add", "Return a + b."),
        ("add", "Raises TypeError for text."),
        ("add", "Never rounds."),
        ("add", "add them; mind the types."),
        ("task 1", "Add numbers"),
    ]


def _write_map(exercise: Exercise, body: str) -> None:
    spec.map_path(exercise).write_text(body)


COMPLETE = """
[[sentence]]
where = "module"
text = "Module summary. It explains things."
open = "introduction"
[[sentence]]
where = "module"
text = "Example::"
open = "introduction"
[[sentence]]
where = "module"
text = "Your tasks:"
open = "heading"
[[sentence]]
where = "module"
text = "``add``: add two numbers."
tests = ["test_adds"]
[[sentence]]
where = "module"
text = 'Raise on text, e.g. on "a".'
tests = ["test_text_raises"]
[[sentence]]
where = "add"
text = "Return a + b."
tests = ["test_adds"]
[[sentence]]
where = "add"
text = "Raises   TypeError for text.  Never rounds."
tests = ["test_text_raises", "test_adds"]
[[sentence]]
where = "add"
text = "add them; mind the types."
tests = ["test_adds"]
[[sentence]]
where = "task 1"
text = "Add numbers"
tests = ["test_adds"]
"""


def test_a_complete_map_has_no_problems(exercise: Exercise) -> None:
    _write_map(exercise, COMPLETE)
    assert spec.problems(exercise) == []


def test_a_missing_map_is_a_problem(exercise: Exercise) -> None:
    assert spec.MISSING_MAP_IS_PROBLEM
    assert "is missing" in spec.problems(exercise)[0]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('"Return a + b."', '"Return a - b."'), "does not occur"),
        (
            (
                'tests = ["test_adds"]\n[[sentence]]\nwhere = "task 1"',
                'open = "x"\ntests = ["test_adds"]\n[[sentence]]\nwhere = "task 1"',
            ),
            "either",
        ),
        (
            ('"test_text_raises", "test_adds"', '"test_gone", "test_text_raises"'),
            "no test function 'test_gone'",
        ),
        (('"test_text_raises"', '"test_adds"'), "'test_text_raises' is not listed"),
        (('text = "Your tasks:"', 'text = "Example::"'), "no entry covers module: 'Your tasks:'"),
        (
            ('where = "add"\ntext = "Return', 'where = "module"\ntext = "Return'),
            "no entry covers add",
        ),
    ],
)
def test_each_rule_reports_its_problem(
    exercise: Exercise, change: tuple[str, str], expected: str
) -> None:
    assert change[0] in COMPLETE
    _write_map(exercise, COMPLETE.replace(*change))
    found = spec.problems(exercise)
    assert any(expected in problem for problem in found), found


def test_the_draft_lists_every_sentence_and_keeps_what_the_map_says(exercise: Exercise) -> None:
    first = spec.draft(exercise)
    assert "test_adds" in first.split("not yet listed")[1]
    spec.map_path(exercise).write_text(
        first.replace(
            '"Never rounds."\ntests = []',
            '"Never rounds."\ntests = ["test_adds", "test_text_raises"]',
        )
    )
    second = spec.draft(exercise)
    assert 'text = "Never rounds."\ntests = ["test_adds", "test_text_raises"]' in second
    assert second.count("[[sentence]]") == 11


def test_hidden_tests_must_be_listed_too(exercise: Exercise) -> None:
    _write_map(exercise, COMPLETE)
    exercise.hidden_test_file.write_text("def test_secret_case():\n    pass\n")
    assert spec.problems(exercise) == [
        "ch99/adder: spec map: test 'test_secret_case' is not listed by any sentence"
    ]
    _write_map(
        exercise,
        COMPLETE.replace(
            '"test_adds"]\n[[sentence]]\nwhere = "task 1"',
            '"test_adds", "test_secret_case"]\n[[sentence]]\nwhere = "task 1"',
        ),
    )
    assert spec.problems(exercise) == []
