"""Grades each submission in its own isolated judge process; crash-safe and resumable."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from graders import plans
from graders.batch import feedback, fingerprint
from graders.batch.analysis import LearnerRecord
from graders.batch.cache import ExerciseCache, cache_folder
from graders.batch.shapes import ShapeError, detect
from graders.batch.submissions import Submission, SubmissionError, private_copy
from graders.manifest import Course, Exercise
from graders.options import SandboxOptions
from graders.paths import GRADERS_DIR, REPO_ROOT
from graders.report import formats, scoring
from graders.report.learner_text import for_learner
from graders.results import ExerciseResult, GradingResult
from graders.sandbox.isolation import SANDBOX_UID_BASE, kill_user_processes

MAX_JOBS = 32
KIND_NOTES = {
    "timeout": "{n} test(s) timed out",
    "memory": "{n} test(s) ran out of memory",
    "crashed": "{n} test(s) crashed the process",
    "output_limit": "{n} test(s) hit the output limit",
    "import_error": "the module could not be imported",
    "import_crash": "the module ended the process while being imported",
    "import_timeout": "importing the module never finished",
    "syntax_error": "a file has a syntax error",
    "missing_file": "a file is missing",
    "grader_error": "{n} grader error(s): please tell the course team",
}


@dataclass(frozen=True)
class BatchSettings:
    exercises: tuple[str, ...]  # the selection, as exercise ids in course order
    out_dir: Path
    options: SandboxOptions
    learner_timeout: float = 900.0
    force: bool = False


@dataclass
class BatchOutcome:
    """What one run did: every learner's record, and why each was graded or reused."""

    records: list[LearnerRecord] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        reused = self.reasons.get("reused", 0)
        graded = {k: v for k, v in self.reasons.items() if k != "reused"}
        text = f"reused {reused} stored result(s) (nothing they depend on changed)"
        if graded:
            why = ", ".join(f"{count} {reason}" for reason, count in sorted(graded.items()))
            text += f"; graded {sum(graded.values())} ({why})"
        return text


def trusted_files(exercises: list[Exercise]) -> list[Path]:
    """The engine plus the graders and solutions of the exercises being graded."""
    engine = [
        p
        for p in GRADERS_DIR.rglob("*.py")
        if "__pycache__" not in p.parts
        and not p.relative_to(GRADERS_DIR).parts[0].startswith("ch")
        and "gates" not in p.parts
    ]
    return sorted(engine) + [e.test_file for e in exercises] + [e.solution_file for e in exercises]


def digest(paths: list[Path]) -> str:
    """A fingerprint of the trusted files, to detect anyone changing them mid-batch."""
    hasher = hashlib.sha256()
    for path in paths:
        hasher.update(str(path).encode())
        hasher.update(path.read_bytes() if path.is_file() else b"<missing>")
    return hasher.hexdigest()


def learner_dir(settings: BatchSettings, learner: str) -> Path:
    return settings.out_dir / "learners" / learner


