"""The Phase 7 contract, the gate chapter and the gate agree: same checks, same rules."""

from __future__ import annotations

import ast
import re

from graders.gates.requirements import load_requirements
from graders.paths import GRADERS_DIR, REPO_ROOT

SUITE = GRADERS_DIR / "gates" / "phase7"
CONTRACT = (GRADERS_DIR / "gates" / "README.md").read_text(encoding="utf-8")
CHAPTER = (REPO_ROOT / "chapters" / "phase7-gate.md").read_text(encoding="utf-8")


def constants(module: str) -> dict[str, object]:
    """The module-level constants of a gate module, read without importing it (importing a
    gate module here would register its pytest marks in the wrong run)."""
    tree = ast.parse((SUITE / f"{module}.py").read_text(encoding="utf-8"))
    found: dict[str, object] = {}
    pairs = []
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        target, value = node.targets[0], node.value
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):  # FEW, MANY = 2, 20
            pairs += zip(target.elts, value.elts, strict=True)
        else:
            pairs.append((target, value))
    for target, value in pairs:
        if isinstance(target, ast.Name) and target.id.isupper():
            code = compile(ast.Expression(value), module, "eval")
            try:
                found[target.id] = eval(code, {"__builtins__": {}, "str": str})  # noqa: S307
            except NameError:  # built from other names: not a plain constant
                continue
    return found


def suite_checks() -> set[tuple[str, str]]:
    """(requirement, first paragraph of the docstring) of every check in the gate's suite."""
    found = set()
    for path in sorted(SUITE.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = "S"
        for node in tree.body:
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "pytestmark":
                module = node.value.args[0].value
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                marks = [
                    d.args[0].value
                    for d in node.decorator_list
                    if isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "requirement"
                ]
                text = " ".join((ast.get_docstring(node) or "").split("\n\n")[0].split())
                found.add(((marks or [module])[0], text.replace("|", "/")))
    return found


def contract_checks() -> set[tuple[str, str]]:
    section = CONTRACT.split("## 9.", 1)[1]
    return {
        (m[1], m[2].strip())
        for m in re.finditer(r"^\| (R\d|S) \| (.+?) \| [^|]+ \|$", section, re.M)
    }


def test_contract_lists_every_check_the_gate_runs():
    suite, contract = suite_checks(), contract_checks()
    assert len(suite) > 40
    assert suite - contract == set(), "checks missing from the contract's section 9"
    assert contract - suite == set(), "section 9 lists checks the gate does not run"


def test_every_requirement_is_in_the_contract_and_the_chapter():
    points = {r.id: r.points for r in load_requirements("phase7")}
    for requirement, value in points.items():
        if value:
            assert f"### {requirement}." in CONTRACT, requirement
            assert f"**{requirement}**" in CHAPTER or f"({requirement})" in CHAPTER, requirement
    stated = re.search(r"\*\*R1\*\* to \*\*R4\*\* \(([\d, and]+) points\)", CHAPTER)
    assert stated, "the chapter states R1-R4's points"
    assert [float(n) for n in re.findall(r"\d+", stated[1])] == [
        points["R1"],
        points["R2"],
        points["R3"],
        points["R4"],
    ]
    assert f"{points['R0']:g} points" in CHAPTER


def test_the_contract_is_self_contained():
    phase7 = CONTRACT.split("(Phase 8's contract", 1)[-1]
    for pointer in ("tests/taskforge", "test_tf_", "Reference test", "requirements.toml"):
        assert pointer not in phase7, pointer


def test_chapter_rules_are_the_gates_rules():
    assert "user_version" not in CHAPTER and "schema_migrations" in CHAPTER
    assert "StorageBackend" not in CHAPTER
    for name in ("TaskRepository", "SqliteTaskRepository", "InMemoryTaskRepository", "TaskManager"):
        assert f"`{name}" in CHAPTER and f"`{name}" in CONTRACT, name
    auth, queries = constants("test_r3_auth"), constants("test_r2_queries")
    hours = auth["MAX_TOKEN_SECONDS"] // 3600
    assert f"within {hours} hours" in CHAPTER and f"**{hours} hours**" in CONTRACT
    assert f"with {queries['FEW']} rows and with {queries['MANY']} rows" in CHAPTER
    assert "PASSWORD_ITERATIONS" in CHAPTER
    assert f"`PASSWORD_ITERATIONS` ({auth['ITERATIONS']:,})" in CONTRACT
    assert "(`409`)" in CHAPTER and "409, still admin" in CONTRACT
    assert "**current** role" in CHAPTER


def test_contract_names_the_gates_payloads_and_twins():
    twins = constants("test_r3_twins")
    for payload in twins["PAYLOADS"]:
        assert f"`{payload}`" in CONTRACT, payload
    for char, letter in twins["TWIN"].items():
        assert f"`{chr(char)}`→`{letter}`" in CONTRACT, chr(char)
    listing = CONTRACT.split("**Payloads and twins.**", 1)[1][:2000]
    for param in twins["LISTING_PARAMS"]:
        assert f"`{param}`" in listing, param
