"""After grading: late penalties from the term file, then instructor overrides, noted per learner.

The automatic result stored for each learner is never changed, so a re-run starts again from
it and applies the same adjustments: nothing is deducted twice and no override is lost. The
learner's feedback gets a "Late work and adjustments" section saying what changed and why.
"""

from __future__ import annotations

from pathlib import Path

from graders.batch import deadlines
from graders.batch import overrides as overrides_module
from graders.batch.analysis import LearnerRecord
from graders.report.formats import write_atomic

SECTION = "## Late work and adjustments"


def _rewrite_feedback(folder: Path, lines: list[str]) -> None:
    path = folder / "feedback.md"
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    if SECTION in text:  # replace what an earlier run wrote, never stack a second copy
        text = text[: text.index(SECTION)].rstrip() + "\n"
    if lines:
        text += "\n" + SECTION + "\n\n" + "".join(f"- {line}\n" for line in lines)
    write_atomic(path, text)


def apply_all(
    records: list[LearnerRecord],
    sources: dict[str, Path],
    term: deadlines.Term | None,
    overrides: list,
    exercises: dict,
    settings,
) -> None:
    before = {record.learner: len(record.notes) for record in records}
    if term is not None:
        for record in records:
            source = sources.get(record.learner)
            if source is None or record.status != "graded":
                continue
            moment, how = deadlines.submitted_at(source)
            deadlines.apply(record, term, moment, how, exercises)
    for row in overrides_module.apply(records, overrides, exercises):
        print(f"override for {row}: no such learner in this batch")
    for record in records:
        added = record.notes[before[record.learner] :]
        folder = settings.out_dir / "learners" / record.learner
        _rewrite_feedback(folder, added)
