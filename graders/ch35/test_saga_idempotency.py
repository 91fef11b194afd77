"""Grader for ch35/saga_idempotency: compensation in reverse, and replay by idempotency key.

Sagas run on recording fakes: every action and compensation appends to one shared log, so
the judge checks the exact ORDER of calls, and each fake raises its own exception object,
so the judge checks that ``SagaFailed.error`` (and each recorded compensation error) is
that very object. The idempotency store runs against handlers that record every request
they receive; the judge checks how many times each handler ran and what came back.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import strategies as st

from graders.acts import attempt
from graders.differential import agree_run
from graders.expectations import same, show
from graders.harness import GradeFailure, Outcome

EXERCISE = "ch35/saga_idempotency"


class CardDeclined(Exception):
    """A business failure raised by a fake step."""


class CarrierDown(Exception):
    """Another one, so errors from different steps are told apart."""


ERRORS: dict[str, type[Exception]] = {
    "CardDeclined": CardDeclined,
    "CarrierDown": CarrierDown,
    "ConnectionError": ConnectionError,
    "TimeoutError": TimeoutError,
    "ValueError": ValueError,
    "KeyError": KeyError,
    "RuntimeError": RuntimeError,
}


# -- acts: run inside the sandbox, next to the learner's code ----------------------
def _error_record(exc: BaseException) -> dict:
    try:
        message = str(exc)[:300]
    except Exception:  # noqa: BLE001 - a hostile __str__ is still just data
        message = "<message could not be shown>"
    return {
        "raised": type(exc).__name__,
        "mro": [c.__name__ for c in type(exc).__mro__],
        "message": message,
    }


def _fake(log: list, kind: str, index: int, spec: tuple, raised: dict) -> Any:
    """A zero-argument step function that logs its call, then returns or raises per spec."""

    def step():
        log.append([kind, index])
        if spec[0] == "raise":
            error = ERRORS[spec[1]](spec[2])
            raised[(kind, index)] = error
            raise error
        return spec[1]

    return step


def act_saga(module, script):
    """Run run_saga on fakes; report the call log and what came back, identities checked."""
    log: list = []
    raised: dict = {}
    steps = [
        (_fake(log, "action", n, action, raised), _fake(log, "compensate", n, undo, raised))
        for n, (action, undo) in enumerate(script)
    ]
    record: dict[str, Any] = {}
    try:
        record["returned"] = module.run_saga(steps)
    except BaseException as exc:  # noqa: BLE001 - every outcome is data for the judge
        record.update(_error_record(exc))
        saga_failed = getattr(module, "SagaFailed", None)
        record["saga_failed"] = isinstance(saga_failed, type) and isinstance(exc, saga_failed)
        record["is_action_error"] = next(
            (key[1] for key, err in raised.items() if err is exc and key[0] == "action"), None
        )
        if record["saga_failed"]:
            record.update(_saga_details(exc, raised))
    record["log"] = log
    return record


def _saga_details(exc: Any, raised: dict) -> dict:
    """step, error and compensation_errors of a SagaFailed, as plain data."""
    details: dict[str, Any] = {}
    step = getattr(exc, "step", None)
    details["step"] = step if type(step) is int else repr(step)[:100]
    error = getattr(exc, "error", None)
    details["error_is"] = next(
        (list(key) for key, err in raised.items() if err is error), repr(error)[:100]
    )
    cause = exc.__cause__
    details["cause_is"] = next(
        (list(key) for key, err in raised.items() if err is cause),
        None if cause is None else f"a {type(cause).__name__}",
    )
    try:
        pairs = []
        for index, failure in exc.compensation_errors:
            origin = next((list(key) for key, err in raised.items() if err is failure), None)
            pairs.append([index if type(index) is int else repr(index)[:50], origin])
        details["compensation_errors"] = pairs
    except Exception as problem:  # noqa: BLE001
        details["compensation_errors"] = f"<not a list of (index, exception) pairs: {problem}>"
    return details


def act_store(module, script):
    """Drive one IdempotencyStore: handle calls, and changes to requests already sent."""
    conflict = getattr(module, "IdempotencyConflict", None)
    made: dict[str, Any] = {}
    try:
        store = module.IdempotencyStore()
    except BaseException as exc:  # noqa: BLE001
        return {"setup": _error_record(exc), "steps": []}
    sent: list = []
    steps = []
    for op in script:
        if op[0] == "mutate":  # the caller changes a request dict it sent before
            _, which, field, value = op
            sent[which][field] = value
            steps.append({})
            continue
        _, key, request, outcome = op
        request = copy.deepcopy(request)
        sent.append(request)
        received: list = []
        raised: list = []

        def handler(req, received=received, raised=raised, outcome=outcome):
            received.append(copy.deepcopy(req))
            if outcome[0] == "raise":
                error = ERRORS[outcome[1]](outcome[2])
                raised.append(error)
                raise error
            return copy.deepcopy(outcome[1])

        record: dict[str, Any] = {}
        try:
            record["returned"] = store.handle(key, request, handler)
        except BaseException as exc:  # noqa: BLE001
            record.update(_error_record(exc))
            record["conflict"] = isinstance(conflict, type) and isinstance(exc, conflict)
            record["handler_error"] = bool(raised) and exc is raised[0]
        record["handler_calls"] = received
        steps.append(record)
    made["steps"] = steps
    made["setup"] = {
        "conflict_is_value_error": isinstance(conflict, type) and issubclass(conflict, ValueError)
    }
    return made


def act_two_stores(module):
    """Two stores get the same key with different requests: each must run its own handler."""
    first, second = module.IdempotencyStore(), module.IdempotencyStore()
    calls: list = []

    def handler(name):
        def run(request):
            calls.append(name)
            return {"handled_by": name}

        return run

    return {
        "first": attempt(first.handle, "key-1", {"amount": 30}, handler("first")),
        "second": attempt(second.handle, "key-1", {"amount": 99}, handler("second")),
        "calls": calls,
    }


# -- the judge's models of the documented rules ----------------------------------------
def saga_model(script: list) -> dict:
    log: list = []
    for index, (action, _) in enumerate(script):
        log.append(["action", index])
        if action[0] == "raise":
            errors = []
            for done in reversed(range(index)):
                log.append(["compensate", done])
                if script[done][1][0] == "raise":
                    errors.append([done, ["compensate", done]])
            failed = {"step": index, "error_is": ["action", index], "compensation_errors": errors}
            return {"log": log, "failed": failed}
    return {"log": log, "returned": [action[1] for action, _ in script]}


def store_model(script: list) -> list[dict]:
    entries: dict = {}
    sent: list = []
    expected: list[dict] = []
    for op in script:
        if op[0] == "mutate":
            sent[op[1]][op[2]] = op[3]
            expected.append({})
            continue
        _, key, request, outcome = op
        request = copy.deepcopy(request)
        sent.append(request)
        if key in entries:
            stored, response = entries[key]
            if stored != request:
                expected.append({"conflict": True, "handler_calls": []})
            else:
                expected.append({"returned": response, "handler_calls": []})
            continue
        calls = [copy.deepcopy(request)]
        if outcome[0] == "raise":
            expected.append({"handler_error": True, "handler_calls": calls})
        else:
            entries[key] = (copy.deepcopy(request), outcome[1])
            expected.append({"returned": outcome[1], "handler_calls": calls})
    return expected


# -- rendering and judging: sagas ---------------------------------------------------------
def spec_text(spec: tuple) -> str:
    return f"raises {spec[1]}({spec[2]!r})" if spec[0] == "raise" else f"returns {spec[1]!r}"


def saga_text(script: list) -> str:
    lines = ["run_saga(steps), where"]
    for index, (action, undo) in enumerate(script):
        lines.append(f"  step {index}: action {spec_text(action)}, compensation {spec_text(undo)}")
    if not script:
        lines[0] = "run_saga([])"
    return "\n          ".join(lines)


def log_text(log: list) -> str:
    return ", ".join(f"{kind} {index}" for kind, index in log) or "(nothing called)"


def origin_text(origin: Any) -> str:
    """Whose exception object this is: ['action', 2] -> "action 2's own exception"."""
    if isinstance(origin, list) and len(origin) == 2:
        kind = "action" if origin[0] == "action" else "compensation"
        return f"{kind} {origin[1]}'s own exception"
    return "another object" if origin is None else f"another object: {origin}"


def saga_outcome_text(record: dict) -> str:
    if "returned" in record:
        return f"returned {show(record['returned'])}"
    failed = record.get("failed", record)
    if failed.get("saga_failed", "failed" in record):
        parts = [f"step={failed.get('step')!r}", f"error={origin_text(failed.get('error_is'))}"]
        pairs = failed.get("compensation_errors")
        if isinstance(pairs, list):
            shown = ", ".join(f"({index!r}, {origin_text(origin)})" for index, origin in pairs)
            parts.append(f"compensation_errors=[{shown}]")
        else:
            parts.append(f"compensation_errors={pairs}")
        return f"raised SagaFailed({', '.join(parts)})"
    return f"raised {record.get('raised')}: {record.get('message', '')}"


def saga_why(got: dict, expected: dict) -> str:
    got_log, want_log = got["log"], expected["log"]
    if got.get("raised") == "NotImplementedError":
        return "This is still the stub: replace `raise NotImplementedError` with your code."
    if not same(got_log, want_log):
        undone = [i for kind, i in got_log if kind == "compensate"]
        want_undone = [i for kind, i in want_log if kind == "compensate"]
        actions = [i for kind, i in got_log if kind == "action"]
        want_actions = [i for kind, i in want_log if kind == "action"]
        if actions != want_actions:
            if len(actions) > len(want_actions):
                return "once an action fails, no later action may run"
            return "run every action, in order, until one raises"
        if "failed" in expected and expected["failed"]["step"] in undone:
            return (
                "the failed step never completed, so its compensation must not run: undo only "
                "the steps BEFORE it"
            )
        if sorted(undone) == sorted(want_undone):
            return "compensations run in REVERSE order: the last completed step is undone first"
        if "returned" in expected:
            return "when every action succeeds, no compensation runs"
        if len(undone) < len(want_undone):
            return (
                "every completed step must be compensated, even when an earlier compensation "
                "raises: record its (index, exception) and carry on"
            )
        return "compensate exactly the completed steps, last first, each once"
    if "returned" in expected:
        return "return the list of the actions' results, in order"
    if not got.get("saga_failed"):
        return (
            "after compensating, raise SagaFailed(step, error, compensation_errors), the class "
            "given in the module, not the action's exception itself"
        )
    failed = expected["failed"]
    if got.get("step") != failed["step"]:
        return "SagaFailed.step is the index (from 0) of the action that raised"
    if got.get("error_is") != failed["error_is"]:
        return "SagaFailed.error is the very exception object the failing action raised"
    return (
        "compensation_errors lists (index, exception) for each compensation that raised, in the "
        "order they ran, with the compensation's own exception object"
    )


def run_saga_script(learner, script: list) -> None:
    call = saga_text(script)
    got = learner.run(act_saga, script, call=call).value("the saga to run")
    expected = saga_model(script)
    if "returned" in expected:
        ok = same(got["log"], expected["log"]) and "returned" in got
        ok = ok and same(got["returned"], expected["returned"])
    else:
        failed = expected["failed"]
        ok = same(got["log"], expected["log"]) and bool(got.get("saga_failed"))
        ok = ok and all(same(got.get(k), failed[k]) for k in failed)
    if not ok:
        raise GradeFailure(
            f"Called:   {call}\n"
            f"Got:      calls {log_text(got['log'])}; {saga_outcome_text(got)}\n"
            f"Expected: calls {log_text(expected['log'])}; {saga_outcome_text(expected)}\n"
            f"Why:      {saga_why(got, expected)}"
        )


def ok(value: Any = None) -> tuple:
    return ("ok", value)


def boom(error: str, message: str) -> tuple:
    return ("raise", error, message)


ORDER = [
    (ok("reserved 2 items"), ok("released")),
    (ok({"charge": "ch_17", "amount": 25}), ok("refunded")),
    (ok(["label", 991]), ok(None)),
]


# -- task 1: run the steps ----------------------------------------------------------------------
@pytest.mark.task(1)
def test_all_steps_succeed(learner):
    """every action runs once, in order; their results come back in a list; nothing is undone"""
    run_saga_script(learner, ORDER)


@pytest.mark.task(1)
def test_no_steps(learner):
    """a saga with no steps returns []"""
    run_saga_script(learner, [])


@pytest.mark.task(1)
def test_results_of_any_kind(learner):
    """results are returned as they are, None included"""
    run_saga_script(learner, [(ok(None), ok()), (ok(0), ok()), (ok(""), ok()), (ok([]), ok())])


# -- task 2: compensate in reverse ----------------------------------------------------------------
@pytest.mark.task(2)
def test_failure_compensates_completed_steps_in_reverse(learner):
    """step 2 of 4 fails: actions 0-2 run, then compensations 1 and 0, then SagaFailed"""
    script = [*ORDER[:2], (boom("CarrierDown", "no pickup"), ok("nothing")), (ok("x"), ok("y"))]
    run_saga_script(learner, script)


@pytest.mark.task(2)
def test_first_step_fails(learner):
    """when step 0 fails there is nothing to undo: SagaFailed(step=0) at once"""
    run_saga_script(learner, [(boom("CardDeclined", "insufficient funds"), ok()), *ORDER])


@pytest.mark.task(2)
def test_last_step_fails(learner):
    """the last of 6 steps fails: compensations 4, 3, 2, 1, 0 run in that order"""
    script = [(ok(n), ok(f"undo {n}")) for n in range(5)]
    run_saga_script(learner, [*script, (boom("TimeoutError", "shipping timed out"), ok())])


@pytest.mark.task(2)
def test_only_the_first_failure_matters(learner):
    """actions after the failing one never run, even if they would fail too"""
    script = [
        (ok("a"), ok()),
        (boom("ValueError", "bad address"), ok()),
        (boom("KeyError", "never"), ok()),
    ]
    run_saga_script(learner, script)


# -- task 3: compensations that fail ------------------------------------------------------
@pytest.mark.task(3)
def test_a_failing_compensation_does_not_stop_the_others(learner):
    """compensation 1 raises: compensations 2, 1 and 0 still all run, and the error is recorded"""
    script = [
        (ok("reserved"), ok("released")),
        (ok("charged"), boom("ConnectionError", "refund service down")),
        (ok("booked"), ok("cancelled")),
        (boom("CarrierDown", "no trucks"), ok()),
    ]
    run_saga_script(learner, script)


@pytest.mark.task(3)
def test_every_compensation_fails(learner):
    """all three compensations raise: all run, and all three are recorded, in the order run"""
    script = [(ok(n), boom("RuntimeError", f"undo {n} failed")) for n in range(3)]
    run_saga_script(learner, [*script, (boom("CardDeclined", "expired"), ok())])


@pytest.mark.task(3)
def test_first_and_last_compensations_fail(learner):
    """compensations 3 and 0 raise; 2 and 1 succeed; SagaFailed.error is still step 4's error"""
    script = [
        (ok("a"), boom("TimeoutError", "undo a")),
        (ok("b"), ok()),
        (ok("c"), ok()),
        (ok("d"), boom("KeyError", "undo d")),
        (boom("CardDeclined", "stolen card"), ok()),
    ]
    run_saga_script(learner, script)


