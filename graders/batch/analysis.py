"""Class-wide views: the gradebook and the item analysis (which tests the class failed)."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from graders.manifest import Exercise
from graders.report.scoring import show
from graders.report.test_source import is_hidden


@dataclass
class LearnerRecord:
    """One learner's line in the gradebook."""

    learner: str
    status: str  # graded | error
    reason: str = ""
    scores: dict[str, float] = field(default_factory=dict)
    total: float = 0.0
    possible: float = 0.0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    tests: list[dict] = field(default_factory=list)
    source: str = ""  # the folder or zip name the learner handed in
    shape: str = ""  # how the submission was laid out (see graders.batch.shapes)
    selection: list[str] = field(default_factory=list)
    fingerprint: dict[str, str] = field(default_factory=dict)

    def set_score(self, exercise_id: str, points: float) -> None:
        """Replace one exercise's score and keep the total in step (late work, overrides)."""
        before = self.scores.get(exercise_id, 0.0)
        self.scores[exercise_id] = points
        self.total = round(self.total - before + points, 4)

    @property
    def percent(self) -> float:
        return round(100 * self.total / self.possible, 1) if self.possible else 0.0


def roster_csv(records: list[LearnerRecord]) -> str:
    """Learner id -> the folder or zip name it came from, with how it was read."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["learner", "submitted_as", "shape", "status"])
    for record in sorted(records, key=lambda r: r.learner):
        writer.writerow([record.learner, record.source, record.shape, record.status])
    return out.getvalue()


def gradebook_csv(records: list[LearnerRecord], exercises: list[Exercise], matched=None) -> str:
    """One row per learner; with a class list, one row per student, missing ones included."""
    out = io.StringIO()
    writer = csv.writer(out)
    people = ["student_id", "name", "email"] if matched is not None else []
    writer.writerow(
        [
            "learner",
            *people,
            *[e.id for e in exercises],
            "total",
            "possible",
            "percent",
            "status",
            "notes",
        ]
    )
    possible = sum(e.points for e in exercises)
    if matched is None:
        rows = [(None, record) for record in sorted(records, key=lambda r: r.learner)]
    else:
        rows = matched.rows
    for student, record in rows:
        who = [student.student_id, student.name, student.email] if student else ["", "", ""]
        if record is None:  # in the class list, no submission
            writer.writerow(
                [
                    student.submission,
                    *who,
                    *["0" for _ in exercises],
                    "0",
                    show(possible),
                    "0",
                    "missing",
                    "no submission found",
                ]
            )
            continue
        notes = ([record.reason] if record.reason else []) + record.notes
        if matched is not None and student is None:
            notes = ["not in the class list", *notes]
        writer.writerow(
            [
                record.learner,
                *(who if people else []),
                *[show(record.scores.get(e.id, 0.0)) for e in exercises],
                show(record.total),
                show(record.possible or possible),
                f"{(record.percent if record.possible else 0.0):g}",
                record.status,
                "; ".join(notes),
            ]
        )
    return out.getvalue()


def _first_line(message: str) -> str:
    for line in message.splitlines():
        if line.startswith(("Raised:", "Returned:", "Problem:", "Then:")):
            return line.split(":", 1)[1].strip()
    return message.strip().splitlines()[0] if message.strip() else ""


def item_analysis(records: list[LearnerRecord]) -> list[dict]:
    """Per test: how many graded learners failed it, and their most common failures."""
    attempts: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    messages: dict[str, Counter[str]] = defaultdict(Counter)
    described: dict[str, tuple[str, str, int | None]] = {}
    for record in records:
        if record.status != "graded":
            continue
        for test in record.tests:
            key = test["id"]
            described[key] = (test["exercise"], test["description"], test["task"])
            attempts[key] += 1
            if test["outcome"] != "passed":
                failures[key] += 1
                messages[key][_first_line(test["message"])] += 1
    rows = []
    for key, (exercise, description, task) in described.items():
        rows.append(
            {
                "test": key,
                "exercise": exercise,
                "task": task,
                "description": description,
                "learners": attempts[key],
                "failed": failures[key],
                "fail_rate": round(failures[key] / attempts[key], 3) if attempts[key] else 0.0,
                "common_failures": messages[key].most_common(3),
                "hidden": is_hidden(key),  # learners could not run it before the deadline
            }
        )
    rows.sort(key=lambda row: (-row["fail_rate"], row["exercise"], row["test"]))
    return rows


def item_analysis_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "exercise",
            "task",
            "test",
            "description",
            "learners",
            "failed",
            "fail_rate",
            "most_common_failures",
            "hidden",
        ]
    )
    for row in rows:
        common = " | ".join(f"{count}x {text}" for text, count in row["common_failures"])
        writer.writerow(
            [
                row["exercise"],
                row["task"],
                row["test"],
                row["description"],
                row["learners"],
                row["failed"],
                row["fail_rate"],
                common,
                "yes" if row.get("hidden") else "",
            ]
        )
    return out.getvalue()


def item_analysis_markdown(rows: list[dict]) -> str:
    lines = [
        "# Item analysis",
        "",
        "Tests ordered by how many learners failed them.",
        "",
        "| exercise | task | test | failed | most common failures |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        common = (
            "<br>".join(
                f"{count}× {text}".replace("|", "\\|") for text, count in row["common_failures"]
            )
            or "-"
        )
        lines.append(
            f"| {row['exercise']} | {row['task']} | {row['description']}"
            f"{' (hidden test)' if row.get('hidden') else ''} | "
            f"{row['failed']}/{row['learners']} | {common} |"
        )
    return "\n".join(lines) + "\n"
