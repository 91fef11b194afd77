"""Instructor overrides: a CSV of manual scores applied on top of the automatic ones, kept per run.

Columns: ``learner, exercise, points, percent, reason, who``. Give ``points`` (the exercise's new
score) or ``percent`` (of the exercise's points), not both. The file given with ``--overrides``
is merged into ``OUT/overrides.csv`` (a later row for the same learner and exercise wins), and
every run applies that stored file, so an override is never lost when the batch is re-run.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from graders.batch.analysis import LearnerRecord
from graders.manifest import Exercise
from graders.report.scoring import show

STORED_NAME = "overrides.csv"
COLUMNS = ["learner", "exercise", "points", "percent", "reason", "who"]


class OverrideError(ValueError):
    """A row the instructor must fix; the message names the file and line."""


@dataclass(frozen=True)
class Override:
    learner: str
    exercise: str
    points: float | None
    percent: float | None
    reason: str
    who: str

    def score(self, possible: float) -> float:
        value = self.points if self.points is not None else possible * self.percent / 100
        return max(0.0, min(possible, value))

    def row(self) -> list[str]:
        return [
            self.learner,
            self.exercise,
            "" if self.points is None else show(self.points),
            "" if self.percent is None else show(self.percent),
            self.reason,
            self.who,
        ]


def _number(text: str, where: str, column: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return float(text.rstrip("%"))
    except ValueError:
        raise OverrideError(f"{where}: {column} {text!r} is not a number") from None


def parse(text: str, exercises: dict[str, Exercise], source: str = "overrides") -> list[Override]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"learner", "exercise", "reason"} - set(reader.fieldnames or [])
    if missing:
        raise OverrideError(f"{source}: missing column(s) {', '.join(sorted(missing))}")
    found = []
    for line, row in enumerate(reader, start=2):
        where = f"{source}, line {line}"
        learner, exercise = (row.get("learner") or "").strip(), (row.get("exercise") or "").strip()
        if not learner or not exercise:
            raise OverrideError(f"{where}: learner and exercise are required")
        if exercise not in exercises:
            raise OverrideError(f"{where}: unknown exercise {exercise!r}")
        points = _number(row.get("points", ""), where, "points")
        percent = _number(row.get("percent", ""), where, "percent")
        if (points is None) == (percent is None):
            raise OverrideError(f"{where}: give either points or percent")
        reason = (row.get("reason") or "").strip()
        if not reason:
            raise OverrideError(f"{where}: every override needs a reason")
        found.append(
            Override(learner, exercise, points, percent, reason, (row.get("who") or "").strip())
        )
    return found


def merge_into_store(out_dir: Path, given: Path | None, exercises: dict[str, Exercise]) -> list:
    """The overrides in force: the stored file, updated with the given one (then saved)."""
    stored_path = out_dir / STORED_NAME
    stored = (
        parse(stored_path.read_text(encoding="utf-8"), exercises, str(stored_path))
        if stored_path.is_file()
        else []
    )
    if given is None:
        return stored
    merged = {(o.learner, o.exercise): o for o in stored}
    for override in parse(given.read_text(encoding="utf-8"), exercises, str(given)):
        merged[(override.learner, override.exercise)] = override
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for override in sorted(merged.values(), key=lambda o: (o.learner, o.exercise)):
        writer.writerow(override.row())
    from graders.report.formats import write_atomic

    write_atomic(stored_path, out.getvalue())
    return list(merged.values())


def apply(records: list[LearnerRecord], overrides: list[Override], exercises: dict) -> list[str]:
    """Set the overridden scores, note each with its reason; return rows that matched nobody."""
    by_learner = {record.learner: record for record in records}
    unmatched = []
    for override in overrides:
        record = by_learner.get(override.learner)
        if record is None:
            unmatched.append(f"{override.learner} / {override.exercise}")
            continue
        possible = exercises[override.exercise].points
        before = record.scores.get(override.exercise, 0.0)
        after = round(override.score(possible), 4)
        record.set_score(override.exercise, after)
        by = f" by {override.who}" if override.who else ""
        record.notes.append(
            f"override {override.exercise}: {show(after)}/{show(possible)} "
            f"(automatic {show(before)}){by}: {override.reason}"
        )
    return unmatched
