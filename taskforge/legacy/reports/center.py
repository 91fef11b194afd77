"""ReportCenter: the old public API, now a thin facade that wires the small modules together."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from email.message import EmailMessage

from . import rules
from .config import ReportConfig
from .notifications import EmailService, Sender
from .repository import ReportRepository


class ReportCenter:
    """Overdue reports, project summaries, workload and reminders (same calls as before).

    Everything it depends on can be handed in: the settings (else read from the
    environment), the e-mail sender (else SMTP) and today's date (else the system clock).
    """

    def __init__(
        self,
        db_path: str | None = None,
        *,
        config: ReportConfig | None = None,
        sender: Sender | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.config = config if config is not None else ReportConfig.from_environment()
        self.db = sqlite3.connect(db_path or self.config.db_path)
        self.repository = ReportRepository(self.db)
        self.mail = EmailService(self.config, sender)
        self._today = today
        self._actions: dict[str, Callable[[dict], object]] = {
            "overdue": lambda p: self.overdue_report(p.get("project")),
            "summary": lambda p: self.project_summary(p.get("project")),
            "workload": lambda p: self.workload(),
            "remind": lambda p: {"sent": self.send_reminders(p.get("dry_run", "no"))},
            "overdue_text": lambda p: self.render_overdue_text(
                self.overdue_report(p.get("project"))
            ),
        }

    @property
    def sent(self) -> list[EmailMessage]:
        """The messages sent so far."""
        return self.mail.sent

    def close(self) -> None:
        self.db.close()

    def handle(self, action: str, params: dict | None = None) -> object:
        """Run a named action; an unknown name gives {"error": ...} rather than an exception."""
        run = self._actions.get(action)
        if run is None:
            return {"error": f"unknown action {action}"}
        return run(params or {})

    def overdue_report(self, project_name: str | None = None) -> list[dict]:
        """Open tasks past due (urgent ones count on the day itself), the latest first."""
        today = self._today()
        report = []
        for task in self.repository.open_dated_tasks(project_name):
            late = rules.days_late(task.due_date, task.priority, today)
            if late is not None:
                report.append(
                    {
                        "id": task.id,
                        "title": task.title,
                        "project": task.project,
                        "assignee": task.assignee,
                        "due_date": task.due_date,
                        "days_late": late,
                    }
                )
        report.sort(key=rules.overdue_order)
        return report

    def project_summary(self, project_name: str | None) -> dict:
        """Counts per status, share done, overdue count and a health colour for one project."""
        counts = dict.fromkeys(rules.STATUSES, 0)
        counts.update(self.repository.status_counts(project_name))
        total = sum(counts[status] for status in rules.STATUSES)
        done_share = rules.completion(counts["done"], total)
        overdue = len(self.overdue_report(project_name))
        return {
            "project": project_name,
            "counts": counts,
            "total": total,
            "completion": done_share,
            "overdue": overdue,
            "health": rules.health(overdue, done_share),
        }

    def workload(self) -> dict[str, dict]:
        """Open tasks per person (unassigned ones under "nobody") with a load label."""
        return {
            rules.person_key(name): {"open": count, "load": rules.load_label(count)}
            for name, count in self.repository.open_tasks_per_person()
        }

    def send_reminders(self, dry_run: str = "no") -> int:
        """Mail each assignee their overdue tasks; only dry_run == "yes" sends nothing."""
        per_person: dict[str, list[dict]] = {}
        for task in self.overdue_report():
            if task["assignee"] is not None:
                per_person.setdefault(task["assignee"], []).append(task)
        count = 0
        for person in sorted(per_person):
            message = self.mail.reminder(person, per_person[person])
            if dry_run == "yes":
                continue
            self.mail.send(message)
            count += 1
        return count

    def render_overdue_text(self, rows: list[dict]) -> str:
        """The overdue report as the plain text the admin page shows."""
        if not rows:
            return "Nothing is overdue."
        lines = [f"{len(rows)} overdue:"]
        for row in rows:
            who = row["assignee"] or "unassigned"
            lines.append(f"* {row['title']} [{row['project']}] {row['days_late']}d late, {who}")
        return "\n".join(lines)
