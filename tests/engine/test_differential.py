"""graders.differential: a learner function against an oracle over generated inputs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import strategies as st

from graders.acts import FakeClock, attempt
from graders.differential import agree, agree_run
from graders.harness import GradeFailure, Learner
from graders.sandbox.client import Sandbox


def clamp(value: int, low: int, high: int) -> int:
    """The oracle: what the learner's clamp must return."""
    if low > high:
        raise ValueError("low > high")
    return max(low, min(value, high))


ARGS = st.tuples(st.integers(-50, 50), st.integers(-50, 50), st.integers(-50, 50))


@pytest.fixture
def learner_with(tmp_path: Path):
    made: list[Sandbox] = []

    def build(source: str) -> Learner:
        folder = tmp_path / f"learner{len(made)}"
        folder.mkdir()
        (folder / "solution.py").write_text(textwrap.dedent(source))
        sandbox = Sandbox(folder / "solution.py", timeout=2.0, preload=(__name__,))
        made.append(sandbox)
        return Learner(sandbox)

    yield build
    for sandbox in made:
        sandbox.close()


CORRECT = """
def clamp(value, low, high):
    if high < low:
        raise ValueError("empty range")
    return min(high, max(value, low))
"""


def test_a_correct_function_written_differently_passes(learner_with):
    agree(learner_with(CORRECT), "clamp", clamp, ARGS, max_examples=30)


def test_the_shrunk_counterexample_becomes_the_message(learner_with):
    off_by_one = CORRECT.replace("return min(high,", "return min(high - (value > 9),")
    with pytest.raises(GradeFailure) as failure:
        agree(learner_with(off_by_one), "clamp", clamp, ARGS, max_examples=200)
    message = str(failure.value)
    assert message.splitlines()[0].startswith("Called:   clamp(")
    assert "Returned: " in message and "Expected: " in message
    assert "smallest of the generated inputs" in message


def test_the_same_counterexample_on_every_run(learner_with):
    wrong = CORRECT.replace("max(value, low)", "max(value, low + 1)")
    messages = set()
    for _ in range(2):
        with pytest.raises(GradeFailure) as failure:
            agree(learner_with(wrong), "clamp", clamp, ARGS, max_examples=30)
        messages.add(str(failure.value))
    assert len(messages) == 1


def test_an_expected_exception_must_be_raised(learner_with):
    lenient = CORRECT.replace('raise ValueError("empty range")', "return low")
    with pytest.raises(GradeFailure, match="Expected: ValueError to be raised"):
        agree(learner_with(lenient), "clamp", clamp, ARGS, max_examples=100)


def test_a_loop_costs_one_time_limit_and_is_reported_as_such(learner_with):
    looping = CORRECT.replace(
        "    return min", "    while value > 40:\n        pass\n    return min"
    )
    with pytest.raises(GradeFailure, match="did not finish within 2 s"):
        agree(learner_with(looping), "clamp", clamp, ARGS, max_examples=100)


# -- a stateful sequence on an injected clock ----------------------------------------
OPS = st.lists(st.one_of(st.just(("hit", 0)), st.tuples(st.just("advance"), st.integers(0, 3))))

COUNTER = """
class WindowCounter:
    '''Counts hits in the last `window` seconds of an injected clock.'''
    def __init__(self, window, clock):
        self.window, self.clock, self.hits = window, clock, []
    def hit(self):
        now = self.clock()
        self.hits = [t for t in self.hits if t > now - self.window] + [now]
        return len(self.hits)
"""


def replay(module, ops):
    """Act: runs in the sandbox next to the learner's code, one observation per hit."""
    clock = FakeClock()
    counter = module.WindowCounter(2, clock)
    seen = []
    for op, seconds in ops:
        if op == "advance":
            clock.advance(seconds)
        else:
            seen.append(attempt(counter.hit))
    return seen


def model(ops):
    """Oracle for replay: the same observations, computed from the specification."""
    now, hits, seen = 1000.0, [], []
    for op, seconds in ops:
        if op == "advance":
            now += seconds
        else:
            hits = [t for t in hits if t > now - 2] + [now]
            seen.append({"returned": len(hits)})
    return seen


def describe(ops) -> str:
    return f"WindowCounter(2, clock), then {ops}"


def test_a_stateful_sequence_is_replayed_against_a_model(learner_with):
    agree_run(learner_with(COUNTER), replay, model, OPS, describe=describe, max_examples=20)
    leaky = COUNTER.replace("t > now - self.window", "t >= now - self.window")
    with pytest.raises(GradeFailure) as failure:
        agree_run(learner_with(leaky), replay, model, OPS, describe=describe, max_examples=200)
    assert "advance" in str(failure.value).splitlines()[0]


# -- batched runs give the verdicts and messages of one-by-one runs -------------------
def one_by_one(learner, func, oracle, inputs, max_examples):
    """The search as it ran before batching: Hypothesis calls the sandbox for each input."""
    from graders.differential import _search
    from graders.expectations import same
    from graders.harness import call_text
    from graders.sandbox.client import Call

    def request(example):
        return Call.function(func, *example), call_text(func, tuple(example), {})

    _search(learner, request, lambda e: oracle(*e), inputs, {}, same, max_examples, "")


