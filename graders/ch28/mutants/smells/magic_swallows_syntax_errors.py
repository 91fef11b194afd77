"""Mutant: Source that does not parse gives [] instead of SyntaxError."""

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


# Each smell found in LEGACY, with the line numbers it is at.
FINDINGS: dict[str, list[int]] = {
    "god class": [7],  # storage, e-mail, reports and user formatting in one class
    "long parameter list": [12],  # eight parameters besides self
    "duplicated code": [13, 31],  # the same title check in create_task and update_title
    "magic number": [13, 31, 42, 43, 45],  # 200, 200, 86400, 3 and 14
    "feature envy": [55],  # format_user_badge reads only the user's fields
    "dead code": [48],  # after the return
}


def _named_constant(node: ast.AST) -> bool:
    """A module-level assignment of a value to an ALL_CAPS name names that value."""
    return isinstance(node, ast.Assign | ast.AnnAssign) and all(
        isinstance(target, ast.Name) and target.id.isupper()
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
    )


def magic_numbers(source: str) -> list[int]:
    """The numbers of the lines of ``source`` that hold a magic number, in order, each once.

    A magic number is an int, float or complex literal other than 0 and 1 (``True`` and
    ``False`` are not numbers here, and ``-5`` holds the literal 5). A literal is not
    magic when it is the whole value of a module-level assignment to a name written in
    capitals (``TIMEOUT_S = 30``), but the same number anywhere else is. Raises
    SyntaxError when ``source`` is not valid Python.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    named = {
        id(node.value)
        for node in tree.body
        if _named_constant(node) and isinstance(node.value, ast.Constant)
    }
    lines = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and type(node.value) in (int, float, complex)
            and node.value not in (0, 1)
            and id(node) not in named
        ):
            lines.add(node.lineno)
    return sorted(lines)
