"""Grader for ch34/rate_limiters: a token bucket and a sliding-window limiter.

Every limiter runs on a ``graders.acts.FakeClock`` that the act moves by hand (nothing
sleeps). All times, rates and costs are multiples of 1/8, so the floats involved are exact
and any correct implementation gives exactly the values of the judge's own model, which
works in ``fractions.Fraction``. Random schedules (seeded) compare every single decision
with that model; the sliding window is also checked against its promise directly: never
more than ``limit`` admitted requests in any window.
"""

from __future__ import annotations

import random
from collections import deque
from fractions import Fraction

import pytest
from hypothesis import strategies as st

from graders.acts import FakeClock, attempt
from graders.differential import agree_run
from graders.expectations import same
from graders.harness import GradeFailure, Learner, Outcome

EXERCISE = "ch34/rate_limiters"

START = 1000.0  # the fake clock's first reading
RAISES = "ValueError"  # marks a step that must raise ValueError
SHOWN_STEPS = 14  # how many recent steps a failure message shows

CLOCK_NOTE = "read the time from self.clock() on every call, never from the time module"
REFILL_NOTE = (
    "tokens grow by (seconds since the last update) * refill_rate, kept as a float and "
    "capped at capacity"
)
WINDOW_NOTE = (
    "a request admitted at t counts while clock() - t < window_seconds; refused requests "
    "are not remembered"
)


# -- acts: run inside the sandbox, next to the learner's code ----------------------
def act_limiter(module, class_name, settings, script):
    """Build a limiter on a fake clock and play the script; record every call."""
    clock = FakeClock(START)
    made = attempt(lambda: getattr(module, class_name)(**settings, clock=clock))
    if "raised" in made:
        return {"made": made, "steps": []}
    limiter = made["returned"]
    steps = []
    for op, arg in script:
        if op == "wait":
            clock.advance(arg)
            steps.append(None)
            continue
        method = getattr(limiter, "allow" if op == "allow" else "retry_after")
        steps.append(attempt(method) if arg is None else attempt(method, arg))
    return {"made": {"returned": None}, "steps": steps}


def act_two_limiters(module, class_name, settings, first_calls, second_calls):
    """Two limiters on one clock: use the first one, then the second one."""
    clock = FakeClock(START)
    cls = getattr(module, class_name)
    first = attempt(lambda: cls(**settings, clock=clock))
    second = attempt(lambda: cls(**settings, clock=clock))
    if "raised" in first or "raised" in second:
        return {"made": first if "raised" in first else second}
    a, b = first["returned"], second["returned"]
    return {
        "made": {"returned": None},
        "first": [attempt(a.allow) for _ in range(first_calls)],
        "second": [attempt(b.allow) for _ in range(second_calls)],
    }


def act_default_clock(module, class_name, args, calls):
    """Use the limiter with its default (real) clock: a few calls, within microseconds."""
    made = attempt(lambda: getattr(module, class_name)(*args))
    if "raised" in made:
        return [made]
    limiter = made["returned"]
    return [attempt(limiter.allow) for _ in range(calls)]


def act_construct(module, class_name, args):
    """Try to build a limiter; a built one is reported as None (objects stay in the sandbox)."""
    record = attempt(getattr(module, class_name), *args)
    return {"returned": None} if "returned" in record else record


def expect_refused_settings(learner, class_name, args):
    call = f"{class_name}({', '.join(repr(a) for a in args)})"
    record = learner.run(act_construct, class_name, args, call=call).value()
    outcome = Outcome.from_attempt(call, record)
    if outcome.returned:
        raise outcome.fail(
            "ValueError to be raised",
            got=f"Got:      a {class_name} was created",
            note="check the settings in __init__ before storing them",
        )
    outcome.expect_raises(ValueError)


