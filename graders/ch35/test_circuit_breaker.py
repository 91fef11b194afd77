"""Grader for ch35/circuit_breaker: closed -> open -> half-open, on a fake clock.

Every test plays a script against one breaker inside the sandbox: calls to a scripted fake
service that records whether it was reached, moves of a ``graders.acts.FakeClock`` (which
never sleeps), and reads of ``state``. The judge replays the same script on its own model
of the documented rules and compares every step: whether the service was called, with
which arguments, what came back (the very same exception object when the service failed,
``CircuitOpenError`` when refused) and the state afterwards. All times are exact binary
fractions, so ``now - opened_at >= timeout`` and ``opened_at + timeout <= now`` agree.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import strategies as st

from graders.acts import FakeClock, attempt
from graders.differential import agree_run
from graders.expectations import same, show
from graders.harness import GradeFailure, Outcome

EXERCISE = "ch35/circuit_breaker"
START = 1000.0


class ServiceDown(Exception):
    """The fake dependency's own error type (not a built-in, so nobody can special-case it)."""


ERRORS: dict[str, type[Exception]] = {
    "ConnectionError": ConnectionError,
    "TimeoutError": TimeoutError,
    "ValueError": ValueError,
    "KeyError": KeyError,
    "ServiceDown": ServiceDown,
}


# -- acts: run inside the sandbox, next to the learner's code ----------------------
def _caught(module: Any, exc: BaseException, raised: BaseException | None) -> dict:
    open_error = getattr(module, "CircuitOpenError", None)
    try:
        message = str(exc)[:300]
    except Exception:  # noqa: BLE001 - a hostile __str__ is still just data
        message = "<message could not be shown>"
    return {
        "raised": type(exc).__name__,
        "mro": [c.__name__ for c in type(exc).__mro__],
        "message": message,
        "same_error": raised is not None and exc is raised,
        "open_error": isinstance(open_error, type) and isinstance(exc, open_error),
    }


def _read_state(breaker: Any) -> Any:
    try:
        return {"state": breaker.state}
    except Exception as exc:  # noqa: BLE001
        return {"state_raised": f"{type(exc).__name__}: {exc}"[:300]}


def _through(
    module: Any,
    breaker: Any,
    spec: tuple,
    args: tuple,
    visitor: tuple | None,
    clock: FakeClock | None = None,
    takes: float = 0.0,
) -> dict:
    """One breaker.call(service, *args) where the service does what ``spec`` says.

    A service that ``takes`` seconds moves the fake clock by that much before it answers.
    """
    seen: list = []
    raised: list[BaseException] = []
    inner: dict = {}

    def service(*a: Any, **kw: Any) -> Any:
        seen.append([list(a), kw])
        if visitor is not None:  # another caller arrives while this call is running
            inner.update(_read_state(breaker))
            inner["call"] = _through(module, breaker, visitor, (), None)
        if takes and clock is not None:
            clock.advance(takes)
        if spec[0] == "fail":
            error = ERRORS[spec[1]](spec[2])
            raised.append(error)
            raise error
        return spec[1]

    record: dict[str, Any] = {}
    try:
        record["returned"] = breaker.call(service, *args)
    except BaseException as exc:  # noqa: BLE001 - every outcome is data for the judge
        record.update(_caught(module, exc, raised[0] if raised else None))
    record["called"] = len(seen)
    record["args"] = seen[0][0] if seen else None
    record["kwargs"] = seen[0][1] if seen else None
    if visitor is not None:
        record["inside"] = inner
    record.update(_read_state(breaker))
    return record