# -- rendering and judging: the idempotency store -----------------------------------------
def store_text(script: list, upto: int | None = None) -> str:
    lines = ["store = IdempotencyStore()"]
    handled = []
    last = len(script) if upto is None else upto + 1
    for op in script[:last]:
        if op[0] == "mutate":
            _, which, field, value = op
            lines.append(
                f"the caller changes the dict it sent in handle #{which + 1}: "
                f"request[{field!r}] = {value!r}"
            )
            continue
        handled.append(op)
        _, key, request, outcome = op
        action = f"returns {outcome[1]!r}" if outcome[0] == "ok" else spec_text(outcome)
        lines.append(
            f"#{len(handled)} store.handle({key!r}, {request!r}, handler)   [this handler {action}]"
        )
    return "\n          ".join(lines)


def store_got_text(got: dict) -> str:
    calls = len(got.get("handler_calls", []))
    ran = {0: "the handler did NOT run", 1: "the handler ran once"}.get(
        calls, f"the handler ran {calls} times"
    )
    if "returned" in got:
        return f"{ran}; returned {show(got['returned'])}"
    if got.get("conflict"):
        return f"{ran}; raised IdempotencyConflict"
    if got.get("handler_error"):
        return f"{ran}; the handler's own exception came through"
    return f"{ran}; raised {got.get('raised')}: {got.get('message', '')}"


