"""Characterisation tests for ReportCenter: what reports_before.py does, right or wrong.

They were written against the legacy module before any refactoring, and every test runs
twice: once on reports_before.py ("before") and once on the refactored reports/ package
("after"). The same expectations hold for both, with one exception made on purpose and
marked below: project names are taken literally after the refactor (no SQL injection).

Run them with: python -m pytest taskforge/legacy/test_characterisation.py
Record the golden master again (only when the legacy behaviour is meant to change, which it
never is): python -m taskforge.legacy.test_characterisation
"""

from __future__ import annotations

import json
import os
import smtplib
import sqlite3
import sys
import tempfile
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from taskforge.legacy import reports, reports_before

TODAY = date(2024, 6, 14)
GOLDEN = Path(__file__).with_name("golden") / "report_center.json"
SCHEMA = """
CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL);
CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'todo',
    priority INTEGER NOT NULL DEFAULT 50,
    due_date TEXT,
    assignee_id INTEGER
);
"""
USERS = [(1, "ann"), (2, "Bob"), (3, "cleo")]
PROJECTS = ["Website", "Mobile app", "Bob's board", "Empty", "Ops", "Research", "Legacy"]
# id, project id, title, status, priority, due date, assignee id
TASKS = [
    (1, 1, "Fix login", "todo", 50, "2024-06-10", 1),
    (2, 1, "Write docs", "doing", 30, "2024-06-14", 2),  # due today, not urgent
    (3, 1, "Hotfix checkout", "todo", 90, "2024-06-14", 1),  # due today and urgent
    (4, 1, "Archive logs", "done", 50, "2024-01-01", 3),
    (5, 1, "Plan Q3", "todo", 50, "2024-07-01", 1),
    (6, 2, "Crash on start", "todo", 80, "2024-06-13", None),
    (7, 2, "Ancient bug", "todo", 10, "2023-01-01", 2),
    (8, 2, "Another ancient one", "doing", 10, "2023-02-01", 3),
    (9, 2, "No date yet", "todo", 50, None, 1),
    (10, 3, "Tidy the desk", "todo", 50, "2024-06-01", 2),
    (11, 1, "Alpha launch", "todo", 50, "2024-06-10", 3),
    (12, 2, "Store listing", "done", 50, "2024-05-01", 2),
]
TASKS += [(13 + n, 1, f"Backlog item {n}", "todo", 40, None, 3) for n in range(6)]
TASKS += [(19 + n, 5, f"Runbook {n}", "done", 50, "2024-05-01", None) for n in range(3)]
TASKS += [(22, 5, "Rotate keys", "todo", 60, "2024-06-12", 1)]
TASKS += [
    (23, 6, "Read papers", "done", 50, None, None),
    (24, 6, "Prototype", "todo", 50, "2024-09-01", 2),
]
TASKS += [(25 + n, 7, f"Old ticket {n}", "todo", 20, f"2024-06-0{n + 1}", None) for n in range(4)]
TASKS += [(29 + n, 7, f"Closed ticket {n}", "done", 20, None, None) for n in range(12)]
TASKS += [(41, 2, "Edge case at 79", "todo", 79, "2024-06-14", None)]  # the urgency boundary
TASKS += [(42, 2, "Edge case at 80", "todo", 80, "2024-06-14", None)]

# A script of calls through the router; its outputs form the golden master.
SCRIPT = [
    ("overdue", {}),
    ("overdue", {"project": "Website"}),
    ("overdue_text", {"project": "Mobile app"}),
    ("overdue_text", {"project": "Research"}),
    ("summary", {"project": "Website"}),
    ("summary", {"project": "Ops"}),
    ("summary", {"project": "Legacy"}),
    ("summary", {"project": "Research"}),
    ("summary", {"project": "Empty"}),
    ("workload", {}),
    ("remind", {"dry_run": "yes"}),
    ("remind", {}),
    ("launch", {}),
]


class FixedDate(date):
    """date, except that today() is always TODAY (the legacy module's only clock)."""

    @classmethod
    def today(cls) -> date:
        return TODAY


class FakeSMTP:
    """Stands in for smtplib.SMTP and records every connection and message."""

    connections: list[FakeSMTP] = []

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.messages: list = []
        self.closed = False
        FakeSMTP.connections.append(self)

    def send_message(self, message) -> None:
        self.messages.append(message)

    def quit(self) -> None:
        self.closed = True