def act_script(module, settings, script):
    """Build a breaker on a fake clock and play the script, one record per step."""
    clock = FakeClock(START)
    open_error = getattr(module, "CircuitOpenError", None)
    setup = {
        "has_open_error": isinstance(open_error, type) and issubclass(open_error, Exception),
    }
    try:
        breaker = module.CircuitBreaker(clock=clock, **settings)
    except BaseException as exc:  # noqa: BLE001
        setup.update(_caught(module, exc, None))
        return {"setup": setup, "steps": []}
    steps = []
    for step in script:
        if step[0] == "wait":
            clock.advance(step[1])
            steps.append({})
        elif step[0] == "state":
            steps.append(_read_state(breaker))
        else:
            _, spec, args, visitor, *takes = step
            steps.append(_through(module, breaker, spec, tuple(args), visitor, clock, sum(takes)))
    return {"setup": setup, "steps": steps}


def act_two_breakers(module):
    """Two breakers (threshold 2 each) take turns; each must count only its own calls."""
    breakers = {
        name: module.CircuitBreaker(failure_threshold=2, reset_timeout=30.0, clock=FakeClock())
        for name in ("first", "second")
    }

    def down():
        raise ConnectionError("down")

    steps = []
    for name, func in TWO_BREAKERS:
        record = attempt(breakers[name].call, down if func == "down" else lambda: "fine")
        outcome = record.get("returned", record.get("raised"))
        steps.append([f"{name}.call({func})", outcome, _read_state(breakers[name]).get("state")])
    return steps


# (breaker, func) in turn, and what each step must give: (outcome, that breaker's state after)
TWO_BREAKERS = [("first", "down"), ("second", "down"), ("second", "fine"), ("first", "down")]
TWO_BREAKERS_EXPECTED = [
    ["first.call(down)", "ConnectionError", "closed"],
    ["second.call(down)", "ConnectionError", "closed"],
    ["second.call(fine)", "fine", "closed"],
    ["first.call(down)", "ConnectionError", "open"],
]


def act_call_with_keywords(module):
    """call(func, *args, **kwargs) forwards keyword arguments too."""
    breaker = module.CircuitBreaker(failure_threshold=2, reset_timeout=8.0, clock=FakeClock())
    seen = []

    def service(*a: Any, **kw: Any) -> str:
        seen.append([list(a), kw])
        return "done"

    return {
        "result": attempt(breaker.call, service, "order-17", retries=0, region="eu"),
        "seen": seen,
    }


# -- the judge's model of the documented rules -------------------------------------
class Model:
    """The rules of the brief, written out plainly; the judge's source of expected steps."""

    def __init__(self, failure_threshold: int, reset_timeout: float) -> None:
        self.threshold = failure_threshold
        self.timeout = reset_timeout
        self.opened = False
        self.failures = 0
        self.opened_at = 0.0
        self.opening_took = 0.0
        self.now = START

    def state(self) -> str:
        if not self.opened:
            return "closed"
        return "half_open" if self.now - self.opened_at >= self.timeout else "open"

    def call(self, spec: tuple, args: list, visitor: tuple | None, takes: float = 0.0) -> dict:
        state = self.state()
        if state == "open":
            return {"outcome": "refused", "called": 0, "state": "open"}
        trial = state == "half_open"
        expected: dict[str, Any] = {"called": 1, "args": list(args), "kwargs": {}}
        if visitor is not None:
            if not trial:
                raise AssertionError("grader bug: visitors only arrive during a trial")
            inner = {"outcome": "refused", "called": 0, "state": "half_open"}
            expected["inside"] = {"state": "half_open", "call": inner}
        self.now += takes  # the clock moved while the service ran
        if spec[0] == "fail":
            self.failures += 1
            if trial or self.failures >= self.threshold:
                self.opened, self.opened_at, self.opening_took = True, self.now, takes
            expected["outcome"] = "same_error"
        else:
            self.opened, self.failures = False, 0
            expected["outcome"] = "returned"
            expected["returned"] = spec[1]
        expected["state"] = self.state()
        return expected

    def describe(self) -> str:
        """Where the rules say the breaker is, in words (shown before a failing step)."""
        if not self.opened:
            return f"closed, with {self.failures} consecutive failure(s) counted"
        since = self.opened_at - START
        if self.state() == "open":
            text = f"open since t={since:g}, until t={since + self.timeout:g}"
            if self.opening_took:
                text += (
                    f" (the failing call that opened it took {self.opening_took:g} s and "
                    f"ended at t={since:g})"
                )
            return text
        return f"half_open (it opened at t={since:g}; reset_timeout has passed since)"

    def play(self, script: list) -> tuple[list[dict], list[tuple[str, str]]]:
        expected, before = [], []
        for step in script:
            before.append((self.state(), self.describe()))
            if step[0] == "wait":
                self.now += step[1]
                expected.append({})
            elif step[0] == "state":
                expected.append({"state": self.state()})
            else:
                expected.append(self.call(step[1], step[2], step[3], sum(step[4:])))
        return expected, before


