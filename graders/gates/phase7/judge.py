"""Judge-side helpers for the Phase 7 gate: read answers and databases, word the failures."""

from __future__ import annotations

import ast
import json
import re
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path
from typing import Any

from graders.harness import GradeFailure, Outcome

SHOWN = 300
SQL_WORD = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|FROM|JOIN|LIKE|ORDER BY|GROUP BY|VALUES|SET|AND|OR)\b"
)
EXECUTE_NAMES = {"execute", "executemany", "executescript"}


def failure(did: str, got: str, expected: str, why: str = "") -> GradeFailure:
    """A failure message in the gate's four parts: what was done, got, expected, why."""
    lines = [f"Did:      {did}", f"Got:      {got}", f"Expected: {expected}"]
    if why:
        lines.append(f"Why:      {why}")
    return GradeFailure("\n".join(lines))


def result(outcome: Outcome, what: str) -> dict[str, Any]:
    """The plain data an act returned; a crash, timeout or exception fails the check."""
    value = outcome.value(what)
    if not isinstance(value, dict):
        raise outcome.fail(what)
    return value


def body_of(answer: dict[str, Any]) -> Any:
    """The JSON body of a recorded answer, parsed here in the trusted process; None if not JSON."""
    try:
        return json.loads(answer.get("body") or b"")
    except (ValueError, TypeError):
        return None


def text_of(answer: dict[str, Any]) -> str:
    body = answer.get("body") or b""
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)


def clip(text: str, limit: int = SHOWN) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show_answer(answer: dict[str, Any]) -> str:
    """One line describing an answer: the request, its status and the start of the body."""
    if answer is None:
        return "no request was sent"
    if answer.get("raised"):
        return (
            f"{answer['request']} raised {clip(answer['raised'], 200)} (counts as a failed request)"
        )
    body = text_of(answer)
    return f"{answer['request']} -> {answer['status']} {clip(body, 160)}".rstrip()


def brief(answer: dict[str, Any]) -> str:
    """The request and its status only: "GET /api/users -> 200"."""
    status = "an exception" if answer.get("raised") else answer.get("status")
    return f"{answer.get('request')} -> {status}"


def step(steps: dict[str, dict[str, Any]], name: str, statuses: Iterable[int], purpose: str) -> Any:
    """The parsed body of a set-up step that must have succeeded; otherwise a failure."""
    statuses = tuple(statuses)
    answer = steps.get(name)
    if answer is None or answer.get("status") not in statuses:
        raise failure(
            f"{purpose}: {name}",
            show_answer(answer),
            f"status {' or '.join(map(str, statuses))}",
            "the check needs this step to work before it can test anything else",
        )
    return body_of(answer)


def board_ids(data: dict[str, Any], purpose: str) -> dict[str, int]:
    """The ids of the shared board (see actkit.prepare_board), failing on the first broken step."""
    steps = data.get("steps") or {}
    for name in steps:
        wanted = (200,) if name.startswith("login") else (201,)
        step(steps, name, wanted, f"Setting up for {purpose}")
    ids = data.get("ids") or {}
    missing = sorted(k for k, v in ids.items() if type(v) is not int)
    if missing:
        raise failure(
            f"Setting up for {purpose}",
            f"no integer id in the answers for {', '.join(missing)}",
            'every 201 answer to have an integer "id"',
        )
    return ids


def error_code(answer: dict[str, Any]) -> str | None:
    """error.code of a contract-shaped error body, or None when the shape is wrong."""
    body = body_of(answer)
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return None
    error = body["error"]
    if not isinstance(error.get("code"), str) or not isinstance(error.get("message"), str):
        return None
    return error["code"]


# -- the database, read with the judge's own sqlite3 ------------------------------------
def connect(path: Path | str) -> sqlite3.Connection:
    return sqlite3.connect(str(path), timeout=10)