# -- the judge's own models ----------------------------------------------------------
class BucketModel:
    """A token bucket in exact arithmetic."""

    def __init__(self, capacity, refill_rate):
        self.capacity = Fraction(capacity)
        self.rate = Fraction(refill_rate)
        self.tokens = self.capacity
        self.now = self.updated = Fraction(START)

    def wait(self, seconds):
        self.now += Fraction(seconds)

    def _refill(self):
        self.tokens = min(self.capacity, self.tokens + (self.now - self.updated) * self.rate)
        self.updated = self.now

    def allow(self, cost=1):
        self._refill()
        if self.tokens >= cost:
            self.tokens -= Fraction(cost)
            return True
        return False

    def retry_after(self, cost=1):
        self._refill()
        return float(max(Fraction(0), (Fraction(cost) - self.tokens) / self.rate))


class WindowModel:
    """A sliding log in exact arithmetic."""

    def __init__(self, limit, window_seconds):
        self.limit = limit
        self.window = Fraction(window_seconds)
        self.now = Fraction(START)
        self.admitted = deque()

    def wait(self, seconds):
        self.now += Fraction(seconds)
        while self.admitted and self.now - self.admitted[0] >= self.window:
            self.admitted.popleft()

    def allow(self, _arg=None):
        if len(self.admitted) < self.limit:
            self.admitted.append(self.now)
            return True
        return False

    def retry_after(self, _arg=None):
        if len(self.admitted) < self.limit:
            return 0.0
        return float(self.admitted[0] + self.window - self.now)


def modelled(model, script):
    """Add the model's expected result to every (op, arg) step."""
    steps = []
    for op, arg in script:
        if op == "wait":
            model.wait(arg)
            steps.append((op, arg, None))
        elif op == "allow":
            steps.append((op, arg, model.allow() if arg is None else model.allow(arg)))
        else:
            steps.append((op, arg, model.retry_after() if arg is None else model.retry_after(arg)))
    return steps


# -- describing what happened ----------------------------------------------------------
NAMES = {"TokenBucket": "bucket", "SlidingWindowLimiter": "limiter"}


def constructor(class_name, settings):
    made = ", ".join(f"{k}={v!r}" for k, v in settings.items())
    return f"{NAMES[class_name]} = {class_name}({made}, clock=fake_clock)  # it reads {START}"


def step_text(class_name, op, arg, now):
    if op == "wait":
        return f"fake_clock moves {arg!r} s (it now reads {now!r})"
    method = "allow" if op == "allow" else "retry_after"
    return f"{NAMES[class_name]}.{method}({'' if arg is None else repr(arg)})"


def history(class_name, settings, steps, upto):
    """The calls up to step ``upto``: earlier ones with the results they (rightly) gave."""
    grouped: list[list] = []
    now = START
    for op, arg, expected in steps[:upto]:
        if op == "wait":
            now += arg
        text = step_text(class_name, op, arg, now)
        if op != "wait":
            text += f"  -> {expected!r}"
        if grouped and grouped[-1][0] == text and op != "wait":
            grouped[-1][1] += 1
        else:
            grouped.append([text, 1])
    shown = [f"{text}   (x{n})" if n > 1 else text for text, n in grouped]
    op, arg, _ = steps[upto]
    shown.append(step_text(class_name, op, arg, now))
    if len(shown) > SHOWN_STEPS:
        skipped = len(shown) - SHOWN_STEPS
        shown = [f"... ({skipped} earlier lines)", *shown[-SHOWN_STEPS:]]
    return "\n          ".join([constructor(class_name, settings), *shown])


def as_expected(seen, expected):
    """A quick check; the full Outcome (with its message) is only built for a mismatch."""
    if expected == RAISES:
        return "ValueError" in seen.get("mro", [])
    return "returned" in seen and same(seen["returned"], expected)


def run(learner: Learner, class_name, settings, steps, call=None):
    """Run the steps in the sandbox; return what every call gave."""
    script = [(op, arg) for op, arg, _ in steps]
    call = call or constructor(class_name, settings)
    record = learner.run(act_limiter, class_name, settings, script, call=call)
    record = record.value("the limiter to be used")
    Outcome.from_attempt(call, record["made"]).value(f"a {class_name} to be created")
    return record["steps"]