def build_database(path: Path) -> str:
    """A small TaskForge-shaped database with every case the reports distinguish."""
    with closing(sqlite3.connect(path)) as connection:
        connection.executescript(SCHEMA)
        connection.executemany("INSERT INTO users VALUES (?, ?)", USERS)
        connection.executemany(
            "INSERT INTO projects VALUES (?, ?)", list(enumerate(PROJECTS, start=1))
        )
        connection.executemany("INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?, ?)", TASKS)
        connection.commit()
    return str(path)


def make_center(version: str, db_path: str, monkeypatch: pytest.MonkeyPatch):
    """A ReportCenter of either version, both seeing TODAY as today and a fake SMTP server."""
    for name in list(os.environ):
        if name.startswith("TASKFORGE_"):
            monkeypatch.delenv(name)
    FakeSMTP.connections = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    if version == "before":
        monkeypatch.setattr(reports_before, "date", FixedDate)  # the legacy code's clock seam
        return reports_before.ReportCenter(db_path)
    return reports.ReportCenter(db_path, today=lambda: TODAY)


@pytest.fixture(params=["before", "after"])
def version(request) -> str:
    return request.param


@pytest.fixture
def center(version, tmp_path, monkeypatch):
    made = make_center(version, build_database(tmp_path / "reports.sqlite"), monkeypatch)
    yield made
    made.close()


def ids(rows) -> list[int]:
    return [row["id"] for row in rows]


def mail_summary(messages) -> list[dict]:
    return [
        {
            "from": m["From"],
            "to": m["To"],
            "subject": m["Subject"],
            "body": m.get_content(),
        }
        for m in messages
    ]


# -- the router -------------------------------------------------------------------------
def test_unknown_action_returns_an_error_instead_of_raising(center):
    assert center.handle("launch") == {"error": "unknown action launch"}
    assert center.handle(None, {}) == {"error": "unknown action None"}


def test_handle_without_params_behaves_like_empty_params(center):
    assert center.handle("overdue") == center.handle("overdue", {})


# -- overdue ----------------------------------------------------------------------------
def test_overdue_report_rows(center):
    rows = center.overdue_report()
    assert rows[0] == {
        "id": 7,
        "title": "Ancient bug",
        "project": "Mobile app",
        "assignee": "Bob",
        "due_date": "2023-01-01",
        "days_late": 99,
    }
    assert ids(rows) == [7, 8, 25, 10, 26, 27, 28, 11, 1, 22, 6, 42, 3]


def test_done_future_and_undated_tasks_are_not_overdue(center):
    found = set(ids(center.overdue_report()))
    assert found.isdisjoint({4, 12, 5, 24, 9, 13})


def test_due_today_counts_only_from_priority_80(center):
    found = set(ids(center.overdue_report()))
    assert 3 in found and 42 in found  # priorities 90 and 80, due today: 0 days late
    assert 2 not in found and 41 not in found  # priorities 30 and 79, due today
    assert next(r for r in center.overdue_report() if r["id"] == 3)["days_late"] == 0


def test_days_late_stop_at_99(center):
    late = {row["id"]: row["days_late"] for row in center.overdue_report()}
    assert late[7] == 99 and late[8] == 99  # 530 and 499 days in reality
    assert late[10] == 13


def test_equally_late_tasks_are_ordered_by_title(center):
    website = center.overdue_report("Website")
    assert [row["title"] for row in website] == ["Alpha launch", "Fix login", "Hotfix checkout"]


def test_empty_project_name_means_every_project(center):
    assert center.overdue_report("") == center.overdue_report(None)


def test_overdue_for_one_project(center):
    assert ids(center.handle("overdue", {"project": "Mobile app"})) == [7, 8, 6, 42]
    assert center.handle("overdue", {"project": "No such project"}) == []


def test_overdue_text(center):
    assert center.handle("overdue_text", {"project": "Mobile app"}) == (
        "4 overdue:\n"
        "* Ancient bug [Mobile app] 99d late, Bob\n"
        "* Another ancient one [Mobile app] 99d late, cleo\n"
        "* Crash on start [Mobile app] 1d late, unassigned\n"
        "* Edge case at 80 [Mobile app] 0d late, unassigned"
    )
    assert center.render_overdue_text([]) == "Nothing is overdue."