def store_expected_text(want: dict) -> str:
    calls = len(want["handler_calls"])
    ran = "the handler ran once" if calls else "the handler NOT run"
    if "returned" in want:
        return f"{ran}; returned {show(want['returned'])}"
    if want.get("conflict"):
        return f"{ran}; IdempotencyConflict raised"
    return f"{ran}; the handler's own exception re-raised unchanged"


def store_why(got: dict, want: dict) -> str:
    if got.get("raised") == "NotImplementedError":
        return "This is still the stub: replace `raise NotImplementedError` with your code."
    got_calls, want_calls = got.get("handler_calls", []), want["handler_calls"]
    if want.get("conflict"):
        if got_calls:
            return "a key reused with a different request is rejected BEFORE the handler runs"
        return (
            "the same key with a different request (!=) is a conflict: raise "
            "IdempotencyConflict and keep the stored entry as it was. Compare with a snapshot "
            "you took (copy.deepcopy), so later changes to the caller's dict do not count"
        )
    if got_calls and not want_calls:
        return (
            "this key already has a stored response for an equal request: replay it without "
            "calling the handler again"
        )
    if want_calls and not got_calls:
        if got.get("conflict"):
            return "an equal request (==) with the same key is a replay, not a conflict"
        return (
            "the handler must run for a key the store has not seen, or whose earlier handler "
            "raised (a failure stores nothing)"
        )
    if not same(got_calls, want_calls):
        return "call handler(request) with the request exactly as it was given"
    if want.get("handler_error"):
        return "a handler's exception reaches the caller unchanged, and nothing is stored"
    return "return the handler's response, and replay that same response for repeats"


