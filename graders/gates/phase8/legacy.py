"""What the Phase 8 gate knows about the legacy rescue: paths, the fingerprint, the changes."""

from __future__ import annotations

import re
from pathlib import Path

LEGACY = Path("legacy")
BEFORE = LEGACY / "reports_before.py"
TESTS = LEGACY / "test_characterisation.py"
PREFERRED = "reports"  # the reference's name for the refactored package
# sha256 of the course's reports_before.py (line endings normalised to \n).
BEFORE_SHA256 = "e7c13c96fe1494ed6a15dcea191ae54312dff904f4ade2c2b29d6ccd259de628"
MIN_TESTS = 8
VERSIONS = ("before", "after")
# One behaviour of the legacy module changed at a time: (what changes, old text, new text).
# Every one is a real change of behaviour: the gate's own generated cases tell each apart from
# the original (tests/gates/test_phase8_gate.py proves it).
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
    (
        "the urgency threshold moves from 80 to 81",
        'r["priority"] < 80',
        'r["priority"] < 81',
    ),
    (
        "tasks in progress ('doing') no longer count as overdue",
        'WHERE t.status != \'done\' "\n            "AND t.due_date IS NOT NULL"',
        'WHERE t.status = \'todo\' "\n            "AND t.due_date IS NOT NULL"',
    ),
    (
        "the overdue report lists the least late first",
        'result.sort(key=lambda x: (-x["days_late"], x["title"]))',
        'result.sort(key=lambda x: (x["days_late"], x["title"]))',
    ),
    (
        "equally late tasks are ordered by id instead of title",
        'result.sort(key=lambda x: (-x["days_late"], x["title"]))',
        'result.sort(key=lambda x: (-x["days_late"], x["id"]))',
    ),
    (
        "completion is rounded to the nearest percent instead of down",
        'int(counts["done"] * 100 / total)',
        'round(counts["done"] * 100 / total)',
    ),
    ("a project turns red from 5 overdue tasks instead of 4", "if overdue > 3", "if overdue > 4"),
    (
        "a project turns red below 20% done instead of 25%",
        "completion < 25",
        "completion < 20",
    ),
    ("an empty project's completion is 0 instead of 'n/a'", '"n/a" if total', "0 if total"),
    ("'overloaded' starts at 9 open tasks instead of 8", 'r["n"] >= 8', 'r["n"] >= 9'),
    ("'busy' starts at 3 open tasks instead of 4", 'r["n"] >= 4', 'r["n"] >= 3'),
    (
        "workload keeps usernames' case",
        'r["username"].lower() if r["username"]',
        'r["username"] if r["username"]',
    ),
    ("unassigned work is listed under 'unassigned'", 'else "nobody"', 'else "unassigned"'),
    (
        "a reminder lists tasks by id instead of by due date",
        'key=lambda t: (t["due_date"], t["id"])',
        'key=lambda t: t["id"]',
    ),
    (
        "reminders go to lower-cased addresses",
        'msg["To"] = person + "@"',
        'msg["To"] = person.lower() + "@"',
    ),
    (
        "the text report for nothing overdue changes",
        '"Nothing is overdue."',
        '"Nothing overdue."',
    ),
    (
        "the text report says 'nobody' for unassigned tasks",
        '"unassigned"',
        '"nobody"',
    ),
    (
        "an unknown action's error message changes",
        '"unknown action " + str(action)',
        '"unknown action: " + str(action)',
    ),
]
# Noticed by at least this many of the MUTANTS (three quarters), besides INJECTION_FIXED.
MIN_CAUGHT = 16
# The one intended change, made to the "before": tests that record the injection notice it.
INJECTION_FIXED = (
    "the legacy module's project filter no longer pastes the name into its SQL",
    'sql = sql + " AND p.name = \'" + project_name + "\'"',
    'sql = sql + " AND p.name = \'" + project_name.replace("\'", "\'\'") + "\'"',
)
# Methods of the legacy class that keep their body when the gate empties it ("gutted").
KEPT_WHEN_GUTTED = ("__init__", "close")


def find_refactor(target_dir: Path) -> tuple[str | None, str]:
    """The refactored package: the one package directly inside legacy/ that provides
    ReportCenter (``reports`` if several do). (name, "") or (None, what was found)."""
    folder = target_dir / LEGACY
    if not folder.is_dir():
        return None, f"no {LEGACY}/ folder"
    packages = sorted(p for p in folder.iterdir() if p.is_dir() and (p / "__init__.py").is_file())
    providing = []
    for package in packages:
        texts = [
            f.read_text(encoding="utf-8", errors="replace") for f in sorted(package.rglob("*.py"))
        ]
        init = (package / "__init__.py").read_text(encoding="utf-8", errors="replace")
        if "ReportCenter" in init and any(re.search(r"\bclass ReportCenter\b", t) for t in texts):
            providing.append(package.name)
    if len(providing) == 1:
        return providing[0], ""
    if PREFERRED in providing:
        return PREFERRED, ""
    if providing:
        return None, f"several packages provide ReportCenter: {', '.join(providing)}"
    names = ", ".join(p.name for p in packages) or "none"
    return None, f"no package in {LEGACY}/ defines and exports ReportCenter (packages: {names})"


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
