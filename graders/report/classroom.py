"""GitHub Classroom delivery: one reporter runner per chapter, plus the run's Markdown summary.

``python -m graders.report.classroom grading/results.json --outputs "$GITHUB_OUTPUT"``
appends one ``chNN=<base64 result>`` line per chapter for
classroom-resources/autograding-grading-reporter, which reads each as ``CHNN_RESULTS``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from graders.manifest import Course, load_course
from graders.report import formats, scoring
from graders.results import GradingResult


def runner_outputs(result: GradingResult, course: Course | None) -> dict[str, str]:
    """Step outputs: runner id (the chapter) -> base64 result JSON, each under the limit."""
    return {
        chapter: formats.classroom_encoded(part, course)
        for chapter, part in formats.per_chapter(result).items()
    }


def runner_ids(course: Course) -> list[str]:
    """The runners a learner workflow lists: every chapter that has exercises."""
    return [c.id for c in course.chapters if course.exercises_in(c.id)]


def summary_markdown(result: GradingResult, course: Course | None) -> str:
    view = formats.learner_view(result, course)
    tests = view.tests()
    lines = [
        f"## Grade: {scoring.show(scoring.total(tests))} / "
        f"{scoring.show(scoring.possible(tests))} points",
        "",
        "| exercise | tests passed | points |",
        "|---|---|---|",
    ]
    for entry in view.exercises:
        passed = sum(t.passed for t in entry.tests)
        lines.append(
            f"| {entry.id} | {passed}/{len(entry.tests)} | "
            f"{scoring.show(scoring.total(entry.tests))}/"
            f"{scoring.show(scoring.possible(entry.tests))} |"
        )
    failing = [e for e in view.exercises if not e.passed]
    for entry in failing:
        lines += ["", f"### {entry.id}", ""]
        if entry.problem:
            lines.append(f"- {entry.problem}")
            continue
        for test in entry.tests:
            if not test.passed:
                message, _printed = formats.printed(test)
                first = message.strip().splitlines()[0] if message.strip() else ""
                lines.append(f"- {test.description}: {first}".rstrip(": "))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graders.report.classroom")
    parser.add_argument("results", help="the --json report of `python -m graders check`")
    parser.add_argument("--outputs", help="append chNN=<result> lines here ($GITHUB_OUTPUT)")
    parser.add_argument("--summary", help="append a Markdown summary ($GITHUB_STEP_SUMMARY)")
    args = parser.parse_args(argv)
    course = load_course()
    result = GradingResult.from_dict(json.loads(Path(args.results).read_text(encoding="utf-8")))
    if args.outputs:
        with open(args.outputs, "a", encoding="utf-8") as handle:
            for runner, value in runner_outputs(result, course).items():
                handle.write(f"{runner}={value}\n")
    if args.summary:
        with open(args.summary, "a", encoding="utf-8") as handle:
            handle.write(summary_markdown(result, course))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
