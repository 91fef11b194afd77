"""What the Phase 8 gate knows about the legacy rescue: paths, the fingerprint, the changes."""

from __future__ import annotations

import re
from pathlib import Path

BEFORE = Path("legacy") / "reports_before.py"
AFTER = Path("legacy") / "reports"
TESTS = Path("legacy") / "test_characterisation.py"
# sha256 of the course's reports_before.py (line endings normalised to \n).
BEFORE_SHA256 = "e7c13c96fe1494ed6a15dcea191ae54312dff904f4ade2c2b29d6ccd259de628"
MIN_TESTS = 8
MIN_CAUGHT = 3
VERSIONS = ("before", "after")
# One behaviour of the legacy module changed at a time: (what changes, old text, new text).
MUTANTS = [
    (
        "an urgent task due today no longer counts as overdue",
        'if late < 0 or (late == 0 and r["priority"] < 80):',
        "if late < 0 or late == 0:",
    ),
    ("lateness is no longer capped at 99 days", "if late > 99:", "if late > 9999:"),
    (
        "the reminder's subject says 'tasks' instead of 'task(s)'",
        '" overdue task(s)"',
        '" overdue tasks"',
    ),
    (
        "any true dry_run (not only the string 'yes') now sends nothing",
        'if dry_run == "yes":',
        'if dry_run and dry_run != "no":',
    ),
]


def version_of(nodeid: str) -> tuple[str, str | None]:
    """(the test without its version, "before"/"after"/None) from a pytest node id."""
    match = re.search(r"\[(.*)\]$", nodeid)
    if not match:
        return nodeid, None
    tokens = match.group(1).split("-")
    found = [t for t in tokens if t in VERSIONS]
    if len(found) != 1:
        return nodeid, None
    rest = "-".join(t for t in tokens if t != found[0])
    return nodeid[: match.start()] + (f"[{rest}]" if rest else ""), found[0]
