"""Grader for ch35/retry_backoff: exponential backoff, full jitter, and what is retried.

Every test hands ``retry`` a scripted ``func`` (each call raises or returns the next answer),
a recording ``sleep`` and a scripted ``rng``, so a whole run becomes a list of events
(calls and sleeps) that the judge compares with its own model of the documented rules.
Delays and random numbers are exact binary fractions, so any order of multiplying gives
the same float. ``time.sleep`` is never reached: every test passes ``sleep``.
"""

from __future__ import annotations

import random
import time
from typing import Any

import pytest

from graders.acts import attempt
from graders.expectations import same, show
from graders.harness import GradeFailure, Outcome

EXERCISE = "ch35/retry_backoff"


class Throttled(Exception):
    """A service-specific error the learner cannot know about in advance."""


class PaymentDeclined(Exception):
    """A permanent failure: retrying it would charge nobody, but it must not be retried."""


ERRORS: dict[str, type[BaseException]] = {
    "ConnectionError": ConnectionError,
    "ConnectionRefusedError": ConnectionRefusedError,  # a subclass of ConnectionError
    "ConnectionResetError": ConnectionResetError,  # another one
    "TimeoutError": TimeoutError,
    "ValueError": ValueError,
    "KeyError": KeyError,
    "PermissionError": PermissionError,  # an OSError, but not a ConnectionError
    "Exception": Exception,
    "Throttled": Throttled,
    "PaymentDeclined": PaymentDeclined,
}
DEFAULT_RETRY_ON = ("ConnectionError", "TimeoutError")
EXTRA_RNG = 0.5  # what the scripted rng answers once its list is used up


# -- acts: run inside the sandbox, next to the learner's code ----------------------
def _number(value: Any) -> Any:
    """A sleep argument as plain data: an int or float as a float, anything else as its type
    and its value (truncated), e.g. "str '0.5'"."""
    if type(value) in (int, float):
        return float(value)
    try:
        shown = repr(value)
    except Exception:  # noqa: BLE001 - a hostile __repr__ is still just data
        shown = "(its repr() raised)"
    return f"{type(value).__name__} {shown[:60]}"


def act_retry(module, script, options, rng_values):
    """Run retry() with a scripted func, a recording sleep and a scripted rng.

    Records the events in order (["call", n] and ["sleep", seconds]), what retry returned
    or raised, and for a raise WHICH of func's exception objects it was (1-based), if any.
    """
    events: list = []
    raised: list[BaseException] = []
    rng_calls: list[int] = []

    def func():
        number = sum(1 for e in events if e[0] == "call") + 1
        events.append(["call", number])
        answer = script[min(number, len(script)) - 1]
        if answer[0] == "raise":
            error = ERRORS[answer[1]](answer[2] if number <= len(script) else "extra call")
            raised.append(error)
            raise error
        return answer[1]

    def sleep(seconds):
        events.append(["sleep", _number(seconds)])

    def rng():
        rng_calls.append(1)
        return rng_values[len(rng_calls) - 1] if len(rng_calls) <= len(rng_values) else EXTRA_RNG

    kwargs = dict(options)
    if "retry_on" in kwargs:
        kwargs["retry_on"] = tuple(ERRORS[name] for name in kwargs["retry_on"])
    caught: list[BaseException] = []

    def run():
        try:
            return module.retry(func, sleep=sleep, rng=rng, **kwargs)
        except BaseException as exc:
            caught.append(exc)
            raise

    # time.sleep is swapped for a recorder during the run: a retry that waits with it
    # instead of the sleep it was given is caught in the act, and no real time passes.
    real_sleeps: list[float] = []
    original = time.sleep

    def real_sleep(seconds):
        real_sleeps.append(_number(seconds))

    aliases = [name for name, value in vars(module).items() if value is original]
    time.sleep = real_sleep
    for name in aliases:
        setattr(module, name, real_sleep)
    try:
        record = attempt(run)
    finally:
        time.sleep = original
        for name in aliases:
            setattr(module, name, original)
    record["time_sleeps"] = real_sleeps
    if caught:
        record["which"] = next((n for n, e in enumerate(raised, 1) if e is caught[0]), None)
    record["events"] = events
    record["rng_calls"] = len(rng_calls)
    return record


