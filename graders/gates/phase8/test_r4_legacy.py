"""Gate R4: the legacy module is kept, the refactor behaves like it (the SQL injection fixed),
the learner's characterisation tests pin its behaviour, and the code is split into modules.

Behaviour first: the gate plays its own generated cases on the refactored ReportCenter and
compares every answer and every e-mail with the legacy module's (the course's copy, run by
the judge). Then it runs the learner's characterisation tests: on both versions, on the
legacy class with its methods emptied, and on the legacy module with one behaviour changed
at a time. Each run happens in a fresh child process inside the sandbox. The static checks
read the refactored package's files.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import os
import shutil
import sys
import tempfile
import types
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from graders.gates.phase8 import legacy_cases, legacy_inputs
from graders.gates.phase8.actkit import describe_error, in_child, use_standard_streams, where
from graders.gates.phase8.fixtures import (  # noqa: F401 - fixtures used by name
    Once,
    _gate_sandbox,
    gate_fixture,
    note_fixture,
    target_dir_fixture,
)
from graders.gates.phase8.judge import failure, short
from graders.gates.phase8.legacy import (
    BEFORE,
    BEFORE_SHA256,
    INJECTION_FIXED,
    KEPT_WHEN_GUTTED,
    LEGACY,
    MIN_CAUGHT,
    MIN_TESTS,
    MUTANTS,
    TESTS,
    find_refactor,
    version_of,
)
from graders.gates.phase8.statics import split_problems
from graders.harness import GradeFailure, Learner

pytestmark = pytest.mark.requirement("R4")
RUN_TIMEOUT = 120.0


# -- acts (run in the sandbox) --------------------------------------------------------------
def play_cases(tf: Any, workdir: str, package: str, cases: list[dict]) -> dict[str, Any]:
    """Each case on the refactored ReportCenter(db_path), in a child process."""
    use_standard_streams()
    return in_child(_play_cases, tf.__name__, workdir, package, cases, timeout=RUN_TIMEOUT)


def _play_cases(name: str, workdir: str, package: str, cases: list[dict]) -> dict[str, Any]:
    mailbox = legacy_cases.Mailbox()
    legacy_cases.install_recording_smtp(mailbox)
    folder = os.path.dirname(sys.modules[name].__file__ or "")
    try:
        module = importlib.import_module(f"{name}.legacy.{package}")
        make = module.ReportCenter
    except Exception as exc:  # noqa: BLE001 - reported to the learner
        error = f"import {LEGACY}/{package}: {describe_error(exc)}"
        return {"error": error, "at": where(exc, folder)}
    today = date.today()
    outcomes = []
    for case in cases:
        path = os.path.join(workdir, "r4-case.sqlite")
        if os.path.exists(path):
            os.remove(path)
        legacy_cases.build_database(path, case, today)
        mailbox.messages = []
        outcomes.append(legacy_cases.play(make, path, case, mailbox, folder))
    after = date.today().isoformat()
    return {"today": today.isoformat(), "today_after": after, "outcomes": outcomes}


def run_suites(tf: Any, workdir: str, changes: list[list[str]]) -> dict[str, Any]:
    """The learner's characterisation tests, once per change (each in a fresh child):
    ["none"] runs every test; ["gutted"] and ["replace", old, new] run the "before" tests on a
    changed copy of the legacy module."""
    use_standard_streams()
    package = Path(tf.__file__).resolve().parent
    if not (package / TESTS).is_file():
        return {"missing": True}
    runs = [
        in_child(_one_suite, tf.__name__, str(package), workdir, change, timeout=RUN_TIMEOUT)
        for change in changes
    ]
    return {"runs": runs}


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


def _gutted(source: str) -> str:
    """The legacy module with every ReportCenter method but __init__ and close emptied."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "ReportCenter":
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name not in KEPT_WHEN_GUTTED:
                    item.body = [ast.Return(ast.Constant(None))]
    return ast.unparse(tree)


