"""Checks every chapter's quiz and checklist, and the quiz engine that runs them."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import pytest

from graders import quiz
from graders.paths import CHAPTERS_DIR

QUIZ_FILES = sorted(CHAPTERS_DIR.glob("*/quiz.toml"))
CHECKLIST_FILES = sorted(CHAPTERS_DIR.glob("*/checklist.toml"))

SAMPLE_QUIZ = textwrap.dedent(
    """
    chapter = "ch99"
    title = "Sample [chapter]"

    [[question]]
    id = "first"
    prompt = "Pick a."
    options = ["alpha", "beta", "gamma"]
    answer = "a"
    explanation = "Because a [is] first."

    [[question]]
    id = "second"
    prompt = "Pick b."
    options = ["alpha", "beta", "gamma", "delta"]
    answer = "b"
    explanation = "Because b is second."

    [[question]]
    id = "third"
    prompt = "Pick c."
    options = ["alpha", "beta", "gamma"]
    answer = "c"
    explanation = "Because c is third."

    [[question]]
    id = "fourth"
    prompt = "Pick d."
    options = ["alpha", "beta", "gamma", "delta", "epsilon"]
    answer = "d"
    explanation = "Because d is fourth."

    [[question]]
    id = "fifth"
    prompt = "Pick a again."
    options = ["alpha", "beta", "gamma"]
    answer = "a"
    explanation = "Because a is first again."
    """
)
ALL_RIGHT = "abcda"


class FakeTerminal(io.StringIO):
    """Standard input that claims to be a terminal, so the engine re-asks."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def state_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "state.json"
    monkeypatch.setenv("COURSE_STATE", str(path))
    return path


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state_file: Path) -> Path:
    chapters = tmp_path / "chapters"
    (chapters / "ch99").mkdir(parents=True)
    (chapters / "ch99" / "quiz.toml").write_text(SAMPLE_QUIZ, encoding="utf-8")
    monkeypatch.setattr(quiz, "CHAPTERS_DIR", chapters)
    return chapters / "ch99" / "quiz.toml"


def run(stdin: str | io.StringIO = "", answers: str | None = None) -> tuple[int, str]:
    source = io.StringIO(stdin) if isinstance(stdin, str) else stdin
    out = io.StringIO()
    code = quiz.main(chapter="ch99", answers=answers, stdin=source, stdout=out)
    return code, out.getvalue()


def recorded(state_file: Path) -> dict:
    if not state_file.exists():
        return {}
    return json.loads(state_file.read_text(encoding="utf-8"))["quizzes"]


# --- the course's own quizzes and checklists --------------------------------------------


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: p.parent.name)
def test_chapter_quiz_is_valid(path: Path) -> None:
    assert quiz.validate_quiz(path) == []


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: p.parent.name)
def test_chapter_quiz_varies_the_answer_position(path: Path) -> None:
    loaded = quiz.load_quiz(path.parent.name)
    positions = {q.answer for q in loaded.questions}
    assert len(positions) >= 3, f"answers sit at only {sorted(positions)}"


@pytest.mark.parametrize("path", CHECKLIST_FILES, ids=lambda p: p.parent.name)
def test_chapter_checklist_is_valid(path: Path) -> None:
    assert quiz.validate_checklist(path) == []
    assert quiz.load_checklist(path.parent.name)


def test_every_chapter_with_a_lesson_has_a_quiz_and_checklist() -> None:
    for lesson in CHAPTERS_DIR.glob("ch*/lesson.md"):
        assert (lesson.parent / "quiz.toml").is_file(), lesson.parent.name
        assert (lesson.parent / "checklist.toml").is_file(), lesson.parent.name


# --- the validator -------------------------------------------------------------------------


def test_validator_accepts_the_sample(sample: Path) -> None:
    assert quiz.validate_quiz(sample) == []


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('answer = "d"', 'answer = "f"', "not one of the option letters"),
        ('id = "second"', 'id = "first"', "repeated question ids: first"),
        ('id = "third"', 'id = "Third_Q"', "not kebab-case"),
        ('explanation = "Because c is third."', 'explanation = ""', "'explanation'"),
        ('["alpha", "beta", "gamma", "delta"]', '["alpha", "beta"]', "has 2 options"),
        ('chapter = "ch99"', 'chapter = "ch98"', "'chapter' should be 'ch99'"),
    ],
)
def test_validator_reports_problems(sample: Path, old: str, new: str, problem: str) -> None:
    sample.write_text(SAMPLE_QUIZ.replace(old, new, 1), encoding="utf-8")
    problems = quiz.validate_quiz(sample)
    assert any(problem in p for p in problems), problems


def test_validator_needs_five_questions(sample: Path) -> None:
    text = SAMPLE_QUIZ.split('[[question]]\nid = "fifth"')[0]
    sample.write_text(text, encoding="utf-8")
    assert quiz.validate_quiz(sample) == ["has 4 questions, needs at least 5"]