def judge(class_name, settings, steps, seen_steps, note=""):
    """Every call must have given its expected result."""
    for number, ((op, _arg, expected), seen) in enumerate(zip(steps, seen_steps, strict=True)):
        if op == "wait" or as_expected(seen, expected):
            continue
        outcome = Outcome.from_attempt(history(class_name, settings, steps, number), seen)
        if expected == RAISES:
            outcome.expect_raises(ValueError, note=note)
        else:
            outcome.expect(expected, note=note)


def play(learner: Learner, class_name, settings, steps, note=""):
    """Run the steps in the sandbox; every call must give its expected result."""
    judge(class_name, settings, steps, run(learner, class_name, settings, steps), note)


def allows(n, expected=True, cost=None):
    return [("allow", cost, expected)] * n


def wait(seconds):
    return [("wait", seconds, None)]


def retry(expected, cost=None):
    return [("retry", cost, expected)]


def bucket_settings(capacity, refill_rate):
    return {"capacity": capacity, "refill_rate": refill_rate}


def window_settings(limit, window_seconds):
    return {"limit": limit, "window_seconds": window_seconds}


# -- task 1: TokenBucket.allow ------------------------------------------------------------
@pytest.mark.task(1)
def test_bucket_starts_full_and_allows_one_burst(learner):
    """a new bucket allows a burst of exactly `capacity` requests, then refuses"""
    play(
        learner,
        "TokenBucket",
        bucket_settings(5, 1.0),
        allows(5) + allows(3, False),
        note="the bucket starts full; each allowed request takes one token",
    )


@pytest.mark.task(1)
def test_bucket_refills_with_time(learner):
    """tokens grow back at refill_rate per second of (fake) clock time"""
    steps = allows(4) + allows(1, False)
    steps += wait(0.5) + allows(1) + allows(1, False)  # 0.5 s * 2/s = 1 token
    steps += wait(1.0) + allows(2) + allows(1, False)  # 2 tokens
    steps += wait(1.5) + allows(3) + allows(1, False)  # 3 tokens
    play(
        learner, "TokenBucket", bucket_settings(4, 2.0), steps, note=f"{REFILL_NOTE}; {CLOCK_NOTE}"
    )


@pytest.mark.task(1)
def test_bucket_does_not_refill_without_time(learner):
    """calls alone never add tokens: with the clock standing still, an empty bucket stays empty"""
    steps = allows(3) + allows(20, False) + wait(0.5) + allows(1) + allows(10, False)
    play(
        learner,
        "TokenBucket",
        bucket_settings(3, 2.0),
        steps,
        note="tokens come from elapsed seconds * refill_rate, not from the number of calls",
    )


@pytest.mark.task(1)
def test_bucket_keeps_fractional_tokens(learner):
    """partial refills add up: half a token plus half a token is a whole token"""
    steps = allows(3) + wait(0.25) + allows(1, False)  # 0.5 token
    steps += wait(0.25) + allows(1) + allows(1, False)  # 1.0
    steps += wait(0.125) + allows(1, False) + wait(0.125) + allows(1, False)  # 0.25, 0.5
    steps += wait(0.375) + allows(1) + allows(1, False)  # 1.25, 0.25 left
    steps += wait(0.375) + allows(1) + allows(1, False)  # 0.25 + 0.75 = 1.0
    play(
        learner,
        "TokenBucket",
        bucket_settings(3, 2.0),
        steps,
        note="tokens are floats: keep the fraction that has grown, even when you refuse",
    )


@pytest.mark.task(1)
def test_slow_refill_rate(learner):
    """with refill_rate 0.5 a token takes 2 seconds; 1.5 s is not enough"""
    steps = allows(2) + allows(1, False) + wait(1.5) + allows(1, False)
    steps += wait(0.5) + allows(1) + allows(1, False) + wait(4.0) + allows(2) + allows(1, False)
    play(learner, "TokenBucket", bucket_settings(2, 0.5), steps, note=REFILL_NOTE)


