"""Command-line interface: declares options and hands over to graders.commands.*.main."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from graders.options import SandboxOptions

REPORT_FLAGS = {
    "json": "our own JSON (per test: id, exercise, task, outcome, message; points)",
    "junit": "JUnit XML",
    "exercism": "Exercism test-runner results.json (version 3)",
    "gradescope": "Gradescope results.json",
    "classroom": "GitHub Classroom autograding result (JSON)",
}


def add_report_options(parser: argparse.ArgumentParser) -> None:
    for name, text in REPORT_FLAGS.items():
        parser.add_argument(
            f"--{name}", dest=f"report_{name}", metavar="FILE", help=f"write {text}"
        )


def add_sandbox_options(parser: argparse.ArgumentParser, *, isolation: str = "none") -> None:
    group = parser.add_argument_group("running learner code")
    group.add_argument(
        "--timeout-scale",
        type=float,
        default=1.0,
        help="multiply every time limit (for slow machines)",
    )
    group.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds allowed per test call, instead of the course's own",
    )
    group.add_argument(
        "--isolation",
        choices=("none", "full"),
        default=isolation,
        help="full: resource limits, hidden solutions, no network, own user",
    )
    group.add_argument(
        "--memory-mb",
        type=int,
        default=1024,
        help="memory (address space) per sandbox process with --isolation full",
    )
    group.add_argument(
        "--cpu-seconds",
        type=int,
        default=60,
        help="CPU time per sandbox process with --isolation full",
    )
    group.add_argument("--slot", type=int, default=None, help=argparse.SUPPRESS)
    group.add_argument(
        "--hide",
        action="append",
        default=[],
        metavar="DIR",
        help="another folder the sandbox must not see (repeatable)",
    )


def sandbox_options(options: dict) -> SandboxOptions:
    """Pop the sandbox flags out of parsed options into one SandboxOptions."""
    return SandboxOptions(
        timeout_scale=options.pop("timeout_scale"),
        time_limit=options.pop("time_limit"),
        isolation=options.pop("isolation"),
        memory_mb=options.pop("memory_mb"),
        cpu_seconds=options.pop("cpu_seconds"),
        slot=options.pop("slot"),
        hide=tuple(options.pop("hide")),
    )


def report_options(options: dict) -> dict[str, str]:
    return {name: options.pop(f"report_{name}") for name in REPORT_FLAGS}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m graders",
        description=(
            "Check your exercises, get hints, see progress; for instructors, verify the graders."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="grade exercises: chNN, chNN/module or all")
    check.add_argument("selector", help="chNN, chNN/module or all")
    check.add_argument("--target", help="folder laid out like exercises/ (default: exercises/)")
    add_report_options(check)
    add_sandbox_options(check)
    check.add_argument("-v", "--verbose", action="store_true", help="show every failure in full")
    check.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing; use the exit code"
    )
    check.add_argument(
        "--no-record",
        dest="record",
        action="store_false",
        default=None,
        help="do not update your saved progress",
    )
    # For verify's mutant runs: one failing test is enough, and last time's killer goes first.
    check.add_argument("--stop-at-first-failure", action="store_true", help=argparse.SUPPRESS)
    check.add_argument(
        "--first-test", dest="first_tests", action="append", default=[], help=argparse.SUPPRESS
    )
    # For verify and instructors: also run the hidden tests (learners' checks never do).
    check.add_argument("--with-hidden", action="store_true", help=argparse.SUPPRESS)

    hint = commands.add_parser(
        "hint", help="the next hint for the exercise you are working on (or chNN, chNN/module)"
    )
    hint.add_argument("selector", nargs="?", default="all")
    hint.add_argument("--target", help="folder laid out like exercises/")

    commands.add_parser("progress", help="show done / started / not started for every chapter")

    watch = commands.add_parser("watch", help="re-run the check every time you save")
    watch.add_argument("selector")
    watch.add_argument("--target", help="folder laid out like exercises/")

    quiz = commands.add_parser("quiz", help="answer a chapter's knowledge check")
    quiz.add_argument("chapter")
    quiz.add_argument("--answers", help="answers given up front, e.g. 'abcda' (no prompting)")

    gate = commands.add_parser("gate", help="grade a TaskForge against a phase gate")
    gate.add_argument("gate", help="phase7 or phase8")
    gate.add_argument(
        "--target", help="the TaskForge package folder (default: exercises/taskforge)"
    )
    gate.add_argument("--json", dest="json_file", metavar="FILE", help="write the verdicts as JSON")
    gate.add_argument("-v", "--verbose", action="store_true", help="show passing checks too")
    add_sandbox_options(gate)

    grade = commands.add_parser("grade", help="instructors: batch-grade a folder of submissions")
    grade.add_argument("submissions", help="folder with one sub-folder or .zip per learner")
    grade.add_argument("--out", required=True, help="where the gradebook and reports go")
    grade.add_argument(
        "--select",
        dest="selector",
        action="append",
        default=None,
        help="chNN, chNN/module or all (default); a comma list, repeatable: the union",
    )
    grade.add_argument("--jobs", type=int, default=None, help="parallel learners (default: cores)")
    grade.add_argument(
        "--learner-timeout",
        type=float,
        default=900.0,
        help="wall-clock seconds for one learner's whole grading",
    )
    grade.add_argument("--force", action="store_true", help="re-grade learners already graded")
    grade.add_argument("--only", metavar="ID", help="re-grade this one learner; keep the others")
    grade.add_argument(
        "--overrides",
        metavar="CSV",
        help="manual scores (learner, exercise, points or percent, reason, who); kept in OUT",
    )
    grade.add_argument(
        "--roster",
        metavar="CSV",
        help="class list (submission, student_id, name, email): flags missing and unknown",
    )
    grade.add_argument(
        "--export",
        action="append",
        choices=["canvas", "moodle"],
        default=None,
        help="also write an LMS gradebook import file (needs --roster); repeatable",
    )
    grade.add_argument("--term", metavar="TOML", help="due dates and the late policy")
    grade.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="judge on a Dask cluster (tcp://host:8786); reports are written here",
    )
    add_sandbox_options(grade, isolation="full")

    verify = commands.add_parser("verify", help="instructors: prove every grader right")
    verify.add_argument("selector", nargs="?", default="all")
    verify.add_argument("--jobs", type=int, default=None, help="parallel runs (default: cores)")
    verify.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run everything N times and flag any verdict that changes",
    )
    verify.add_argument("--json", dest="json_file", metavar="FILE", help="write the table as JSON")
    verify.add_argument(
        "--diff", action="store_true", help="show every mutant as a diff from its reference"
    )
    verify.add_argument(
        "--full",
        action="store_true",
        help="run every test on every mutant (default: stop at the first test that fails)",
    )

    spec = commands.add_parser("spec", help="instructors: check a spec map, or --draft one")
    spec.add_argument("selector", help="chNN/module (or chNN, all: check only)")
    spec.add_argument(
        "--draft", dest="draft_map", action="store_true", help="print a draft map to fill in"
    )

    checklist = commands.add_parser("checklist", help="a chapter's 'I can ...' self-check list")
    checklist.add_argument("chapter")

    commands.add_parser("list", help="list chapters and exercises in course order")
    return parser


COMMAND_MODULES = {
    "check": "graders.commands.check",
    "hint": "graders.commands.hint",
    "progress": "graders.commands.progress",
    "watch": "graders.commands.watch",
    "quiz": "graders.quiz",
    "checklist": "graders.commands.checklist",
    "grade": "graders.commands.grade",
    "gate": "graders.commands.gate",
    "verify": "graders.commands.verify",
    "spec": "graders.commands.spec",
    "list": "graders.commands.listing",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    options = {k: v for k, v in vars(args).items() if k != "command"}
    try:
        command = importlib.import_module(COMMAND_MODULES[args.command])
    except ModuleNotFoundError:
        print(
            f"error: '{args.command}' is an instructor tool, not part of this release",
            file=sys.stderr,
        )
        return 2
    if args.command in {"check", "grade", "gate"}:
        options["options"] = sandbox_options(options)
    if args.command == "check":
        options["reports"] = report_options(options)
    return command.main(**options)


if __name__ == "__main__":
    sys.exit(main())
