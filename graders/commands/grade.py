"""``grade``: batch-grade a folder of submissions into a gradebook and per-learner reports."""

from __future__ import annotations

import os
import time
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from graders.batch import analysis
from graders.batch.runner import BatchSettings, run_batch
from graders.batch.submissions import SubmissionError, discover
from graders.console import error, stdout_console
from graders.manifest import ManifestError, SelectionError, load_course
from graders.options import SandboxOptions
from graders.report.formats import write_atomic
from graders.sandbox.isolation import SANDBOX_UID_BASE, Isolation


def protections_report(options: SandboxOptions) -> list[str]:
    """The protections that will really be active on this machine with these options."""
    if options.isolation != "full":
        return Isolation().report()
    return Isolation.full(
        uid=SANDBOX_UID_BASE,
        hide=["solutions"],
        read_only=["."],
        memory_mb=options.memory_mb,
        cpu_seconds=options.cpu_seconds,
    ).report()


def main(
    *,
    submissions: str,
    out: str,
    selector: str = "all",
    jobs: int | None = None,
    learner_timeout: float = 900.0,
    force: bool = False,
    options: SandboxOptions | None = None,
) -> int:
    try:
        course = load_course()
        exercises = course.select(selector)
    except (ManifestError, SelectionError) as exc:
        error(str(exc))
        return 2
    folder = Path(submissions)
    if not folder.is_dir():
        error(f"submissions folder not found: {folder}")
        return 2
    try:
        found = discover(folder)
    except SubmissionError as exc:
        error(str(exc))
        return 2
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    options = options or SandboxOptions(isolation="full")
    settings = BatchSettings(selector, out_dir, options, learner_timeout, force)
    console = stdout_console()
    protections = protections_report(options)
    console.print(
        f"Grading {len(found)} submission(s) of {selector} with {jobs or os.cpu_count()} "
        f"job(s). Protections: {', '.join(protections)}."
    )
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("grading", total=len(found))
        done = 0

        def on_done(record: analysis.LearnerRecord, skipped: bool) -> None:
            nonlocal done
            done += 1
            bar.advance(task)
            if not console.is_terminal:
                elapsed = time.perf_counter() - started
                eta = elapsed / done * (len(found) - done)
                state = "already graded" if skipped else f"{record.total:g}/{record.possible:g}"
                reason = f" ({record.reason})" if record.reason else ""
                console.print(
                    f"[{done}/{len(found)}] {record.learner}: {record.status}, "
                    f"{state}{reason}  ETA {eta:.0f}s"
                )

        records = run_batch(
            found,
            settings,
            course,
            jobs=jobs or os.cpu_count() or 1,
            submissions_root=folder,
            on_done=on_done,
        )
    write_atomic(out_dir / "gradebook.csv", analysis.gradebook_csv(records, exercises))
    rows = analysis.item_analysis(records)
    write_atomic(out_dir / "item_analysis.csv", analysis.item_analysis_csv(rows))
    write_atomic(out_dir / "item_analysis.md", analysis.item_analysis_markdown(rows))
    errors = sum(r.status != "graded" for r in records)
    console.print(
        f"Done in {time.perf_counter() - started:.1f} s: {len(records)} learner(s), "
        f"{errors} error(s). Gradebook: {out_dir / 'gradebook.csv'}"
    )
    return 0
