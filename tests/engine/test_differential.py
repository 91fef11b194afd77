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
