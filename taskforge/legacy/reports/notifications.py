"""Reminder e-mails: composed here, sent by whatever sender is injected (SMTP in production)."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Sequence
from email.message import EmailMessage

from .config import ReportConfig

Sender = Callable[[EmailMessage], None]


class SmtpSender:
    """Sends each message over its own SMTP connection (as the old code did)."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    def __call__(self, message: EmailMessage) -> None:
        server = smtplib.SMTP(self.host, self.port)
        try:
            server.send_message(message)
        finally:
            server.quit()


class EmailService:
    """Builds reminder messages and hands them to the sender; remembers what it sent."""

    def __init__(self, config: ReportConfig, sender: Sender | None = None) -> None:
        self.config = config
        self.sender = (
            sender if sender is not None else SmtpSender(config.smtp_host, config.smtp_port)
        )
        self.sent: list[EmailMessage] = []

    def reminder(self, person: str, tasks: Sequence[dict]) -> EmailMessage:
        """The overdue reminder for one person; tasks are listed by due date, then id."""
        ordered = sorted(tasks, key=lambda t: (t["due_date"], t["id"]))
        message = EmailMessage()
        message["From"] = self.config.sender
        message["To"] = f"{person}@{self.config.mail_domain}"
        message["Subject"] = f"[TaskForge] {len(ordered)} overdue task(s)"
        lines = [f"Hello {person},", "", "These tasks are past their due date:"]
        lines += [f"- {t['title']} (due {t['due_date']})" for t in ordered]
        lines += ["", "-- TaskForge"]
        message.set_content("\n".join(lines))
        return message

    def send(self, message: EmailMessage) -> None:
        self.sender(message)
        self.sent.append(message)
