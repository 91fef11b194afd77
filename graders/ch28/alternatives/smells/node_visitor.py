"""Alternative: an ast.NodeVisitor that knows when it is at module level; other lines chosen.

FINDINGS points at the second line of each duplicated copy and is built from tuples; the
numbers are found by a visitor that skips a module-level CAPITALS = number assignment's
value instead of collecting exempt nodes first.
"""

from __future__ import annotations

import ast  # noqa: F401 - ast.parse, ast.walk and ast.Constant find the numbers

SMELLS = (
    "god class",
    "long method",
    "long parameter list",
    "duplicated code",
    "magic number",
    "feature envy",
    "dead code",
)

LEGACY = """\
import smtplib
import sqlite3

DB_PATH = "taskforge.db"


class TaskManager:
    def __init__(self):
        self.conn = sqlite3.connect(DB_PATH)
        self.mail = smtplib.SMTP("localhost")

    def create_task(self, title, description, priority, due, assignee, project, labels, notify):
        if not title or len(title) > 200:
            raise ValueError("bad title")
        if priority not in ("low", "medium", "high"):
            raise ValueError("bad priority")
        cur = self.conn.execute(
            "INSERT INTO tasks (title, description, priority, due, assignee, project) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (title, description, priority, due, assignee, project),
        )
        for label in labels:
            self.conn.execute("INSERT INTO labels (task_id, label) VALUES (?, ?)",
                              (cur.lastrowid, label))
        self.conn.commit()
        if notify:
            self.mail.sendmail("noreply@taskforge.dev", assignee, f"New task: {title}")
        return cur.lastrowid

    def update_title(self, task_id, title):
        if not title or len(title) > 200:
            raise ValueError("bad title")
        self.conn.execute("UPDATE tasks SET title = ? WHERE id = ?", (title, task_id))
        self.conn.commit()

    def overdue_report(self, today):
        rows = self.conn.execute("SELECT id, title, due, priority FROM tasks").fetchall()
        lines = []
        for task_id, title, due, priority in rows:
            if due is None or due >= today:
                continue
            late = (today - due) // 86400
            if priority == "high" and late > 3:
                lines.append(f"!!! {title} is {late} days late")
            elif late > 14:
                lines.append(f"{title} is {late} days late")
        return "\\n".join(lines)
        print("report built")

    def send_reminders(self, user):
        tasks = self.conn.execute("SELECT title FROM tasks WHERE assignee = ?", (user.email,))
        for (title,) in tasks:
            self.mail.sendmail("noreply@taskforge.dev", user.email, f"Reminder: {title}")

    def format_user_badge(self, user):
        name = user.first_name + " " + user.last_name
        if user.is_admin:
            name += " (admin)"
        return f"{name} <{user.email}> - {user.team}"
"""


def print_legacy() -> None:
    """Print LEGACY with its line numbers."""
    for number, line in enumerate(LEGACY.splitlines(), start=1):
        print(f"{number:3d}  {line}")


FINDINGS = {
    "magic number": (42, 43, 45, 13, 31),
    "dead code": (48,),
    "duplicated code": (32, 14),
    "feature envy": (55,),
    "long parameter list": (12,),
    "god class": (7,),
}


class _Numbers(ast.NodeVisitor):
    def __init__(self) -> None:
        self.lines: set[int] = set()

    def visit_Module(self, node: ast.Module) -> None:  # noqa: N802
        for statement in node.body:
            if (
                isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
                and statement.targets[0].id.isupper()
                and isinstance(statement.value, ast.Constant)
            ):
                continue  # the whole value of a named constant
            self.visit(statement)

    def visit_Constant(self, node: ast.Constant) -> None:  # noqa: N802
        number = not isinstance(node.value, bool) and isinstance(node.value, int | float | complex)
        if number and node.value != 0 and node.value != 1:
            self.lines.add(node.lineno)


def magic_numbers(source: str) -> list[int]:
    """The numbers of the lines of ``source`` that hold a magic number, in order, each once."""
    finder = _Numbers()
    finder.visit(ast.parse(source))
    return sorted(finder.lines)