def verdict(run) -> str:
    try:
        run()
    except GradeFailure as failure:
        return str(failure)
    return "passed"


STATEFUL = """
calls = 0
def clamp(value, low, high):
    global calls
    calls += 1
    if calls > 3:            # wrong only when earlier calls ran in the same process
        return 'stale'
    if high < low:
        raise ValueError("empty range")
    return min(high, max(value, low))
"""

VARIANTS = {
    "correct": CORRECT,
    "off by one": CORRECT.replace("return min(high,", "return min(high - (value > 9),"),
    "low + 1": CORRECT.replace("max(value, low)", "max(value, low + 1)"),
    "no exception": CORRECT.replace('raise ValueError("empty range")', "return low"),
    "state between calls": STATEFUL,
    "crash on a value": CORRECT.replace(
        "    return min", "    if value > 40:\n        import os; os._exit(3)\n    return min"
    ),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_batched_runs_match_one_by_one_runs(learner_with, monkeypatch, name):
    monkeypatch.setattr("graders.differential.SHRINK_CALLS", 10**6)  # shrink as far as before
    source = VARIANTS[name]
    batched = verdict(lambda: agree(learner_with(source), "clamp", clamp, ARGS, max_examples=60))
    before = verdict(lambda: one_by_one(learner_with(source), "clamp", clamp, ARGS, 60))
    assert batched == before
    assert (batched == "passed") == (name in {"correct", "state between calls"})


def test_planned_inputs_are_those_a_passing_run_draws():
    from hypothesis import find
    from hypothesis.errors import NoSuchExample

    from graders.differential import _settings, planned_inputs

    for inputs in (ARGS, OPS, st.text(max_size=8)):
        seen = []

        def slow_and_never_true(example, seen=seen):
            seen.append(example)
            sum(range(2000))  # the one-by-one run is slower; the draw must not depend on it
            return False

        with pytest.raises(NoSuchExample):
            find(inputs, slow_and_never_true, settings=_settings(40))
        assert planned_inputs(inputs, 40) == seen


def test_a_time_out_in_the_shared_run_is_not_charged(learner_with):
    hangs_when_warm = STATEFUL.replace("return 'stale'", "while True:\n            pass")
    learner = learner_with(hangs_when_warm)
    agree(learner, "clamp", clamp, ARGS, max_examples=10)  # passes: each call on its own
    assert learner.sandbox.timed_out_seconds == 0


def test_plans_are_kept_only_where_the_judge_trusts_the_folder(tmp_path, monkeypatch):
    from graders import plans
    from graders.differential import planned_inputs

    grader = f"{__name__}::plans-test"
    monkeypatch.delenv(plans.PLANS_VARIABLE, raising=False)
    drawn = planned_inputs(ARGS, 15, grader)
    assert plans.load(grader, repr(ARGS), 15) is None  # no folder: nothing kept or read
    monkeypatch.setenv(plans.PLANS_VARIABLE, str(tmp_path))
    assert planned_inputs(ARGS, 15, grader) == drawn
    assert plans.load(grader, repr(ARGS), 15) == drawn
    stored = list(tmp_path.glob("*.json"))
    assert len(stored) == 1
    stored[0].write_text("[[1, 2, 3]]")  # whoever may write there chooses the inputs...
    assert planned_inputs(ARGS, 15, grader) == [[1, 2, 3]]
    monkeypatch.delenv(plans.PLANS_VARIABLE)
    assert planned_inputs(ARGS, 15, grader) == drawn  # ...so a learner's check never reads it


def test_inputs_that_would_not_come_back_exactly_are_not_kept(tmp_path, monkeypatch):
    from graders import plans

    monkeypatch.setenv(plans.PLANS_VARIABLE, str(tmp_path))
    plans.store(__name__, "objects", 5, [object()])
    plans.store(__name__, "mixed", 5, [(1, True), [1.5, b"x"], {"a": {1, 2}}])
    assert plans.load(__name__, "objects", 5) is None
    assert plans.load(__name__, "mixed", 5) == [(1, True), [1.5, b"x"], {"a": {1, 2}}]


def test_checks_that_print_alike_never_share_a_plan(monkeypatch, learner_with):
    from graders.differential import _plan_owner

    learner = learner_with(CORRECT)
    owners = []
    for test in ("t.py::test_a[x]", "t.py::test_a[y]", "t.py::test_a[x]"):
        monkeypatch.setenv("PYTEST_CURRENT_TEST", f"{test} (call)")
        owners.append(_plan_owner(learner))
    # Same strategy text (a .map over a closure, say) in two parameters, or twice in a test.
    assert len(set(owners)) == 3
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    assert _plan_owner(learner) == ""  # outside a grader test: draw afresh, keep nothing
