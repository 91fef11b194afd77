"""The chapter knowledge checks: load, validate and run a quiz, then record the score."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from rich.console import Console
from rich.table import Table
from rich.text import Text

from graders.paths import CHAPTERS_DIR
from graders.state import update_state

LETTERS = "abcde"
MIN_QUESTIONS = 5
MIN_OPTIONS = 3
MAX_OPTIONS = 5
MIN_CHECKLIST = 5
MAX_CHECKLIST = 10
CHAPTER_RE = re.compile(r"^ch\d{2}$")
KEBAB_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class QuizError(Exception):
    """A quiz or checklist that cannot be found or read."""


class QuizStopped(Exception):
    """The learner's answers ran out before the last question."""


@dataclass(frozen=True)
class Question:
    """One multiple-choice question; `answer` is a letter such as "c"."""

    id: str
    prompt: str
    options: tuple[str, ...]
    answer: str
    explanation: str

    @property
    def letters(self) -> str:
        """The letters of this question's options, e.g. "abcd"."""
        return LETTERS[: len(self.options)]

    def option(self, letter: str) -> str:
        """The text of the option with this letter."""
        return self.options[LETTERS.index(letter)]


@dataclass(frozen=True)
class Quiz:
    """A chapter's knowledge check."""

    chapter: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class QuizResult:
    """How one complete attempt went."""

    chapter: str
    score: int
    total: int
    answers: dict[str, str]
    marks: dict[str, bool]

    @property
    def missed(self) -> list[str]:
        """Ids of the questions answered wrongly, in quiz order."""
        return [qid for qid, ok in self.marks.items() if not ok]


def normalise_chapter(chapter: str) -> str:
    """Accept "ch31", "CH31" or "31" and return "ch31"."""
    name = chapter.strip().lower()
    if name.isdigit():
        name = f"ch{int(name):02d}"
    return name


def quiz_path(chapter: str) -> Path:
    """Where a chapter's quiz lives."""
    return CHAPTERS_DIR / chapter / "quiz.toml"


def checklist_path(chapter: str) -> Path:
    """Where a chapter's checklist lives."""
    return CHAPTERS_DIR / chapter / "checklist.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise QuizError(f"no such file: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise QuizError(f"{path} is not valid TOML: {exc}") from None