# -- building scripts ----------------------------------------------------------------
def ok(value: Any = "ok", *args: Any) -> tuple:
    return ("call", ("ok", value), list(args), None)


def fail(error: str = "ConnectionError", message: str = "service unavailable", *args) -> tuple:
    return ("call", ("fail", error, message), list(args), None)


def trial_with_visitor(spec: tuple, visitor: tuple = ("ok", "visitor")) -> tuple:
    return ("call", spec, [], visitor)


def slow(call_step: tuple, seconds: float) -> tuple:
    """The same call, but the service takes ``seconds`` of the fake clock to answer."""
    return (*call_step[:4], seconds)


def wait(seconds: float) -> tuple:
    return ("wait", seconds)


STATE = ("state",)


def failures(count: int, error: str = "ConnectionError") -> list[tuple]:
    return [fail(error, f"failure {n}") for n in range(1, count + 1)]


# -- rendering -----------------------------------------------------------------------
def _spec_text(spec: tuple) -> str:
    if spec[0] == "fail":
        return f"raises {spec[1]}({spec[2]!r})"
    return f"returns {spec[1]!r}"


def step_text(step: tuple, elapsed: float) -> str:
    at = f"t={elapsed:g}".ljust(10)
    if step[0] == "wait":
        return f"{at}the clock moves {step[1]:g} s"
    if step[0] == "state":
        return f"{at}breaker.state"
    _, spec, args, visitor, *takes = step
    shown = ", ".join(["service", *(repr(a) for a in args)])
    took = f" after {sum(takes):g} s" if sum(takes) else ""
    text = f"{at}breaker.call({shown})   [the service {_spec_text(spec)}{took}]"
    if visitor is not None:
        text += (
            "\n                    while it runs, a second caller reads breaker.state and calls "
            f"breaker.call(other)   [other {_spec_text(visitor)}]"
        )
    return text


SHOWN_STEPS = 14  # a long script is shown as its last steps, after a summary line


def history(settings: dict, script: list, upto: int) -> str:
    made = ", ".join(f"{k}={v!r}" for k, v in settings.items())
    lines = [f"breaker = CircuitBreaker({made}, clock=fake_clock)   # t=0"]
    last = len(script) if upto < 0 else upto + 1
    elapsed = 0.0
    for number, step in enumerate(script[:last]):
        if number == last - SHOWN_STEPS and number > 1:
            lines.append(f"...       ({number - 1} earlier steps not shown)")
        if number >= last - SHOWN_STEPS or number == 0:
            lines.append(step_text(step, elapsed))
        if step[0] == "wait":
            elapsed += step[1]
        elif step[0] == "call":
            elapsed += sum(step[4:])
    return "\n          ".join(lines)


def _got_call(seen: dict) -> str:
    parts = []
    if "returned" in seen:
        parts.append(f"returned {show(seen['returned'])}")
    elif "raised" in seen:
        parts.append(f"raised {seen['raised']}: {seen['message']}")
    parts.append("the service was " + ("called" if seen.get("called") else "NOT called"))
    return "; ".join(parts)


