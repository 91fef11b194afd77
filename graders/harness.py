"""The grader-writing API: a ``learner`` fixture whose calls run in the sandbox.

Grader tests never import learner code. They ask the sandbox to call it (``learner.call``)
or to run a small act function next to it (``learner.run``), get plain data back, and
judge it here, in the trusted process, with messages written for learners.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from graders.expectations import kind, same, same_items, show
from graders.manifest import Exercise, load_course
from graders.paths import EXERCISES_DIR, GRADERS_DIR, REPO_ROOT, SOLUTIONS_DIR
from graders.sandbox.client import Call, Reply, Sandbox, SandboxError, start_zygote
from graders.sandbox.isolation import SANDBOX_UID_BASE, Isolation

NOT_RUN = "not_run"  # the kind of a test skipped because the exercise's time budget ran out
STUB_ADVICE = "This is still the stub: replace `raise NotImplementedError` with your code."


class GradeFailure(AssertionError):
    """A failed expectation; its message is shown to the learner as it is."""


class SubmissionProblem(Exception):
    """The submission as a whole cannot be tested (missing file, syntax or import error)."""

    def __init__(self, kind_name: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind_name


def _describe_raise(error: dict[str, Any]) -> str:
    text = f"{error.get('type')}: {error.get('message')}".rstrip(": ")
    frames = error.get("frames") or []
    if frames:
        name, line, func, _ = frames[-1]
        text += f"  ({name}, line {line}, in {func})"
    return text


class Outcome:
    """What one call into learner code produced, with expectations that explain themselves."""

    def __init__(self, call: str, reply: Reply) -> None:
        self.call = call
        self.reply = reply

    @classmethod
    def from_attempt(cls, call: str, record: dict[str, Any]) -> Outcome:
        """Wrap a record made by :func:`graders.acts.attempt` inside an act function."""
        if "returned" in record:
            return cls(call, Reply("returned", value=record["returned"]))
        error = {
            "type": record.get("raised"),
            "mro": record.get("mro", []),
            "message": record.get("message", ""),
        }
        return cls(call, Reply("raised", error=error))

    # -- facts ---------------------------------------------------------------------
    @property
    def returned(self) -> bool:
        return self.reply.status == "returned"

    def raised(self, exc_type: type[BaseException]) -> bool:
        return self.reply.status == "raised" and exc_type.__name__ in self.reply.error.get(
            "mro", []
        )

    # -- failures ------------------------------------------------------------------
    def fail(self, expected: str, *, got: str | None = None, note: str = "") -> GradeFailure:
        """Build the message: what was called, what came back, what was expected."""
        lines = [f"Called:   {self.call}"]
        lines.append(got if got is not None else self._got_line())
        lines.append(f"Expected: {expected}")
        if note:
            lines.append(f"Why:      {note}")
        if self.reply.status == "raised" and self.reply.error.get("type") == "NotImplementedError":
            lines.append(STUB_ADVICE)
        if self.reply.output.strip():
            printed = self.reply.output.strip().splitlines()[-8:]
            lines.append("Printed:  " + "\n          ".join(printed))
        return GradeFailure("\n".join(lines))

    def _got_line(self) -> str:
        status = self.reply.status
        if status == "returned":
            return f"Returned: {show(self.reply.value)}"
        if status == "raised":
            line = f"Raised:   {_describe_raise(self.reply.error)}"
            if self.reply.error.get("type") == "MemoryError":
                line += "\n          (it used more memory than the limit allows)"
            elif "File too large" in str(self.reply.error.get("message")):
                line += "\n          (it wrote more output than the limit allows)"
            return line
        if status == "missing":
            return (
                f"Problem:  your module has no function named '{self.reply.detail}' "
                "(did you rename it?)"
            )
        if status == "timeout":
            return (
                f"Problem:  it did not finish within {self.reply.detail} s "
                "(timed out: look for a loop that never ends or a wait that never returns)"
            )
        if status == "unencodable":
            return f"Problem:  the result could not be inspected ({self.reply.detail})"
        if status == "not_run":
            return f"Problem:  {self.reply.detail}"
        return f"Problem:  {self.reply.detail or 'the process crashed'}"

    # -- expectations ---------------------------------------------------------------
    def value(self, expected: str = "a value to be returned") -> Any:
        """The returned value; anything else (raise, crash, timeout) fails the test."""
        if not self.returned:
            raise self.fail(expected)
        return self.reply.value

    def expect(self, expected: Any, *, note: str = "", places: int | None = None) -> Any:
        """Expect exactly this value, of exactly this type."""
        actual = self.value(show(expected))
        if not same(actual, expected, places):
            got = f"Returned: {show(actual)}"
            if show(actual) == show(expected) or type(actual) is not type(expected):
                got += f" ({kind(actual)}; expected {kind(expected)})"
            raise self.fail(show(expected), got=got, note=note)
        return actual

    def expect_items(self, expected: Iterable[Any], *, note: str = "") -> Any:
        """Expect these items in any order (for results whose order is not specified)."""
        expected = list(expected)
        actual = self.value(f"the items {show(expected)} in any order")
        if not same_items(actual, expected):
            raise self.fail(f"these items, in any order: {show(expected)}", note=note)
        return actual

    def expect_that(self, check: Callable[[Any], bool], expected: str, *, note: str = "") -> Any:
        """Expect the returned value to pass a check described in plain words."""
        actual = self.value(expected)
        if not check(actual):
            raise self.fail(expected, note=note)
        return actual

    def expect_raises(self, *exc_types: type[BaseException], note: str = "") -> None:
        """Expect the call to raise one of these exception types (or a subclass)."""
        names = " or ".join(t.__name__ for t in exc_types)
        if not any(self.raised(t) for t in exc_types):
            raise self.fail(f"{names} to be raised", note=note)


class Learner:
    """The learner's module as the grader sees it: reachable only through the sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    @property
    def workdir(self) -> Path:
        """A private folder the learner's code runs in; the grader may read and write it too."""
        return self.sandbox.workdir

    def call(self, func: str, *args: Any, **kwargs: Any) -> Outcome:
        """Call ``func(*args, **kwargs)`` in the learner's module; arguments are plain data."""
        return Outcome(
            call_text(func, args, kwargs), self._guard(self.sandbox.call, func, *args, **kwargs)
        )

    def make(self, call: Call, text: str) -> Outcome:
        """Make one prepared call (see ``batch``); ``text`` is how it reads in a message."""
        return Outcome(text, self._guard(self.sandbox.make, call))

    def batch(self, calls: list[tuple[Call, str]], *, shared: bool = False) -> list[Outcome] | None:
        """Make many (call, description) pairs in one round trip to the sandbox; each call
        still runs on its own, as ``call`` and ``run`` do. The Outcomes stop after the first
        call that neither returned nor raised; None: make the calls one by one instead.
        ``shared``: all in one child (see ``Sandbox.batch``), good only to confirm a pass."""
        replies = self._guard(self.sandbox.batch, [call for call, _ in calls], shared=shared)
        if replies is None:
            return None
        return [Outcome(text, reply) for (_, text), reply in zip(calls, replies, strict=False)]

    def run(
        self,
        act: Callable[..., Any],
        *args: Any,
        call: str,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Outcome:
        """Run ``act(module, *args)`` next to the learner's code; ``call`` describes it."""
        reply = self._guard(self.sandbox.run, act, *args, timeout=timeout, **kwargs)
        return Outcome(call, reply)

    @staticmethod
    def _guard(method: Callable[..., Reply], *args: Any, **kwargs: Any) -> Reply:
        try:
            return method(*args, **kwargs)
        except SandboxError as exc:
            raise SubmissionProblem(exc.kind, str(exc)) from None


def call_text(func: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """How a call reads in a message: ``func(1, 'a', key=2)``."""
    shown = [show(a) for a in args] + [f"{k}={show(v)}" for k, v in kwargs.items()]
    return f"{func}({', '.join(shown)})"


# -- fixtures ---------------------------------------------------------------------
def _exercise_id(module: Any) -> str:
    exercise_id = getattr(module, "EXERCISE", None)
    if not exercise_id:
        raise RuntimeError(f"{module.__name__} must set EXERCISE = 'chNN/module'")
    return exercise_id


def isolation_for(config: pytest.Config, exercise: Exercise | None) -> Isolation:
    """The protections asked for on the command line (see graders/conftest.py)."""
    if config.getoption("grader_isolation") != "full":
        return Isolation()
    slot = config.getoption("grader_slot")
    # A check run on its own picks a user outside the range batch jobs use.
    slot = int(slot) if slot is not None else 20000 + os.getpid() % 2000
    hidden = [
        str(SOLUTIONS_DIR),
        str(REPO_ROOT / ".course"),
        str(REPO_ROOT / "taskforge"),
        *config.getoption("grader_hide"),
    ]
    # Mutants and alternatives are whole solutions (wrong or right): never for learner code.
    hidden += [str(path) for path in GRADERS_DIR.glob("ch*/mutants")]
    hidden += [str(path) for path in GRADERS_DIR.glob("ch*/alternatives")]
    return Isolation.full(
        uid=SANDBOX_UID_BASE + slot,
        hide=hidden,
        read_only=[str(GRADERS_DIR)],
        memory_mb=int(config.getoption("grader_memory_mb")),
        cpu_seconds=int(config.getoption("grader_cpu_seconds")),
        network=bool(exercise and exercise.loopback),
    )


@pytest.fixture(scope="session")
def _zygote(request: pytest.FixtureRequest):
    modules = sorted(
        {
            item.module.__name__
            for item in request.session.items
            if getattr(item, "module", None) is not None
        }
    )
    zygote = start_zygote(modules)
    yield zygote
    if zygote is not None:
        zygote.close()


@pytest.fixture(scope="module")
def _sandbox(request: pytest.FixtureRequest, _zygote):
    exercise_id = _exercise_id(request.module)
    exercise = load_course().exercise(exercise_id)
    config = request.config
    timeout = exercise.timeout if exercise else 10.0
    limit = config.getoption("grader_time_limit")
    if limit:
        timeout = float(limit)
    target = Path(config.getoption("grader_target") or EXERCISES_DIR)
    chapter, module = exercise_id.split("/")
    scale = float(config.getoption("grader_timeout_scale") or 1.0)
    sandbox = Sandbox(
        target / chapter / f"{module}.py",
        preload=(request.module.__name__,),
        timeout=timeout * scale,
        isolation=isolation_for(config, exercise),
        zygote=_zygote,
    )
    yield sandbox
    sandbox.close()


@pytest.fixture
def learner(_sandbox: Sandbox) -> Learner:
    """The learner's module for this test file's exercise (see the module's EXERCISE)."""
    if not _sandbox.learner_file.is_file():
        raise SubmissionProblem(
            "missing_file",
            f"{_sandbox.learner_file} is missing (did you rename or move it?)",
        )
    _sandbox.begin_test()
    reason = _sandbox.budget_exhausted()
    if reason:  # reported once, apart from the failures (see graders/report/terminal.py)
        raise SubmissionProblem(NOT_RUN, reason)
    return Learner(_sandbox)
