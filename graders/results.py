"""Grading results as plain data: every report format is a view of these objects."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PASSED, FAILED, ERROR = "passed", "failed", "error"


@dataclass
class TestResult:
    """One grader test: what it checks and how the submission fared."""

    __test__ = False  # not a pytest test class, despite the name

    id: str
    exercise: str
    task: int | None
    name: str
    description: str
    outcome: str  # passed | failed | error
    message: str = ""
    kind: str = (
        ""  # why it failed: assertion, timeout, crashed, stub, import_error, grader_error...
    )
    points: float = 0.0
    max_points: float = 0.0
    duration: float = 0.0

    @property
    def passed(self) -> bool:
        return self.outcome == PASSED


@dataclass
class ExerciseResult:
    """All the tests of one exercise, with its score and any whole-file problem."""

    id: str
    title: str
    tests: list[TestResult] = field(default_factory=list)
    problem: str = ""  # e.g. a syntax error that stopped every test from running
    problem_kind: str = ""

    @property
    def score(self) -> float:
        return round(sum(t.points for t in self.tests), 2)

    @property
    def possible(self) -> float:
        return round(sum(t.max_points for t in self.tests), 2)

    @property
    def passed(self) -> bool:
        return not self.problem and bool(self.tests) and all(t.passed for t in self.tests)

    @property
    def status(self) -> str:
        if self.problem:
            return ERROR
        return PASSED if self.passed else FAILED

    def first_failing_task(self) -> int | None:
        failing = [t.task for t in self.tests if not t.passed and t.task is not None]
        return min(failing) if failing else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "score": self.score,
            "possible": self.possible,
            "problem": self.problem,
            "problem_kind": self.problem_kind,
            "tests": [asdict(t) for t in self.tests],
        }


@dataclass
class GradingResult:
    """The outcome of one check or grade run over some exercises."""

    exercises: list[ExerciseResult] = field(default_factory=list)
    target: str = ""

    @property
    def total(self) -> float:
        return round(sum(e.score for e in self.exercises), 2)

    @property
    def possible(self) -> float:
        return round(sum(e.possible for e in self.exercises), 2)

    @property
    def percent(self) -> float:
        return round(100.0 * self.total / self.possible, 1) if self.possible else 0.0

    @property
    def passed(self) -> bool:
        return bool(self.exercises) and all(e.passed for e in self.exercises)

    def tests(self) -> list[TestResult]:
        return [t for e in self.exercises for t in e.tests]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradingResult:
        """Rebuild a result from ``to_dict`` output (reports read back from disk or a child)."""
        fields = set(TestResult.__dataclass_fields__)
        result = cls(target=str(data.get("target", "")))
        for raw in data.get("exercises", []):
            entry = ExerciseResult(
                raw["id"],
                raw["title"],
                problem=raw.get("problem", ""),
                problem_kind=raw.get("problem_kind", ""),
            )
            entry.tests = [
                TestResult(**{k: v for k, v in t.items() if k in fields})
                for t in raw.get("tests", [])
            ]
            result.exercises.append(entry)
        return result

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "passed": self.passed,
            "total": self.total,
            "possible": self.possible,
            "percent": self.percent,
            "exercises": [e.to_dict() for e in self.exercises],
        }
