"""Characterisation tests aimed only at the four changes the old gate announced, padded with
tests that check nothing: a hole the Phase 8 gate must refuse."""

import smtplib
import sqlite3
from contextlib import closing
from datetime import date

import pytest

from taskforge.legacy import reports, reports_before

TODAY = date(2024, 6, 14)


class FixedDate(date):
    @classmethod
    def today(cls):
        return TODAY


class FakeSMTP:
    def __init__(self, host, port):
        pass

    def send_message(self, message):
        pass

    def quit(self):
        pass


@pytest.fixture(params=["before", "after"])
def center(request, tmp_path, monkeypatch):
    path = str(tmp_path / "r.sqlite")
    with closing(sqlite3.connect(path)) as db:
        db.executescript(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT);"
            "CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT);"
            "CREATE TABLE tasks (id INTEGER PRIMARY KEY, project_id INTEGER, title TEXT,"
            " status TEXT, priority INTEGER, due_date TEXT, assignee_id INTEGER);"
            "INSERT INTO users VALUES (1, 'ann');"
            "INSERT INTO projects VALUES (1, 'Web');"
            "INSERT INTO tasks VALUES (1, 1, 'Urgent', 'todo', 90, '2024-06-14', 1);"
            "INSERT INTO tasks VALUES (2, 1, 'Ancient', 'todo', 10, '2023-01-01', 1);"
        )
        db.commit()
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    if request.param == "before":
        monkeypatch.setattr(reports_before, "date", FixedDate)
        made = reports_before.ReportCenter(path)
    else:
        made = reports.ReportCenter(path, today=lambda: TODAY)
    yield made
    made.close()


def test_urgent_today_is_overdue(center):
    assert [r["id"] for r in center.overdue_report()][-1] == 1


def test_lateness_is_capped(center):
    assert center.overdue_report()[0]["days_late"] == 99


def test_subject(center):
    center.send_reminders()
    assert center.sent[0]["Subject"] == "[TaskForge] 2 overdue task(s)"


def test_dry_run_true_sends(center):
    assert center.send_reminders(True) == 1


@pytest.mark.parametrize("number", range(5))
def test_nothing(center, number):
    pass
