"""Gate R4: the legacy module is kept, pinned by characterisation tests that pass on it and on
the refactored package, and the refactor really splits the code into modules.

The gate runs the learner's own characterisation tests (pytest, inside the sandbox) three
ways: on both versions, then on the legacy module with one behaviour changed at a time, to
see that the tests notice. The static checks read the refactored package's files.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import os
import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from graders.gates.phase8.actkit import use_standard_streams
from graders.gates.phase8.fixtures import (  # noqa: F401 - fixtures used by name
    _gate_sandbox,
    gate_fixture,
    note_fixture,
    target_dir_fixture,
)
from graders.gates.phase8.judge import failure, short
from graders.gates.phase8.legacy import (
    AFTER,
    BEFORE,
    BEFORE_SHA256,
    MIN_CAUGHT,
    MIN_TESTS,
    MUTANTS,
    TESTS,
    version_of,
)
from graders.harness import Learner

pytestmark = pytest.mark.requirement("R4")

SQL_TEXT = re.compile(
    r"\b(SELECT\b[\s\S]*\bFROM|INSERT\s+INTO|UPDATE\b[\s\S]*\bSET|DELETE\s+FROM)\b"
)
SQL_WORD = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|FROM|JOIN|LIKE|ORDER BY|GROUP BY|VALUES|SET|AND|OR)\b"
)


# -- the act (runs in the sandbox) --------------------------------------------------------
class Recorder:
    """A pytest plugin that keeps each test's outcome as plain data."""

    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}
        self.errors: list[str] = []

    def pytest_runtest_logreport(self, report: Any) -> None:
        previous = self.outcomes.get(report.nodeid, "passed")
        if report.failed:
            self.outcomes[report.nodeid] = "failed"
        elif report.skipped and previous == "passed":
            self.outcomes[report.nodeid] = "skipped"
        else:
            self.outcomes.setdefault(report.nodeid, previous)

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.errors.append(f"{report.nodeid}: {str(report.longrepr)[-700:]}")


def run_characterisation(tf: Any, workdir: str, mutant: list[str] | None) -> dict[str, Any]:
    """pytest on the package's legacy/test_characterisation.py; with a mutant, only the
    "before" tests run, on a copy of reports_before.py with one piece of text replaced."""
    use_standard_streams()
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    package = Path(tf.__file__).resolve().parent
    test_file = package / TESTS
    if not test_file.is_file():
        return {"missing": True}
    if mutant is not None:
        path = package / BEFORE
        source = path.read_text(encoding="utf-8")
        if source.count(mutant[0]) != 1:
            return {"error": f"the change cannot be made: {mutant[0]!r} is not in {BEFORE}"}
        name = "taskforge.legacy.reports_before"
        module = types.ModuleType(name)
        module.__file__ = str(path)
        exec(compile(source.replace(mutant[0], mutant[1]), str(path), "exec"), module.__dict__)
        sys.modules[name] = module
        importlib.import_module("taskforge.legacy").reports_before = module
    ini = Path(workdir) / "gate-pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    recorder = Recorder()
    args = [str(test_file), "-q", "-p", "no:cacheprovider", "-c", str(ini)]
    args += ["--rootdir", str(package.parent), "-W", "ignore::DeprecationWarning"]
    if mutant is not None:
        args += ["-k", "before"]
    code = pytest.main(args, plugins=[recorder])
    return {"exit": int(code), "outcomes": recorder.outcomes, "errors": recorder.errors}


# -- judging (trusted side) ---------------------------------------------------------------
def _by_version(outcomes: dict[str, str]) -> dict[str | None, dict[str, str]]:
    grouped: dict[str | None, dict[str, str]] = {"before": {}, "after": {}, None: {}}
    for nodeid, outcome in outcomes.items():
        base, version = version_of(nodeid)
        grouped[version][base] = outcome
    return grouped


def _run(gate: Learner, mutant: list[str] | None, call: str) -> dict[str, Any]:
    outcome = gate.run(run_characterisation, str(gate.workdir), mutant, call=call, timeout=240)
    report = outcome.value("pytest to run the characterisation tests")
    if report.get("missing"):
        raise failure(
            f"{TESTS} inside your TaskForge folder",
            "no such file",
            "your characterisation tests at exactly that path (CONTRACT.md, section 6)",
        )
    if report.get("error"):
        raise failure(call, report["error"], f"{BEFORE} as the course gave it")
    if report.get("errors"):
        raise failure(
            f"pytest collecting {TESTS}",
            short(report["errors"][0], 700),
            "the test file imports and collects without errors",
        )
    return report


@pytest.fixture(scope="module")
def full_run(gate: Learner) -> dict[str, Any]:
    return _run(gate, None, f"python -m pytest {TESTS} (both versions)")


def test_the_legacy_module_is_kept_unchanged(target_dir, note):
    """legacy/reports_before.py is still there, exactly as the course gave it"""
    path = target_dir / BEFORE
    if not path.is_file():
        raise failure(
            f"{BEFORE} inside your TaskForge folder",
            "no such file",
            "the legacy module kept as the 'before' (copy it back from the course files)",
            "characterisation tests prove that the refactor behaves like the original only "
            "while the original is there to run them against",
        )
    text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != BEFORE_SHA256:
        raise failure(
            f"the contents of {BEFORE}",
            "the file differs from the course's legacy module",
            "the legacy module unchanged: refactor in legacy/reports/, never in the original",
            "if the 'before' changes, passing tests no longer show that behaviour was kept",
        )
    note(f"{BEFORE} matches the course's legacy module")


