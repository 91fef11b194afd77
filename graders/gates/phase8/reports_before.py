"""Reports and reminders, as inherited: one class that routes, decides, queries and mails.

Kept exactly as it was found, warts included: it is the "before" that the characterisation
tests in test_characterisation.py pin down, and the refactored package reports/ must behave
the same way (except for the SQL injection, fixed on purpose). Do not tidy this file.
"""

import smtplib
import sqlite3
from datetime import date
from email.message import EmailMessage

# "temporary" settings from 2019
DB_PATH = "instance/taskforge.sqlite"
SMTP_HOST = "mail.internal.example"
SMTP_PORT = 25
SENDER = "taskforge-noreply@example.com"
MAIL_DOMAIN = "example.com"


class ReportCenter:
    def __init__(self, db_path=DB_PATH):
        self.db = sqlite3.connect(db_path)
        self.db.row_factory = sqlite3.Row
        self.sent = []

    def close(self):
        self.db.close()

    # the "router": the nightly cron job and the admin page both call this
    def handle(self, action, params=None):
        if params is None:
            params = {}
        if action == "overdue":
            return self.overdue_report(params.get("project"))
        elif action == "summary":
            return self.project_summary(params.get("project"))
        elif action == "workload":
            return self.workload()
        elif action == "remind":
            return {"sent": self.send_reminders(params.get("dry_run", "no"))}
        elif action == "overdue_text":
            return self.render_overdue_text(self.overdue_report(params.get("project")))
        else:
            return {"error": "unknown action " + str(action)}

    def overdue_report(self, project_name=None):
        today = date.today()
        sql = (
            "SELECT t.id, t.title, t.due_date, t.priority, t.status, p.name AS project, "
            "u.username AS assignee FROM tasks t JOIN projects p ON p.id = t.project_id "
            "LEFT JOIN users u ON u.id = t.assignee_id WHERE t.status != 'done' "
            "AND t.due_date IS NOT NULL"
        )
        if project_name:
            sql = sql + " AND p.name = '" + project_name + "'"
        rows = self.db.execute(sql).fetchall()
        result = []
        for r in rows:
            due = date.fromisoformat(r["due_date"])
            late = (today - due).days
            # tasks due today only count if they are urgent (asked for by sales, 2020)
            if late < 0 or (late == 0 and r["priority"] < 80):
                continue
            if late > 99:
                late = 99
            result.append(
                {
                    "id": r["id"],
                    "title": r["title"],
                    "project": r["project"],
                    "assignee": r["assignee"],
                    "due_date": r["due_date"],
                    "days_late": late,
                }
            )
        result.sort(key=lambda x: (-x["days_late"], x["title"]))
        return result

    def project_summary(self, project_name):
        rows = self.db.execute(
            "SELECT t.status, COUNT(*) AS n FROM tasks t JOIN projects p ON p.id = t.project_id "
            "WHERE p.name = ? GROUP BY t.status",
            (project_name,),
        ).fetchall()
        counts = {"todo": 0, "doing": 0, "done": 0}
        for r in rows:
            counts[r["status"]] = r["n"]
        total = counts["todo"] + counts["doing"] + counts["done"]
        completion = "n/a" if total == 0 else int(counts["done"] * 100 / total)
        overdue = len(self.overdue_report(project_name))
        if overdue > 3 or (completion != "n/a" and completion < 25):
            health = "red"
        elif overdue > 0:
            health = "amber"
        else:
            health = "green"
        return {
            "project": project_name,
            "counts": counts,
            "total": total,
            "completion": completion,
            "overdue": overdue,
            "health": health,
        }

    def workload(self):
        rows = self.db.execute(
            "SELECT u.username AS username, COUNT(t.id) AS n FROM tasks t "
            "LEFT JOIN users u ON u.id = t.assignee_id WHERE t.status != 'done' "
            "GROUP BY u.username"
        ).fetchall()
        result = {}
        for r in rows:
            name = r["username"].lower() if r["username"] else "nobody"
            if r["n"] >= 8:
                label = "overloaded"
            elif r["n"] >= 4:
                label = "busy"
            else:
                label = "ok"
            result[name] = {"open": r["n"], "load": label}
        return result

    def send_reminders(self, dry_run="no"):
        overdue = self.overdue_report()
        by_person = {}
        for task in overdue:
            if task["assignee"] is None:
                continue
            by_person.setdefault(task["assignee"], []).append(task)
        count = 0
        for person in sorted(by_person):
            tasks = sorted(by_person[person], key=lambda t: (t["due_date"], t["id"]))
            msg = EmailMessage()
            msg["From"] = SENDER
            msg["To"] = person + "@" + MAIL_DOMAIN
            msg["Subject"] = "[TaskForge] " + str(len(tasks)) + " overdue task(s)"
            lines = ["Hello " + person + ",", "", "These tasks are past their due date:"]
            for t in tasks:
                lines.append("- " + t["title"] + " (due " + t["due_date"] + ")")
            lines.append("")
            lines.append("-- TaskForge")
            msg.set_content("\n".join(lines))
            if dry_run == "yes":
                continue
            server = smtplib.SMTP(SMTP_HOST, SMTP_PORT)
            server.send_message(msg)
            server.quit()
            self.sent.append(msg)
            count += 1
        return count

    def render_overdue_text(self, rows):
        if not rows:
            return "Nothing is overdue."
        out = str(len(rows)) + " overdue:\n"
        for r in rows:
            who = r["assignee"] if r["assignee"] else "unassigned"
            out += "* " + r["title"] + " [" + r["project"] + "] " + str(r["days_late"]) + "d late, "
            out += who + "\n"
        return out.rstrip("\n")