def act_backoff_delay(module, cases):
    """Call backoff_delay once per case with a scripted rng; record value and rng calls."""
    results = []
    for failed_attempt, base, cap, jitter, rng_value in cases:
        calls: list[int] = []

        def rng(value=rng_value, calls=calls):
            calls.append(1)
            return value

        record = attempt(module.backoff_delay, failed_attempt, base, cap, jitter, rng)
        if "returned" in record and type(record["returned"]) is int:
            record["returned"] = float(record["returned"])  # 2 is as good a wait as 2.0
        record["rng_calls"] = len(calls)
        results.append(record)
    return results


# -- the judge's model of the documented rules -------------------------------------
def model(script: list, options: dict, rng_values: list) -> dict:
    """The events and outcome the brief prescribes for this script."""
    attempts = options.get("attempts", 3)
    base = options.get("base_delay", 1.0)
    cap = options.get("max_delay")
    jitter = options.get("jitter", True)
    retry_on = tuple(ERRORS[name] for name in options.get("retry_on", DEFAULT_RETRY_ON))
    events: list = []
    for number in range(1, attempts + 1):
        events.append(["call", number])
        answer = script[min(number, len(script)) - 1]
        if answer[0] == "ok":
            return {"events": events, "returned": answer[1]}
        if not issubclass(ERRORS[answer[1]], retry_on) or number == attempts:
            return {"events": events, "raised": answer[1], "which": number, "message": answer[2]}
        ceiling = base * 2 ** (number - 1)
        if cap is not None:
            ceiling = min(ceiling, cap)
        if jitter:
            wait = number - 1  # the number-th wait uses rng_values[number - 1]
            ceiling *= rng_values[wait] if wait < len(rng_values) else EXTRA_RNG
        events.append(["sleep", float(ceiling)])
    raise AssertionError("grader bug: attempts must be at least 1 here")


# -- rendering -----------------------------------------------------------------------
def answer_text(answer: tuple) -> str:
    if answer[0] == "ok":
        return f"returns {answer[1]!r}"
    return f"raises {answer[1]}({answer[2]!r})"


def describe(script: list, options: dict, rng_values: list) -> str:
    shown = dict(options)
    if "retry_on" in shown:
        shown["retry_on"] = f"({', '.join(shown['retry_on'])},)"
    settings = "".join(
        f", {k}={v}" if k == "retry_on" else f", {k}={v!r}" for k, v in shown.items()
    )
    lines = [f"retry(func{settings}, sleep=recorder, rng=scripted)"]
    for number, answer in enumerate(script, 1):
        lines.append(f"  func's call {number} {answer_text(answer)}")
    if options.get("jitter", True) and rng_values:
        lines.append("rng() answers " + ", ".join(f"{v:g}" for v in rng_values) + " in turn")
    return "\n          ".join(lines)


def events_text(events: list) -> str:
    parts = []
    for event in events:
        if event[0] == "call":
            parts.append(f"call {event[1]}")
        else:
            value = event[1]
            parts.append(f"sleep({value:g})" if isinstance(value, float) else f"sleep({value})")
    return ", ".join(parts) or "(func never called)"


def outcome_text(record: dict) -> str:
    if "returned" in record:
        return f"returned {show(record['returned'])}"
    if "raised" in record and "which" in record and record["which"] is not None:
        return f"raised {record['raised']} (func's exception from call {record['which']})"
    if "raised" in record:
        return f"raised {record['raised']}: {record.get('message', '')}"
    return "?"


def _calls(events: list) -> int:
    return sum(1 for e in events if e[0] == "call")


