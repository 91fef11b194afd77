"""ReportCenter: the same calls as the legacy class, delegating to the modules around it."""

import sqlite3
from datetime import date

from . import mail, people_queries, rules, settings, task_queries


class ReportCenter:
    def __init__(self, db_path=None, today=None):
        self.settings = settings.load()
        self.db = sqlite3.connect(db_path or self.settings["db_path"])
        self.today = today or date.today
        self.sent = []

    def close(self):
        self.db.close()

    def handle(self, action, params=None):
        params = {} if params is None else params
        if action == "overdue":
            return self.overdue_report(params.get("project"))
        if action == "summary":
            return self.project_summary(params.get("project"))
        if action == "workload":
            return self.workload()
        if action == "remind":
            return {"sent": self.send_reminders(params.get("dry_run", "no"))}
        if action == "overdue_text":
            return self.render_overdue_text(self.overdue_report(params.get("project")))
        return {"error": "unknown action " + str(action)}

    def overdue_report(self, project_name=None):
        today = self.today()
        rows = []
        for task_id, title, due, priority, project, assignee in task_queries.open_dated(
            self.db, project_name
        ):
            late = rules.lateness(due, priority, today)
            if late is not None:
                rows.append(
                    {
                        "id": task_id,
                        "title": title,
                        "project": project,
                        "assignee": assignee,
                        "due_date": due,
                        "days_late": late,
                    }
                )
        return sorted(rows, key=lambda r: (-r["days_late"], r["title"]))

    def project_summary(self, project_name):
        counts = {"todo": 0, "doing": 0, "done": 0}
        counts.update(task_queries.status_counts(self.db, project_name))
        total = counts["todo"] + counts["doing"] + counts["done"]
        completion = "n/a" if total == 0 else int(counts["done"] * 100 / total)
        overdue = len(self.overdue_report(project_name))
        return {
            "project": project_name,
            "counts": counts,
            "total": total,
            "completion": completion,
            "overdue": overdue,
            "health": rules.health(overdue, completion),
        }

    def workload(self):
        result = {}
        for name, count in people_queries.open_per_person(self.db):
            result[name.lower() if name else "nobody"] = {"open": count, "load": rules.load(count)}
        return result

    def send_reminders(self, dry_run="no"):
        people = {}
        for row in self.overdue_report():
            if row["assignee"] is not None:
                people.setdefault(row["assignee"], []).append(row)
        count = 0
        for person in sorted(people):
            message = mail.reminder(person, people[person], self.settings)
            if dry_run == "yes":
                continue
            mail.send(message, self.settings)
            self.sent.append(message)
            count += 1
        return count

    def render_overdue_text(self, rows):
        if not rows:
            return "Nothing is overdue."
        lines = [f"{len(rows)} overdue:"]
        for r in rows:
            who = r["assignee"] if r["assignee"] else "unassigned"
            lines.append(f"* {r['title']} [{r['project']}] {r['days_late']}d late, {who}")
        return "\n".join(lines)
