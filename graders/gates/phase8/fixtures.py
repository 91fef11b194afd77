"""Fixtures shared by the Phase 8 gate checks; each test module imports the ones it uses."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from graders.collector import Collector
from graders.gates.harness import DEFAULT_TARGET, GATE_CALL_TIMEOUT
from graders.gates.harness import _gate_sandbox as _gate_sandbox  # re-exported fixture
from graders.harness import GradeFailure, Learner, SubmissionProblem, isolation_for
from graders.sandbox.client import Sandbox

BASELINE_DIR = Path(__file__).resolve().parent / "baseline"


def _learner(sandbox: Sandbox) -> Learner:
    if not (sandbox.learner_file / "__init__.py").is_file():
        raise SubmissionProblem(
            "missing_file",
            f"{sandbox.learner_file} is not a TaskForge package (no __init__.py)",
        )
    return Learner(sandbox)


@pytest.fixture(scope="module", name="gate")
def gate_fixture(_gate_sandbox: Sandbox) -> Learner:  # noqa: F811 - the fixture imported above
    """The TaskForge under test, shared by a module's checks (acts run once per module)."""
    return _learner(_gate_sandbox)


@pytest.fixture(scope="module", name="baseline")
def baseline_fixture(request: pytest.FixtureRequest, _zygote) -> Iterator[Learner]:
    """The frozen starter (baseline/), in a sandbox of its own, loaded as ``taskforge`` too.

    It gets the same isolation as the learner's code, and never shares a process with it,
    so nothing the learner's package does at import time can slow the baseline down.
    """
    config = request.config
    scale = float(config.getoption("grader_timeout_scale") or 1.0)
    sandbox = Sandbox(
        BASELINE_DIR,
        preload=(request.module.__name__,),
        package_name="taskforge",
        timeout=GATE_CALL_TIMEOUT * scale,
        import_timeout=60,
        isolation=isolation_for(config, None),
        zygote=_zygote,
    )
    yield _learner(sandbox)
    sandbox.close()


@pytest.fixture(scope="module", name="target_dir")
def target_dir_fixture(request: pytest.FixtureRequest) -> Path:
    """The TARGET folder, read (never imported) by the static checks."""
    return Path(request.config.getoption("grader_target") or DEFAULT_TARGET)


@pytest.fixture(scope="module", name="secret")
def secret_fixture() -> str:
    """A random 48-character SECRET_KEY, new for every module."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(48))


@pytest.fixture(name="note")
def note_fixture(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Attach a message to a check that passes (shown in the --json report)."""

    def attach(message: str) -> None:
        request.node.user_properties.append(("note", message))
        # list_name_plugin, not get_plugins: the Collector is a dataclass and not hashable.
        for _, plugin in request.config.pluginmanager.list_name_plugin():
            if isinstance(plugin, Collector):
                for record in plugin.records:
                    if record.nodeid == request.node.nodeid:
                        record.message = message

    return attach


class Once:
    """A module's shared set-up, run once. If it fails, the first check that needs it reports
    the failure and every later one is "not run" with the reason: one root cause, one report."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.value: Any = None
        self.error: BaseException | None = None
        self.reported_by = ""
        try:
            self.value = make()
        except (GradeFailure, SubmissionProblem) as exc:
            self.error = exc
        except pytest.skip.Exception as exc:
            self.error = exc

    def get(self, request: pytest.FixtureRequest) -> Any:
        if self.error is None:
            return self.value
        if not self.reported_by and not isinstance(self.error, pytest.skip.Exception):
            doc = (request.node.function.__doc__ or request.node.name).strip().splitlines()[0]
            self.reported_by = doc
            raise self.error
        if isinstance(self.error, pytest.skip.Exception):
            raise self.error
        first = str(self.error).strip().splitlines()[0] if str(self.error).strip() else ""
        raise GradeFailure(
            f"Not run:  it needs what failed in '{self.reported_by}'\n          ({first})"
        )
