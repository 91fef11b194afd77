"""Fixtures shared by the Phase 7 gate checks; each test module imports the ones it uses."""

from __future__ import annotations

import contextlib
import secrets
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graders.collector import Collector
from graders.gates.harness import DEFAULT_TARGET, _gate_sandbox  # noqa: F401 - re-exported
from graders.harness import Learner, SubmissionProblem
from graders.sandbox.client import Sandbox


@pytest.fixture(scope="module", name="gate")
def gate_fixture(_gate_sandbox: Sandbox) -> Learner:  # noqa: F811 - the fixture imported above
    """The TaskForge under test, shared by a module's checks (for acts run once per module)."""
    if not (_gate_sandbox.learner_file / "__init__.py").is_file():
        raise SubmissionProblem(
            "missing_file",
            f"{_gate_sandbox.learner_file} is not a TaskForge package (no __init__.py)",
        )
    return Learner(_gate_sandbox)


@pytest.fixture(scope="module", name="target_dir")
def target_dir_fixture(request: pytest.FixtureRequest) -> Path:
    """The TARGET folder, read (never imported) by the static checks."""
    return Path(request.config.getoption("grader_target") or DEFAULT_TARGET)


@pytest.fixture(scope="module", name="secret")
def secret_fixture() -> str:
    """A random 48-character SECRET_KEY, new for every module."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(48))


class Should:
    """Reports SHOULD items: the check always passes and carries a note for the learner.

    Call it with (met, text). Inside ``with should.checking():`` any failure, including one
    of a fixture fetched with ``should.fixture(name)``, becomes a "could not be checked" note
    instead of failing the check, so a SHOULD item never changes the verdict.
    """

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.request = request
        self.noted = False

    def __call__(self, met: bool, text: str) -> None:
        message = ("met: " if met else "not met (reported only): ") + text
        self.noted = True
        self.request.node.user_properties.append(("should", message))
        for _, plugin in self.request.config.pluginmanager.list_name_plugin():
            if isinstance(plugin, Collector):
                for record in plugin.records:
                    if record.nodeid == self.request.node.nodeid:
                        record.message = message

    def fixture(self, name: str) -> Any:
        return self.request.getfixturevalue(name)

    @contextlib.contextmanager
    def checking(self) -> Iterator[None]:
        try:
            yield
        except Exception as exc:  # noqa: BLE001 - a SHOULD item must not fail the gate
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
            reason = lines[0] if lines else type(exc).__name__
            self(False, f"could not be checked: {reason[:200]} (see the failing checks)")
        if not self.noted:
            self(False, "could not be checked")


@pytest.fixture(name="should")
def should_fixture(request: pytest.FixtureRequest) -> Should:
    """Report a SHOULD item without ever failing the gate (see Should)."""
    return Should(request)
