"""Fixtures for gate suites: the learner's TaskForge package, loaded in the sandbox.

A gate test reaches the learner's app only through ``taskforge.run(act, ...)``: the act
receives the imported package (module name ``taskforge``) inside the sandbox and returns
plain data; the judging happens in the gate test, in the trusted process.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graders.harness import Learner, SubmissionProblem, isolation_for
from graders.paths import EXERCISES_DIR
from graders.sandbox.client import Sandbox

GATE_CALL_TIMEOUT = 120.0
DEFAULT_TARGET = EXERCISES_DIR / "taskforge"


@pytest.fixture(scope="module")
def _gate_sandbox(request: pytest.FixtureRequest, _zygote):
    config = request.config
    target = Path(config.getoption("grader_target") or DEFAULT_TARGET)
    scale = float(config.getoption("grader_timeout_scale") or 1.0)
    sandbox = Sandbox(
        target,
        preload=(request.module.__name__,),
        package_name="taskforge",
        timeout=GATE_CALL_TIMEOUT * scale,
        import_timeout=60,
        isolation=isolation_for(config, None),
        zygote=_zygote,
    )
    yield sandbox
    sandbox.close()


@pytest.fixture
def taskforge(_gate_sandbox: Sandbox) -> Learner:
    """The TaskForge under test (see graders/gates/README.md for the contract)."""
    if not (_gate_sandbox.learner_file / "__init__.py").is_file():
        raise SubmissionProblem(
            "missing_file",
            f"{_gate_sandbox.learner_file} is not a TaskForge package (no __init__.py)",
        )
    return Learner(_gate_sandbox)
