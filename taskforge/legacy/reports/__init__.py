"""Reports and reminders after the refactor: the old ReportCenter API over small modules.

- config.py: settings from TASKFORGE_* environment variables (defaults: the old constants)
- repository.py: every SQL statement, all parameterised
- rules.py: the business rules, pure functions of plain values
- notifications.py: composing reminder e-mails and sending them through an injected sender
- center.py: ReportCenter, the facade the cron job and the admin page keep calling
"""

from .center import ReportCenter
from .config import ReportConfig
from .notifications import EmailService, SmtpSender
from .repository import ReportRepository

__all__ = ["EmailService", "ReportCenter", "ReportConfig", "ReportRepository", "SmtpSender"]
