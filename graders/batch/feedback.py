"""Per-learner feedback reports in Markdown and HTML, written for the learner to read."""

from __future__ import annotations

from markupsafe import escape

from graders.report.scoring import possible, show, total
from graders.report.test_source import is_hidden
from graders.results import GradingResult


def _score(result: GradingResult) -> str:
    earned, out_of = total(result.tests()), possible(result.tests())
    percent = round(100 * earned / out_of, 1) if out_of else 0.0
    return f"{show(earned)} / {show(out_of)} points ({percent:g}%)"


HIDDEN_NOTE = "hidden test(s): graded now, not in your copy of the course until the deadline"


def _hidden_label(test_id: str) -> str:
    return " (hidden test)" if is_hidden(test_id) else ""


def _hidden_note(result: GradingResult) -> list[str]:
    count = sum(is_hidden(t.id) for t in result.tests())
    return [f"{count} {HIDDEN_NOTE}"] if count else []


def to_markdown(learner: str, result: GradingResult, notes: list[str]) -> str:
    lines = [
        f"# Feedback for {learner}",
        "",
        f"**Score: {_score(result)}**",
        "",
    ]
    notes = [*notes, *_hidden_note(result)]
    if notes:
        lines += ["What happened while grading:", *[f"- {note}" for note in notes], ""]
    for entry in result.exercises:
        passed = sum(t.passed for t in entry.tests)
        lines += [
            f"## {entry.id}: {entry.title}",
            "",
            f"{passed}/{len(entry.tests)} tests passed, "
            f"{show(total(entry.tests))}/{show(possible(entry.tests))} points.",
            "",
        ]
        if entry.problem:
            lines += [f"> {entry.problem}", ""]
        for test in entry.tests:
            mark = "✓" if test.passed else "✗"
            task = f"task {test.task}: " if test.task else ""
            lines.append(f"- {mark} {task}{test.description}{_hidden_label(test.id)}")
            if not test.passed and test.message and not entry.problem:
                lines += [
                    "",
                    "  ```text",
                    *[f"  {row}" for row in test.message.splitlines()],
                    "  ```",
                    "",
                ]
        lines.append("")
    return "\n".join(lines)


def to_html(learner: str, result: GradingResult, notes: list[str]) -> str:
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Feedback for {escape(learner)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem}.pass{color:#176c2e}.fail{color:#a4161a}pre{background:#f4f4f4;"
        "padding:.6rem;overflow-x:auto}</style></head><body>",
        f"<h1>Feedback for {escape(learner)}</h1>",
        f"<p><strong>Score: {escape(_score(result))}</strong></p>",
    ]
    notes = [*notes, *_hidden_note(result)]
    if notes:
        parts.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>")
    for entry in result.exercises:
        passed = sum(t.passed for t in entry.tests)
        parts.append(f"<h2>{escape(entry.id)}: {escape(entry.title)}</h2>")
        parts.append(
            f"<p>{passed}/{len(entry.tests)} tests passed, "
            f"{show(total(entry.tests))}/{show(possible(entry.tests))} points.</p>"
        )
        if entry.problem:
            parts.append(f'<p class="fail">{escape(entry.problem)}</p>')
        parts.append("<ul>")
        for test in entry.tests:
            css, mark = ("pass", "✓") if test.passed else ("fail", "✗")
            task = f"task {test.task}: " if test.task else ""
            item = f'<li class="{css}">{mark} {escape(task)}{escape(test.description)}'
            item += escape(_hidden_label(test.id))
            if not test.passed and test.message and not entry.problem:
                item += f"<pre>{escape(test.message)}</pre>"
            parts.append(item + "</li>")
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