def diagnose(got: dict, expected: dict, options: dict) -> str:
    """A Why line for the first way the run differs from the rules."""
    got_events, want_events = got["events"], expected["events"]
    got_calls, want_calls = _calls(got_events), _calls(want_events)
    if got.get("raised") == "NotImplementedError":
        return "This is still the stub: replace `raise NotImplementedError` with your code."
    if got_calls > want_calls:
        if "raised" in expected and expected["which"] < options.get("attempts", 3):
            return (
                f"{expected['raised']} is not in retry_on (nor a subclass of anything in it): "
                "it must reach the caller at once, with no sleep and no retry"
            )
        return "attempts is the TOTAL number of calls, and retry stops at the first success"
    if got_calls < want_calls:
        return (
            "a failure whose class is in retry_on (or a subclass of one) is retried while "
            "attempts remain; attempts is the total number of calls"
        )
    got_sleeps = [e for e in got_events if e[0] == "sleep"]
    want_sleeps = [e for e in want_events if e[0] == "sleep"]
    if got.get("time_sleeps") and len(got_sleeps) < len(want_sleeps):
        return (
            f"the sleep given to retry was called {len(got_sleeps)} time(s) where "
            f"{len(want_sleeps)} wait(s) were due, and time.sleep was called "
            f"{len(got['time_sleeps'])} time(s) with {show(got['time_sleeps'][:5])}: wait by "
            "calling the sleep parameter, not time.sleep (the grader's sleep records the waits "
            "and takes no real time)"
        )
    if got_events and got_events[-1][0] == "sleep":
        return "never sleep after the last call: sleep only BETWEEN two attempts"
    if got_events and got_events[0][0] == "sleep":
        return "the first call happens at once: sleep only BETWEEN two attempts"
    if not got_sleeps and want_sleeps:
        return (
            f"the sleep given to retry was never called, where {len(want_sleeps)} wait(s) "
            "were due: wait by calling sleep(delay) between two attempts"
        )
    if len(got_sleeps) != len(want_sleeps) or not same(
        [e[0] for e in got_events], [e[0] for e in want_events]
    ):
        return "call sleep(delay) exactly once between two attempts"
    odd = [e[1] for e in got_sleeps if not isinstance(e[1], float)]
    if odd:
        return (
            f"sleep was called with {odd[0]}, not a number: pass the delay that "
            "backoff_delay works out, as an int or float"
        )
    if not same(got_sleeps, want_sleeps, places=9):
        if options.get("jitter", True):
            return (
                "the wait after failed attempt n is rng() * min(base_delay * 2 ** (n - 1), "
                "max_delay): one fresh rng() per wait, the cap applied before the jitter"
            )
        return (
            "without jitter the wait after failed attempt n is base_delay * 2 ** (n - 1), "
            "capped at max_delay when it is not None"
        )
    if "returned" in expected:
        return "return exactly what the first successful call returned"
    if "returned" in got:
        return "when the last attempt fails, its exception must reach the caller, not a value"
    if got.get("which") is None:
        return (
            "let func's own exception object through unchanged (a bare `raise`), never a new "
            "or wrapped exception"
        )
    return "re-raise the exception of the LAST attempt, not an earlier one"


def run_retry(
    learner,
    script: list,
    options: dict,
    rng_values: list | None = None,
) -> dict:
    """Run one retry() in the sandbox and compare every event and the outcome."""
    rng_values = rng_values or []
    call = describe(script, options, rng_values)
    got = learner.run(act_retry, script, options, rng_values, call=call).value("a run")
    expected = model(script, options, rng_values)
    events_ok = same(got["events"], expected["events"], places=9)
    if "returned" in expected:
        outcome_ok = "returned" in got and same(got["returned"], expected["returned"])
    else:
        outcome_ok = (
            got.get("raised") == expected["raised"] and got.get("which") == expected["which"]
        )
    if not (events_ok and outcome_ok):
        raise GradeFailure(
            f"Called:   {call}\n"
            + f"Got:      {events_text(got['events'])} -> {outcome_text(got)}\n"
            + (
                f"          and time.sleep was called with {show(got['time_sleeps'][:5])}\n"
                if got.get("time_sleeps")
                else ""
            )
            + f"Expected: {events_text(expected['events'])} -> {outcome_text(expected)}\n"
            f"Why:      {diagnose(got, expected, options)}"
        )
    return got


def failing(count: int, error: str = "ConnectionError") -> list[tuple]:
    return [("raise", error, f"failure {n}") for n in range(1, count + 1)]


