"""Alternative: numbers come from the tokenizer; ast only says which ones are named.

FINDINGS is written smell by smell from a list of (smell, line) pairs. magic_numbers reads
NUMBER tokens with tokenize (their lines and columns), and removes those that sit exactly
where ast says a module-level CAPITALS = number assignment keeps its value.
"""

from __future__ import annotations

import ast  # noqa: F401 - ast.parse, ast.walk and ast.Constant find the numbers
import io
import tokenize

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


_PAIRS = [
    ("god class", 7),
    ("long parameter list", 12),
    ("magic number", 13),
    ("duplicated code", 13),
    ("magic number", 31),
    ("duplicated code", 31),
    ("magic number", 42),
    ("magic number", 43),
    ("magic number", 45),
    ("dead code", 48),
    ("feature envy", 55),
]
FINDINGS: dict[str, list[int]] = {}
for _smell, _line in _PAIRS:
    FINDINGS.setdefault(_smell, []).append(_line)


def _number(text: str) -> complex:
    return (
        complex(text.replace("_", ""))
        if text[-1] in "jJ"
        else float(int(text.replace("_", ""), 0))
        if text[:2].lower() in ("0x", "0o", "0b")
        else float(text.replace("_", ""))
    )


def magic_numbers(source: str) -> list[int]:
    """The numbers of the lines of ``source`` that hold a magic number, in order, each once."""
    tree = ast.parse(source)  # SyntaxError for anything that is not Python
    named = set()
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and all(isinstance(t, ast.Name) and t.id.isupper() for t in statement.targets)
            and isinstance(statement.value, ast.Constant)
        ):
            named.add((statement.value.lineno, statement.value.col_offset))
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.NUMBER or token.start in named:
            continue
        if _number(token.string) not in (0, 1):
            lines.add(token.start[0])
    return sorted(lines)