def load_finished(settings: BatchSettings, learner: str) -> LearnerRecord | None:
    """A learner whose outcome file exists was finished by an earlier run."""
    path = learner_dir(settings, learner) / "outcome.json"
    try:
        return LearnerRecord(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _notes(result: GradingResult) -> list[str]:
    kinds = Counter(t.kind for t in result.tests() if not t.passed)
    notes = []
    for kind, template in KIND_NOTES.items():
        if kinds.get(kind):
            notes.append(template.format(n=kinds[kind]))
    return notes


def _judge_command(
    settings: BatchSettings,
    target: Path,
    slot: int,
    submissions: Path,
    exercises: tuple[str, ...] | None = None,
) -> list[str]:
    options = SandboxOptions(
        timeout_scale=settings.options.timeout_scale,
        time_limit=settings.options.time_limit,
        isolation=settings.options.isolation,
        memory_mb=settings.options.memory_mb,
        cpu_seconds=settings.options.cpu_seconds,
        slot=slot,
        hide=(
            *settings.options.hide,
            str(submissions.resolve()),
            str(settings.out_dir.resolve()),
            str(cache_folder().resolve()),
        ),
    )
    chosen = settings.exercises if exercises is None else exercises
    selection = [arg for exercise in chosen for arg in ("--exercise", exercise)]
    return [
        sys.executable,
        "-m",
        "graders.batch.judge",
        "--target",
        str(target),
        *selection,
        *options.pytest_args(),
    ]


def _run_judge(command: list[str], timeout: float, slot: int) -> tuple[int | None, str, str]:
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        # Every learner of the class is tested on the same drawn inputs: draw them once.
        env=plans.judge_environment(cache_folder() / "plans"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        return process.returncode, stdout, stderr
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        return None, stdout, stderr
    finally:
        kill_user_processes(SANDBOX_UID_BASE + slot)


def judge(
    record: LearnerRecord,
    target: Path,
    settings: BatchSettings,
    course: Course,
    slot: int,
    submissions_root: Path,
) -> GradingResult | None:
    """Grade one prepared folder in a fresh judge process; fills in ``record``."""
    command = _judge_command(settings, target, slot, submissions_root)
    code, stdout, stderr = _run_judge(command, settings.learner_timeout, slot)
    result = read_judgement(record, settings, target, code, stdout, stderr)
    if result is not None:
        fill_record(record, result, course)
    return result


def read_judgement(
    record: LearnerRecord,
    settings: BatchSettings,
    target: Path | str,
    code: int | None,
    stdout: str,
    stderr: str,
) -> GradingResult | None:
    """The judge's result, or None with ``record.reason`` saying why there is none."""
    if code is None:
        record.reason = f"grading did not finish within {settings.learner_timeout:g} s"
        return None
    if code != 0:
        detail = for_learner(stderr.strip()[-300:], str(target))
        record.reason = f"the grader stopped with exit status {code}: {detail}"
        return None
    try:
        result = GradingResult.from_dict(json.loads(stdout))
    except (ValueError, KeyError, TypeError) as exc:
        record.reason = f"the grader's report could not be read ({exc})"
        return None
    return result


def fill_record(record: LearnerRecord, result: GradingResult, course: Course) -> None:
    """Scores, notes and tests of a graded learner, as the gradebook shows them."""
    view = formats.learner_view(result, course)
    record.status = "graded"
    record.scores = {e.id: scoring.total(e.tests) for e in view.exercises}
    record.total, record.possible = scoring.total(view.tests()), scoring.possible(view.tests())
    record.notes = _notes(view)
    record.tests = [asdict(t) for t in view.tests()]


def write_learner(
    settings: BatchSettings, record: LearnerRecord, result: GradingResult | None, course: Course
) -> None:
    """Write every report for one learner; outcome.json last, so a crash leaves no half-state."""
    folder = learner_dir(settings, record.learner)
    for stale in folder.glob("*") if folder.is_dir() else []:
        if stale.is_file() and stale.name != "outcome.json":
            stale.unlink()  # reports of an earlier selection must not outlive it
    if result is not None:
        for name in formats.WRITERS:
            suffix = "xml" if name == "junit" else "json"
            formats.write_report(name, result, folder / f"{name}.{suffix}", course)
        formats.write_atomic(
            folder / "classroom.output", formats.classroom_step_output(result, course)
        )
        view = formats.learner_view(result, course)
        formats.write_atomic(
            folder / "feedback.md", feedback.to_markdown(record.learner, view, record.notes)
        )
        formats.write_atomic(
            folder / "feedback.html", feedback.to_html(record.learner, view, record.notes)
        )
    formats.write_atomic(folder / "outcome.json", json.dumps(asdict(record), indent=2))


class _Batch:
    """One run's shared state: slots for sandbox users, fingerprints, the tamper check."""

    def __init__(self, settings, course, jobs, submissions_root, on_done, cluster=None) -> None:
        self.settings, self.course, self.cluster = settings, course, cluster
        self.submissions_root, self.on_done = submissions_root, on_done
        self.exercises = [course.exercise(name) for name in settings.exercises]
        self.graders = fingerprint.graders_digest(self.exercises)
        # Each job gets its own sandbox user; the base keeps two batches on one machine apart.
        slot_base = (os.getpid() % 400) * MAX_JOBS
        self.slots: queue.Queue[int] = queue.Queue()
        for slot in range(min(max(1, jobs), MAX_JOBS)):
            self.slots.put(slot_base + slot)
        self.watched = trusted_files(self.exercises)
        self.trusted = digest(self.watched)
        self.cache = ExerciseCache(cache_folder(), self.graders, settings.options, course)

    def _judge_fresh(self, record, base: Path, chosen: tuple[str, ...]) -> GradingResult | None:
        """Grade these exercises of one folder in a fresh judge (here, or on the cluster)."""
        if self.cluster is not None:
            code, stdout, stderr = self.cluster.judge(self.settings, base, chosen)
        else:
            slot = self.slots.get()
            try:
                command = _judge_command(self.settings, base, slot, self.submissions_root, chosen)
                code, stdout, stderr = _run_judge(command, self.settings.learner_timeout, slot)
            finally:
                self.slots.put(slot)
        return read_judgement(record, self.settings, base, code, stdout, stderr)

    def judge_cached(self, record: LearnerRecord, base: Path) -> GradingResult | None:
        """Judge only the exercises whose exact files no earlier learner or run has graded."""
        force = self.settings.force  # --force trusts nothing stored, cached results included
        todo = tuple(e.id for e in self.exercises if force or not self.cache.holds(e, base))
        fresh = self._judge_fresh(record, base, todo) if todo else GradingResult()
        if fresh is None:
            return None
        target = fresh.target or str(base.resolve())
        entries: dict[str, ExerciseResult] = {}
        for entry in fresh.exercises:
            if entry.id in todo:
                self.cache.put(entry, self.course.exercise(entry.id), base, fresh.target)
                entries[entry.id] = entry
        missing = []
        for exercise in self.exercises:
            if exercise.id not in entries:
                found = self.cache.get(exercise, base, target)
                if found is None:
                    missing.append(exercise.id)  # unreadable since: grade it after all
                else:
                    entries[exercise.id] = found
        if missing:
            again = self._judge_fresh(record, base, tuple(missing))
            if again is None:
                return None
            entries |= {entry.id: entry for entry in again.exercises}
            target = again.target if not fresh.exercises else target
        ordered = [entries[e.id] for e in self.exercises if e.id in entries]
        return GradingResult(exercises=ordered, target=target)

    def grade(self, submission: Submission) -> tuple[LearnerRecord, str]:
        record = LearnerRecord(submission.learner, "error", source=submission.original)
        record.selection = list(self.settings.exercises)
        scratch = Path(tempfile.mkdtemp(prefix="submission-"))
        result, why = None, "unreadable"
        try:
            copy = private_copy(submission, scratch / "copy")
            shape = detect(copy, self.exercises, scratch / "flat")
            record.shape = shape.name
            record.fingerprint = {
                "selection": list(self.settings.exercises),
                "graders": self.graders,
                "shape": shape.name,
                "submission": fingerprint.submission_digest(
                    shape.base, self.exercises, self.course
                ),
            }
            stored = load_finished(self.settings, submission.learner)
            why = "forced" if self.settings.force else "new"
            if stored is not None and not self.settings.force:
                why = (
                    fingerprint.describe_change(stored.fingerprint, record.fingerprint)
                    if stored.fingerprint
                    else "earlier attempt ended in an error"
                )
                if not why:
                    self.on_done(stored, True)
                    return stored, "reused"
            started = time.perf_counter()
            result = self.judge_cached(record, shape.base)
            if result is not None:
                fill_record(record, result, self.course)
            record.seconds = round(time.perf_counter() - started, 2)
        except (SubmissionError, ShapeError) as exc:
            record.reason = str(exc)
        except Exception as exc:  # noqa: BLE001 - recorded with its reason, never dropped
            record.reason = f"grading crashed: {type(exc).__name__}: {exc}"
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        if digest(self.watched) != self.trusted:
            record.status, record.reason = "error", "tampering detected: grader files changed"
            record.total, record.scores, record.tests = 0.0, {}, []
            result = None
        if record.status != "graded":
            record.fingerprint = {}  # an error is never reused: the next run tries again
        try:
            write_learner(self.settings, record, result, self.course)
        except OSError as exc:  # one unwritable learner must not stop the others
            record.status, record.reason = "error", f"its reports could not be written: {exc}"
        self.on_done(record, False)
        return record, why


def run_batch(
    submissions: list[Submission],
    settings: BatchSettings,
    course: Course,
    *,
    jobs: int,
    submissions_root: Path,
    on_done: Callable[[LearnerRecord, bool], None],
    cluster=None,
) -> BatchOutcome:
    """Grade every submission whose stored result no longer matches; reuse the others.

    ``cluster`` (graders.batch.cluster.Cluster) sends each judge to a Dask cluster's workers;
    everything else, the gradebook and the reports included, stays here.
    """
    from concurrent.futures import ThreadPoolExecutor

    batch = _Batch(settings, course, jobs, submissions_root, on_done, cluster)
    outcome = BatchOutcome()
    with ThreadPoolExecutor(max_workers=min(max(1, jobs), MAX_JOBS)) as pool:
        for record, why in pool.map(batch.grade, submissions):
            outcome.records.append(record)
            outcome.reasons[why] += 1
    return outcome
