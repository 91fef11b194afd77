"""The gate's own characterisation inputs for the legacy reports: generated, and replayable.

A case is plain data (it crosses into the sandbox): people, projects, tasks (due dates as
offsets from today) and a list of ``ReportCenter.handle`` calls. ``play`` builds the case's
database and runs the calls on any ReportCenter, recording each result and every e-mail
handed to ``smtplib``. The legacy module is the oracle, run on a *twin* database in which
the apostrophe in project names is replaced by a character the SQL never sees, so that the
legacy answer is the one the refactor must give once the SQL injection is fixed.
"""

from __future__ import annotations

import email
import email.policy
import functools
import sqlite3
import sys
import types
from contextlib import closing, suppress
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from graders.gates.phase8.actkit import where

TWIN = "\ue000"  # stands for an apostrophe in the oracle's twin database (private use)
SCHEMA = """
CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL DEFAULT 'editor', password_hash TEXT);
CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT,
                       owner_id INTEGER, created_at TEXT);
CREATE TABLE tasks (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, title TEXT NOT NULL,
                    description TEXT, priority INTEGER NOT NULL DEFAULT 50,
                    status TEXT NOT NULL DEFAULT 'todo', due_date TEXT, assignee_id INTEGER,
                    parent_id INTEGER, category_id INTEGER, created_at TEXT, updated_at TEXT);
"""
ORACLE_SOURCE = Path(__file__).with_name("reports_before.py")


# -- e-mail, recorded instead of sent --------------------------------------------------------
class Mailbox:
    """What left through smtplib: one dict per message, in order."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def smtp_class(self) -> type:
        box = self

        class RecordingSMTP:
            """Accepts the calls code makes on smtplib.SMTP; records messages, sends nothing."""

            def __init__(self, host: str = "", port: int = 0, *args: Any, **kwargs: Any):
                self.host, self.port = host, port

            def __enter__(self) -> RecordingSMTP:
                return self

            def __exit__(self, *exc: Any) -> None:
                return None

            def connect(self, host: str = "localhost", port: int = 0, *a: Any, **k: Any) -> tuple:
                self.host, self.port = host, port
                return (220, b"ok")

            def send_message(self, message: Any, *args: Any, **kwargs: Any) -> dict:
                box.record(self, message.as_bytes())
                return {}

            def sendmail(self, from_addr: Any, to_addrs: Any, msg: Any, *a: Any, **k: Any) -> dict:
                box.record(self, msg if isinstance(msg, bytes) else str(msg).encode("utf-8"))
                return {}

            def __getattr__(self, name: str) -> Any:  # ehlo, starttls, login, quit, close...
                return lambda *args, **kwargs: (250, b"ok")

        return RecordingSMTP

    def record(self, server: Any, raw: bytes) -> None:
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        try:
            body = parsed.get_content()
        except (KeyError, LookupError, AttributeError):
            body = str(parsed.get_payload())
        self.messages.append(
            {
                "server": f"{server.host}:{server.port}",
                "from": str(parsed.get("From")),
                "to": str(parsed.get("To")),
                "subject": str(parsed.get("Subject")),
                "body": body.rstrip("\n"),
            }
        )


# -- building and playing a case -------------------------------------------------------------
def build_database(path: str, case: dict[str, Any], today: date, twin: bool = False) -> None:
    """The case's rows in a fresh SQLite file (project names twinned for the oracle)."""
    names = [n.replace("'", TWIN) if twin else n for n in case["projects"]]
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode = MEMORY")  # a scratch file: no fsync needed
        connection.execute("PRAGMA synchronous = OFF")
        connection.executescript(SCHEMA)
        connection.executemany(
            "INSERT INTO users (id, username, password_hash) VALUES (?, ?, '!')",
            [(i + 1, name) for i, name in enumerate(case["users"])],
        )
        connection.executemany(
            "INSERT INTO projects (id, name, owner_id) VALUES (?, ?, 1)",
            [(i + 1, name) for i, name in enumerate(names)],
        )
        rows = []
        for number, (project, title, status, priority, offset, assignee) in enumerate(
            case["tasks"], start=1
        ):
            due = None if offset is None else (today + timedelta(days=offset)).isoformat()
            person = None if assignee is None else assignee + 1
            rows.append((number, project + 1, title, priority, status, due, person))
        connection.executemany(
            "INSERT INTO tasks (id, project_id, title, priority, status, due_date, assignee_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        connection.commit()


def plain(value: Any, depth: int = 0) -> Any:
    """A result as plain, comparable data (objects the legacy never returns become text)."""
    if depth > 20:
        return "<too deep>"
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, depth + 1) for v in value]
    if isinstance(value, sqlite3.Row):
        return {k: plain(value[k], depth + 1) for k in value.keys()}  # noqa: SIM118
    return f"<{type(value).__name__}>"


