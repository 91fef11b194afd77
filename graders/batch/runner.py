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
from dataclasses import asdict, dataclass
from pathlib import Path

from graders.batch import feedback
from graders.batch.analysis import LearnerRecord
from graders.batch.submissions import Submission, SubmissionError, private_copy
from graders.manifest import Course, Exercise
from graders.options import SandboxOptions
from graders.paths import GRADERS_DIR, REPO_ROOT
from graders.report import formats
from graders.results import GradingResult
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
    selector: str
    out_dir: Path
    options: SandboxOptions
    learner_timeout: float = 900.0
    force: bool = False


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
    settings: BatchSettings, target: Path, slot: int, submissions: Path
) -> list[str]:
    options = SandboxOptions(
        timeout_scale=settings.options.timeout_scale,
        time_limit=settings.options.time_limit,
        isolation=settings.options.isolation,
        memory_mb=settings.options.memory_mb,
        cpu_seconds=settings.options.cpu_seconds,
        slot=slot,
        hide=(*settings.options.hide, str(submissions.resolve()), str(settings.out_dir.resolve())),
    )
    return [
        sys.executable,
        "-m",
        "graders",
        "check",
        settings.selector,
        "--target",
        str(target),
        "--json",
        "-",
        "--quiet",
        "--no-record",
        *options.pytest_args(),
    ]


def _run_judge(command: list[str], timeout: float, slot: int) -> tuple[int | None, str, str]:
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
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


def grade_submission(
    submission: Submission, settings: BatchSettings, slot: int, submissions_root: Path
) -> tuple[LearnerRecord, GradingResult | None]:
    """Grade one learner in a fresh judge process; never raises for the learner's sake."""
    started = time.perf_counter()
    record = LearnerRecord(submission.learner, "error")
    scratch = Path(tempfile.mkdtemp(prefix="submission-"))
    result = None
    try:
        target = private_copy(submission, scratch / "copy")
        command = _judge_command(settings, target, slot, submissions_root)
        code, stdout, stderr = _run_judge(command, settings.learner_timeout, slot)
        if code is None:
            record.reason = f"grading did not finish within {settings.learner_timeout:g} s"
        elif code not in (0, 1):
            record.reason = f"the grader stopped with exit status {code}: {stderr.strip()[-300:]}"
        else:
            try:
                result = GradingResult.from_dict(json.loads(stdout))
            except (ValueError, KeyError, TypeError) as exc:
                record.reason = f"the grader's report could not be read ({exc})"
            else:
                record.status = "graded"
                record.scores = {e.id: e.score for e in result.exercises}
                record.total, record.possible = result.total, result.possible
                record.notes = _notes(result)
                record.tests = [asdict(t) for t in result.tests()]
    except SubmissionError as exc:
        record.reason = str(exc)
    except Exception as exc:  # noqa: BLE001 - recorded with its reason, never dropped
        record.reason = f"grading crashed: {type(exc).__name__}: {exc}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    record.seconds = round(time.perf_counter() - started, 2)
    return record, result


def write_learner(
    settings: BatchSettings, record: LearnerRecord, result: GradingResult | None, course: Course
) -> None:
    """Write every report for one learner; outcome.json last, so a crash leaves no half-state."""
    folder = learner_dir(settings, record.learner)
    if result is not None:
        for name in formats.WRITERS:
            suffix = "xml" if name == "junit" else "json"
            formats.write_report(name, result, folder / f"{name}.{suffix}", course)
        formats.write_atomic(folder / "classroom.output", formats.classroom_step_output(result))
        formats.write_atomic(
            folder / "feedback.md", feedback.to_markdown(record.learner, result, record.notes)
        )
        formats.write_atomic(
            folder / "feedback.html", feedback.to_html(record.learner, result, record.notes)
        )
    formats.write_atomic(folder / "outcome.json", json.dumps(asdict(record), indent=2))


def run_batch(
    submissions: list[Submission],
    settings: BatchSettings,
    course: Course,
    *,
    jobs: int,
    submissions_root: Path,
    on_done: Callable[[LearnerRecord, bool], None],
) -> list[LearnerRecord]:
    """Grade every submission not graded already; calls on_done(record, skipped) as each ends."""
    from concurrent.futures import ThreadPoolExecutor

    records: list[LearnerRecord] = []
    pending = []
    for submission in submissions:
        finished = None if settings.force else load_finished(settings, submission.learner)
        if finished is not None:
            records.append(finished)
            on_done(finished, True)
        else:
            pending.append(submission)
    # Each job gets its own sandbox user; the base keeps two batches on one machine apart.
    slot_base = (os.getpid() % 400) * MAX_JOBS
    slots: queue.Queue[int] = queue.Queue()
    for slot in range(min(max(1, jobs), MAX_JOBS)):
        slots.put(slot_base + slot)
    watched = trusted_files(course.select(settings.selector))
    trusted = digest(watched)

    def work(submission: Submission) -> LearnerRecord:
        slot = slots.get()
        try:
            record, result = grade_submission(submission, settings, slot, submissions_root)
        finally:
            slots.put(slot)
        if digest(watched) != trusted:
            record.status, record.reason = "error", "tampering detected: grader files changed"
            record.total, record.scores = 0.0, {}
            result = None
        write_learner(settings, record, result, course)
        on_done(record, False)
        return record

    with ThreadPoolExecutor(max_workers=min(max(1, jobs), MAX_JOBS)) as pool:
        records.extend(pool.map(work, pending))
    return records
