"""What the grader files say about a test: its source code and its visibility metadata."""

from __future__ import annotations

import ast
import functools
import textwrap
from pathlib import Path

from graders.paths import GRADERS_DIR

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


@functools.lru_cache(maxsize=256)
def _parse(path: Path) -> tuple[str, ast.Module] | None:
    try:
        source = path.read_text(encoding="utf-8")
        return source, ast.parse(source)
    except (OSError, SyntaxError, ValueError):
        return None


def _grader_file(test_id: str) -> Path:
    return GRADERS_DIR / test_id.split("::")[0]


def _function(tree: ast.Module, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    bare = name.split("[")[0]
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == bare:
            return node
    return None


def test_code(test_id: str, name: str) -> str | None:
    """The body of the grader test (without its docstring), as the learner would read it."""
    parsed = _parse(_grader_file(test_id))
    if parsed is None:
        return None
    source, tree = parsed
    node = _function(tree, name)
    if node is None:
        return None
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:] or body  # drop the docstring; it is already the test's name
    lines = source.splitlines()
    text = "\n".join(lines[body[0].lineno - 1 : body[-1].end_lineno])
    return textwrap.dedent(text).strip("\n")


def is_hidden(test_id: str) -> bool:
    """A test of a hidden grader file (graders/chNN/test_<module>_hidden.py): never shipped."""
    return test_id.split("::")[0].endswith("_hidden.py")


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def visibility(test_id: str, name: str) -> str:
    """The test's ``@pytest.mark.visibility(...)``, else the file's ``VISIBILITY``, else visible
    (after_due_date for a hidden file's tests: learners see them once the deadline is past)."""
    parsed = _parse(_grader_file(test_id))
    if parsed is None:
        return "after_due_date" if is_hidden(test_id) else "visible"
    _source, tree = parsed
    node = _function(tree, name)
    for decorator in getattr(node, "decorator_list", []):
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == "visibility"
            and decorator.args
            and _literal(decorator.args[0]) in VISIBILITIES
        ):
            return _literal(decorator.args[0]) or "visible"
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "VISIBILITY" for t in statement.targets)
            and _literal(statement.value) in VISIBILITIES
        ):
            return _literal(statement.value) or "visible"
    return "after_due_date" if is_hidden(test_id) else "visible"
