"""``gate``: grade a TaskForge against a phase gate, one verdict per requirement."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rich.markup import escape
from rich.table import Table

from graders.collector import Collector, Record
from graders.console import error, stdout_console
from graders.gates.harness import (
    DEFAULT_TARGET,
    judge_args,
    learner_code_in_judge,
    no_plugin_autoload,
)
from graders.gates.requirements import GATES_DIR, gate_names, load_requirements
from graders.options import SandboxOptions
from graders.paths import REPO_ROOT
from graders.report.formats import write_atomic
from graders.state import update_state


@dataclass
class Verdict:
    id: str
    title: str
    points: float
    earned: float
    passed: bool
    checks: list[dict] = field(default_factory=list)


def run_gate(gate: str, target: Path, options: SandboxOptions) -> list[Verdict]:
    """Run the gate's suite against ``target`` and judge each requirement."""
    collector = Collector()
    args = judge_args(GATES_DIR / gate, target, options, timeout=900)
    before = set(sys.modules)
    log = io.StringIO()
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log), no_plugin_autoload():
        pytest.main(args, plugins=[collector])
    leaked = learner_code_in_judge(target, before)
    if leaked:  # never grade on a run the learner's code could have steered
        return void_verdicts(gate, leaked)
    verdicts = []
    for requirement in load_requirements(gate):
        records: list[Record] = [r for r in collector.records if r.requirement == requirement.id]
        passed = bool(records) and all(r.outcome == "passed" for r in records)
        checks = [
            {"check": r.description, "outcome": r.outcome, "message": r.message} for r in records
        ]
        if not records:
            checks = [
                {
                    "check": "no checks ran",
                    "outcome": "error",
                    "message": "; ".join(collector.collection_errors)[-500:],
                }
            ]
        verdicts.append(
            Verdict(
                requirement.id,
                requirement.title,
                requirement.points,
                requirement.points if passed else 0.0,
                passed,
                checks,
            )
        )
    return verdicts


def void_verdicts(gate: str, leaked: list[str]) -> list[Verdict]:
    """Every requirement fails: code from the learner's folder was loaded by the judge."""
    message = (
        "the gate's own process imported code from the TaskForge folder "
        f"({', '.join(leaked[:5])}); only the sandbox may run it, so nothing is graded"
    )
    check = {"check": "the judge ran without learner code", "outcome": "error", "message": message}
    return [
        Verdict(r.id, r.title, r.points, 0.0, False, [dict(check)]) for r in load_requirements(gate)
    ]


SETUP_SIGNS = ("the check needs this step to work", "importing ", "could not be imported")


def got_line(message: str) -> str:
    got = [line for line in message.splitlines() if line.startswith("Got:")]
    return got[0] if got else message.splitlines()[0] if message else ""


def blocked_by(verdicts: list[Verdict]) -> dict[int, str]:
    """Failing checks stopped by a set-up step that failed the same way as an earlier check
    (one broken register, an import error): id(check) -> the check that shows the cause."""
    first: dict[str, str] = {}
    blocked = {}
    for verdict in verdicts:
        for check in verdict.checks:
            if check["outcome"] == "passed" or not check["message"]:
                continue
            cause = got_line(check["message"])
            setup = any(sign in check["message"] for sign in SETUP_SIGNS)
            if setup and cause in first:
                blocked[id(check)] = first[cause]
            else:
                first.setdefault(cause, check["check"])
    return blocked