def test_characterisation_tests_pass_on_both_versions(full_run, note):
    """The characterisation tests run on both versions and all pass"""
    grouped = _by_version(full_run["outcomes"])
    before, after = grouped["before"], grouped["after"]
    if len(before) < MIN_TESTS or len(after) < MIN_TESTS:
        raise failure(
            f"the tests in {TESTS}, by version",
            f"{len(before)} run on 'before', {len(after)} on 'after' "
            f"({len(grouped[None])} without a version)",
            f"at least {MIN_TESTS} tests, each run on both versions through a fixture "
            "parametrised with the ids 'before' and 'after'",
            "CONTRACT.md, section 6, shows the fixture",
        )
    if set(before) != set(after):
        only = sorted(set(before) ^ set(after))
        raise failure(
            "which tests run on which version",
            f"{len(only)} test(s) run on one version only, e.g. {short(only[:3])}",
            "the same tests on both versions",
        )
    failed = [
        f"{base} [{version}]"
        for version, results in (("before", before), ("after", after))
        for base, outcome in results.items()
        if outcome != "passed"
    ]
    if failed:
        raise failure(
            f"python -m pytest {TESTS}",
            f"{len(failed)} test(s) did not pass: {short(failed[:4], 500)}",
            "every test passes on the legacy module and on the refactored one",
            "a failure on 'before' means the test does not describe what the old code does; "
            "on 'after', that the refactor changed behaviour",
        )
    note(f"{len(before)} tests, each passing on 'before' and on 'after'")


def test_the_tests_notice_changed_behaviour(gate, full_run, note):
    """The tests fail when the gate changes one behaviour of the legacy module"""
    caught, missed = [], []
    for what, old, new in MUTANTS:
        report = _run(gate, [old, new], f"the 'before' tests, after this change: {what}")
        grouped = _by_version(report["outcomes"])
        failed = [base for base, outcome in grouped["before"].items() if outcome == "failed"]
        (caught if failed else missed).append(what)
    if len(caught) < MIN_CAUGHT:
        raise failure(
            f"{len(MUTANTS)} small changes to {BEFORE}, one at a time",
            f"your 'before' tests still all pass after: {'; '.join(missed)}",
            f"at least {MIN_CAUGHT} of the {len(MUTANTS)} changes make some test fail",
            "characterisation tests must pin what the code does, odd parts included; "
            "compare whole results (a golden master) rather than a few fields",
        )
    text = f"{len(caught)} of {len(MUTANTS)} changes noticed"
    note(text + (f"; not noticed: {'; '.join(missed)}" if missed else ""))


# -- static checks of the refactored package ----------------------------------------------
def _modules(target_dir: Path) -> dict[str, ast.Module]:
    folder = target_dir / AFTER
    if not (folder / "__init__.py").is_file():
        raise failure(
            f"{AFTER}/ inside your TaskForge folder",
            "no such package (a folder with __init__.py)",
            "the refactored code as a package of small modules (CONTRACT.md, section 6)",
        )
    parsed = {}
    for path in sorted(folder.rglob("*.py")):
        try:
            parsed[str(path.relative_to(folder))] = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError) as exc:
            raise failure(f"parse {path.name}", str(exc), "valid Python") from None
    return parsed


def _strings(tree: ast.AST) -> list[str]:
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def _formatted_sql(tree: ast.AST) -> int | None:
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
        if text and SQL_WORD.search(text):
            return node.lineno
    return None


def _uses(tree: ast.AST, names: tuple[str, ...]) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in names for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in names:
            return True
    return False


def _reads_environment(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            return True
        if isinstance(node, ast.Name) and node.id in ("environ", "getenv"):
            return True
    return False


def test_the_refactor_is_split_into_modules(target_dir, note):
    """legacy/reports/ splits the code: 3+ modules, SQL in one, settings from the environment"""
    modules = _modules(target_dir)
    real = {
        name: tree
        for name, tree in modules.items()
        if not name.endswith("__init__.py")
        and any(isinstance(n, ast.FunctionDef | ast.ClassDef) for n in ast.walk(tree))
    }
    if len(real) < 3:
        raise failure(
            f"the modules of {AFTER}/",
            f"{len(real)} module(s) with functions or classes: {', '.join(sorted(real)) or 'none'}",
            "at least three (for example a repository, the rules, an e-mail service, a facade)",
        )
    with_sql = sorted(
        n for n, tree in modules.items() if any(SQL_TEXT.search(s) for s in _strings(tree))
    )
    if len(with_sql) > 1:
        raise failure(
            f"where {AFTER}/ keeps its SQL",
            f"SQL statements in {len(with_sql)} modules: {', '.join(with_sql)}",
            "every SQL statement in one module (the repository)",
            "one place to read, index and secure the queries",
        )
    mailing = sorted(n for n, tree in modules.items() if _uses(tree, ("smtplib",)))
    if with_sql and with_sql[0] in mailing:
        raise failure(
            f"{with_sql[0]}",
            "it holds the SQL and also sends mail (imports smtplib)",
            "storage and e-mail in different modules",
        )
    for name, tree in modules.items():
        line = _formatted_sql(tree)
        if line is not None:
            raise failure(
                f"{AFTER}/{name}, line {line}",
                "SQL text built with an f-string, % or .format()",
                "values passed as parameters (?), never pasted into SQL",
                "the refactor is where the legacy module's SQL injection gets fixed",
            )
    if not any(_reads_environment(tree) for tree in modules.values()):
        raise failure(
            f"where {AFTER}/ gets its settings",
            "nothing reads os.environ or os.getenv",
            "settings (SMTP host, sender, database) from the environment, with defaults",
            "hard-coded configuration was one of the legacy module's problems",
        )
    note(
        f"{len(real)} modules; SQL only in {with_sql[0] if with_sql else 'none'}; "
        "settings read from the environment"
    )
