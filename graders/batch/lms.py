"""Gradebook import files for learning management systems: Canvas and Moodle.

Canvas (Instructure, "How do I import grades in the Gradebook?"): a CSV whose first columns are
``Student, ID, SIS User ID, SIS Login ID, Section``, then one column per assignment; a column
whose header matches no assignment creates a new one, and a second row that starts with
``Points Possible`` gives each new assignment its points. Canvas matches students by ``ID`` (its
own user id) or by the SIS columns; we fill ``SIS User ID`` from the class list's student id and
``SIS Login ID`` from its email.

Moodle (Grades > Import > CSV file): a CSV with a header row; on import the teacher maps one
column to identify users (here ``ID number`` or ``Email address``) and each grade column to a
grade item. One column per exercise, plus the course total.

Only students in the class list are exported (both systems reject unknown users); a student
with no submission gets 0 points, so the import does not leave a hole.
"""

from __future__ import annotations

import csv
import io

from graders.batch.class_list import Matched
from graders.manifest import Exercise
from graders.report.scoring import show

FORMATS = ("canvas", "moodle")


def _score(record, exercise: Exercise) -> str:
    return show(record.scores.get(exercise.id, 0.0)) if record is not None else "0"


def canvas_csv(matched: Matched, exercises: list[Exercise]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    titles = [f"{e.id} {e.title}" for e in exercises]
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *titles])
    writer.writerow(["Points Possible", "", "", "", "", *[show(e.points) for e in exercises]])
    for student, record in matched.rows:
        if student is None:
            continue
        writer.writerow(
            [
                student.name or student.submission,
                "",
                student.student_id,
                student.email,
                "",
                *[_score(record, e) for e in exercises],
            ]
        )
    return out.getvalue()


def moodle_csv(matched: Matched, exercises: list[Exercise]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["ID number", "Email address", "Full name", *[e.id for e in exercises], "Course total"]
    )
    for student, record in matched.rows:
        if student is None:
            continue
        total = show(record.total) if record is not None else "0"
        writer.writerow(
            [
                student.student_id,
                student.email,
                student.name,
                *[_score(record, e) for e in exercises],
                total,
            ]
        )
    return out.getvalue()


WRITERS = {"canvas": canvas_csv, "moodle": moodle_csv}
