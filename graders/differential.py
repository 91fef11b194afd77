"""Differential tests: the learner's code against a trusted oracle over generated inputs.

Where behaviour is a function of the inputs ("the same result as the legacy code for every
input", a parser, a token check), a grader states the rule once as an *oracle* (a plain
Python function in the grader file) and lets Hypothesis generate the inputs::

    from hypothesis import strategies as st
    from graders.differential import agree

    def legacy_label(amount, currency):          # the oracle, trusted, runs in the judge
        ...

    @pytest.mark.task(2)
    def test_label_matches_the_legacy_code_for_any_input(learner):
        agree(learner, "label", legacy_label, st.tuples(st.integers(), st.text(max_size=5)))

Each generated tuple is passed as positional arguments to ``label`` in the sandbox (one
call each, like ``learner.call``) and to the oracle here. Results must be equal with exact
types (graders.expectations.same); when the oracle raises, the learner must raise the same
exception type (or a subclass). The first disagreement is shrunk by Hypothesis to a small
input, and the test fails with the usual ``Called / Returned / Expected`` message for it.

Stateful behaviour (a rate limiter or breaker on an injected clock) is a function of a
*sequence* of operations. Generate the sequence, replay it in the sandbox with an act
function that builds the learner's object on a :class:`graders.acts.FakeClock` and returns
one observation per step, and replay it on a model here with the oracle::

    OPS = st.lists(st.one_of(st.tuples(st.just("advance"), st.integers(0, 5)),
                             st.tuples(st.just("allow"), st.just(0))), max_size=30)

    def replay(module, ops):                     # act: runs next to the learner's code
        clock = FakeClock()
        limiter = module.RateLimiter(rate=2, per=1.0, clock=clock)
        seen = []
        for op, arg in ops:
            if op == "advance":
                clock.advance(arg)
            else:
                seen.append(attempt(limiter.allow))
        return seen

    def model(ops):                              # oracle: the same observations, computed here
        ...                                      # (wrap each in {"returned": ...} like attempt)

    def test_limiter_matches_the_model(learner):
        agree_run(learner, replay, model, OPS, describe=lambda ops: f"these steps: {ops}")

Runs are deterministic: derandomized (the same inputs on every run), no example database,
at most ``max_examples`` inputs (default 100), no per-example deadline. A call that times
out or crashes is reported as it is, at once, without shrinking (so one endless loop costs
one time limit, not a hundred).

Speed without changing a verdict. Derandomized Hypothesis draws the same inputs, in the same
order, for every run in which no input disagrees. So the inputs of a passing run are drawn
first (``planned_inputs``), sent to the sandbox in one batch (each still runs in its own
fresh child, with its own time limit), and compared here. When all agree the test passes, as
the one-by-one run would have. When one does not, Hypothesis runs as before to shrink it,
answered from the batch for every input it already holds, so the verdict and the reported
input are those of a one-by-one run. Shrinking makes at most ``SHRINK_CALLS`` new calls
(the smallest disagreeing input found by then is reported); ``GRADERS_SHRINK=0`` skips it
(``verify`` needs only the verdict of a mutant, not its smallest input).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from graders import plans
from graders.expectations import kind, same, show
from graders.harness import Learner, Outcome, call_text
from graders.sandbox.client import Call

DEFAULT_EXAMPLES = 100
SHRINK_CALLS = 150  # new sandbox calls allowed while shrinking a disagreement
Request = tuple[Call, str]  # a call for the sandbox and how it reads in a message


def _settings(max_examples: int, *, shrink: bool = True) -> settings:
    phases = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        phases=[*phases, Phase.shrink] if shrink else phases,
    )


def _shrinking() -> bool:
    return os.environ.get(plans.SHRINK_VARIABLE, "1") != "0"


def planned_inputs(inputs: st.SearchStrategy[Any], max_examples: int, owner: str = "") -> list[Any]:
    """The inputs a run draws, in order, when none of them disagrees (kept in the plans
    folder, when there is one, under ``owner``: see ``_plan_owner``)."""
    description = repr(inputs)
    stored = plans.load(owner, description, max_examples) if owner else None
    if stored is not None:
        return stored
    drawn: list[Any] = []

    def keep(example: Any) -> bool:
        drawn.append(example)
        return False

    with contextlib.suppress(NoSuchExample):
        find(inputs, keep, settings=_settings(max_examples))
    if owner:
        plans.store(owner, description, max_examples, drawn)
    return drawn


def _oracle_says(oracle: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    try:
        return "returned", oracle(*args)
    except Exception as exc:  # noqa: BLE001 - an oracle's exception is the expected answer
        return "raised", exc


def _disagrees(
    outcome: Outcome,
    expected: tuple[str, Any],
    compare: Callable[[Any, Any], bool],
) -> bool:
    status, value = expected
    if status == "raised":
        return not outcome.raised(type(value))
    return not outcome.returned or not compare(outcome.reply.value, value)


def _failure(outcome: Outcome, expected: tuple[str, Any], note: str) -> AssertionError:
    status, value = expected
    if status == "raised":
        wanted = f"{type(value).__name__} to be raised"
        return outcome.fail(wanted, note=note)
    if outcome.returned:
        actual = outcome.reply.value
        got = f"Returned: {show(actual)}"
        if show(actual) == show(value) or type(actual) is not type(value):
            got += f" ({kind(actual)}; expected {kind(value)})"
        return outcome.fail(show(value), got=got, note=note)
    return outcome.fail(show(value), note=note)


def differential(
    learner: Learner,
    request: Callable[[Any], Request],
    oracle: Callable[[Any], Any],
    inputs: st.SearchStrategy[Any],
    *,
    compare: Callable[[Any, Any], bool] = same,
    max_examples: int = DEFAULT_EXAMPLES,
    note: str = "",
) -> None:
    """Fail with the smallest generated input on which the learner's code and ``oracle``
    disagree.

    ``request(example)`` says which sandbox call to make for an input (and how it reads);
    ``oracle(example)`` computes the expected value (or raises the expected exception) in the
    judge.
    """
    known: dict[str, Outcome] = {}  # repr(example) -> what the learner's code did
    planned = planned_inputs(inputs, max_examples, _plan_owner(learner))
    requests = [request(example) for example in planned]
    if _all_agree(planned, learner.batch(requests, shared=True), oracle, compare):
        return
    outcomes = learner.batch(requests) if planned else []
    if outcomes is not None:
        for example, outcome in zip(planned, outcomes, strict=False):
            # In the order a one-by-one run meets them: the first call that hangs or crashes
            # ends the test; the first disagreement is shrunk by the search below.
            expected = _oracle_says(oracle, example)
            if outcome.reply.status not in ("returned", "raised"):
                raise _failure(outcome, expected, note)
            known[repr(example)] = outcome
            if _disagrees(outcome, expected, compare):
                break
        else:
            if len(outcomes) == len(planned):
                return
    _search(learner, request, oracle, inputs, known, compare, max_examples, note)


_calls_in_test: dict[str, int] = {}


def _plan_owner(learner: Learner) -> str:
    """Whose draw this is: the grader module, the test (with its parameters) and which of
    the test's differential checks. Two checks can print alike, e.g. ``st.map(lambda ...)``
    over different closures, so a strategy's text alone must never choose its inputs."""
    if not learner.sandbox.preload:
        return ""
    test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
    if not test:
        return ""
    number = _calls_in_test.get(test, 0)
    _calls_in_test[test] = number + 1
    return f"{learner.sandbox.preload[0]}::{test}#{number}"