def _expected_call(expected: dict) -> str:
    if expected["outcome"] == "refused":
        return "CircuitOpenError raised at once; the service NOT called"
    if expected["outcome"] == "same_error":
        return "the service called once; its own exception re-raised unchanged"
    return f"the service called once; {expected['returned']!r} returned"


def compare_call(seen: dict, expected: dict) -> tuple[str, str, str] | None:
    """(got, expected, why) for the first difference in one call step, or None."""
    if expected["outcome"] == "refused":
        if seen.get("called") or not seen.get("open_error"):
            why = (
                "while the circuit is open (or a half-open trial is running), call must "
                "raise CircuitOpenError without calling func"
            )
            return _got_call(seen), _expected_call(expected), why
    else:
        if seen.get("called") != 1:
            why = (
                "closed circuits pass every call through; half-open ones let exactly one "
                "trial through"
            )
            if seen.get("open_error"):
                why += "; only an open circuit refuses"
            return _got_call(seen), _expected_call(expected), why
        if seen.get("args") != expected["args"] or seen.get("kwargs") != expected["kwargs"]:
            return (
                f"the service received args {seen.get('args')!r}, kwargs {seen.get('kwargs')!r}",
                f"args {expected['args']!r}, kwargs {expected['kwargs']!r}",
                "call(func, *args, **kwargs) must call func(*args, **kwargs) exactly",
            )
        if expected["outcome"] == "same_error" and not seen.get("same_error"):
            return (
                _got_call(seen),
                _expected_call(expected),
                "the breaker must let the service's exception through unchanged: the same "
                "object, not a wrapper or a new exception (use a bare `raise`)",
            )
        if expected["outcome"] == "returned" and not (
            "returned" in seen and same(seen["returned"], expected["returned"])
        ):
            return _got_call(seen), _expected_call(expected), "return exactly what func returned"
    if "inside" in expected:
        inside = seen.get("inside", {})
        if inside.get("state") != "half_open":
            return (
                f"during the trial, breaker.state was {inside.get('state', inside)!r}",
                "'half_open' while the trial is running",
                "the trial is part of the half-open state; it ends when func returns or raises",
            )
        inner = compare_call(inside.get("call", {}), expected["inside"]["call"])
        if inner is not None:
            got, want, _ = inner
            return (
                f"the second caller's call: {got}",
                f"the second caller's call: {want}",
                "half-open allows ONE trial: every other call made while it runs is refused "
                "with CircuitOpenError (keep a flag saying a trial is in progress)",
            )
    return None


STATE_WHY = {
    ("closed", "closed", "open"): "failures must be CONSECUTIVE to open the circuit: a success "
    "in between sets the count back to 0",
    ("closed", "open", "closed"): "the circuit opens when the consecutive failures reach "
    "failure_threshold",
    ("half_open", "closed", "open"): "a successful half-open trial closes the circuit",
    ("half_open", "open", "closed"): "a failed half-open trial opens the circuit again at once, "
    "whatever failure_threshold is",
    ("half_open", "open", "half_open"): "a failed half-open trial opens the circuit again and "
    "restarts the wait: reset_timeout seconds from THIS failure",
    ("open", "open", "half_open"): "the circuit stays open for reset_timeout seconds of the clock "
    "you were given, counted from the clock reading taken after the failure that opened it; "
    "refused calls do not change that",
    ("open", "open", "closed"): "an open circuit never closes by itself: it waits for "
    "reset_timeout, then one trial call decides",
    ("open", "half_open", "open"): "once reset_timeout seconds have passed since the circuit "
    "opened (exactly reset_timeout is enough), state reads 'half_open'",
    ("open", "half_open", "closed"): "an open circuit does not close by itself: after "
    "reset_timeout it reads 'half_open' until a trial call decides",
}