def test_validator_reports_bad_toml(sample: Path) -> None:
    sample.write_text("chapter = ", encoding="utf-8")
    assert "not valid TOML" in quiz.validate_quiz(sample)[0]


def test_checklist_validator(tmp_path: Path) -> None:
    path = tmp_path / "ch99" / "checklist.toml"
    path.parent.mkdir()
    path.write_text('chapter = "ch99"\nitems = ["I can a", "You can b"]\n', encoding="utf-8")
    problems = quiz.validate_checklist(path)
    assert "has 2 items, needs 5-10" in problems
    assert any("'You can b'" in p for p in problems)


def test_parse_answers() -> None:
    assert quiz.parse_answers("abCd") == ["a", "b", "c", "d"]
    assert quiz.parse_answers("a, b,c") == ["a", "b", "c"]
    assert quiz.parse_answers(" a b  c ") == ["a", "b", "c"]


# --- running a quiz ----------------------------------------------------------------------


def test_piped_answers_all_right(sample: Path, state_file: Path) -> None:
    code, out = run("a\nb\nc\nd\na\n")
    assert code == 0
    assert "Score: 5/5 (100%)" in out
    assert "Because a [is] first." in out  # brackets are text, not markup
    saved = recorded(state_file)["ch99"]
    assert saved["score"] == 5 and saved["total"] == 5 and saved["best"] == 5
    assert saved["answers"] == {
        "first": "a",
        "second": "b",
        "third": "c",
        "fourth": "d",
        "fifth": "a",
    }
    assert "T" in saved["when"]


def test_wrong_answers_show_the_right_one(sample: Path, state_file: Path) -> None:
    code, out = run("b\nB\nc\na\na\n")
    assert code == 0
    assert "Not quite: the answer is a) alpha." in out
    assert "Not quite: the answer is d) delta." in out
    assert "Score: 3/5 (60%)" in out
    assert "Worth another look: first, fourth" in out
    assert recorded(state_file)["ch99"]["score"] == 3


def test_answers_argument_and_best_score(sample: Path, state_file: Path) -> None:
    assert run(answers=ALL_RIGHT)[0] == 0
    code, out = run(answers="b,a,a,a,b")
    assert code == 0
    saved = recorded(state_file)["ch99"]
    assert saved["score"] == 0 and saved["best"] == 5
    assert "Best so far: 5/5" in out


def test_answers_argument_of_wrong_length(sample: Path, state_file: Path, capsys) -> None:
    assert run(answers="abc")[0] == 2
    assert "3 answers given, ch99 has 5 questions" in capsys.readouterr().err
    assert recorded(state_file) == {}


def test_end_of_input_records_nothing(sample: Path, state_file: Path) -> None:
    code, out = run("a\nb\n")
    assert code == 1
    assert "nothing was recorded" in out
    assert recorded(state_file) == {}


def test_end_of_input_keeps_an_earlier_result(sample: Path, state_file: Path) -> None:
    run(answers=ALL_RIGHT)
    run("a\n")
    assert recorded(state_file)["ch99"]["score"] == 5


def test_invalid_piped_answer_stops(sample: Path, state_file: Path) -> None:
    code, out = run("a\nz\nc\nd\na\n")
    assert code == 1
    assert "'z' is not one of a, b, c, d" in out
    assert recorded(state_file) == {}


def test_invalid_interactive_answer_is_asked_again(sample: Path, state_file: Path) -> None:
    code, out = run(FakeTerminal("a\nz\n\nab\nb\nc\nd)\na\n"))
    assert code == 0
    assert out.count("Please try again.") == 3
    assert recorded(state_file)["ch99"]["score"] == 5


def test_chapter_number_alone_is_accepted(sample: Path, state_file: Path) -> None:
    out = io.StringIO()
    assert quiz.main(chapter="99", answers=ALL_RIGHT, stdout=out) == 0


@pytest.mark.parametrize("chapter", ["ch00", "nonsense", "../etc", ""])
def test_unknown_chapter(sample: Path, state_file: Path, capsys, chapter: str) -> None:
    assert quiz.main(chapter=chapter, stdin=io.StringIO(""), stdout=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert err.startswith("quiz: ") and err.count("\n") == 1
    assert not state_file.exists()


def test_broken_quiz_file_is_an_error(sample: Path, capsys) -> None:
    sample.write_text('chapter = "ch99"\ntitle = "x"\n', encoding="utf-8")
    assert quiz.main(chapter="ch99", answers="a", stdout=io.StringIO()) == 2
    assert "has 0 questions" in capsys.readouterr().err


def test_load_quiz_gives_dataclasses(sample: Path) -> None:
    loaded = quiz.load_quiz("ch99")
    assert loaded.title == "Sample [chapter]"
    assert [q.id for q in loaded.questions] == ["first", "second", "third", "fourth", "fifth"]
    assert loaded.questions[1].letters == "abcd"
    assert loaded.questions[1].option("b") == "beta"