def _all_agree(
    planned: list[Any],
    outcomes: list[Outcome] | None,
    oracle: Callable[[Any], Any],
    compare: Callable[[Any, Any], bool],
) -> bool:
    """Whether a shared run (every input in one child) agreed with the oracle on every input.
    Inputs run this way can see what earlier ones left behind, so only a full agreement is
    taken from it: anything else is tried again with a fresh child per input."""
    if not planned or outcomes is None or len(outcomes) != len(planned):
        return not planned
    return not any(
        outcome.reply.status not in ("returned", "raised")
        or _disagrees(outcome, _oracle_says(oracle, example), compare)
        for example, outcome in zip(planned, outcomes, strict=True)
    )


def _search(
    learner: Learner,
    request: Callable[[Any], Request],
    oracle: Callable[[Any], Any],
    inputs: st.SearchStrategy[Any],
    known: dict[str, Outcome],
    compare: Callable[[Any, Any], bool],
    max_examples: int,
    note: str,
) -> None:
    """Hypothesis's own search, one input at a time, answered from ``known`` where it can."""
    fatal: list[tuple[Any, Outcome]] = []  # a time-out or crash, reported without shrinking
    differing: dict[str, Outcome] = {}  # repr(example) -> what the learner's code did
    shrink_calls = 0

    def run(example: Any) -> Outcome:
        return learner.make(*request(example))

    def disagrees(example: Any) -> bool:
        nonlocal shrink_calls
        if fatal:
            return True  # stop at once: no more calls into code that hangs or crashes
        key = repr(example)
        outcome = known.get(key)
        if outcome is None:
            if differing and shrink_calls >= SHRINK_CALLS:
                return False  # enough: the smallest disagreement found so far is reported
            if differing:
                shrink_calls += 1
            outcome = run(example)
            known[key] = outcome
        if outcome.reply.status not in ("returned", "raised"):
            fatal.append((example, outcome))
            return True
        if _disagrees(outcome, _oracle_says(oracle, example), compare):
            differing[key] = outcome
            return True
        return False

    try:
        smallest = find(inputs, disagrees, settings=_settings(max_examples, shrink=_shrinking()))
    except NoSuchExample:
        return
    if fatal:
        example, outcome = fatal[0]
        raise _failure(outcome, _oracle_says(oracle, example), note)
    outcome = differing.get(repr(smallest)) or run(smallest)
    why = note or "this is the smallest of the generated inputs on which the results differ"
    raise _failure(outcome, _oracle_says(oracle, smallest), why)


def agree(
    learner: Learner,
    func: str,
    oracle: Callable[..., Any],
    args: st.SearchStrategy[tuple[Any, ...]],
    **options: Any,
) -> None:
    """``func(*example)`` in the sandbox must match ``oracle(*example)`` for every example."""
    differential(
        learner,
        lambda example: (Call.function(func, *example), call_text(func, tuple(example), {})),
        lambda example: oracle(*example),
        args,
        **options,
    )


def agree_run(
    learner: Learner,
    act: Callable[..., Any],
    oracle: Callable[[Any], Any],
    inputs: st.SearchStrategy[Any],
    *,
    describe: Callable[[Any], str],
    **options: Any,
) -> None:
    """``act(module, example)`` in the sandbox must return what ``oracle(example)`` does."""
    differential(
        learner,
        lambda example: (Call.act(act, example), describe(example)),
        oracle,
        inputs,
        **options,
    )