STATE_WHY_ANYWHERE = {
    ("half_open", "closed"): "an open circuit does not close by itself: once reset_timeout "
    "has passed it reads 'half_open' until a trial call decides",
    ("half_open", "open"): "once reset_timeout seconds have passed since the circuit opened "
    "(exactly reset_timeout is enough), state reads 'half_open'",
    ("open", "half_open"): "the circuit stays open for reset_timeout seconds of the clock you "
    "were given, counted from the failure that (re-)opened it",
}


def check_state(seen: Any, before: str, expected: str) -> tuple[str, str, str] | None:
    if "state" not in seen:
        return f"reading breaker.state raised {seen.get('state_raised')}", repr(expected), ""
    got = seen["state"]
    if type(got) is str and got == expected:
        return None
    if type(got) is not str:
        why = "state must be a plain str: exactly 'closed', 'open' or 'half_open'"
        return f"breaker.state is {show(got)}", repr(expected), why
    why = STATE_WHY.get((before, expected, got)) or STATE_WHY_ANYWHERE.get(
        (expected, got), "state is exactly one of 'closed', 'open' or 'half_open'"
    )
    return f"breaker.state is {show(got)}", repr(expected), why


def run_script(learner, script: list, threshold: int = 3, timeout: float = 30.0) -> list:
    """Play the script in the sandbox and fail at the first step that breaks the rules."""
    settings = {"failure_threshold": threshold, "reset_timeout": timeout}
    result = learner.run(act_script, settings, script, call=history(settings, script, -1))
    played = result.value("the script to run")
    setup = played["setup"]
    if "raised" in setup:
        raise result.fail(
            "a CircuitBreaker", got=f"Raised:   {setup['raised']}: {setup['message']}"
        )
    if not setup["has_open_error"]:
        raise GradeFailure(
            "Checked:  the module's CircuitOpenError\n"
            "Expected: a class CircuitOpenError, a subclass of Exception, defined in the module"
        )
    expected_steps, before = Model(threshold, timeout).play(script)
    for number, (step, seen, expected) in enumerate(
        zip(script, played["steps"], expected_steps, strict=True)
    ):
        problem = None
        if step[0] == "call":
            problem = compare_call(seen, expected)
        if problem is None and "state" in expected:
            problem = check_state(seen, before[number][0], expected["state"])
            if problem is not None and step[0] == "call":
                problem = (problem[0] + " after this call", *problem[1:])
        if problem is not None:
            got, want, why = problem
            message = f"Script:   {history(settings, script, number)}   <-- here\n"
            message += f"Before:   by the rules the breaker was {before[number][1]}\n"
            message += f"Got:      {got}\nExpected: {want}"
            if why:
                message += f"\nWhy:      {why}"
            if seen.get("raised") == "NotImplementedError" or "NotImplementedError" in str(
                seen.get("state_raised")
            ):
                message += "\nThis is still the stub: replace `raise NotImplementedError`."
            raise GradeFailure(message)
    return played["steps"]


# -- task 1: closed ------------------------------------------------------------------------
@pytest.mark.task(1)
def test_new_breaker_is_closed_and_passes_calls_through(learner):
    """a new breaker is 'closed' and returns what the service returns"""
    run_script(learner, [STATE, ok({"id": 7, "name": "Mina"}, 7), ok([1, 2], "a", "b"), STATE])


@pytest.mark.task(1)
def test_keyword_arguments_are_forwarded(learner):
    """call(func, *args, **kwargs) calls func with the same positional and keyword arguments"""
    call = "breaker.call(service, 'order-17', retries=0, region='eu')"
    played = learner.run(act_call_with_keywords, call=call).value()
    Outcome.from_attempt(call, played["result"]).expect("done")
    expected = [[["order-17"], {"retries": 0, "region": "eu"}]]
    if not same(played["seen"], expected):
        raise GradeFailure(
            f"Called:   {call}\nGot:      the service was called as {played['seen']!r}\n"
            f"Expected: one call, service('order-17', retries=0, region='eu'): {expected!r}\n"
            "Why:      call must pass func every positional AND keyword argument it was given"
        )