def _one_suite(name: str, package: str, workdir: str, change: list[str]) -> dict[str, Any]:
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    if change[0] != "none":
        path = Path(package) / BEFORE
        source = path.read_text(encoding="utf-8")
        if change[0] == "gutted":
            source = _gutted(source)
        elif source.count(change[1]) != 1:
            return {"error": f"the change cannot be made: {change[1]!r} is not in {BEFORE}"}
        else:
            source = source.replace(change[1], change[2])
        module_name = f"{name}.legacy.reports_before"
        module = types.ModuleType(module_name)
        module.__file__ = str(path)
        exec(compile(source, str(path), "exec"), module.__dict__)  # noqa: S102
        sys.modules[module_name] = module
        importlib.import_module(f"{name}.legacy").reports_before = module
    ini = Path(tempfile.mkdtemp(dir=workdir)) / "gate-pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    recorder = Recorder()
    args = [str(Path(package) / TESTS), "-q", "-p", "no:cacheprovider", "-c", str(ini)]
    args += ["--rootdir", str(Path(package).parent), "-W", "ignore::DeprecationWarning"]
    if change[0] != "none":
        args += ["-k", "before"]
    if change[0] == "replace":
        args += ["-x"]  # one failing test is enough to notice the change
    # Tests' tmp_path in memory when it can be: their databases need no disk syncs.
    scratch = "/dev/shm" if os.access("/dev/shm", os.W_OK) else workdir
    base = tempfile.mkdtemp(dir=scratch, prefix="gate-r4-")
    try:
        code = pytest.main([*args, "--basetemp", base], plugins=[recorder])
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return {"exit": int(code), "outcomes": recorder.outcomes, "errors": recorder.errors}


# -- judging (trusted side) -----------------------------------------------------------------
def _by_version(outcomes: dict[str, str]) -> dict[str | None, dict[str, str]]:
    grouped: dict[str | None, dict[str, str]] = {"before": {}, "after": {}, None: {}}
    for nodeid, outcome in outcomes.items():
        base, version = version_of(nodeid)
        grouped[version][base] = outcome
    return grouped


def _not_run(why: str) -> None:
    raise GradeFailure(f"Not run:  {why}")


@pytest.fixture(scope="module")
def _refactor_once(target_dir: Path) -> Once:
    return Once(lambda: _refactor(target_dir))


@pytest.fixture
def refactor(_refactor_once: Once, request: pytest.FixtureRequest) -> str:
    """The refactored package's name inside legacy/ (reports, reporting, ...)."""
    return _refactor_once.get(request)


def _refactor(target_dir: Path) -> str:
    found, problem = find_refactor(target_dir)
    if found is None:
        raise failure(
            f"the refactored package inside {LEGACY}/ of your TaskForge folder",
            problem,
            f"one package in {LEGACY}/ (the reference calls it reports/) that provides "
            "ReportCenter (CONTRACT.md, section 6)",
        )
    return found


def _suites(gate: Learner, changes: list[list[str]]) -> list[dict[str, Any]]:
    """The learner's tests run once per change (see run_suites), each run's report."""
    timeout = RUN_TIMEOUT * len(changes) + 30
    call = f"python -m pytest {TESTS}" + (f", {len(changes)} times" if len(changes) > 1 else "")
    outcome = gate.run(run_suites, str(gate.workdir), changes, call=call, timeout=timeout)
    report = outcome.value("pytest to run the characterisation tests")
    if report.get("missing"):
        raise failure(
            f"{TESTS} inside your TaskForge folder",
            "no such file",
            "your characterisation tests at exactly that path (CONTRACT.md, section 6)",
        )
    runs = report["runs"]
    for run, change in zip(runs, changes, strict=True):
        problem = run.get("error") or (run.get("errors") or [None])[0]
        if problem:
            shown = "as it is" if change[0] == "none" else f"with a changed {BEFORE}"
            raise failure(
                f"python -m pytest {TESTS} ({shown})",
                short(problem, 700),
                "the test file imports, collects and runs without errors",
            )
    return runs


