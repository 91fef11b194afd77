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
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from graders.expectations import kind, same, show
from graders.harness import Learner, Outcome

DEFAULT_EXAMPLES = 100


def _settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )


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
    run: Callable[[Any], Outcome],
    oracle: Callable[[Any], Any],
    inputs: st.SearchStrategy[Any],
    *,
    compare: Callable[[Any, Any], bool] = same,
    max_examples: int = DEFAULT_EXAMPLES,
    note: str = "",
) -> None:
    """Fail with the smallest generated input on which ``run`` and ``oracle`` disagree.

    ``run(example)`` makes the sandbox call and returns its Outcome; ``oracle(example)``
    computes the expected value (or raises the expected exception) in the judge.
    """
    fatal: list[tuple[Any, Outcome]] = []  # a time-out or crash, reported without shrinking
    differing: dict[str, Outcome] = {}  # repr(example) -> what the learner's code did

    def disagrees(example: Any) -> bool:
        if fatal:
            return True  # stop at once: no more calls into code that hangs or crashes
        outcome = run(example)
        if outcome.reply.status not in ("returned", "raised"):
            fatal.append((example, outcome))
            return True
        if _disagrees(outcome, _oracle_says(oracle, example), compare):
            differing[repr(example)] = outcome
            return True
        return False

    try:
        smallest = find(inputs, disagrees, settings=_settings(max_examples))
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
        lambda example: learner.call(func, *example),
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
        lambda example: learner.run(act, example, call=describe(example)),
        oracle,
        inputs,
        **options,
    )