@pytest.mark.task(1)
def test_bucket_never_holds_more_than_capacity(learner):
    """after a long idle time the bucket holds `capacity` tokens, not more"""
    steps = allows(1) + wait(1000.0) + allows(3) + allows(1, False)
    steps += wait(3600.0) + allows(3) + allows(1, False)
    play(
        learner,
        "TokenBucket",
        bucket_settings(3, 1.0),
        steps,
        note="refilling stops at capacity: min(capacity, tokens + grown)",
    )


@pytest.mark.task(1)
def test_cost_takes_several_tokens(learner):
    """allow(cost) takes `cost` tokens at once, and only when all of them are there"""
    steps = allows(1, cost=4) + allows(1, cost=4) + allows(1, False, cost=4)  # 2 left
    steps += allows(1, cost=2) + allows(1, False, cost=1)  # 0 left
    steps += wait(2.5) + allows(1, False, cost=3) + wait(0.5) + allows(1, cost=3)
    steps += wait(10.0) + allows(1, cost=10) + allows(1, False)
    play(learner, "TokenBucket", bucket_settings(10, 1.0), steps)


@pytest.mark.task(1)
def test_fractional_costs(learner):
    """a cost may be a fraction of a token"""
    steps = allows(2, cost=0.5) + allows(1, False, cost=0.5) + wait(0.125) + allows(1, cost=0.5)
    play(learner, "TokenBucket", bucket_settings(1, 4.0), steps)


@pytest.mark.task(1)
def test_refused_request_costs_nothing(learner):
    """a refused request takes no tokens: a smaller request can still pass right after"""
    steps = allows(1, cost=5) + wait(2.0) + allows(1, False, cost=3) + allows(1, False, cost=3)
    steps += allows(1, cost=2) + allows(1, False)
    play(
        learner,
        "TokenBucket",
        bucket_settings(5, 1.0),
        steps,
        note="when tokens < cost, return False and leave the tokens as they are",
    )


@pytest.mark.task(1)
def test_buckets_are_independent(learner):
    """two buckets have their own tokens: emptying one leaves the other full"""
    settings = bucket_settings(3, 1.0)
    call = f"{constructor('TokenBucket', settings)}; other = the same again; bucket.allow() x4"
    record = learner.run(act_two_limiters, "TokenBucket", settings, 4, 3, call=call).value()
    Outcome.from_attempt(call, record["made"]).value("two buckets to be created")
    for n, seen in enumerate(record["first"]):
        Outcome.from_attempt(f"{call}  (call {n + 1})", seen).expect(n < 3)
    for n, seen in enumerate(record["second"]):
        Outcome.from_attempt(f"{call}; then other.allow() (call {n + 1})", seen).expect(
            True, note="keep tokens on self (set in __init__), never on the class"
        )


@pytest.mark.task(1)
def test_bucket_works_with_its_default_clock(learner):
    """TokenBucket(2, 0.01) with no clock given uses the real clock: True, True, then False"""
    call = "bucket = TokenBucket(2, 0.01); bucket.allow() three times at once"
    records = learner.run(act_default_clock, "TokenBucket", [2, 0.01], 3, call=call).value()
    for n, (record, expected) in enumerate(zip(records, [True, True, False], strict=False)):
        Outcome.from_attempt(f"{call}  (call {n + 1})", record).expect(expected)


@pytest.mark.task(1)
@pytest.mark.parametrize(
    "args",
    [
        pytest.param([0, 1.0], id="zero_capacity"),
        pytest.param([-5, 1.0], id="negative_capacity"),
        pytest.param([5, 0], id="zero_refill_rate"),
        pytest.param([5, -1.0], id="negative_refill_rate"),
    ],
)
def test_bucket_refuses_nonsense_settings(learner, args):
    """TokenBucket with a capacity or refill_rate that is not above 0 raises ValueError"""
    expect_refused_settings(learner, "TokenBucket", args)