def _question_problems(index: int, raw: Any) -> list[str]:
    where = f"question {index}"
    if not isinstance(raw, dict):
        return [f"{where}: must be a table"]
    problems = []
    for key in ("id", "prompt", "answer", "explanation"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            problems.append(f"{where}: '{key}' must be a non-empty string")
    qid = raw.get("id")
    if isinstance(qid, str) and qid and not KEBAB_RE.match(qid):
        problems.append(f"{where}: id {qid!r} is not kebab-case")
    options = raw.get("options")
    if not isinstance(options, list) or not all(isinstance(o, str) and o.strip() for o in options):
        return problems + [f"{where}: 'options' must be a list of non-empty strings"]
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        problems.append(f"{where}: has {len(options)} options, needs {MIN_OPTIONS}-{MAX_OPTIONS}")
    if len(set(options)) != len(options):
        problems.append(f"{where}: options repeat")
    answer = raw.get("answer")
    if isinstance(answer, str) and answer not in LETTERS[: len(options)]:
        problems.append(f"{where}: answer {answer!r} is not one of the option letters")
    return problems


def validate_quiz(path: Path) -> list[str]:
    """List what is wrong with a quiz file (an empty list means it is fine)."""
    try:
        data = _read_toml(Path(path))
    except QuizError as exc:
        return [str(exc)]
    problems = []
    expected = Path(path).parent.name
    if data.get("chapter") != expected:
        problems.append(f"'chapter' should be {expected!r}, found {data.get('chapter')!r}")
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        problems.append("'title' must be a non-empty string")
    questions = data.get("question")
    if not isinstance(questions, list) or len(questions) < MIN_QUESTIONS:
        count = len(questions) if isinstance(questions, list) else 0
        return problems + [f"has {count} questions, needs at least {MIN_QUESTIONS}"]
    for index, raw in enumerate(questions, start=1):
        problems.extend(_question_problems(index, raw))
    ids = [q.get("id") for q in questions if isinstance(q, dict)]
    repeated = sorted({i for i in ids if isinstance(i, str) and ids.count(i) > 1})
    if repeated:
        problems.append(f"repeated question ids: {', '.join(repeated)}")
    return problems


def validate_checklist(path: Path) -> list[str]:
    """List what is wrong with a checklist file (an empty list means it is fine)."""
    try:
        data = _read_toml(Path(path))
    except QuizError as exc:
        return [str(exc)]
    problems = []
    expected = Path(path).parent.name
    if data.get("chapter") != expected:
        problems.append(f"'chapter' should be {expected!r}, found {data.get('chapter')!r}")
    items = data.get("items")
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        return problems + ["'items' must be a list of strings"]
    if not MIN_CHECKLIST <= len(items) <= MAX_CHECKLIST:
        problems.append(f"has {len(items)} items, needs {MIN_CHECKLIST}-{MAX_CHECKLIST}")
    problems.extend(
        f"item {i!r} should start with 'I can '" for i in items if not i.startswith("I can ")
    )
    if len(set(items)) != len(items):
        problems.append("items repeat")
    return problems


def load_quiz(chapter: str) -> Quiz:
    """Read and check chapters/<chapter>/quiz.toml; raise QuizError if it is missing or broken."""
    path = quiz_path(chapter)
    if not path.is_file():
        raise QuizError(f"no quiz for {chapter!r} (looked for {path})")
    problems = validate_quiz(path)
    if problems:
        raise QuizError(f"{path} has problems: {'; '.join(problems)}")
    data = _read_toml(path)
    questions = tuple(
        Question(
            id=q["id"],
            prompt=q["prompt"].strip(),
            options=tuple(o.strip() for o in q["options"]),
            answer=q["answer"],
            explanation=q["explanation"].strip(),
        )
        for q in data["question"]
    )
    return Quiz(chapter=data["chapter"], title=data["title"], questions=questions)


def load_checklist(chapter: str) -> list[str]:
    """Return the "I can ..." statements of chapters/<chapter>/checklist.toml."""
    path = checklist_path(chapter)
    problems = validate_checklist(path)
    if problems:
        raise QuizError(f"{path} has problems: {'; '.join(problems)}")
    return list(_read_toml(path)["items"])


def parse_answers(answers: str) -> list[str]:
    """Split "abca", "a,b,c" or "a b c" into single lower-case answers."""
    text = answers.strip().lower()
    if re.search(r"[\s,;]", text):
        return [part for part in re.split(r"[\s,;]+", text) if part]
    return list(text)


class _Session:
    """One run through a quiz: asks, reads, marks and reports."""

    def __init__(self, quiz: Quiz, console: Console, stdin: TextIO, preset: list[str] | None):
        self.quiz = quiz
        self.console = console
        self.stdin = stdin
        self.preset = preset
        self.interactive = preset is None and _isatty(stdin)

    def say(self, text: str = "", style: str | None = None, end: str = "\n") -> None:
        self.console.print(Text(text, style=style or ""), end=end)

    def run(self) -> QuizResult:
        quiz = self.quiz
        count = len(quiz.questions)
        self.say(f"{quiz.chapter} knowledge check: {quiz.title}", style="bold")
        self.say(f"{count} questions. Answer each with its letter.")
        answers: dict[str, str] = {}
        marks: dict[str, bool] = {}
        for number, question in enumerate(quiz.questions, start=1):
            letter = self.ask(number, count, question)
            answers[question.id] = letter
            marks[question.id] = letter == question.answer
            self.feedback(question, letter)
        score = sum(marks.values())
        return QuizResult(quiz.chapter, score, count, answers, marks)

    def ask(self, number: int, count: int, question: Question) -> str:
        self.say()
        self.say(f"Question {number} of {count}", style="bold cyan")
        self.say(question.prompt)
        self.show_options(question)
        while True:
            self.say(f"Your answer ({question.letters[0]}-{question.letters[-1]}): ", end="")
            raw = self.next_answer(number)
            if not self.interactive:
                self.say(raw)
            if len(raw) == 1 and raw in question.letters:
                return raw
            message = f"'{raw}' is not one of {', '.join(question.letters)}"
            if not self.interactive:
                raise QuizStopped(f"answer {number}: {message}")
            self.say(f"{message}. Please try again.", style="yellow")

    def show_options(self, question: Question) -> None:
        """Letter the options; on a terminal, wrapped lines stay indented under their text."""
        pairs = list(zip(question.letters, question.options, strict=True))
        if not self.console.is_terminal:
            for letter, option in pairs:
                self.say(f"  {letter}) {option}")
            return
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column()
        for letter, option in pairs:
            grid.add_row(f"  {letter})", Text(option))
        self.console.print(grid)

    def next_answer(self, number: int) -> str:
        if self.preset is not None:
            if number > len(self.preset):
                raise QuizStopped(f"only {len(self.preset)} answers were given")
            return self.preset[number - 1]
        line = self.stdin.readline()
        if not line:
            raise QuizStopped("the input ended before the last question")
        return line.strip().lower().rstrip(").")

    def feedback(self, question: Question, letter: str) -> None:
        if letter == question.answer:
            self.say("Right.", style="bold green")
        else:
            right = f"{question.answer}) {question.option(question.answer)}"
            self.say(f"Not quite: the answer is {right}.", style="bold red")
        self.say(question.explanation)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def record_result(result: QuizResult) -> int:
    """Save an attempt under state["quizzes"][chapter]; return the best score so far."""
    with update_state() as state:
        previous = state["quizzes"].get(result.chapter, {})
        best = max(result.score, int(previous.get("best", previous.get("score", 0)) or 0))
        state["quizzes"][result.chapter] = {
            "score": result.score,
            "total": result.total,
            "answers": dict(result.answers),
            "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "best": best,
        }
    return best


def _report(session: _Session, result: QuizResult, best: int) -> None:
    percent = round(100 * result.score / result.total)
    session.say()
    session.say(f"Score: {result.score}/{result.total} ({percent}%)", style="bold")
    session.say(f"Best so far: {best}/{result.total}")
    if result.missed:
        session.say(f"Worth another look: {', '.join(result.missed)}")
    session.say("Saved to your progress (see `make progress`).")


def main(
    *,
    chapter: str,
    answers: str | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Run a chapter's quiz: 0 when finished, 1 when stopped early, 2 for bad input or files."""
    name = normalise_chapter(chapter)
    if not CHAPTER_RE.match(name):
        print(f"quiz: unknown chapter {chapter!r} (expected something like ch31)", file=sys.stderr)
        return 2
    try:
        quiz = load_quiz(name)
    except QuizError as exc:
        print(f"quiz: {exc}", file=sys.stderr)
        return 2
    out = stdout or sys.stdout
    console = Console(
        file=out, emoji=False, highlight=False, markup=False, soft_wrap=not _isatty(out)
    )
    preset = parse_answers(answers) if answers is not None else None
    if preset is not None and len(preset) != len(quiz.questions):
        count = len(quiz.questions)
        print(f"quiz: {len(preset)} answers given, {name} has {count} questions", file=sys.stderr)
        return 2
    session = _Session(quiz, console, stdin or sys.stdin, preset)
    try:
        result = session.run()
    except (QuizStopped, KeyboardInterrupt) as exc:
        reason = str(exc) or "interrupted"
        session.say()
        session.say(f"Quiz stopped ({reason}); nothing was recorded.", style="yellow")
        return 1
    _report(session, result, record_result(result))
    return 0