def store_step_ok(got: dict, want: dict) -> bool:
    if not same(got.get("handler_calls"), want["handler_calls"]):
        return False
    if "returned" in want:
        return "returned" in got and same(got["returned"], want["returned"])
    if want.get("conflict"):
        return bool(got.get("conflict"))
    return bool(got.get("handler_error"))


def run_store(learner, script: list) -> dict:
    call = store_text(script)
    played = learner.run(act_store, script, call=call).value("the requests to handle")
    if "raised" in played["setup"]:
        setup = played["setup"]
        raise GradeFailure(
            f"Called:   IdempotencyStore()\nRaised:   {setup['raised']}: {setup['message']}\n"
            "Expected: a new, empty store"
            + (
                "\nThis is still the stub: replace `raise NotImplementedError`."
                if setup["raised"] == "NotImplementedError"
                else ""
            )
        )
    expected = store_model(script)
    for number, (op, got, want) in enumerate(zip(script, played["steps"], expected, strict=True)):
        if op[0] == "mutate" or store_step_ok(got, want):
            continue
        raise GradeFailure(
            f"Called:   {store_text(script, number)}   <-- here\n"
            f"Got:      {store_got_text(got)}\n"
            f"Expected: {store_expected_text(want)}\n"
            f"Why:      {store_why(got, want)}"
        )
    return played


