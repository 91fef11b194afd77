"""Report settings, read from the environment; the defaults are the values once hard-coded."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

PREFIX = "TASKFORGE_"


@dataclass(frozen=True)
class ReportConfig:
    """Where the data lives and how reminder e-mails leave."""

    db_path: str = "instance/taskforge.sqlite"
    smtp_host: str = "mail.internal.example"
    smtp_port: int = 25
    sender: str = "taskforge-noreply@example.com"
    mail_domain: str = "example.com"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ReportConfig:
        """TASKFORGE_REPORTS_DB, TASKFORGE_SMTP_HOST, TASKFORGE_SMTP_PORT, TASKFORGE_MAIL_FROM
        and TASKFORGE_MAIL_DOMAIN override the defaults when set (and not empty)."""
        env = os.environ if environ is None else environ
        default = cls()

        def read(name: str, fallback: str) -> str:
            value = env.get(PREFIX + name, "")
            return value if value else fallback

        port = read("SMTP_PORT", str(default.smtp_port))
        if not port.isdigit():
            raise ValueError(f"{PREFIX}SMTP_PORT must be a port number, not {port!r}")
        return cls(
            db_path=read("REPORTS_DB", default.db_path),
            smtp_host=read("SMTP_HOST", default.smtp_host),
            smtp_port=int(port),
            sender=read("MAIL_FROM", default.sender),
            mail_domain=read("MAIL_DOMAIN", default.mail_domain),
        )