@pytest.mark.task(1)
def test_failures_reach_the_caller_unchanged(learner):
    """the service's own exception object reaches the caller; below the threshold it stays closed"""
    run_script(learner, [fail("ServiceDown", "disk on fire"), fail("KeyError", "user 9"), STATE])


@pytest.mark.task(1)
@pytest.mark.parametrize("threshold", [1, 3, 5])
def test_opens_after_threshold_consecutive_failures(learner, threshold):
    """the circuit opens exactly when the consecutive failures reach failure_threshold"""
    script = []
    for failure in failures(threshold):
        script += [failure, STATE]
    run_script(learner, script, threshold=threshold)


@pytest.mark.task(1)
def test_a_success_resets_the_failure_count(learner):
    """fail, fail, succeed, fail, fail stays closed at threshold 3; one more failure opens it"""
    script = [*failures(2), ok(), *failures(2), STATE, ok(), ok(), *failures(2), STATE, fail()]
    run_script(learner, [*script, STATE], threshold=3)


@pytest.mark.task(1)
def test_every_kind_of_exception_counts(learner):
    """any exception from the service is a failure: ValueError, TimeoutError, your own class"""
    script = [fail("ValueError", "bad"), fail("TimeoutError", "slow"), fail("ServiceDown", "x")]
    run_script(learner, [*script, STATE], threshold=3)


# -- task 2: open ---------------------------------------------------------------------------
@pytest.mark.task(2)
def test_open_circuit_fails_fast_without_calling(learner):
    """while open, every call raises CircuitOpenError and never reaches the service"""
    script = [*failures(2), ok("should not run"), fail(), ok(), STATE]
    run_script(learner, script, threshold=2)


@pytest.mark.task(2)
def test_stays_open_until_just_before_the_timeout(learner):
    """with reset_timeout=30 the circuit is still open 29.75 s after it opened"""
    script = [*failures(3), wait(10), STATE, ok(), wait(19.75), STATE, ok(), fail()]
    run_script(learner, script, threshold=3, timeout=30.0)


# -- task 3: half-open ------------------------------------------------------------------------
@pytest.mark.task(2)
def test_refused_calls_are_not_failures(learner):
    """twenty calls refused over 28.75 s never reach the service; the circuit stays open"""
    script = [*failures(2)]
    for n in range(10):
        script += [wait(2.875), ok(f"call {n}"), fail("TimeoutError", f"call {n}"), STATE]
    run_script(learner, script, threshold=2, timeout=30.0)


@pytest.mark.task(3)
def test_half_open_exactly_at_the_timeout(learner):
    """state reads 'half_open' at exactly reset_timeout after opening (inclusive)"""
    script = [*failures(3), wait(29.75), STATE, wait(0.25), STATE, wait(100), STATE]
    run_script(learner, script, threshold=3, timeout=30.0)


@pytest.mark.task(3)
def test_successful_trial_closes_with_a_fresh_count(learner):
    """a successful trial closes the circuit; it takes threshold new failures to open again"""
    script = [*failures(3), wait(30), ok("back", 1), STATE, *failures(2), STATE, ok(), fail()]
    run_script(learner, [*script, STATE, *failures(2), STATE], threshold=3, timeout=30.0)


@pytest.mark.task(3)
def test_failed_trial_opens_again_at_once(learner):
    """one failed trial re-opens the circuit, even with failure_threshold=4"""
    script = [*failures(4), wait(30), fail("ServiceDown", "still down"), STATE, ok(), ok()]
    run_script(learner, [*script, STATE], threshold=4, timeout=30.0)


@pytest.mark.task(3)
def test_failed_trial_restarts_the_timer(learner):
    """after a failed trial at t=45 the circuit stays open until t=75, then is half_open"""
    script = [*failures(2), wait(45), fail("TimeoutError", "trial timed out"), STATE]
    script += [wait(29.75), STATE, ok(), wait(0.25), STATE, ok("recovered"), STATE]
    run_script(learner, script, threshold=2, timeout=30.0)


