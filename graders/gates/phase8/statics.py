"""Reading the refactored reports package's source: how the code is split (R4, static part).

These checks can only add findings; whether the package behaves like the legacy module is
judged by running it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

# SQL in capitals anywhere, or a string that starts like a statement in any case ("select
# ... from"); English sentences ("please update your settings") are not taken for SQL.
SQL_TEXT = re.compile(
    r"\b(SELECT\b[\s\S]*\bFROM|INSERT\s+INTO|UPDATE\b[\s\S]*\bSET|DELETE\s+FROM)\b"
)
SQL_START = re.compile(
    r"^\s*(select\s[\s\S]*\sfrom\s|insert\s+into\s|update\s+\w+\s+set\s|delete\s+from\s)",
    re.IGNORECASE,
)
SQL_WORD = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|FROM|JOIN|LIKE|ORDER BY|GROUP BY|VALUES|SET)\b"
)


def is_sql(text: str) -> bool:
    return bool(SQL_TEXT.search(text) or SQL_START.match(text))


FILE_READERS = {"open", "read_text", "read_bytes", "load", "loads", "read", "read_file"}
SETTINGS_MODULES = ("tomllib", "tomli", "configparser", "json", "yaml", "dotenv")

Problem = tuple[str, str, str, str]  # checked, got, expected, why


def _parse(folder: Path, shown: str) -> tuple[dict[str, ast.Module], Problem | None]:
    parsed = {}
    for path in sorted(folder.rglob("*.py")):
        name = str(path.relative_to(folder))
        try:
            parsed[name] = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError) as exc:
            return {}, (f"parse {shown}/{name}", str(exc), "valid Python", "")
    return parsed, None


def _strings(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            found.append("".join(v.value for v in node.values if isinstance(v, ast.Constant)))
    return found


def formatted_sql(tree: ast.AST) -> int | None:
    """The line of SQL text built with an f-string, % or .format(), if any."""
    for node in ast.walk(tree):
        text = None
        if isinstance(node, ast.JoinedStr) and any(
            isinstance(v, ast.FormattedValue) for v in node.values
        ):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            if isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
                text = node.left.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and isinstance(node.func.value, ast.Constant)
            and isinstance(node.func.value.value, str)
        ):
            text = node.func.value.value
        if text and (SQL_WORD.search(text) or is_sql(text)):
            return node.lineno
    return None


def _imports(tree: ast.AST, names: tuple[str, ...]) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in names for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in names:
            return True
    return False


def reuses_legacy(tree: ast.AST) -> int | None:
    """The line where the package imports the legacy module, if it does."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any("reports_before" in a.name for a in node.names):
            return node.lineno
        if isinstance(node, ast.ImportFrom) and (
            "reports_before" in (node.module or "")
            or any(a.name == "reports_before" for a in node.names)
        ):
            return node.lineno
    return None


def reads_settings(tree: ast.AST) -> bool:
    """Reads the environment, or a settings file."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            return True
        if isinstance(node, ast.Name) and node.id in ("environ", "getenv"):
            return True
    if not _imports(tree, SETTINGS_MODULES) and not _imports(tree, ("pathlib",)):
        return any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "open"
            for n in ast.walk(tree)
        )
    return any(
        isinstance(n, ast.Call)
        and (
            (isinstance(n.func, ast.Attribute) and n.func.attr in FILE_READERS)
            or (isinstance(n.func, ast.Name) and n.func.id == "open")
        )
        for n in ast.walk(tree)
    )


def split_problems(folder: Path, shown: str) -> tuple[Problem | None, str]:
    """The first way the package fails to split the legacy code, or (None, a summary)."""
    modules, problem = _parse(folder, shown)
    if problem:
        return problem, ""
    real = {
        name: tree
        for name, tree in modules.items()
        if not name.endswith("__init__.py")
        and any(isinstance(n, ast.FunctionDef | ast.ClassDef) for n in ast.walk(tree))
    }
    if len(real) < 3:
        found = ", ".join(sorted(real)) or "none"
        return (
            f"the modules of {shown}/",
            f"{len(real)} module(s) with functions or classes: {found}",
            "at least three (for example a repository, the rules, an e-mail service, a facade)",
            "",
        ), ""
    for name, tree in modules.items():
        line = reuses_legacy(tree)
        if line is not None:
            return (
                f"{shown}/{name}, line {line}",
                "it imports the legacy module reports_before",
                "a package that stands on its own: the legacy module stays only as the 'before'",
                "subclassing or wrapping the old class keeps its structure (and its bugs)",
            ), ""
    with_sql = sorted(n for n, t in modules.items() if any(is_sql(s) for s in _strings(t)))
    both = [n for n in with_sql if _imports(modules[n], ("smtplib", "email"))]
    if both:
        return (
            f"{shown}/{both[0]}",
            "it holds SQL and also builds or sends e-mail",
            "storage and e-mail in different modules",
            "each module has one reason to change",
        ), ""
    for name, tree in modules.items():
        line = formatted_sql(tree)
        if line is not None:
            return (
                f"{shown}/{name}, line {line}",
                "SQL text built with an f-string, % or .format()",
                "values passed as parameters (?), never pasted into SQL",
                "the refactor is where the legacy module's SQL injection gets fixed",
            ), ""
    if not any(reads_settings(tree) for tree in modules.values()):
        return (
            f"where {shown}/ gets its settings",
            "nothing reads os.environ, os.getenv or a settings file",
            "settings (SMTP host, sender, database) from the environment or a file, with the "
            "old values as defaults",
            "hard-coded configuration was one of the legacy module's problems",
        ), ""
    sql = ", ".join(with_sql) or "none"
    return None, f"{len(real)} modules; SQL in {sql}; no e-mail there; settings from outside"