# -- task 1: backoff_delay -------------------------------------------------------------------
FORMULA = (
    "ceiling = base_delay * 2 ** (failed_attempt - 1), then min(ceiling, max_delay) unless "
    "max_delay is None; with jitter the wait is rng() * ceiling (one rng() call), else ceiling"
)


def check_backoff(learner, cases: list[tuple]) -> None:
    """cases: (failed_attempt, base_delay, max_delay, jitter, rng_value, expected)."""
    calls = [
        f"backoff_delay({n}, {base!r}, {cap!r}, {jitter!r}, rng)"
        + (f"   [rng() answers {value}]" if jitter else "")
        for n, base, cap, jitter, value, _ in cases
    ]
    results = learner.run(act_backoff_delay, [c[:5] for c in cases], call="; ".join(calls)).value()
    for case, call, got in zip(cases, calls, results, strict=True):
        returned = got.get("returned")
        note = FORMULA
        if "returned" in got and type(returned) not in (int, float):
            note = f"the wait came back as a {type(returned).__name__}: return it as a number"
        Outcome.from_attempt(call, got).expect(case[5], places=9, note=note)
        if not case[3] and got["rng_calls"]:
            raise GradeFailure(
                f"Called:   {call}\nGot:      rng() was called {got['rng_calls']} time(s)\n"
                "Expected: no rng() call: with jitter=False rng is not needed (a caller may "
                "pass one that must not be used)"
            )
        if case[3] and got["rng_calls"] != 1:
            raise GradeFailure(
                f"Called:   {call}\nGot:      rng() was called {got['rng_calls']} time(s)\n"
                "Expected: exactly one rng() call for a wait with jitter"
            )


@pytest.mark.task(1)
def test_backoff_doubles_from_base_delay(learner):
    """without jitter the waits after failures 1, 2, 3, 4 are 1, 2, 4, 8 times base_delay"""
    check_backoff(
        learner,
        [(n, 1.0, None, False, 0.5, 2.0 ** (n - 1)) for n in (1, 2, 3, 4)]
        + [(n, 0.25, None, False, 0.5, 0.25 * 2 ** (n - 1)) for n in (1, 2, 5)]
        + [(3, 3.0, None, False, 0.5, 12.0)],
    )


@pytest.mark.task(1)
def test_backoff_is_capped_by_max_delay(learner):
    """max_delay caps the wait; max_delay=None means no cap at all"""
    check_backoff(
        learner,
        [
            (3, 1.0, 10.0, False, 0.5, 4.0),
            (4, 1.0, 8.0, False, 0.5, 8.0),
            (5, 1.0, 10.0, False, 0.5, 10.0),
            (30, 1.0, 60.0, False, 0.5, 60.0),
            (11, 1.0, None, False, 0.5, 1024.0),
        ],
    )


@pytest.mark.task(1)
def test_backoff_with_full_jitter(learner):
    """with jitter the wait is rng() * ceiling, with exactly one rng() call"""
    check_backoff(
        learner,
        [
            (1, 2.0, None, True, 0.25, 0.5),
            (4, 1.0, None, True, 0.75, 6.0),
            (2, 0.5, None, True, 0.125, 0.125),
            (3, 1.0, None, True, 0.5, 2.0),
        ],
    )


@pytest.mark.task(1)
def test_backoff_caps_before_the_jitter(learner):
    """the cap applies to the ceiling, before multiplying by rng(): min(16, 10) * 0.5 = 5"""
    check_backoff(
        learner,
        [(5, 1.0, 10.0, True, 0.5, 5.0), (6, 2.0, 10.0, True, 0.25, 2.5)],
    )


# -- task 2: the retry loop ------------------------------------------------------------------------
@pytest.mark.task(2)
def test_first_success_returns_at_once(learner):
    """when the first call works, retry returns its result with no sleep"""
    run_retry(learner, [("ok", {"id": 7, "status": "paid"})], {"attempts": 4})