@pytest.mark.task(3)
def test_only_one_trial_at_a_time(learner):
    """while the trial runs, state is 'half_open' and a second caller is refused"""
    script = [*failures(2), wait(30), trial_with_visitor(("ok", "trial ok")), STATE]
    script += [*failures(2), wait(31), trial_with_visitor(("fail", "ServiceDown", "no"))]
    run_script(learner, [*script, STATE, ok(), wait(30), ok(), STATE], threshold=2)


@pytest.mark.task(3)
def test_refused_calls_do_not_extend_the_wait(learner):
    """calls refused while open do not restart the timer: half_open 30 s after opening"""
    script = [*failures(2), wait(12), ok(), wait(17.75), ok(), fail(), wait(0.25), STATE]
    run_script(learner, script, threshold=2, timeout=30.0)


@pytest.mark.task(3)
def test_time_comes_only_from_the_injected_clock(learner):
    """an hour-long reset_timeout passes as soon as the fake clock says so"""
    script = [fail(), STATE, wait(3599.5), STATE, wait(0.5), STATE]
    run_script(learner, script, threshold=1, timeout=3600.0)


@pytest.mark.task(3)
def test_a_long_outage(learner):
    """an outage with three failed trials, then recovery: every step as documented"""
    script = [ok(), *failures(3), STATE]
    for minute in range(3):
        script += [wait(20), ok(), wait(10), STATE, fail("TimeoutError", f"trial {minute}"), STATE]
    script += [wait(30), ok("healthy again"), STATE, fail(), ok(), *failures(2), STATE]
    run_script(learner, script, threshold=3, timeout=30.0)


@pytest.mark.task(3)
def test_opened_at_is_read_after_the_failure(learner):
    """a failure that takes 10 s opens the circuit from the moment it ended, trial too"""
    script = [fail(), slow(fail("TimeoutError", "slow failure"), 10.0), wait(20), STATE]
    script += [wait(9.75), STATE, wait(0.25), STATE]
    script += [slow(fail("TimeoutError", "slow trial"), 4.0), wait(29.75), STATE, ok()]
    script += [wait(0.25), STATE, slow(ok("back"), 2.5), STATE]
    run_script(learner, script, threshold=2, timeout=30.0)


@pytest.mark.task(1)
def test_each_breaker_has_its_own_state(learner):
    """two breakers count their own failures: one's failure or success never moves the other"""
    call = "first = CircuitBreaker(failure_threshold=2, ...); second = the same; then in turn "
    call += ", ".join(step for step, _, _ in TWO_BREAKERS_EXPECTED)
    got = learner.run(act_two_breakers, call=call).value()
    for seen, expected in zip(got, TWO_BREAKERS_EXPECTED, strict=True):
        if seen != expected:
            raise GradeFailure(
                f"Called:   {call}\n"
                f"Got:      {seen[0]} -> {show(seen[1])}, then its state {show(seen[2])}\n"
                f"Expected: {expected[0]} -> {show(expected[1])}, then its state "
                f"{show(expected[2])}\n"
                "Why:      by its own calls alone this breaker would give the expected "
                "answer, so it reacted to the other breaker's calls: the count or state is "
                "shared between objects (a class attribute?), not kept on self"
            )


@pytest.mark.task(3)
@pytest.mark.parametrize("seed", [35, 350])
def test_a_random_day_of_traffic(learner, seed):
    """300 random calls, failures, clock moves and state reads all follow the rules"""
    rng = random.Random(seed)
    script: list[tuple] = []
    for n in range(300):
        roll = rng.random()
        if roll < 0.35:
            script.append(fail(rng.choice(list(ERRORS)), f"failure #{n}"))
        elif roll < 0.6:
            script.append(ok(n, n))
        elif roll < 0.65:
            script.append(slow(fail("TimeoutError", f"slow #{n}"), rng.choice([0.5, 3, 9])))
        elif roll < 0.8:
            script.append(wait(rng.choice([0.25, 1, 2.5, 4, 7.75, 8, 10, 16])))
        else:
            script.append(STATE)
    run_script(learner, script, threshold=3, timeout=8.0)