@pytest.fixture(scope="module")
def _full_once(gate: Learner) -> Once:
    return Once(lambda: _suites(gate, [["none"]])[0])


@pytest.fixture
def full_run(_full_once: Once, request: pytest.FixtureRequest) -> dict[str, Any]:
    return _full_once.get(request)


@pytest.fixture(scope="module")
def _changed_once(gate: Learner, _full_once: Once) -> Once:
    def run() -> dict[str, Any]:
        if _full_once.error is not None:
            _not_run("your characterisation tests could not run (see the check above)")
        changes = [["gutted"], ["replace", *INJECTION_FIXED[1:]]]
        changes += [["replace", old, new] for _what, old, new in MUTANTS]
        runs = _suites(gate, changes)
        return {"gutted": runs[0], "injection": runs[1], "mutants": runs[2:]}

    return Once(run)


@pytest.fixture
def changed_runs(_changed_once: Once, request: pytest.FixtureRequest) -> dict[str, Any]:
    return _changed_once.get(request)


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
            "the legacy module unchanged: refactor in a new package, never in the original",
            "if the 'before' changes, passing tests no longer show that behaviour was kept",
        )
    note(f"{BEFORE} matches the course's legacy module")


def _compare(gate: Learner, package: str, cases: list[dict]) -> tuple[date, list[dict]]:
    call = f"ReportCenter(db_path) of {LEGACY}/{package} on {len(cases)} cases"
    for _attempt in range(2):  # once more if the date changed while it ran (midnight)
        outcome = gate.run(
            play_cases, str(gate.workdir), package, cases, call=call, timeout=RUN_TIMEOUT + 30
        )
        report = outcome.value("the refactored ReportCenter to answer")
        if report.get("error"):
            at = f" ({report['at']})" if report.get("at") else ""
            raise failure(call, report["error"] + at, "the package imports and ReportCenter works")
        if report["today"] == report["today_after"]:
            break
    return date.fromisoformat(report["today"]), report["outcomes"]


def _same_results(got: dict, expected: dict) -> str | None:
    comparable = {
        **got,
        "results": [
            {"raised": r["raised"]} if isinstance(r, dict) and "raised" in r else r
            for r in got["results"]
        ],
    }
    wanted = {
        **expected,
        "results": [
            {"raised": r["raised"]} if isinstance(r, dict) and "raised" in r else r
            for r in expected["results"]
        ],
    }
    return legacy_cases.difference(wanted, comparable)


def _smaller(gate: Learner, package: str, case: dict, today: date, folder: str) -> dict:
    """A smaller case that still shows the difference (fewer calls, then fewer tasks)."""
    candidates = [{**case, "calls": [call]} for call in case["calls"]]
    for _ in range(3):
        if not candidates:
            break
        _, outcomes = _compare(gate, package, candidates)
        failing = [
            c
            for c, got in zip(candidates, outcomes, strict=True)
            if _same_results(got, legacy_cases.oracle(c, today, folder))
        ]
        if not failing:
            break
        case = failing[0]
        candidates = [
            {**case, "tasks": case["tasks"][:i] + case["tasks"][i + 1 :]}
            for i in range(len(case["tasks"]))
        ]
    return case


def test_the_refactor_behaves_like_the_legacy_module(gate, refactor, note, tmp_path):
    """The refactored ReportCenter answers and mails like the legacy one (injection fixed)

    On the gate's own generated cases, with project names taken literally.
    """
    cases = legacy_inputs.generate()
    today, outcomes = _compare(gate, refactor, cases)
    for case, got in zip(cases, outcomes, strict=True):
        expected = legacy_cases.oracle(case, today, str(tmp_path))
        if _same_results(got, expected) is None:
            continue
        small = _smaller(gate, refactor, case, today, str(tmp_path))
        _, (small_got,) = _compare(gate, refactor, [small])
        small_expected = legacy_cases.oracle(small, today, str(tmp_path))
        problem = _same_results(small_got, small_expected) or _same_results(got, expected)
        raised = [r for r in small_got["results"] if isinstance(r, dict) and r.get("at")]
        if raised:
            problem += f" (raised at {raised[0]['at']})"
        raise failure(
            f"{LEGACY}/{refactor}: ReportCenter(db_path).handle(...) on this case\n"
            + legacy_cases.describe(small, today),
            short(problem, 900),
            "the same results and the same e-mail as the legacy module, except that a project "
            "name with an apostrophe (or SQL in it) is taken literally",
            "a refactor changes the structure, never the behaviour; the one intended change "
            "is the injection fix",
        )
    calls = sum(len(c["calls"]) for c in cases)
    note(f"{len(cases)} generated cases ({calls} calls): every answer and e-mail as the legacy")


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


