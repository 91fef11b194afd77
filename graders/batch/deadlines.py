"""Due dates and late work: when each learner submitted, and what the term's policy deducts.

The term file (TOML) holds the due dates, per chapter or per exercise (an exercise's own date
wins), and one late policy::

    [policy]
    kind = "per_day"          # "none", "per_day" or "cutoff"
    percent_per_day = 10      # per_day: deducted per started day late
    max_percent = 50          # per_day: never more than this
    grace_minutes = 15        # lateness below this is not late

    [due]
    ch30 = "2026-10-05T23:59:00+02:00"
    "ch30/flash_sale" = "2026-10-12T23:59:00+02:00"

``cutoff`` gives 0 points for anything submitted after the due date (plus grace). The time a
learner submitted comes from, in this order: a ``SUBMITTED_AT`` file in the submission (one
ISO 8601 time), the last commit of a git repository submission, the newest entry of a zip.
A submission with none of these has no known time and is never treated as late.
"""

from __future__ import annotations

import math
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from graders.batch.analysis import LearnerRecord
from graders.manifest import Exercise
from graders.report.scoring import show

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KINDS = ("none", "per_day", "cutoff")
STAMP_FILE = "SUBMITTED_AT"


class TermError(ValueError):
    """The term file cannot be used; the message says why."""


@dataclass(frozen=True)
class Policy:
    kind: str = "none"
    percent_per_day: float = 0.0
    max_percent: float = 100.0
    grace: timedelta = timedelta(0)

    def deduction(self, late_by: timedelta) -> tuple[float, int]:
        """(percent deducted, days late) for work this late; (0, 0) when on time."""
        if self.kind == "none" or late_by <= self.grace:
            return 0.0, 0
        days = max(1, math.ceil(late_by / timedelta(days=1)))
        if self.kind == "cutoff":
            return 100.0, days
        return min(self.max_percent, self.percent_per_day * days), days


@dataclass(frozen=True)
class Term:
    policy: Policy
    due: dict[str, datetime]

    def due_for(self, exercise_id: str) -> datetime | None:
        return self.due.get(exercise_id) or self.due.get(exercise_id.split("/")[0])


def _when(text: str, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        raise TermError(f"{where}: {text!r} is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise TermError(f"{where}: {text!r} needs a time zone (for example +00:00 or Z)")
    return moment


def load_term(path: Path, exercises: dict[str, Exercise]) -> Term:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TermError(f"{path}: {exc}") from None
    raw = data.get("policy", {})
    kind = raw.get("kind", "none")
    if kind not in KINDS:
        raise TermError(f"{path}: policy kind must be one of {', '.join(KINDS)}, not {kind!r}")
    policy = Policy(
        kind,
        float(raw.get("percent_per_day", 0)),
        float(raw.get("max_percent", 100)),
        timedelta(minutes=float(raw.get("grace_minutes", 0))),
    )
    chapters = {e.split("/")[0] for e in exercises}
    due = {}
    for key, value in data.get("due", {}).items():
        if key not in exercises and key not in chapters:
            raise TermError(f"{path}: [due] names {key!r}, which is no chapter or exercise")
        due[key] = _when(value, f"{path}, due {key}")
    return Term(policy, due)


def submitted_at(source: Path) -> tuple[datetime | None, str]:
    """When the learner handed in, and how that was found out."""
    if source.is_dir():
        stamp = source / STAMP_FILE
        if stamp.is_file():
            try:
                return _when(stamp.read_text(encoding="utf-8"), str(stamp)), STAMP_FILE
            except TermError:
                pass
        if (source / ".git").exists():
            done = subprocess.run(
                ["git", "-C", str(source), "log", "-1", "--format=%cI"],
                capture_output=True,
                text=True,
                check=False,
                timeout=30,
            )
            if done.returncode == 0 and done.stdout.strip():
                return _when(done.stdout, "git log"), "last commit"
        return None, "unknown"
    try:
        with zipfile.ZipFile(source) as archive:
            entries = [i for i in archive.infolist() if not i.is_dir()]
            names = {i.filename.rsplit("/", 1)[-1]: i for i in entries}
            if STAMP_FILE in names:
                text = archive.read(names[STAMP_FILE]).decode("utf-8", "replace")
                return _when(text, f"{source.name}:{STAMP_FILE}"), STAMP_FILE
            if entries:
                newest = max(entry.date_time for entry in entries)
                # zip times carry no zone; platforms that make zips for upload write UTC
                return datetime(*newest, tzinfo=timezone.utc), "newest zip entry"
    except (zipfile.BadZipFile, OSError, TermError):
        pass
    return None, "unknown"


def apply(
    record: LearnerRecord,
    term: Term,
    moment: datetime | None,
    how: str,
    exercises: dict[str, Exercise],
) -> list[str]:
    """Deduct late penalties from the record's scores; return lines for the learner's feedback."""
    if moment is None:
        return []
    lines = []
    for exercise_id, score in list(record.scores.items()):
        due = term.due_for(exercise_id)
        if due is None or exercise_id not in exercises:
            continue
        percent, days = term.policy.deduction(moment - due)
        if not percent:
            continue
        after = round(score * (100 - percent) / 100, 4)
        record.set_score(exercise_id, after)
        note = (
            f"late {exercise_id}: submitted {moment.isoformat()} ({how}), due "
            f"{due.isoformat()}, {days} day(s) late: -{show(percent)}% "
            f"({show(score)} -> {show(after)})"
        )
        record.notes.append(note)
        lines.append(note)
    return lines