@pytest.mark.task(1)
def test_allow_refuses_impossible_costs(learner):
    """allow(cost) raises ValueError for a cost of 0 or less, or above capacity"""
    steps = [("allow", 0, RAISES), ("allow", -1, RAISES), ("allow", 6, RAISES)]
    steps += allows(1, cost=5) + allows(1, False)
    play(
        learner,
        "TokenBucket",
        bucket_settings(5, 1.0),
        steps,
        note="a cost above capacity could never pass; a cost of 0 or less makes no sense; "
        "a cost equal to capacity is fine",
    )


@pytest.mark.task(1)
def test_bucket_matches_the_model_on_a_random_schedule(learner):
    """300 requests of random cost at random (seeded) times: every answer is right"""
    rng = random.Random(341)
    script = []
    for _ in range(300):
        script.append(("wait", rng.choice([0.0, 0.0, 0.0, 0.125, 0.25, 0.375, 0.5, 1.0, 3.0])))
        script.append(("allow", rng.choice([None, None, 1, 2, 3, 0.5])))
    steps = modelled(BucketModel(5, 2.0), script)
    play(learner, "TokenBucket", bucket_settings(5, 2.0), steps, note=REFILL_NOTE)


# -- task 2: TokenBucket.retry_after --------------------------------------------------------
@pytest.mark.task(2)
def test_retry_after_is_zero_when_allowed(learner):
    """retry_after() is 0.0 while a request would be allowed right now"""
    steps = retry(0.0) + retry(0.0, cost=4) + allows(3) + retry(0.0) + retry(0.0, cost=1)
    play(
        learner,
        "TokenBucket",
        bucket_settings(4, 1.0),
        steps,
        note="0.0, a float, when there are already enough tokens",
    )


@pytest.mark.task(2)
def test_retry_after_counts_the_missing_tokens(learner):
    """retry_after(cost) is exactly (cost - tokens) / refill_rate, partial tokens included"""
    steps = allows(2) + retry(0.25) + retry(0.5, cost=2)
    steps += wait(0.125) + retry(0.125) + retry(0.375, cost=2)
    steps += wait(0.125) + retry(0.0) + retry(0.25, cost=2)
    play(
        learner,
        "TokenBucket",
        bucket_settings(2, 4.0),
        steps,
        note="the tokens that have already grown count: wait only for the missing part, "
        "(cost - tokens) / refill_rate",
    )


@pytest.mark.task(2)
def test_retry_after_is_exactly_long_enough(learner):
    """a client that waits exactly retry_after() seconds is allowed, a moment earlier it is not"""
    model = BucketModel(6, 0.5)
    steps = [("allow", 6, model.allow(6))]
    for cost in [1, 3, 6, 2, 5, 1, 4]:
        steps += [("allow", cost, False)]
        seconds = model.retry_after(cost)
        steps += retry(seconds, cost=cost)
        steps += wait(seconds - 0.125) + [("allow", cost, False)]
        steps += wait(0.125) + [("allow", cost, True)]
        model.wait(seconds)
        model.allow(cost)
    play(learner, "TokenBucket", bucket_settings(6, 0.5), steps, note=REFILL_NOTE)


@pytest.mark.task(2)
def test_retry_after_takes_no_tokens(learner):
    """asking retry_after() again and again changes nothing"""
    steps = allows(2) + retry(0.0) * 5 + allows(1) + retry(1.0) * 5 + allows(1, False)
    steps += wait(0.5) + retry(0.5) * 3 + wait(0.5) + retry(0.0) * 3 + allows(1) + allows(1, False)
    play(learner, "TokenBucket", bucket_settings(3, 1.0), steps)


@pytest.mark.task(2)
def test_retry_after_refuses_impossible_costs(learner):
    """retry_after(cost) raises ValueError for a cost of 0 or less, or above capacity"""
    steps = [("retry", 0, RAISES), ("retry", -2, RAISES), ("retry", 4, RAISES)]
    steps += retry(0.0, cost=3)
    play(learner, "TokenBucket", bucket_settings(3, 1.0), steps)