def render(verdicts: list[Verdict], gate: str, target: Path, verbose: bool) -> None:
    console = stdout_console()
    table = Table(title=f"{gate} gate: {target}")
    for column in ("requirement", "verdict", "points", "checks"):
        table.add_column(column)
    for verdict in verdicts:
        if verdict.points == 0:  # reported only: count the notes met, not passing checks
            met = sum(c["message"].startswith("met:") for c in verdict.checks)
            table.add_row(
                f"{verdict.id} {escape(verdict.title)}",
                "[dim]reported only[/dim]",
                "-",
                f"{met}/{len(verdict.checks)} met",
            )
            continue
        ok = sum(c["outcome"] == "passed" for c in verdict.checks)
        table.add_row(
            f"{verdict.id} {escape(verdict.title)}",
            "[green]holds[/green]" if verdict.passed else "[red]does not hold[/red]",
            f"{verdict.earned:g}/{verdict.points:g}",
            f"{ok}/{len(verdict.checks)}",
        )
    console.print(table)
    blocked = blocked_by(verdicts)
    for verdict in verdicts:
        if verdict.points == 0:  # reported only: show every note, met or not
            console.print(f"[bold]{verdict.id} {escape(verdict.title)}[/bold] (no points)")
            for check in verdict.checks:
                note = check["message"] or check["outcome"]
                console.print(f"  · {escape(check['check'])}: {escape(note)}", highlight=False)
            continue
        failing = [c for c in verdict.checks if c["outcome"] != "passed" and id(c) not in blocked]
        waiting = [c for c in verdict.checks if id(c) in blocked]
        if verbose:
            console.print(f"[bold]{verdict.id} {escape(verdict.title)}[/bold]")
            for check in verdict.checks:
                if check["outcome"] == "passed":
                    console.print(f"  [green]✓[/green] {escape(check['check'])}")
        if not failing and not waiting:
            continue
        if not verbose:
            console.print(f"[bold]{verdict.id} {escape(verdict.title)}[/bold]: what is missing")
        for check in failing if verbose else failing[:3]:
            console.print(f"  [red]✗[/red] {escape(check['check'])}")
            for line in check["message"].splitlines()[: None if verbose else 6]:
                console.print(f"      {escape(line)}", highlight=False)
        if len(failing) > 3 and not verbose:
            console.print(f"    [dim]({len(failing) - 3} more; -v shows all)[/dim]")
        for cause in dict.fromkeys(blocked[id(c)] for c in waiting):
            names = [c["check"] for c in waiting if blocked[id(c)] == cause]
            console.print(
                f"  [yellow]–[/yellow] not run ({len(names)}), stopped by the failure shown for "
                f"“{escape(cause)}”:",
                highlight=False,
            )
            for name in names:
                console.print(f"      [dim]{escape(name)}[/dim]", highlight=False)
    graded = [v for v in verdicts if v.points > 0]
    earned = sum(v.earned for v in graded)
    total = sum(v.points for v in graded)
    held = sum(v.passed for v in graded)
    console.print(
        f"Gate score: {earned:g}/{total:g} points; {held}/{len(graded)} requirements hold."
    )


def main(
    *,
    gate: str,
    target: str | None = None,
    json_file: str | None = None,
    verbose: bool = False,
    options: SandboxOptions | None = None,
) -> int:
    if gate not in gate_names():
        error(f"unknown gate '{gate}' (choose one of: {', '.join(gate_names()) or 'none yet'})")
        return 2
    folder = Path(target) if target else DEFAULT_TARGET
    if not folder.is_dir() and (REPO_ROOT / folder).is_dir():
        folder = REPO_ROOT / folder
    if not folder.is_dir():
        error(f"target folder not found: {folder}")
        return 2
    verdicts = run_gate(gate, folder.resolve(), options or SandboxOptions())
    render(verdicts, gate, folder, verbose)
    data = {
        "gate": gate,
        "target": str(folder),
        "passed": all(v.passed for v in verdicts),
        "earned": sum(v.earned for v in verdicts),
        "possible": sum(v.points for v in verdicts),
        "requirements": [asdict(v) for v in verdicts],
    }
    if json_file:
        write_atomic(Path(json_file), json.dumps(data, indent=2))
    if folder.resolve() == DEFAULT_TARGET.resolve():
        with update_state() as state:
            state["gates"][gate] = {
                "earned": data["earned"],
                "possible": data["possible"],
                "passed": data["passed"],
                "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
    return 0 if data["passed"] else 1