# -- Hypothesis: generated operation sequences against the model ---------------------------
def act_observe(module, case):
    """Play generated operations; one compact observation per call or state read."""
    threshold, timeout, ops = case
    clock = FakeClock(START)
    breaker = module.CircuitBreaker(failure_threshold=threshold, reset_timeout=timeout, clock=clock)
    open_error = getattr(module, "CircuitOpenError", ())
    seen: list = []
    for op in ops:
        if op[0] == "wait":
            clock.advance(op[1])
            continue
        if op[0] == "state":
            seen.append(_read_state(breaker).get("state", "reading state raised"))
            continue
        called: list = []
        raised: list = []

        def service(op=op, called=called, raised=raised):
            called.append(1)
            if op[0] == "ok":
                return op[1]
            clock.advance(op[1])  # a failure that takes op[1] seconds
            error = ServiceDown("down")
            raised.append(error)
            raise error

        try:
            observed = ["returned", breaker.call(service)]
        except BaseException as exc:  # noqa: BLE001 - every outcome is data for the judge
            if raised and exc is raised[0]:
                observed = ["its own error"]
            elif isinstance(exc, open_error) and not called:
                observed = ["CircuitOpenError"]
            else:
                observed = ["raised", type(exc).__name__]
        seen.append([*observed, "service called" if called else "service not called"])
    return seen


def model_observe(case):
    threshold, timeout, ops = case
    model = Model(threshold, timeout)
    seen: list = []
    for op in ops:
        if op[0] == "wait":
            model.now += op[1]
        elif op[0] == "state":
            seen.append(model.state())
        else:
            spec = ("ok", op[1]) if op[0] == "ok" else ("fail", "ServiceDown", "down")
            expected = model.call(spec, [], None, op[1] if op[0] == "fail" else 0.0)
            if expected["outcome"] == "refused":
                seen.append(["CircuitOpenError", "service not called"])
            elif expected["outcome"] == "same_error":
                seen.append(["its own error", "service called"])
            else:
                seen.append(["returned", expected["returned"], "service called"])
    return seen


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("ok"), st.integers(0, 9)),
        st.tuples(st.just("fail"), st.sampled_from([0.0, 0.0, 0.5, 3.0])),
        st.tuples(st.just("wait"), st.sampled_from([0.25, 0.5, 1.0, 2.5, 4.0, 8.0])),
        st.tuples(st.just("state")),
    ),
    max_size=40,
)
BREAKER_CASES = st.tuples(st.integers(1, 4), st.sampled_from([1.0, 2.5, 8.0]), OPS)


def describe_ops(case) -> str:
    threshold, timeout, ops = case
    words = []
    for op in ops:
        if op[0] == "ok":
            words.append(f"call (service returns {op[1]})")
        elif op[0] == "fail":
            took = f" after {op[1]:g} s" if op[1] else ""
            words.append(f"call (service raises{took})")
        elif op[0] == "wait":
            words.append(f"clock +{op[1]:g} s")
        else:
            words.append("state")
    made = f"CircuitBreaker(failure_threshold={threshold}, reset_timeout={timeout}, clock=fake)"
    return made + "; then " + ", ".join(words or ["nothing"])


@pytest.mark.task(3)
def test_generated_operation_sequences_follow_the_rules(learner):
    """150 generated sequences of calls, failures, clock moves and state reads (Hypothesis,
    derandomized): every observation as the rules say, shrunk to the shortest that differs"""
    agree_run(
        learner,
        act_observe,
        model_observe,
        BREAKER_CASES,
        describe=describe_ops,
        max_examples=150,
        note="one entry per call or state read, in order; this is the shortest generated "
        "sequence on which your breaker and the rules differ",
    )
