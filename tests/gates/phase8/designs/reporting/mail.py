"""Reminder e-mails: composed from the overdue rows, sent over SMTP."""

import smtplib
from email.message import EmailMessage


def reminder(person, tasks, settings):
    tasks = sorted(tasks, key=lambda t: (t["due_date"], t["id"]))
    message = EmailMessage()
    message["From"] = settings["sender"]
    message["To"] = person + "@" + settings["mail_domain"]
    message["Subject"] = f"[TaskForge] {len(tasks)} overdue task(s)"
    body = [f"Hello {person},", "", "These tasks are past their due date:"]
    body += [f"- {t['title']} (due {t['due_date']})" for t in tasks]
    body += ["", "-- TaskForge"]
    message.set_content("\n".join(body))
    return message


def send(message, settings):
    server = smtplib.SMTP(settings["smtp_host"], settings["smtp_port"])
    server.send_message(message)
    server.quit()
