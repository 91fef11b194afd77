"""No SQL text is built by interpolating values: a static check of the package source.

This is the static half of the Phase 7 gate's "every SQL statement parameterised" check
(the behavioural half sends injection payloads). It flags:

A. anywhere in the package, an f-string with a replacement field, a %-format or a
   .format() call whose literal text contains an upper-case SQL keyword;
B. a call to execute / executemany / executescript whose SQL argument is a string
   concatenation involving anything other than string literals.

Composing SQL from fixed fragments (as the reference's listing query does) passes; so would
a concatenation outside an execute() call, which is why the behavioural probes exist too.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SQL_METHODS = {"execute", "executemany", "executescript"}
SQL_WORD = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|FROM|JOIN|LIKE|ORDER BY|GROUP BY|VALUES|SET|AND|OR)\b"
)


def literal_text(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(literal_text(part) for part in node.values)
    return ""


def is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    return isinstance(node, ast.BinOp) and is_literal(node.left) and is_literal(node.right)


def interpolates_sql(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        has_field = any(isinstance(part, ast.FormattedValue) for part in node.values)
        return has_field and bool(SQL_WORD.search(literal_text(node)))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return bool(SQL_WORD.search(literal_text(node.left)))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return bool(SQL_WORD.search(literal_text(node.func.value)))
    return False


def concatenated_execute(node: ast.AST) -> bool:
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in SQL_METHODS
        and node.args
    ):
        return False
    sql = node.args[0]
    return isinstance(sql, ast.BinOp) and isinstance(sql.op, ast.Add) and not is_literal(sql)


def offending_lines(package: Path) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if interpolates_sql(node) or concatenated_execute(node):
                found.append(f"{path.relative_to(package.parent)}:{node.lineno}")
    return found


def test_reference_builds_no_sql_from_values():
    assert offending_lines(ROOT / "taskforge") == []


@pytest.mark.starter
def test_starter_does_and_the_check_notices():
    flagged = offending_lines(ROOT / "exercises" / "taskforge")
    assert len(flagged) >= 4, flagged  # login, search, ordering, update
    assert all("store.py" in spot for spot in flagged)


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('db.execute(f"SELECT * FROM t WHERE a = {x}")', True),
        ("sql = f\" AND title LIKE '%{term}%'\"", True),
        ('db.execute("SELECT * FROM t WHERE a = %s" % x)', True),
        ('q = "DELETE FROM t WHERE a = {}".format(x)', True),
        ('db.execute("SELECT * FROM t WHERE a = " + x)', True),
        ('db.execute("SELECT * FROM t WHERE a = ?", (x,))', False),
        ('db.execute("SELECT * " "FROM t")', False),
        ('db.execute("SELECT * " + "FROM t")', False),
        ('raise ValueError(f"task {task_id} does not exist")', False),
        ('db.execute(f"SELECT 1")', False),
    ],
)
def test_the_check_itself(tmp_path, source, flagged):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "probe.py").write_text(source + "\n", encoding="utf-8")
    assert bool(offending_lines(package)) is flagged