@pytest.mark.task(2)
def test_retry_after_matches_the_model_on_a_random_schedule(learner):
    """300 random requests and retry_after() questions (seeded): every answer is exact"""
    rng = random.Random(342)
    script = []
    for _ in range(300):
        script.append(("wait", rng.choice([0.0, 0.0, 0.125, 0.25, 0.5, 0.75, 2.0])))
        script.append((rng.choice(["allow", "allow", "retry"]), rng.choice([None, 1, 2, 4])))
    steps = modelled(BucketModel(4, 4.0), script)
    play(learner, "TokenBucket", bucket_settings(4, 4.0), steps, note=REFILL_NOTE)


# -- task 3: SlidingWindowLimiter.allow ---------------------------------------------------
@pytest.mark.task(3)
def test_window_admits_limit_then_refuses(learner):
    """within one window, the first `limit` requests are admitted and the rest refused"""
    play(
        learner,
        "SlidingWindowLimiter",
        window_settings(3, 10.0),
        allows(3) + allows(4, False) + wait(9.875) + allows(2, False),
        note=WINDOW_NOTE,
    )


@pytest.mark.task(3)
def test_request_exactly_a_window_old_no_longer_counts(learner):
    """a request stops counting exactly window_seconds after it was admitted"""
    steps = allows(1) + wait(5.0) + allows(1) + allows(1, False)  # 1000, 1005
    steps += wait(4.875) + allows(1, False)  # 1009.875: both still count
    steps += wait(0.125) + allows(1) + allows(1, False)  # 1010: the 1000 one is gone
    steps += wait(4.875) + allows(1, False) + wait(0.125) + allows(1) + allows(1, False)
    play(
        learner,
        "SlidingWindowLimiter",
        window_settings(2, 10.0),
        steps,
        note="at exactly window_seconds old a request no longer counts (clock() - t < "
        "window_seconds counts, == does not)",
    )


@pytest.mark.task(3)
def test_no_double_burst_at_a_window_boundary(learner):
    """no second full burst just after a minute boundary: the sliding window still counts it"""
    steps = allows(1) + wait(9.5) + allows(4) + allows(1, False)  # 1000 and 4 at 1009.5
    steps += wait(0.5) + allows(1) + allows(4, False)  # 1010: only the 1000 one left
    steps += wait(9.0) + allows(1, False) + wait(0.5) + allows(4) + allows(1, False)
    play(
        learner,
        "SlidingWindowLimiter",
        window_settings(5, 10.0),
        steps,
        note="at 1010.0 only the request from 1000.0 has left the window, so exactly one "
        "more may pass; a fixed window would reset at 1010 and admit 5 (9 within half a second)",
    )


@pytest.mark.task(3)
def test_refused_requests_do_not_count(learner):
    """a client hammering while refused is admitted again once its old requests expire"""
    steps = allows(2) + wait(5.0) + allows(6, False) + wait(4.5) + allows(3, False)
    steps += wait(0.5) + allows(2) + allows(1, False)
    play(
        learner,
        "SlidingWindowLimiter",
        window_settings(2, 10.0),
        steps,
        note="only admitted requests go into the log; a refused one is not remembered",
    )


@pytest.mark.task(3)
def test_limiters_are_independent(learner):
    """two limiters keep separate logs: filling one leaves the other open"""
    settings = window_settings(2, 60.0)
    call = (
        f"{constructor('SlidingWindowLimiter', settings)}; other = the same again; "
        "limiter.allow() x3"
    )
    record = learner.run(act_two_limiters, "SlidingWindowLimiter", settings, 3, 2, call=call)
    record = record.value()
    Outcome.from_attempt(call, record["made"]).value("two limiters to be created")
    for n, seen in enumerate(record["first"]):
        Outcome.from_attempt(f"{call}  (call {n + 1})", seen).expect(n < 2)
    for n, seen in enumerate(record["second"]):
        Outcome.from_attempt(f"{call}; then other.allow() (call {n + 1})", seen).expect(
            True, note="create the log in __init__ (self.log = deque()), never in the class body"
        )