def handle(key: str, request: Any, response: Any) -> tuple:
    return ("handle", key, request, ("ok", response))


def handle_failing(key: str, request: Any, error: str, message: str) -> tuple:
    return ("handle", key, request, ("raise", error, message))


PAY = {"account": "alice", "amount": 30}


# -- task 4: replay by key -----------------------------------------------------------------
@pytest.mark.task(4)
def test_first_request_runs_the_handler(learner):
    """a new key: the handler runs once with the request and its response is returned"""
    run_store(learner, [handle("pay-1", PAY, {"status": 201, "balance": 70})])


@pytest.mark.task(4)
def test_repeats_replay_the_stored_response(learner):
    """the same key and an equal request: the stored response, and the handler does not run"""
    script = [handle("pay-1", PAY, {"status": 201, "balance": 70})]
    script += [
        handle("pay-1", dict(PAY), {"status": 201, "balance": 40 - 10 * n}) for n in range(3)
    ]
    run_store(learner, script)


@pytest.mark.task(4)
def test_keys_are_independent(learner):
    """two keys with the same request are two operations: the handler runs for each"""
    script = [
        handle("pay-1", PAY, {"balance": 70}),
        handle("pay-2", PAY, {"balance": 40}),
        handle("pay-1", PAY, {"balance": 10}),
        handle("pay-2", PAY, {"balance": -20}),
        handle("pay-3", {"account": "bob", "amount": 5}, {"balance": 95}),
    ]
    run_store(learner, script)


