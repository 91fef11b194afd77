"""Chapter 28 exercise: spot the code smells in a piece of legacy TaskForge code.

``LEGACY`` below is a class from an old TaskForge branch. It works, and every change to it
hurts. Read it the way a reviewer would and write down which smells it has, and where: that
list is where a refactoring plan starts (Extract Class for a God Class, Introduce Parameter
Object for a long parameter list, Move Method for Feature Envy...).

Line numbers count the lines of ``LEGACY`` from 1 (``import smtplib`` is line 1); the
numbered listing is in ``print_legacy()``. Use only these smell names, each with the
line(s) to point at:

* ``"god class"``: the ``class`` line of a class that does several unrelated jobs.
* ``"long method"``: the ``def`` line of a function whose body is longer than 25 lines.
* ``"long parameter list"``: the ``def`` line of a function with more than 5 parameters,
  not counting ``self``.
* ``"duplicated code"``: one line of each copy of a block of two or more lines that is
  written out twice; give a line for both copies.
* ``"magic number"``: every line holding a number other than 0 and 1 that has no name (a
  module-level ``NAME = 86400`` would give it one).
* ``"feature envy"``: the ``def`` line of a method that works only on another object's
  data and never uses ``self``.
* ``"dead code"``: every line that can never run.

Some of these smells may not be in ``LEGACY`` at all; a smell you name where it is not
costs that smell's points, so naming every smell everywhere scores nothing.

Your tasks:

1. ``FINDINGS``: each smell you find, with its line numbers.
2. ``magic_numbers``: let a program find the magic numbers in any source.
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


# TODO (task 1): each smell you find in LEGACY, with the line numbers it is at, for example
# {"magic number": [3, 9], "dead code": [20]}. Leave out the smells you do not find.
FINDINGS: dict[str, list[int]] = {}


def magic_numbers(source: str) -> list[int]:
    """The numbers of the lines of ``source`` that hold a magic number, in order, each once.

    A magic number is an int, float or complex literal other than 0 and 1 (``True`` and
    ``False`` are not numbers here, and ``-5`` holds the literal 5). A literal is not
    magic when it is the whole value of a module-level assignment to a name written in
    capitals (``TIMEOUT_S = 30``), but the same number anywhere else is. Raises
    SyntaxError when ``source`` is not valid Python.
    """
    # TODO (task 2): ast.parse the source and walk every node; numbers are ast.Constant.
    raise NotImplementedError("magic_numbers is not written yet")