@pytest.mark.task(3)
def test_limiter_works_with_its_default_clock(learner):
    """SlidingWindowLimiter(2, 60.0) with no clock given: True, True, then False"""
    call = "limiter = SlidingWindowLimiter(2, 60.0); limiter.allow() three times at once"
    records = learner.run(act_default_clock, "SlidingWindowLimiter", [2, 60.0], 3, call=call)
    for n, (record, expected) in enumerate(zip(records.value(), [True, True, False], strict=False)):
        Outcome.from_attempt(f"{call}  (call {n + 1})", record).expect(expected)


@pytest.mark.task(3)
@pytest.mark.parametrize(
    "args",
    [
        pytest.param([0, 10.0], id="zero_limit"),
        pytest.param([-1, 10.0], id="negative_limit"),
        pytest.param([5, 0], id="zero_window"),
        pytest.param([5, -10.0], id="negative_window"),
    ],
)
def test_limiter_refuses_nonsense_settings(learner, args):
    """SlidingWindowLimiter with limit below 1 or a window not above 0 raises ValueError"""
    expect_refused_settings(learner, "SlidingWindowLimiter", args)


def random_window_script(seed, count, with_retry):
    rng = random.Random(seed)
    script = []
    for _ in range(count):
        script.append(("wait", rng.choice([0.0, 0.0, 0.0, 0.5, 1.0, 1.5, 2.5, 4.0, 7.0, 10.0])))
        script.append(("retry" if with_retry and rng.random() < 0.3 else "allow", None))
    return script


@pytest.mark.task(3)
def test_never_more_than_limit_in_any_window(learner):
    """400 requests at random (seeded) times: no window of 10 s ever admits more than 4"""
    settings = window_settings(4, 10.0)
    steps = modelled(WindowModel(4, 10.0), random_window_script(343, 400, with_retry=False))
    call = constructor("SlidingWindowLimiter", settings) + "; 400 requests at random times"
    seen_steps = run(learner, "SlidingWindowLimiter", settings, steps, call=call)
    now, admitted = START, []
    for (op, arg, _), seen in zip(steps, seen_steps, strict=True):
        if op == "wait":
            now += arg
        elif seen.get("returned") is True:
            admitted.append(now)
    last = 0
    for first, t in enumerate(admitted):
        last = max(last, first)
        while last + 1 < len(admitted) and admitted[last + 1] - t < 10.0:
            last += 1
        if last - first + 1 > 4:
            inside = admitted[first : last + 1]
            raise GradeFailure(
                f"Called:   {call}\n"
                f"Got:      {len(inside)} requests admitted between t={t} and t={inside[-1]}: "
                f"{inside}\n"
                "Expected: at most 4 admitted in any 10 s\n"
                f"Why:      {WINDOW_NOTE}"
            )
    judge("SlidingWindowLimiter", settings, steps, seen_steps, note=WINDOW_NOTE)


# -- task 4: SlidingWindowLimiter.retry_after ----------------------------------------------
@pytest.mark.task(4)
def test_window_retry_after_is_zero_when_admitted(learner):
    """retry_after() is 0.0 while a request would be admitted right now"""
    steps = retry(0.0) + allows(2) + retry(0.0) + wait(4.0) + retry(0.0)
    play(learner, "SlidingWindowLimiter", window_settings(3, 10.0), steps)


@pytest.mark.task(4)
def test_window_retry_after_waits_for_the_oldest_request(learner):
    """when full, retry_after() is the time until the oldest counted request expires"""
    steps = allows(1) + wait(3.0) + allows(1) + allows(1, False) + retry(7.0)  # 1000, 1003
    steps += wait(6.5) + retry(0.5) + allows(1, False) + wait(0.5) + retry(0.0)
    steps += allows(1) + retry(3.0) + wait(3.0) + retry(0.0)
    play(
        learner,
        "SlidingWindowLimiter",
        window_settings(2, 10.0),
        steps,
        note="the oldest request that still counts, admitted at t, stops counting at "
        "t + window_seconds: retry_after() = t + window_seconds - clock()",
    )


