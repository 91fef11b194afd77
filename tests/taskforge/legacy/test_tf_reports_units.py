"""Unit tests for the refactored reports package: each small module on its own."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date

import pytest

from taskforge.legacy.reports import (
    EmailService,
    ReportCenter,
    ReportConfig,
    ReportRepository,
    rules,
)
from taskforge.legacy.test_characterisation import TODAY, build_database


def test_config_defaults_are_the_old_constants():
    assert ReportConfig.from_environment({}) == ReportConfig(
        db_path="instance/taskforge.sqlite",
        smtp_host="mail.internal.example",
        smtp_port=25,
        sender="taskforge-noreply@example.com",
        mail_domain="example.com",
    )


def test_config_reads_the_environment():
    config = ReportConfig.from_environment(
        {
            "TASKFORGE_SMTP_HOST": "smtp.test",
            "TASKFORGE_SMTP_PORT": "2525",
            "TASKFORGE_MAIL_FROM": "robot@test",
            "TASKFORGE_MAIL_DOMAIN": "test",
            "TASKFORGE_REPORTS_DB": "/tmp/reports.sqlite",
            "TASKFORGE_UNRELATED": "ignored",
        }
    )
    assert (config.smtp_host, config.smtp_port, config.sender) == ("smtp.test", 2525, "robot@test")
    assert (config.mail_domain, config.db_path) == ("test", "/tmp/reports.sqlite")


def test_config_refuses_a_bad_port():
    with pytest.raises(ValueError, match="TASKFORGE_SMTP_PORT"):
        ReportConfig.from_environment({"TASKFORGE_SMTP_PORT": "twenty-five"})


def test_email_service_uses_the_injected_sender_and_configured_domain():
    outbox = []
    service = EmailService(ReportConfig(mail_domain="corp.test"), sender=outbox.append)
    message = service.reminder(
        "ann",
        [
            {"id": 2, "title": "B", "due_date": "2024-06-02"},
            {"id": 1, "title": "A", "due_date": "2024-06-02"},
        ],
    )
    service.send(message)
    assert outbox == [message] and service.sent == [message]
    assert message["To"] == "ann@corp.test"
    assert message.get_content().splitlines()[3:5] == [
        "- A (due 2024-06-02)",
        "- B (due 2024-06-02)",
    ]


def test_center_with_injected_sender_never_opens_smtp(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("SMTP must not be used when a sender is injected")

    monkeypatch.setattr("smtplib.SMTP", refuse)
    outbox = []
    center = ReportCenter(
        build_database(tmp_path / "db.sqlite"), sender=outbox.append, today=lambda: TODAY
    )
    try:
        assert center.send_reminders() == 3
    finally:
        center.close()
    assert [m["To"] for m in outbox] == ["Bob@example.com", "ann@example.com", "cleo@example.com"]


def test_repository_takes_project_names_literally(tmp_path):
    with closing(sqlite3.connect(build_database(tmp_path / "db.sqlite"))) as connection:
        repository = ReportRepository(connection)
        assert [t.id for t in repository.open_dated_tasks("Bob's board")] == [10]
        assert repository.open_dated_tasks("' OR 1=1 --") == []
        assert repository.status_counts("Ops") == {"todo": 1, "done": 3}


@pytest.mark.parametrize(
    ("due", "priority", "late"),
    [
        ("2024-06-15", 100, None),  # tomorrow
        ("2024-06-14", 79, None),  # today, not urgent
        ("2024-06-14", 80, 0),  # today, urgent
        ("2024-06-13", 0, 1),
        ("2020-01-01", 50, 99),  # capped
    ],
)
def test_days_late(due, priority, late):
    assert rules.days_late(due, priority, date(2024, 6, 14)) == late


def test_labels():
    assert [rules.load_label(n) for n in (0, 3, 4, 7, 8)] == [
        "ok",
        "ok",
        "busy",
        "busy",
        "overloaded",
    ]
    assert rules.health(4, 90) == "red" and rules.health(0, 24) == "red"
    assert rules.health(1, 50) == "amber" and rules.health(0, "n/a") == "green"
    assert rules.completion(1, 3) == 33 and rules.completion(0, 0) == "n/a"
    assert rules.person_key("Bob") == "bob" and rules.person_key(None) == "nobody"
