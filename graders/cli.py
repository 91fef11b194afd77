"""Command-line interface: declares options and hands over to graders.commands.*.main."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


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
    check.add_argument("--json", dest="json_file", metavar="FILE", help="write results as JSON")
    check.add_argument("--junit", dest="junit_file", metavar="FILE", help="write JUnit XML")
    check.add_argument(
        "--timeout-scale",
        type=float,
        default=1.0,
        help="multiply every time limit (for slow machines)",
    )
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

    hint = commands.add_parser("hint", help="show the next hint for a chapter or exercise")
    hint.add_argument("selector")
    hint.add_argument("--target", help="folder laid out like exercises/")

    commands.add_parser("progress", help="show done / started / not started for every chapter")

    watch = commands.add_parser("watch", help="re-run the check every time you save")
    watch.add_argument("selector")
    watch.add_argument("--target", help="folder laid out like exercises/")

    quiz = commands.add_parser("quiz", help="answer a chapter's knowledge check")
    quiz.add_argument("chapter")
    quiz.add_argument("--answers", help="answers given up front, e.g. 'abcda' (no prompting)")

    verify = commands.add_parser("verify", help="instructors: prove every grader right")
    verify.add_argument("selector", nargs="?", default="all")
    verify.add_argument("--jobs", type=int, default=None, help="parallel runs (default: cores)")
    verify.add_argument("--json", dest="json_file", metavar="FILE", help="write the table as JSON")

    checklist = commands.add_parser("checklist", help="a chapter's 'I can ...' self-check list")
    checklist.add_argument("chapter")

    commands.add_parser("list", help="list chapters and exercises in course order")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    options = {k: v for k, v in vars(args).items() if k != "command"}
    if args.command == "check":
        from graders.commands import check as command
    elif args.command == "hint":
        from graders.commands import hint as command
    elif args.command == "progress":
        from graders.commands import progress as command
    elif args.command == "watch":
        from graders.commands import watch as command
    elif args.command == "quiz":
        from graders import quiz as command
    elif args.command == "verify":
        from graders.commands import verify as command
    elif args.command == "checklist":
        from graders.commands import checklist as command
    elif args.command == "list":
        from graders.commands import listing as command
    else:
        parser.print_help()
        return 2
    return command.main(**options)


if __name__ == "__main__":
    sys.exit(main())
