"""Attacks on the phase gates' judge: learner files that try to run inside the grading process.

Each attack is the untouched starter TaskForge plus a few planted files. The judge must
never load them (no conftest, plugin, .pth or shadowing module reaches its process), so
each scores what the plain starter scores. Run as `python -m graders gate ...`, as a learner
or an instructor would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graders.paths import EXERCISES_DIR, REPO_ROOT

STARTER = EXERCISES_DIR / "taskforge"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
pytestmark = pytest.mark.timeout(900)  # every gate run starts at once; Phase 8's take a minute

# Turns every test the judge runs into a pass, if the judge ever loads it.
FORGER = """
import pytest

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None
"""

ATTACKS: dict[str, dict[str, str]] = {
    # The one-liner from issue 16: the judge would grade the instructors' reference app.
    "conftest": {
        "conftest.py": "import taskforge  # noqa\n" + FORGER,
        "tests/conftest.py": "import taskforge  # noqa\n",
        "tests/test_app.py": "def test_nothing():\n    pass\n",
    },
    # A plugin planted every way pytest could pick one up: an ini file's addopts, an entry
    # point of a distribution, a .pth file, PYTEST_PLUGINS in a conftest.
    "plugin": {
        "gate_cheat.py": "import taskforge  # noqa\n" + FORGER,
        "pytest.ini": "[pytest]\naddopts = -p gate_cheat\n",
        "setup.cfg": "[tool:pytest]\naddopts = -p gate_cheat\n",
        "tox.ini": "[pytest]\naddopts = -p gate_cheat\n",
        "gate_cheat-1.0.dist-info/METADATA": (
            "Metadata-Version: 2.1\nName: gate-cheat\nVersion: 1.0\n"
        ),
        "gate_cheat-1.0.dist-info/entry_points.txt": "[pytest11]\ncheat = gate_cheat\n",
        "gate_cheat.pth": "import gate_cheat\n",
        "tests/conftest.py": 'pytest_plugins = ["gate_cheat"]\n',
    },
    # Modules named like the judge's own packages, put first on sys.path by the app itself.
    "shadow": {
        "graders/__init__.py": 'raise SystemExit("a learner module shadowed graders")\n',
        "graders/collector.py": FORGER,
        "taskforge/__init__.py": 'raise SystemExit("a learner module shadowed taskforge")\n',
        "sqlite3.py": 'raise SystemExit("a learner module shadowed sqlite3")\n',
        "__init__.py+": (
            "\nimport os as _os, sys as _sys\n"
            "_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))\n"
        ),
    },
    # An honest learner's test suite importing their own package: no effect on the grade.
    "honest_tests": {
        "tests/conftest.py": "import taskforge  # noqa\n",
        "tests/test_health.py": (
            "import taskforge\n\n\ndef test_health():\n"
            "    assert taskforge.create_app is not None\n"
        ),
    },
}
# Reaching the instructors' reference by its path: only full isolation can hide it.
REFERENCE_BY_PATH = {
    "__init__.py+": """
def _reference():
    import importlib.util
    import sys
    from graders.paths import REPO_ROOT
    path = REPO_ROOT / "taskforge" / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        "tf_reference", path, submodule_search_locations=[str(path.parent)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["tf_reference"] = module
    spec.loader.exec_module(module)
    return module


try:
    create_app = _reference().create_app
except Exception:  # hidden: keep the starter's factory
    pass
""",
}

RUNS = [
    # The judge-side attacks do not depend on the sandbox's isolation: one run each.
    *[("phase7", name, "none") for name in ATTACKS],
    ("phase7", "conftest", "full"),
    ("phase7", "reference_by_path", "full"),
    ("phase7", "starter", "none"),
    *[("phase8", name, "none") for name in ("conftest", "plugin", "shadow")],
    ("phase8", "starter", "none"),
]


def plant(folder: Path, files: dict[str, str]) -> None:
    shutil.copytree(STARTER, folder, ignore=shutil.ignore_patterns("__pycache__", "instance"))
    for name, text in files.items():
        if name.endswith("+"):  # appended to a file of the starter
            path = folder / name[:-1]
            path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
            continue
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[tuple[str, str, str], tuple[int, str, dict | None]]:
    """Every attack graded side by side (the runs mostly wait, so they share the CPUs)."""
    started = {}
    for gate, name, isolation in RUNS:
        if isolation == "full" and not IS_ROOT:
            continue
        root = tmp_path_factory.mktemp(f"{gate}-{name}-{isolation}")
        files = ATTACKS.get(name) or (REFERENCE_BY_PATH if name == "reference_by_path" else {})
        plant(root / "taskforge", files)
        report = root / "gate.json"
        command = [sys.executable, "-m", "graders", "gate", gate, "--json", str(report)]
        command += ["--target", str(root / "taskforge"), "--isolation", isolation]
        env = {**os.environ, "COURSE_STATE": str(root / "state.json")}
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started[(gate, name, isolation)] = (process, report)
    finished = {}
    for key, (process, report) in started.items():
        output, _ = process.communicate(timeout=900)
        data = json.loads(report.read_text("utf-8")) if report.is_file() else None
        finished[key] = (process.returncode, output, data)
    return finished


def earned(reports, key) -> float:
    if key not in reports:
        pytest.skip("full isolation (own user, namespaces) needs root")
    code, output, data = reports[key]
    assert data is not None, f"{key}: no report\n{output[-2000:]}"
    return data["earned"]


@pytest.mark.parametrize(("gate", "name", "isolation"), [r for r in RUNS if r[1] != "starter"])
def test_attack_earns_nothing(reports, gate, name, isolation):
    baseline = earned(reports, (gate, "starter", "none"))
    score = earned(reports, (gate, name, isolation))
    output = reports[(gate, name, isolation)][1]
    assert "shadowed" not in output and "learner module" not in output, output[-2000:]
    if name == "honest_tests":  # graded on the learner's own app: exactly the starter's grade
        assert score == baseline, output[-3000:]
    else:
        assert score <= baseline, output[-3000:]


def test_the_starter_baseline_is_graded(reports):
    """The comparison means something: the starter's own runs finished with a real grade."""
    assert earned(reports, ("phase7", "starter", "none")) == 10
    assert earned(reports, ("phase8", "starter", "none")) == 0
