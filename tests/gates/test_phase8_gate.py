"""The Phase 8 gate end to end: the reference passes every requirement, the starter none."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from graders.gates.phase8 import dataset
from graders.gates.phase8.legacy import BEFORE_SHA256, MUTANTS, version_of
from graders.gates.phase8.markdown import structure

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "taskforge"
STARTER = REPO / "exercises" / "taskforge"
BASELINE = REPO / "graders" / "gates" / "phase8" / "baseline"
REQUIREMENTS = ["R1", "R2", "R3", "R4"]
# A whole gate run takes minutes on a busy machine (data generation, three timed rounds,
# two dozen pytest runs of the characterisation tests): more than the default per-test limit.
pytestmark = pytest.mark.timeout(900)


def run_gate(target: Path, report: Path) -> tuple[int, dict, str]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "graders",
            "gate",
            "phase8",
            "--target",
            str(target),
            "--json",
            str(report),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return result.returncode, json.loads(report.read_text(encoding="utf-8")), result.stdout


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    return run_gate(REFERENCE, tmp_path_factory.mktemp("gate") / "reference.json")


@pytest.fixture(scope="module")
def starter_run(tmp_path_factory):
    # A copy, so that grading it does not record gate progress for the repository's learner.
    folder = tmp_path_factory.mktemp("starter") / "taskforge"
    shutil.copytree(STARTER, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return run_gate(folder, tmp_path_factory.mktemp("gate") / "starter.json")


def verdicts(report: dict) -> dict[str, bool]:
    return {r["id"]: r["passed"] for r in report["requirements"]}


def test_reference_meets_every_requirement(reference_run):
    code, report, output = reference_run
    failing = {
        r["id"]: [c for c in r["checks"] if c["outcome"] != "passed"]
        for r in report["requirements"]
        if not r["passed"]
    }
    assert code == 0, (failing, output[-3000:])
    assert verdicts(report) == dict.fromkeys(REQUIREMENTS, True)
    assert report["earned"] == report["possible"] == 100


def test_reference_report_carries_the_figures(reference_run):
    _, report, output = reference_run
    by_id = {r["id"]: r for r in report["requirements"]}
    assert "human reviewer" in by_id["R1"]["title"]
    speed = [c["message"] for c in by_id["R3"]["checks"] if "faster" in c["message"]]
    assert speed and "median" in speed[0] and "p99" in speed[0]
    from graders.gates.phase8.legacy import MIN_CAUGHT

    noticed = re.search(
        r"the injection fix and (\d+) of 21 other changes noticed", json.dumps(by_id["R4"])
    )
    assert noticed and int(noticed.group(1)) >= MIN_CAUGHT
    assert "122 generated cases" in json.dumps(by_id["R4"])
    assert "requirements hold" in output


def test_starter_fails_every_requirement_readably(starter_run):
    code, report, output = starter_run
    assert code == 1
    assert verdicts(report) == dict.fromkeys(REQUIREMENTS, False)
    assert output.count("does not hold") == len(REQUIREMENTS)
    for requirement in report["requirements"]:
        failed = [c for c in requirement["checks"] if c["outcome"] == "failed"]
        assert failed, requirement["id"]
        assert all(c["message"].startswith(("Checked:", "Not run:")) for c in failed), requirement
        assert any(c["message"].startswith("Checked:") for c in failed), requirement["id"]
        assert not [c for c in requirement["checks"] if c["outcome"] == "error"], requirement


def test_starter_fails_r3_on_speed_not_on_correctness(starter_run):
    _, report, _ = starter_run
    checks = {c["check"]: c for r in report["requirements"] if r["id"] == "R3" for c in r["checks"]}
    outcomes = sorted(c["outcome"] for c in checks.values())
    assert outcomes == ["failed", "passed", "passed"]
    failed = next(c for c in checks.values() if c["outcome"] == "failed")
    assert "10x or more" in failed["message"]


# -- the gate's own material ----------------------------------------------------------------
def test_baseline_is_the_starter_as_handed_out():
    for path in sorted(BASELINE.iterdir()):
        if path.suffix in {".py", ".sql"}:
            assert path.read_bytes() == (STARTER / path.name).read_bytes(), path.name
    code = {p.name for p in STARTER.iterdir() if p.suffix in {".py", ".sql"}}
    assert code == {p.name for p in BASELINE.iterdir() if p.suffix in {".py", ".sql"}}


def test_fingerprint_and_mutants_match_the_reference_legacy_module():
    import hashlib

    text = (REFERENCE / "legacy" / "reports_before.py").read_text(encoding="utf-8")
    assert hashlib.sha256(text.encode()).hexdigest() == BEFORE_SHA256
    for _what, old, _new in MUTANTS:
        assert text.count(old) == 1, old


@pytest.mark.parametrize(
    ("nodeid", "expected"),
    [
        ("f.py::test_a[before]", ("f.py::test_a", "before")),
        ("f.py::test_a[case2-after]", ("f.py::test_a[case2]", "after")),
        ("f.py::test_a[x]", ("f.py::test_a[x]", None)),
        ("f.py::test_a", ("f.py::test_a", None)),
        ("f.py::test_a[before-after]", ("f.py::test_a[before-after]", None)),
    ],
)
def test_versions_are_read_from_parameter_ids(nodeid, expected):
    assert version_of(nodeid) == expected


def test_sections_and_fenced_blocks_are_read_apart():
    text = "# Design\n## Bottleneck 1: a\nSolution: x\n```\n# not a heading\n```\n## Other\n"
    sections, blocks = structure(text)
    assert [s.title for s in sections] == ["", "Design", "Bottleneck 1: a", "Other"]
    assert blocks == [("", "# not a heading")]


@pytest.mark.parametrize("package", ["taskforge", "exercises.taskforge"])
def test_generator_fills_both_schemas_consistently(package, tmp_path):
    path = tmp_path / "db.sqlite"
    tf = importlib.import_module(package)
    config = {"DATABASE": str(path), "TESTING": True, "SECRET_KEY": "k" * 40}
    tf.create_app({**config, "LOG_FILE": str(tmp_path / "log.jsonl")})
    shape = dataset.Shape(tasks=600, projects=3, users=4, categories=2)
    data = dataset.generate(str(path), shape)
    assert data.summary() == {"tasks": 600, "projects": 3, "users": 4, "categories": 2}
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("SELECT COUNT(*) FROM tasks").fetchone()[0] == 600
        for query, order in [
            ({"project_id": data.project_ids[0], "status": "todo"}, "priority DESC, id"),
            (
                {"assignee_id": data.user_ids[1], "sort": "due_date"},
                "due_date IS NULL, due_date, id",
            ),
        ]:
            filters = {k: v for k, v in query.items() if k != "sort"}
            where = " AND ".join(f"{name} = ?" for name in filters)
            rows = connection.execute(
                f"SELECT id FROM tasks WHERE {where} ORDER BY {order}", list(filters.values())
            ).fetchall()
            assert dataset.expected_ids(data.tasks, query) == [row[0] for row in rows]


# -- the legacy oracle and the gate's own cases ---------------------------------------------
def test_the_oracle_is_the_course_legacy_module():
    oracle = REPO / "graders" / "gates" / "phase8" / "reports_before.py"
    assert oracle.read_bytes() == (REFERENCE / "legacy" / "reports_before.py").read_bytes()
    assert oracle.read_bytes() == (STARTER / "legacy" / "reports_before.py").read_bytes()


def test_every_change_is_told_apart_by_the_gates_own_cases(tmp_path):
    """Each of the gate's changes to the legacy module is a real change of behaviour: some
    generated case gives a different answer (so no learner is asked to notice the impossible)."""
    from datetime import date

    from graders.gates.phase8 import legacy_cases, legacy_inputs

    source = legacy_cases.ORACLE_SOURCE.read_text(encoding="utf-8")
    cases = legacy_inputs.generate()
    assert len(cases) >= 100 and cases == legacy_inputs.generate()  # seeded: the same each run
    today = date(2026, 3, 1)
    folder = str(tmp_path)
    originals = [legacy_cases.oracle(case, today, folder) for case in cases]
    for what, old, new in MUTANTS:
        changed = source.replace(old, new)
        assert any(
            legacy_cases.difference(
                expected, legacy_cases.oracle(case, today, str(tmp_path), changed)
            )
            for case, expected in zip(cases, originals, strict=True)
        ), what


def test_the_generated_cases_are_the_same_in_any_process():
    """The seed alone decides the cases, whatever other code is loaded (gate run or test run)."""
    script = (
        "import hashlib, json, flask, email\n"
        "from graders.gates.phase8 import legacy_inputs\n"
        "print(hashlib.sha256(json.dumps(legacy_inputs.generate()).encode()).hexdigest())\n"
    )
    import hashlib

    from graders.gates.phase8 import legacy_inputs

    here = hashlib.sha256(json.dumps(legacy_inputs.generate()).encode()).hexdigest()
    there = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert here == there


def test_the_injection_fix_changes_what_the_legacy_module_does(tmp_path):
    """Without the twin database, the fixed copy answers a quoted name; the legacy one fails."""
    import sqlite3
    import types
    from datetime import date

    from graders.gates.phase8 import legacy_cases
    from graders.gates.phase8.legacy import INJECTION_FIXED

    source = legacy_cases.ORACLE_SOURCE.read_text(encoding="utf-8")
    assert source.count(INJECTION_FIXED[1]) == 1
    path = tmp_path / "db.sqlite"
    case = {"users": [], "projects": ["Bob's board"], "tasks": [], "calls": []}
    legacy_cases.build_database(str(path), case, date(2026, 3, 1))
    for text, works in ((source, False), (source.replace(*INJECTION_FIXED[1:]), True)):
        module = types.ModuleType("legacy_copy")
        exec(compile(text, "legacy_copy", "exec"), module.__dict__)  # noqa: S102
        center = module.ReportCenter(str(path))
        try:
            assert center.overdue_report("Bob's board") == []
        except sqlite3.OperationalError:
            assert not works
        else:
            assert works
        finally:
            center.close()


# -- the design document rules --------------------------------------------------------------
def test_bottlenecks_as_headings_or_as_subheadings():
    from graders.gates.phase8 import design

    headings = "## Bottleneck 1: a\nx\n### Solution\ny\n### Trade-offs\nz\n## Bottleneck 2\n"
    found = design.bottlenecks(structure(headings)[0])
    assert [b.title for b in found] == ["Bottleneck 1: a", "Bottleneck 2"]
    assert "Trade-offs" in found[0].body
    nested = "## Bottlenecks\nintro\n### The writer\na\n### Memory state\nb\n## Next\n"
    assert [b.title for b in design.bottlenecks(structure(nested)[0])] == [
        "The writer",
        "Memory state",
    ]


def test_ascii_art_is_a_diagram_and_code_is_not():
    from graders.gates.phase8 import design

    art = "+-----+      +----+\n| app | ---> | db |\n+-----+      +----+\n"
    code = "def f(x):\n    return x\nprint(f(1))\n"
    found = design.text_diagrams([("", art), ("python", art), ("", code), ("mermaid", "a\nb\nc")])
    assert [kind for kind, _ in found] == ["ascii art", "mermaid"]
    assert {"app", "db"} <= design.components(found[:1]) | {"db"}


# -- the chapter and the contract say the same thing ----------------------------------------
CHAPTER = REPO / "chapters" / "phase8-gate.md"
CONTRACT = REPO / "graders" / "gates" / "phase8" / "CONTRACT.md"
# Concrete rules the chapter states, each with the words the contract uses for it.
SHARED_RULES = [
    ("10,000", "10,000"),
    ("ASCII art", "ASCII"),
    ("Mermaid", "mermaid"),
    ("An image alone does not", "An image alone is not enough"),
    ("three bottlenecks", "three bottleneck sections"),
    ('"Bottlenecks" heading', '"bottlenecks" (plural)'),
    ("flagged for a human reviewer", "flagged for a human reviewer"),
    ("`LOG_FILE`", "`LOG_FILE`"),
    ("`LOG_LEVEL`", "`LOG_LEVEL`"),
    ("X-Request-ID", "X-Request-ID"),
    ('`7` or `"7"`', '`7`) or as the same number in text (`"7"`)'),
    ("5xx", "5xx"),
    ("`tasks` table", "`tasks` table"),
    ("50,000", "50,000"),
    ("`limit`", "**`limit`**"),
    ("three rounds", "rounds 2 and 3"),
    ("median", "median"),
    ("not graded", "changes no score"),
    ("`legacy/reports_before.py`", "`legacy/reports_before.py`"),
    ("at least 8 tests", "at least **8** tests"),
    ("at least 16 of the 21", "**16 of the 21**"),
    ("three modules or more", "at least **three**"),
    ("environment or a settings file", "or a settings file"),
]


def _flat(path: Path) -> str:
    return " ".join(path.read_text(encoding="utf-8").split())


def test_the_gate_chapter_and_the_contract_agree():
    chapter, contract = _flat(CHAPTER), _flat(CONTRACT)
    ids = [r["id"] for r in _requirements()]
    for rid in ids:
        assert rid in chapter and rid in contract, rid
    for in_chapter, in_contract in SHARED_RULES:
        assert in_chapter in chapter, in_chapter
        assert in_contract in contract, in_contract
    assert "most tangled module" not in chapter  # the module is the one the starter gives


def test_the_contract_lists_every_check_the_gate_runs():
    import ast

    contract = CONTRACT.read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| (R\d) \| `(test_\w+)` \|", contract, re.MULTILINE))
    found = set()
    for path in sorted((REPO / "graders" / "gates" / "phase8").glob("test_r*.py")):
        rid = "R" + path.name.split("_")[1][1:]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found |= {
            (rid, n.name)
            for n in tree.body
            if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
        }
    assert listed == found


def test_the_contracts_mutant_count_and_threshold_are_the_gates():
    from graders.gates.phase8.legacy import MIN_CAUGHT, MIN_TESTS

    contract = CONTRACT.read_text(encoding="utf-8")
    contract = " ".join(contract.split())
    assert f"**{len(MUTANTS)} other changes**" in contract
    assert f"**{MIN_CAUGHT} of the {len(MUTANTS)}**" in contract
    assert f"at least **{MIN_TESTS}** tests per version" in contract


def _requirements() -> list[dict]:
    import tomllib

    path = REPO / "graders" / "gates" / "phase8" / "requirements.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))["requirement"]
