"""The class list (``--roster FILE``): who the submissions belong to, and who handed in nothing.

A CSV with a header; the columns are found by name, case and spacing ignored:
``submission`` (the folder or zip name the learner hands in, with or without ``.zip``; it may
also be the learner id the batch gave them), ``student_id``, ``name`` and ``email``. Only
``submission`` is required. (Not to be confused with OUT/roster.csv, which the batch writes: it
maps each learner id to the folder or zip it came from.)
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from graders.batch.analysis import LearnerRecord

ALIASES = {
    "submission": ("submission", "folder", "github username", "github", "login", "username"),
    "student_id": ("student_id", "student id", "id", "sis id", "id number"),
    "name": ("name", "full name", "student", "student name"),
    "email": ("email", "email address", "e-mail"),
}


class ClassListError(ValueError):
    """A class list that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Student:
    submission: str
    student_id: str = ""
    name: str = ""
    email: str = ""


@dataclass
class Matched:
    """The gradebook's learners, joined with the class list."""

    rows: list[tuple[Student | None, LearnerRecord | None]] = field(default_factory=list)

    @property
    def missing(self) -> list[Student]:
        return [student for student, record in self.rows if record is None and student]

    @property
    def unknown(self) -> list[LearnerRecord]:
        return [record for student, record in self.rows if student is None and record]


def _column(header: list[str], key: str) -> int | None:
    normal = [h.strip().lower().replace("_", " ") for h in header]
    for alias in ALIASES[key]:
        if alias.replace("_", " ") in normal:
            return normal.index(alias.replace("_", " "))
    return None


def parse(text: str, source: str = "roster") -> list[Student]:
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    if not rows:
        raise ClassListError(f"{source}: the file is empty")
    header = rows[0]
    columns = {key: _column(header, key) for key in ALIASES}
    if columns["submission"] is None:
        raise ClassListError(
            f"{source}: no 'submission' column (the folder or zip name each student hands in)"
        )
    students, seen = [], set()
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(key, row=row):
            index = columns[key]
            return row[index].strip() if index is not None and index < len(row) else ""

        submission = cell("submission")
        if not submission:
            raise ClassListError(f"{source}, line {line}: the submission name is empty")
        if submission.lower() in seen:
            raise ClassListError(f"{source}, line {line}: {submission!r} is listed twice")
        seen.add(submission.lower())
        students.append(Student(submission, cell("student_id"), cell("name"), cell("email")))
    return students


def load(path: Path) -> list[Student]:
    return parse(path.read_text(encoding="utf-8-sig"), str(path))  # Excel writes a BOM


def _names(record: LearnerRecord) -> set[str]:
    source = record.source
    stem = source[:-4] if source.lower().endswith(".zip") else source
    return {name.lower() for name in (record.learner, source, stem) if name}


def match(students: list[Student], records: list[LearnerRecord]) -> Matched:
    """Every student (with their record, or None) then every record nobody claimed."""
    matched, claimed = Matched(), set()
    for student in students:
        wanted = student.submission.lower()
        wanted_stem = wanted[:-4] if wanted.endswith(".zip") else wanted
        record = next(
            (r for r in records if {wanted, wanted_stem} & _names(r) and r.learner not in claimed),
            None,
        )
        if record is not None:
            claimed.add(record.learner)
        matched.rows.append((student, record))
    for record in records:
        if record.learner not in claimed:
            matched.rows.append((None, record))
    return matched