@pytest.mark.task(4)
def test_a_failed_request_is_not_stored(learner):
    """a handler that raises stores nothing: its error comes through, and a retry runs again"""
    script = [
        handle_failing("pay-1", PAY, "TimeoutError", "bank timed out"),
        handle_failing("pay-1", PAY, "ConnectionError", "bank down"),
        handle("pay-1", PAY, {"balance": 70}),
        handle("pay-1", PAY, {"balance": 40}),
    ]
    run_store(learner, script)


@pytest.mark.task(4)
def test_any_response_is_replayed(learner):
    """responses of any kind are stored and replayed: None, a list, a string"""
    script = [
        handle("a", {"n": 1}, None),
        handle("b", {"n": 2}, [1, 2, 3]),
        handle("c", {"n": 3}, "accepted"),
        handle("a", {"n": 1}, "ran twice"),
        handle("b", {"n": 2}, "ran twice"),
        handle("c", {"n": 3}, "ran twice"),
    ]
    run_store(learner, script)


# -- task 5: reject a reused key -----------------------------------------------------------
@pytest.mark.task(5)
def test_a_different_request_with_the_same_key_is_a_conflict(learner):
    """same key, different amount: IdempotencyConflict, the handler does not run"""
    script = [
        handle("pay-1", PAY, {"balance": 70}),
        handle("pay-1", {"account": "alice", "amount": 99}, {"balance": 1}),
        handle("pay-1", {"account": "mallory", "amount": 30}, {"balance": 1}),
        handle("pay-1", PAY, {"balance": 40}),
    ]
    played = run_store(learner, script)
    if not played["setup"]["conflict_is_value_error"]:
        raise GradeFailure(
            "Checked:  the module's IdempotencyConflict\n"
            "Expected: the given class, a subclass of ValueError"
        )