def test_each_test_checks_something(full_run, changed_runs, note):
    """At least 8 tests fail when the legacy class's methods are emptied

    A test that still passes on an empty class checks nothing.
    """
    full = _by_version(full_run["outcomes"])["before"]
    passing = {b for b, o in full.items() if o == "passed"}
    gutted = _by_version(changed_runs["gutted"]["outcomes"])["before"]
    noticing = sorted(b for b, o in gutted.items() if o == "failed" and b in passing)
    idle = sorted(b for b, o in gutted.items() if o == "passed")
    if len(noticing) < MIN_TESTS:
        raise failure(
            f"the 'before' tests of {TESTS}, run on the legacy class with every method but "
            "__init__ and close emptied (returning None)",
            f"{len(noticing)} test(s) fail, {len(idle)} still pass"
            + (f", e.g. {short(idle[:4])}" if idle else ""),
            f"at least {MIN_TESTS} tests that fail: a test that passes on an empty class "
            "checks nothing",
            "each test should call the code and compare what it returns or sends",
        )
    extra = f"; {len(idle)} pass on it anyway: {short(idle[:3])}" if idle else ""
    note(f"{len(noticing)} tests fail on the emptied class{extra}")


def test_the_tests_notice_changed_behaviour(changed_runs, note):
    """The tests notice the injection fix and at least 16 of 21 other changes to the legacy"""
    caught = [
        what
        for (what, _, _), run in zip(MUTANTS, changed_runs["mutants"], strict=True)
        if _noticed(run)
    ]
    missed = [what for what, _, _ in MUTANTS if what not in caught]
    injection = _noticed(changed_runs["injection"])
    if not injection or len(caught) < MIN_CAUGHT:
        got = []
        if not injection:
            got.append(f"your 'before' tests still pass when {INJECTION_FIXED[0]}")
        if len(caught) < MIN_CAUGHT:
            got.append(f"{len(caught)} of {len(MUTANTS)} changes noticed; not: {'; '.join(missed)}")
        raise failure(
            f"{len(MUTANTS) + 1} small changes to {BEFORE}, one at a time, with the 'before' tests",
            "; and ".join(got),
            f"the injection change noticed (a test that records, on 'before', that a project "
            f"name with an apostrophe breaks the query or a crafted one returns other projects' "
            f"tasks), and at least {MIN_CAUGHT} of the {len(MUTANTS)} others",
            "characterisation tests pin what the code does, odd parts included; compare whole "
            "results (a golden master) on many inputs rather than a few fields",
        )
    text = f"the injection fix and {len(caught)} of {len(MUTANTS)} other changes noticed"
    note(text + (f"; not noticed: {'; '.join(missed)}" if missed else ""))


def _noticed(run: dict[str, Any]) -> bool:
    grouped = _by_version(run.get("outcomes", {}))
    return any(outcome == "failed" for outcome in grouped["before"].values())


def test_the_refactor_is_split_into_modules(target_dir, refactor, note):
    """The refactored package is split: 3+ modules, SQL apart from e-mail, settings outside

    Also: no SQL pasted together from values, and the legacy module not reused.
    """
    problem, summary = split_problems(target_dir / LEGACY / refactor, f"{LEGACY}/{refactor}")
    if problem is not None:
        raise failure(*problem)
    note(summary)
