"""``spec``: check an exercise's spec map, or print a draft of it (``--draft``)."""

from __future__ import annotations

import sys

from graders.console import error
from graders.manifest import ManifestError, SelectionError, load_course
from graders.spec import draft, problems


def main(*, selector: str, draft_map: bool = False) -> int:
    try:
        exercises = load_course().select(selector)
    except (ManifestError, SelectionError) as exc:
        error(str(exc))
        return 2
    if draft_map:
        if len(exercises) != 1:
            error("--draft takes one exercise: chNN/module")
            return 2
        try:
            sys.stdout.write(draft(exercises[0]))
        except (OSError, ValueError, SyntaxError) as exc:
            error(str(exc))
            return 2
        return 0
    found = [p for exercise in exercises for p in problems(exercise)]
    for problem in found:
        print(f"✗ {problem}")
    print(f"{len(exercises)} spec map(s) checked, {len(found)} problem(s)")
    return 1 if found else 0