@pytest.mark.task(5)
def test_nested_differences_are_conflicts(learner):
    """requests differing deep inside (one list item, one extra field) are conflicts"""
    order = {"user": 7, "items": [{"sku": "A1", "qty": 1}, {"sku": "B2", "qty": 2}]}
    changed = {"user": 7, "items": [{"sku": "A1", "qty": 1}, {"sku": "B2", "qty": 3}]}
    extra = {**order, "coupon": "SPRING"}
    script = [
        handle("order-9", order, {"order_id": 501}),
        handle("order-9", changed, {"order_id": 502}),
        handle("order-9", extra, {"order_id": 503}),
        handle("order-9", order, {"order_id": 504}),
    ]
    run_store(learner, script)


@pytest.mark.task(5)
def test_the_store_keeps_its_own_copy_of_the_request(learner):
    """the caller changing its dict after sending it does not change what was stored"""
    script = [
        handle("pay-1", {"account": "alice", "amount": 30}, {"balance": 70}),
        ("mutate", 0, "amount", 99),
        handle("pay-1", {"account": "alice", "amount": 99}, {"balance": 1}),
        handle("pay-1", {"account": "alice", "amount": 30}, {"balance": 2}),
    ]
    run_store(learner, script)


@pytest.mark.task(5)
def test_a_conflict_after_a_failure_is_a_new_request(learner):
    """after a failed handler nothing is stored, so a different request may use the key"""
    script = [
        handle_failing("pay-1", PAY, "CardDeclined", "expired card"),
        handle("pay-1", {"account": "alice", "amount": 25}, {"balance": 75}),
        handle("pay-1", PAY, {"balance": 0}),
    ]
    run_store(learner, script)


@pytest.mark.task(2)
def test_saga_failed_is_raised_from_the_action_error(learner):
    """SagaFailed is raised `from` the action's error: its __cause__ is that very exception"""
    script = [(ok("reserved"), ok("released")), (boom("CardDeclined", "card expired"), ok())]
    call = saga_text(script)
    got = learner.run(act_saga, script, call=call).value("the saga to run")
    if not got.get("saga_failed"):
        raise GradeFailure(
            f"Called:   {call}\nGot:      {saga_outcome_text(got)}\n"
            "Expected: SagaFailed, raised from action 1's exception"
        )
    if got.get("cause_is") != ["action", 1]:
        cause = got.get("cause_is")
        raise GradeFailure(
            f"Called:   {call}\n"
            f"Got:      SagaFailed whose __cause__ is {origin_text(cause) if cause else 'None'}\n"
            "Expected: __cause__ is action 1's own exception\n"
            "Why:      `raise SagaFailed(i, error, compensation_errors) from error` sets "
            "__cause__, so the traceback shows the action's error as the direct cause"
        )


@pytest.mark.task(4)
def test_each_store_has_its_own_entries(learner):
    """two stores are independent: a key used in one is new to the other"""
    call = (
        "first.handle('key-1', {'amount': 30}, handler); "
        "second.handle('key-1', {'amount': 99}, handler)   (two IdempotencyStore objects)"
    )
    got = learner.run(act_two_stores, call=call).value()
    Outcome.from_attempt(call, got["first"]).expect({"handled_by": "first"})
    second = got["second"]
    if second != {"returned": {"handled_by": "second"}}:
        why = ""
        if second.get("raised") == "IdempotencyConflict":
            why = "refused it as a conflict with the first store's request"
        elif second.get("returned") == {"handled_by": "first"}:
            why = "replayed the first store's response"
        if why:
            why = (
                f"the second store never saw key-1, yet it {why}: the entries are shared "
                "between objects (a class attribute?), not created in __init__"
            )
        raise Outcome.from_attempt(call, second).fail(show({"handled_by": "second"}), note=why)
    if got["calls"] != ["first", "second"]:
        raise GradeFailure(
            f"Called:   {call}\nGot:      the handlers ran as {got['calls']!r}\n"
            "Expected: ['first', 'second']: each store runs its own handler for a new key"
        )