def rows(path: Path | str, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
    """Run one query with the judge's own sqlite3; an error there fails the check."""
    try:
        with closing(connect(path)) as conn:
            return conn.execute(sql, tuple(params)).fetchall()
    except sqlite3.Error as exc:
        raise failure(
            f"read the database file the app was given (DATABASE): {clip(sql, 120)}",
            f"sqlite3 error: {exc}",
            "the tables and columns of the contract, section 4",
        ) from None


def tables(path: Path | str) -> list[str]:
    return [
        name
        for (name,) in rows(
            path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
    ]


def columns(path: Path | str, table: str) -> list[str]:
    return [row[1] for row in rows(path, "SELECT * FROM pragma_table_info(?)", (table,))]


def schema(path: Path | str) -> dict[str, list[str]]:
    """Tables and their sorted column names, without schema_migrations and sqlite_ tables."""
    return {
        name: sorted(columns(path, name))
        for name in tables(path)
        if name != "schema_migrations" and not name.startswith("sqlite_")
    }


def quoted(name: str) -> str:
    """An identifier read from the learner's database, quoted for SQL."""
    return '"' + name.replace('"', '""') + '"'


def table_rows(path: Path | str, table: str, wanted: Iterable[str] | None = None) -> list[tuple]:
    """Every row of a table (only the wanted columns that exist), in a stable order."""
    present = columns(path, table)
    chosen = [c for c in (wanted or present) if c in present]
    if not chosen:
        return []
    listed = ", ".join(quoted(c) for c in chosen)
    return sorted(rows(path, f"SELECT {listed} FROM {quoted(table)}"), key=repr)


def snapshot(path: Path | str) -> dict[str, list[tuple]]:
    """What a refused request must not change: projects, categories, tasks, events, and
    each user's name and role."""
    found = tables(path)
    shot = {}
    for name in found:
        if name in ("projects", "categories", "tasks") or "event" in name:
            shot[name] = table_rows(path, name)
    if "users" in found:
        shot["users"] = table_rows(path, "users", ("id", "username", "role"))
    return shot


def differences(before: dict[str, list], after: dict[str, list]) -> list[str]:
    changed = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, []), after.get(name, [])
        if old != new:
            added = [r for r in new if r not in old]
            removed = [r for r in old if r not in new]
            changed.append(
                f"{name}: {len(added)} row(s) added or changed, {len(removed)} removed or changed"
                + (f" (e.g. {clip(repr((added or removed)[0]), 120)})" if added or removed else "")
            )
    return changed


def copy_database(source: Path, dest: Path) -> Path:
    """A private copy of a database (sqlite's backup API handles WAL files too)."""
    try:
        with closing(connect(source)) as src, closing(connect(dest)) as dst:
            src.backup(dst)
    except sqlite3.Error as exc:
        raise failure(
            "copied the database file the app was given (DATABASE)",
            f"sqlite3 error: {exc}",
            "a readable SQLite database",
        ) from None
    return dest


# -- the static SQL check (R3.7): reads the source, never runs it ---------------------------
def literal_text(node: ast.AST) -> str:
    """The constant text of a string literal or an f-string; empty for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(literal_text(part) for part in node.values)
    return ""


def only_literals(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    return (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Add)
        and only_literals(node.left)
        and only_literals(node.right)
    )


def builds_sql_from_values(node: ast.AST) -> str:
    """Why this node interpolates values into SQL text, or an empty string."""
    if isinstance(node, ast.JoinedStr):
        if any(isinstance(p, ast.FormattedValue) for p in node.values) and SQL_WORD.search(
            literal_text(node)
        ):
            return "an f-string puts values into SQL"
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        if SQL_WORD.search(literal_text(node.left)):
            return "a %-format puts values into SQL"
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "format" and SQL_WORD.search(literal_text(node.func.value)):
            return "str.format puts values into SQL"
        sql = node.args[0] if node.args else None
        glued = isinstance(sql, ast.BinOp) and isinstance(sql.op, ast.Add)
        if node.func.attr in EXECUTE_NAMES and glued and not only_literals(sql):
            return f"{node.func.attr}() gets SQL glued together with +"
    return ""