@pytest.mark.task(2)
def test_succeeds_on_the_third_call(learner):
    """two failures then a success: three calls, two waits between them, the result back"""
    run_retry(learner, [*failing(2), ("ok", "pong")], {"attempts": 5}, [0.5, 0.75, 0.25])


@pytest.mark.task(2)
def test_success_on_the_very_last_attempt(learner):
    """a success on the last allowed attempt still counts"""
    run_retry(learner, [*failing(2), ("ok", [1, 2, 3])], {"attempts": 3, "jitter": False})


@pytest.mark.task(2)
def test_a_result_of_none_is_a_success(learner):
    """a call that returns None has succeeded: no more attempts"""
    run_retry(learner, [*failing(1), ("ok", None), ("ok", "late")], {"attempts": 4}, [0.5])


@pytest.mark.task(2)
@pytest.mark.parametrize("attempts", [1, 2, 4, 6])
def test_gives_up_after_attempts_and_reraises_the_last_error(learner, attempts):
    """every call fails: exactly `attempts` calls, no sleep after the last, ITS error re-raised"""
    run_retry(learner, failing(attempts + 2), {"attempts": attempts, "jitter": False})


@pytest.mark.task(2)
@pytest.mark.parametrize("attempts", [0, -2])
def test_attempts_below_one_is_an_error(learner, attempts):
    """attempts < 1 raises ValueError before func is ever called"""
    call = f"retry(func, attempts={attempts}, sleep=recorder, rng=scripted)"
    got = learner.run(act_retry, [("ok", "x")], {"attempts": attempts}, [], call=call).value()
    Outcome.from_attempt(call, got).expect_raises(ValueError)
    if got["events"]:
        raise GradeFailure(
            f"Called:   {call}\nGot:      {events_text(got['events'])}\n"
            "Expected: ValueError before func is called (no calls, no sleeps)"
        )


@pytest.mark.task(2)
def test_doubling_without_jitter(learner):
    """jitter=False: the waits are 1, 2, 4, 8 seconds"""
    run_retry(learner, failing(7), {"attempts": 5, "jitter": False})


@pytest.mark.task(2)
def test_base_and_cap_without_jitter(learner):
    """base_delay=0.25, max_delay=3, no jitter: 0.25, 0.5, 1, 2, 3, 3, then success"""
    options = {"attempts": 9, "base_delay": 0.25, "max_delay": 3.0, "jitter": False}
    run_retry(learner, [*failing(6), ("ok", "finally")], options)


@pytest.mark.task(2)
def test_a_fresh_random_number_for_every_wait(learner):
    """with jitter each wait is rng() * ceiling, one new rng() per wait, in order"""
    script = [*failing(4), ("ok", "up")]
    run_retry(learner, script, {"attempts": 6}, [0.5, 0.25, 0.75, 0.125, 0.375])


@pytest.mark.task(2)
def test_jitter_after_the_cap(learner):
    """base 2, max_delay 10, rng 0.5: waits 1, 2, 4, 5, 5 (cap first, then jitter)"""
    options = {"attempts": 7, "base_delay": 2.0, "max_delay": 10.0}
    run_retry(learner, [*failing(5), ("ok", 200)], options, [0.5] * 6)


@pytest.mark.task(2)
def test_the_documented_defaults(learner):
    """defaults: 3 attempts, base_delay 1, jitter on, no cap"""
    run_retry(learner, failing(5), {}, [0.5, 0.75, 0.25])


@pytest.mark.task(2)
def test_jitter_with_a_fractional_base(learner):
    """base_delay=0.5 with jitter: rng 0.875, 0.0625, 0.5625 give 0.4375, 0.0625, 1.125"""
    script = [*failing(3), ("ok", "ok")]
    run_retry(learner, script, {"attempts": 4, "base_delay": 0.5}, [0.875, 0.0625, 0.5625])


# -- task 3: only retry what can get better -----------------------------------------------------
@pytest.mark.task(3)
@pytest.mark.parametrize("error", ["ValueError", "KeyError", "PaymentDeclined", "PermissionError"])
def test_other_errors_are_not_retried(learner, error):
    """by default only ConnectionError and TimeoutError are retried; others raise at once"""
    run_retry(learner, [("raise", error, "bad request"), ("ok", "never")], {"attempts": 5})