# -- summaries --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("project", "counts", "completion", "overdue", "health"),
    [
        ("Website", {"todo": 10, "doing": 1, "done": 1}, 8, 3, "red"),  # under 25 % done
        ("Ops", {"todo": 1, "doing": 0, "done": 3}, 75, 1, "amber"),
        ("Legacy", {"todo": 4, "doing": 0, "done": 12}, 75, 4, "red"),  # more than 3 overdue
        ("Research", {"todo": 1, "doing": 0, "done": 1}, 50, 0, "green"),
        ("Empty", {"todo": 0, "doing": 0, "done": 0}, "n/a", 0, "green"),
        ("No such project", {"todo": 0, "doing": 0, "done": 0}, "n/a", 0, "green"),
    ],
)
def test_project_summary(center, project, counts, completion, overdue, health):
    assert center.handle("summary", {"project": project}) == {
        "project": project,
        "counts": counts,
        "total": sum(counts.values()),
        "completion": completion,
        "overdue": overdue,
        "health": health,
    }


def test_completion_is_rounded_down(center):
    assert center.project_summary("Website")["completion"] == 8  # 1 of 12 is 8.33 %


# -- workload ---------------------------------------------------------------------------
def test_workload_counts_every_open_task(center):
    assert center.handle("workload") == {
        "nobody": {"open": 7, "load": "busy"},
        "ann": {"open": 5, "load": "busy"},
        "bob": {"open": 4, "load": "busy"},
        "cleo": {"open": 8, "load": "overloaded"},
    }


# -- reminders --------------------------------------------------------------------------
def test_reminders_mail_each_assignee_once(center):
    assert center.handle("remind") == {"sent": 3}
    assert [(c.host, c.port, c.closed) for c in FakeSMTP.connections] == [
        ("mail.internal.example", 25, True)
    ] * 3
    mails = mail_summary(m for c in FakeSMTP.connections for m in c.messages)
    assert [(m["to"], m["subject"]) for m in mails] == [
        ("Bob@example.com", "[TaskForge] 2 overdue task(s)"),
        ("ann@example.com", "[TaskForge] 3 overdue task(s)"),
        ("cleo@example.com", "[TaskForge] 2 overdue task(s)"),
    ]
    assert mails[1]["from"] == "taskforge-noreply@example.com"
    assert mails[1]["body"] == (
        "Hello ann,\n\nThese tasks are past their due date:\n"
        "- Fix login (due 2024-06-10)\n- Rotate keys (due 2024-06-12)\n"
        "- Hotfix checkout (due 2024-06-14)\n\n-- TaskForge\n"
    )
    assert mail_summary(center.sent) == mails


def test_only_the_exact_string_yes_makes_a_dry_run(center):
    assert center.send_reminders("yes") == 0
    assert FakeSMTP.connections == []
    assert center.send_reminders(True) == 3  # a boolean is not "yes": mails go out
    assert center.send_reminders() == 3
    assert len(center.sent) == 6


# -- the golden master ------------------------------------------------------------------
def run_script(center) -> dict:
    """Every call of SCRIPT through the router, with the mail it sent, as JSON-ready data."""
    results = []
    for action, params in SCRIPT:
        results.append(
            {"action": action, "params": params, "result": center.handle(action, params)}
        )
    return {"calls": results, "mail": mail_summary(center.sent)}


def test_golden_master(center):
    recorded = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert json.loads(json.dumps(run_script(center))) == recorded


# -- the one intended change: project names are data, not SQL ---------------------------
def test_project_names_are_not_sql(center, version):
    injected = "x' OR t.due_date IS NOT NULL AND t.status != 'done' AND 'a'='a"
    if version == "before":
        # The legacy module pastes the name into its SQL: this "project name" returns every
        # project's overdue tasks, and a name with an apostrophe breaks the query.
        assert ids(center.overdue_report(injected)) == ids(center.overdue_report())
        with pytest.raises(sqlite3.OperationalError):
            center.overdue_report("Bob's board")
    else:
        # Intended behaviour change, the only one: the name is a parameter, taken literally.
        assert center.overdue_report(injected) == []
        assert ids(center.overdue_report("Bob's board")) == [10]


def record_golden() -> None:
    """Write the golden master from the legacy module (run this file as a script)."""
    with pytest.MonkeyPatch.context() as monkeypatch, tempfile.TemporaryDirectory() as folder:
        legacy = make_center("before", build_database(Path(folder) / "db.sqlite"), monkeypatch)
        try:
            data = run_script(legacy)
        finally:
            legacy.close()
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}", file=sys.stderr)


if __name__ == "__main__":
    record_golden()