@pytest.mark.task(4)
def test_window_retry_after_changes_nothing(learner):
    """asking retry_after() again and again admits nothing and forgets nothing"""
    steps = retry(0.0) * 4 + allows(1) + retry(0.0) * 3 + allows(1) + retry(5.0) * 4
    steps += allows(1, False) + wait(5.0) + allows(2) + allows(1, False)
    play(learner, "SlidingWindowLimiter", window_settings(2, 5.0), steps)


@pytest.mark.task(4)
def test_window_retry_after_matches_the_model(learner):
    """300 random requests and retry_after() questions (seeded): every answer is exact"""
    steps = modelled(WindowModel(3, 7.5), random_window_script(344, 300, with_retry=True))
    play(learner, "SlidingWindowLimiter", window_settings(3, 7.5), steps, note=WINDOW_NOTE)


# -- Hypothesis: generated schedules and settings against the exact models ------------------
def act_limiter_case(module, case):
    """act_limiter for one generated (class_name, settings, script) case."""
    return act_limiter(module, *case)


def model_limiter_case(case):
    class_name, settings, script = case
    model = BucketModel(**settings) if class_name == "TokenBucket" else WindowModel(**settings)
    steps = modelled(model, [tuple(step) for step in script])
    return {
        "made": {"returned": None},
        "steps": [None if op == "wait" else {"returned": want} for op, _, want in steps],
    }


_WAITS = st.sampled_from([0.0, 0.125, 0.25, 0.5, 1.0, 2.5, 7.5, 10.0])
BUCKET_CASES = st.tuples(
    st.just("TokenBucket"),
    st.fixed_dictionaries(
        {
            "capacity": st.sampled_from([1, 2, 3.5, 5]),
            "refill_rate": st.sampled_from([0.125, 0.5, 2.0, 8.0]),
        }
    ),
    st.lists(
        st.one_of(
            st.tuples(st.just("wait"), _WAITS),
            st.tuples(st.sampled_from(["allow", "retry"]), st.sampled_from([None, 0.5, 1])),
        ),
        max_size=30,
    ),
)
WINDOW_CASES = st.tuples(
    st.just("SlidingWindowLimiter"),
    st.fixed_dictionaries(
        {"limit": st.integers(1, 4), "window_seconds": st.sampled_from([0.5, 2.5, 10.0])}
    ),
    st.lists(
        st.one_of(
            # the window lengths themselves come up often: "exactly window_seconds old"
            st.tuples(st.just("wait"), st.sampled_from([0.5, 2.5, 10.0, 0.0, 0.25, 1.0, 7.5])),
            st.tuples(st.sampled_from(["allow", "retry"]), st.none()),
        ),
        max_size=30,
    ),
)


def describe_case(case) -> str:
    class_name, settings, script = case
    words = []
    for op, arg in script:
        if op == "wait":
            words.append(f"clock +{arg:g} s")
        else:
            method = "allow" if op == "allow" else "retry_after"
            words.append(f"{method}({'' if arg is None else arg})")
    made = ", ".join(f"{k}={v!r}" for k, v in settings.items())
    return f"{class_name}({made}, clock=fake); then " + ", ".join(words or ["nothing"])


LIMITER_NOTE = (
    "'steps' has one entry per call, None for a clock move; this is the shortest generated "
    "schedule on which your limiter and the rules differ"
)


@pytest.mark.task(2)
def test_bucket_on_generated_schedules(learner):
    """120 generated settings and schedules (Hypothesis, derandomized): every allow and
    retry_after answer exact, shrunk to the shortest that differs"""
    agree_run(
        learner,
        act_limiter_case,
        model_limiter_case,
        BUCKET_CASES,
        describe=describe_case,
        max_examples=120,
        note=LIMITER_NOTE,
    )


@pytest.mark.task(4)
def test_window_on_generated_schedules(learner):
    """120 generated limits, windows and schedules (Hypothesis, derandomized): every allow and
    retry_after answer exact, shrunk to the shortest that differs"""
    agree_run(
        learner,
        act_limiter_case,
        model_limiter_case,
        WINDOW_CASES,
        describe=describe_case,
        max_examples=120,
        note=LIMITER_NOTE,
    )