@pytest.mark.task(3)
def test_a_permanent_error_after_transient_ones(learner):
    """ConnectionError, TimeoutError, then KeyError: three calls, two waits, the KeyError"""
    script = [*failing(1), ("raise", "TimeoutError", "slow"), ("raise", "KeyError", "user 9")]
    run_retry(learner, [*script, ("ok", "never")], {"attempts": 6}, [0.5, 0.5, 0.5])


@pytest.mark.task(3)
def test_subclasses_of_retry_on_are_retried(learner):
    """ConnectionRefusedError and ConnectionResetError are ConnectionErrors: retried"""
    script = [
        ("raise", "ConnectionRefusedError", "refused"),
        ("raise", "ConnectionResetError", "reset"),
    ]
    run_retry(learner, [*script, ("ok", "connected")], {"attempts": 4}, [0.25, 0.75])


@pytest.mark.task(3)
def test_a_custom_retry_on(learner):
    """retry_on=(Throttled,): Throttled is retried, ConnectionError is not"""
    script = [("raise", "Throttled", "slow down"), ("raise", "Throttled", "still"), *failing(1)]
    options = {"attempts": 5, "retry_on": ("Throttled",)}
    run_retry(learner, [*script, ("ok", "never")], options, [0.5, 0.5])


@pytest.mark.task(3)
def test_retry_on_exception_retries_everything(learner):
    """retry_on=(Exception,) retries any exception, up to attempts"""
    script = [
        ("raise", "ValueError", "a"),
        ("raise", "PaymentDeclined", "b"),
        ("raise", "KeyError", "c"),
    ]
    options = {"attempts": 3, "retry_on": ("Exception",), "jitter": False}
    run_retry(learner, [*script, ("ok", "never")], options)


@pytest.mark.task(3)
def test_several_classes_in_retry_on(learner):
    """retry_on=(Throttled, TimeoutError) retries both; the last error is the one raised"""
    script = [
        ("raise", "TimeoutError", "t1"),
        ("raise", "Throttled", "t2"),
        ("raise", "TimeoutError", "t3"),
    ]
    options = {"attempts": 3, "retry_on": ("Throttled", "TimeoutError"), "base_delay": 0.5}
    run_retry(learner, [*script, ("ok", "never")], options, [0.25, 0.5])


# -- generated schedules: the learner against the model, seeded -------------------------------
def generated_scenarios(seed: int = 35, count: int = 40) -> list[tuple]:
    """Deterministic (script, options, rng_values) runs; the simplest come first."""
    rng = random.Random(seed)
    names = ["ConnectionError", "TimeoutError", "ConnectionResetError", "Throttled", "KeyError"]
    scenarios = []
    for _ in range(count):
        options: dict = {"attempts": rng.randint(1, 6)}
        if rng.random() < 0.7:
            options["base_delay"] = rng.choice([0.25, 0.5, 1.0, 2.0])
        if rng.random() < 0.5:
            options["max_delay"] = rng.choice([1.0, 3.0, 8.0])
        options["jitter"] = rng.random() < 0.6
        if rng.random() < 0.3:
            options["retry_on"] = ("Throttled", "TimeoutError")
        script = [("raise", rng.choice(names), f"failure {n}") for n in range(1, rng.randint(1, 7))]
        script.append(("ok", rng.choice(["pong", 0, None, [1, 2]])))
        rng_values = [rng.choice([0.0, 0.125, 0.25, 0.5, 0.75, 0.875]) for _ in range(6)]
        scenarios.append((script, options, rng_values))
    return sorted(scenarios, key=lambda s: (len(s[0]), s[1]["attempts"], repr(s)))


@pytest.mark.task(3)
def test_generated_schedules_match_the_rules(learner):
    """40 seeded scenarios (attempts, delays, cap, jitter, retry_on, failures): every call,
    wait and outcome as the rules say"""
    for script, options, rng_values in generated_scenarios():
        run_retry(learner, script, options, rng_values if options["jitter"] else [])
