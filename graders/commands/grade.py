"""``grade``: batch-grade a folder of submissions into a gradebook and per-learner reports."""

from __future__ import annotations

import os
import time
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from graders.batch import adjustments, analysis, charts, class_list, deadlines, lms
from graders.batch import overrides as overrides_module
from graders.batch.cluster import Cluster, ClusterError
from graders.batch.runner import BatchSettings, load_finished, run_batch
from graders.batch.submissions import discover
from graders.console import error, stdout_console
from graders.manifest import Course, Exercise, ManifestError, SelectionError, load_course
from graders.options import SandboxOptions
from graders.report.formats import write_atomic
from graders.report.scoring import show
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


def select_union(course: Course, selectors: str | list[str] | None) -> list[Exercise]:
    """``--select ch28,ch30 --select ch31/x``: every exercise any of them names, in course order."""
    if isinstance(selectors, str):
        selectors = [selectors]
    words = [w.strip() for s in (selectors or ["all"]) for w in s.split(",") if w.strip()]
    chosen = {e.id for word in (words or ["all"]) for e in course.select(word)}
    return [e for e in course.exercises if e.id in chosen]


def main(
    *,
    submissions: str,
    out: str,
    selector: str | list[str] | None = None,
    jobs: int | None = None,
    learner_timeout: float = 900.0,
    force: bool = False,
    only: str | None = None,
    overrides: str | None = None,
    roster: str | None = None,
    export: list[str] | None = None,
    term: str | None = None,
    scheduler: str | None = None,
    options: SandboxOptions | None = None,
) -> int:
    try:
        course = load_course()
        exercises = select_union(course, selector)
    except (ManifestError, SelectionError) as exc:
        error(str(exc))
        return 2
    folder = Path(submissions)
    if not folder.is_dir():
        error(f"submissions folder not found: {folder}")
        return 2
    if export and not roster:
        error("--export needs --roster: an LMS matches grades to students by their ids")
        return 2
    by_id = {e.id: e for e in exercises}
    out_dir = Path(out)
    try:
        students = class_list.load(Path(roster)) if roster else None
        term_rules = deadlines.load_term(Path(term), by_id) if term else None
        out_dir.mkdir(parents=True, exist_ok=True)
        in_force = overrides_module.merge_into_store(
            out_dir, Path(overrides) if overrides else None, by_id
        )
    except (class_list.ClassListError, deadlines.TermError, overrides_module.OverrideError) as exc:
        error(str(exc))
        return 2
    except OSError as exc:
        error(f"cannot read {exc.filename}: {exc.strerror}")
        return 2
    every = discover(folder)
    found = every
    if only is not None:
        found = [s for s in every if s.learner == only]
        if not found:
            known = ", ".join(s.learner for s in every[:10])
            error(f"--only {only}: no such learner id (ids look like: {known})")
            return 2
        force = True
    options = options or SandboxOptions(isolation="full")
    cluster = None
    if scheduler:
        try:
            cluster = Cluster(scheduler)
        except ClusterError as exc:
            error(str(exc))
            return 2
        jobs = jobs or cluster.threads()  # as many judges at once as the workers have threads
    ids = tuple(e.id for e in exercises)
    settings = BatchSettings(ids, out_dir, options, learner_timeout, force)
    shown = ", ".join(ids) if len(ids) <= 4 else f"{len(ids)} exercises"
    console = stdout_console()
    protections = protections_report(options)
    console.print(
        f"Grading {len(found)} submission(s) on {shown} with {jobs or os.cpu_count()} "
        f"job(s). Protections: {', '.join(protections)}."
    )
    if cluster is not None:
        console.print(f"Judges run on the Dask cluster at {scheduler}; reports are written here.")
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
                state = (
                    "already graded, unchanged"
                    if skipped
                    else f"{show(record.total)}/{show(record.possible)}"
                )
                reason = f" ({record.reason})" if record.reason else ""
                console.print(
                    f"[{done}/{len(found)}] {record.learner}: {record.status}, "
                    f"{state}{reason}  ETA {eta:.0f}s"
                )

        outcome = run_batch(
            found,
            settings,
            course,
            jobs=jobs or os.cpu_count() or 1,
            submissions_root=folder,
            on_done=on_done,
            cluster=cluster,
        )
    if cluster is not None:
        cluster.close()
    records = outcome.records
    if only is not None:  # the others keep their stored results: reused, not re-graded
        graded_now = {r.learner for r in records}
        for submission in every:
            if submission.learner not in graded_now:
                stored = load_finished(settings, submission.learner)
                if stored is not None:
                    records.append(stored)
    sources = {s.learner: s.source for s in every}
    adjustments.apply_all(records, sources, term_rules, in_force, by_id, settings)
    matched = class_list.match(students, records) if students is not None else None
    write_atomic(out_dir / "gradebook.csv", analysis.gradebook_csv(records, exercises, matched))
    write_atomic(out_dir / "roster.csv", analysis.roster_csv(records))
    rows = analysis.item_analysis(records)
    write_atomic(out_dir / "item_analysis.csv", analysis.item_analysis_csv(rows))
    write_atomic(out_dir / "item_analysis.md", analysis.item_analysis_markdown(rows))
    write_atomic(out_dir / "item_analysis.html", charts.item_analysis_html(records))
    write_atomic(out_dir / "class_report.html", charts.class_report_html(records, exercises))
    for system in export or []:
        write_atomic(out_dir / f"{system}.csv", lms.WRITERS[system](matched, exercises))
    if matched is not None:
        for student in matched.missing:
            console.print(f"missing: {student.submission} ({student.name or 'no name'})")
        for record in matched.unknown:
            console.print(f"not in the class list: {record.learner} ({record.source})")
    errors = sum(r.status != "graded" for r in records)
    console.print(
        f"Done in {time.perf_counter() - started:.1f} s: {len(records)} learner(s), "
        f"{errors} error(s); {outcome.summary()}. Gradebook: {out_dir / 'gradebook.csv'}"
    )
    return 0