# -- Hypothesis: generated sagas and store sequences against the models ---------------------
def act_saga_compact(module, script):
    """act_saga, reduced to what the rules decide: the calls, then the result or SagaFailed."""
    got = act_saga(module, script)
    if "returned" in got:
        return {"calls": got["log"], "returned": got["returned"]}
    if not got.get("saga_failed"):
        return {"calls": got["log"], "raised": got["raised"]}
    failed = {k: got.get(k) for k in ("step", "error_is", "compensation_errors")}
    return {"calls": got["log"], "SagaFailed": failed}


def model_saga_compact(script):
    expected = saga_model(script)
    if "returned" in expected:
        return {"calls": expected["log"], "returned": expected["returned"]}
    return {"calls": expected["log"], "SagaFailed": expected["failed"]}


_SPECS = st.one_of(
    st.tuples(st.just("ok"), st.sampled_from([None, 1, "done", [2]])),
    st.tuples(st.just("raise"), st.sampled_from(["CardDeclined", "CarrierDown"]), st.just("no")),
)
SAGAS = st.lists(st.tuples(_SPECS, _SPECS), max_size=6)


@pytest.mark.task(3)
def test_generated_sagas_follow_the_rules(learner):
    """150 generated sagas (Hypothesis, derandomized): every action and compensation call,
    the results or SagaFailed(step, error, compensation_errors), as documented"""
    agree_run(
        learner,
        act_saga_compact,
        model_saga_compact,
        SAGAS,
        describe=saga_text,
        max_examples=150,
        note="'calls' lists every action and compensation called, in order; errors are named "
        "by whose exception object they are (this is the smallest generated saga that differs)",
    )


def act_store_compact(module, script):
    played = act_store(module, script)
    if "setup" in played and "raised" in played["setup"]:
        return ["IdempotencyStore() raised " + played["setup"]["raised"]]
    seen = []
    for record in played["steps"]:
        if "returned" in record:
            outcome = record["returned"]
        elif record.get("conflict"):
            outcome = "IdempotencyConflict"
        elif record.get("handler_error"):
            outcome = "the handler's own error"
        else:
            outcome = "raised " + str(record.get("raised"))
        seen.append([outcome, len(record["handler_calls"])])
    return seen


def model_store_compact(script):
    seen = []
    for expected in store_model(script):
        if "returned" in expected:
            outcome = expected["returned"]
        elif expected.get("conflict"):
            outcome = "IdempotencyConflict"
        else:
            outcome = "the handler's own error"
        seen.append([outcome, len(expected["handler_calls"])])
    return seen


_REQUESTS = st.sampled_from([{"amount": 30}, {"amount": 99}, {"amount": 30, "note": "x"}])
STORE_SCRIPTS = st.lists(
    st.one_of(
        st.builds(
            lambda key, request, response: ("handle", key, request, ("ok", response)),
            st.sampled_from(["k1", "k2"]),
            _REQUESTS,
            st.sampled_from([{"paid": 1}, None, "ok"]),
        ),
        st.builds(
            lambda key, request: ("handle", key, request, ("raise", "CardDeclined", "declined")),
            st.sampled_from(["k1", "k2"]),
            _REQUESTS,
        ),
    ),
    max_size=12,
)


def describe_store(script) -> str:
    lines = ["store = IdempotencyStore()"]
    for _, key, request, outcome in script:
        does = f"returns {outcome[1]!r}" if outcome[0] == "ok" else "raises CardDeclined"
        lines.append(f"store.handle({key!r}, {request!r}, handler)  # a handler that {does}")
    return "\n          ".join(lines)


@pytest.mark.task(5)
def test_generated_store_sequences_follow_the_rules(learner):
    """150 generated sequences of handle calls (Hypothesis, derandomized): every response,
    conflict, error and handler call as documented"""
    agree_run(
        learner,
        act_store_compact,
        model_store_compact,
        STORE_SCRIPTS,
        describe=describe_store,
        max_examples=150,
        note="one [answer, handler calls] pair per handle call (this is the smallest generated "
        "sequence that differs)",
    )