def untwin(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(TWIN, "'")
    if isinstance(value, dict):
        return {untwin(k): untwin(v) for k, v in value.items()}
    if isinstance(value, list):
        return [untwin(v) for v in value]
    return value


def twin_params(params: Any) -> Any:
    if isinstance(params, dict):
        return {k: v.replace("'", TWIN) if isinstance(v, str) else v for k, v in params.items()}
    return params


def play(
    make_center: Any, db_path: str, case: dict[str, Any], mailbox: Mailbox, folder: str = ""
) -> dict:
    """Run the case's calls on make_center(db_path): each call's result (or the exception it
    raised, by type) and the e-mail that went out."""
    results: list[Any] = []
    try:
        center = make_center(db_path)
    except Exception as exc:  # noqa: BLE001 - a result like any other
        return {"results": [{"raised": f"ReportCenter({db_path!r}): {_error(exc)}"}], "mail": []}
    try:
        for action, params in case["calls"]:
            try:
                results.append(plain(center.handle(action, params)))
            except Exception as exc:  # noqa: BLE001 - the legacy may raise too; compared
                at = where(exc, folder) if folder else ""
                results.append({"raised": type(exc).__name__, "message": _error(exc), "at": at})
    finally:
        with suppress(Exception):
            center.close()
    return {"results": results, "mail": list(mailbox.messages)}


def _error(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001
        text = "?"
    return f"{type(exc).__name__}: {text}"[:300]


# -- the oracle: the course's legacy module (trusted code) -----------------------------------
@functools.lru_cache(maxsize=64)
def _compiled(source: str | None) -> types.CodeType:
    text = source if source is not None else ORACLE_SOURCE.read_text(encoding="utf-8")
    return compile(text, str(ORACLE_SOURCE), "exec")


class _FixedDate(date):
    fixed: date = date.today()

    @classmethod
    def today(cls) -> date:  # type: ignore[override]
        return cls.fixed


def oracle(
    case: dict[str, Any], today: date, folder: str, source: str | None = None
) -> dict[str, Any]:
    """What the legacy module (or a changed copy: source) does with the case, on its twin."""
    module = types.ModuleType("gate_reports_before")
    exec(_compiled(source), module.__dict__)  # noqa: S102 - the course's code, or a copy
    mailbox = Mailbox()
    clock = type("Today", (_FixedDate,), {"fixed": today})
    module.__dict__["date"] = clock
    module.__dict__["smtplib"] = types.SimpleNamespace(SMTP=mailbox.smtp_class())
    path = Path(folder) / "oracle.sqlite"
    path.unlink(missing_ok=True)
    build_database(str(path), case, today, twin=True)
    twinned = {**case, "calls": [[a, twin_params(p)] for a, p in case["calls"]]}
    outcome = play(module.ReportCenter, str(path), twinned, mailbox)
    return untwin(outcome)


def difference(expected: dict[str, Any], got: dict[str, Any]) -> str | None:
    """The first way got differs from expected, in words; None when they agree."""
    for number, (want, have) in enumerate(
        zip(expected["results"], got["results"], strict=False), start=1
    ):
        if want != have:
            return f"call {number}: the legacy module returns {want!r}; yours {have!r}"
    if len(got["results"]) != len(expected["results"]):
        return f"{len(got['results'])} results for {len(expected['results'])} calls"
    if expected["mail"] != got["mail"]:
        for number, (want, have) in enumerate(
            zip(expected["mail"], got["mail"], strict=False), start=1
        ):
            if want != have:
                return f"e-mail {number}: the legacy module sends {want!r}; yours {have!r}"
        return (
            f"the legacy module sends {len(expected['mail'])} e-mail(s); yours {len(got['mail'])}"
        )
    return None


def describe(case: dict[str, Any], today: date) -> str:
    """A case in a few lines, for a failure message."""
    lines = [f"today = {today.isoformat()}; people {case['users']}; projects {case['projects']}"]
    for project, title, status, priority, offset, assignee in case["tasks"]:
        due = "no due date" if offset is None else (today + timedelta(days=offset)).isoformat()
        who = "unassigned" if assignee is None else case["users"][assignee]
        lines.append(
            f"  task {title!r} in {case['projects'][project]!r}: {status}, priority "
            f"{priority}, {due}, {who}"
        )
    calls = "; ".join(f"handle({a!r}, {p!r})" for a, p in case["calls"])
    lines.append(f"calls: {calls}")
    return "\n".join(lines)


def install_recording_smtp(mailbox: Mailbox) -> None:
    """Point smtplib.SMTP (and SMTP_SSL) at the recorder, before the refactor is imported."""
    import smtplib

    smtplib.SMTP = mailbox.smtp_class()  # type: ignore[misc]
    smtplib.SMTP_SSL = smtplib.SMTP  # type: ignore[misc]
    sys.modules["smtplib"] = smtplib
