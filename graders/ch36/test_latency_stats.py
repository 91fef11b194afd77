"""Grader for ch36/latency_stats: nearest-rank percentiles, an SLO report, an error-rate alert.

Expected values are worked out by hand on crafted data: skewed sets whose mean is far
from every percentile (so an average can never pass for one), sizes where the nearest rank
must round up, and latencies sitting exactly on the SLO. The alert runs on a
``graders.acts.FakeClock`` moved by the act, so windows are tested to the exact second.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest
from hypothesis import strategies as st

from graders.acts import FakeClock, attempt
from graders.differential import agree
from graders.harness import GradeFailure, Outcome

EXERCISE = "ch36/latency_stats"

ONE_TO_HUNDRED = list(range(1, 101))
random.Random(36).shuffle(ONE_TO_HUNDRED)
SKEWED = [10, 10, 12, 10, 1000, 11, 10, 10, 12, 10]  # mean 109.5; nobody took 109.5 ms
NEAREST_RANK_NOTE = (
    "nearest rank: sort a copy, rank = ceil(p / 100 * N) counted from 1 (at least 1), "
    "and return the value at that rank, never an average or an interpolation"
)


# -- acts: run inside the sandbox, next to the learner's code ----------------------
def act_percentile_keeps_input(module, values, p):
    given = list(values)
    record = attempt(module.percentile, given, p)
    record["list_after"] = given
    return record


def act_alert(module, settings, script):
    """Drive an ErrorRateAlert on a fake clock; report what every 'check' step saw."""
    clock = FakeClock(1000.0)
    record = attempt(lambda: module.ErrorRateAlert(clock=clock, **settings))
    if "raised" in record:
        return [{"step": -1, "error_rate": record, "firing": record}]
    alert = record["returned"]
    checks = []
    for number, step in enumerate(script):
        if step[0] == "record":
            for _ in range(step[2]):
                outcome = attempt(alert.record, step[1])
                if "raised" in outcome:
                    return [*checks, {"step": number, "error_rate": outcome, "firing": outcome}]
        elif step[0] == "wait":
            clock.advance(step[1])
        else:
            checks.append(
                {
                    "step": number,
                    "error_rate": attempt(alert.error_rate),
                    "firing": attempt(alert.firing),
                }
            )
    return checks


# -- task 1: percentile ------------------------------------------------------------------
@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("p", "expected"),
    [(50, 50), (95, 95), (99, 99), (1, 1), (100, 100), (0, 1), (90, 90), (12.5, 13)],
)
def test_percentile_of_one_to_a_hundred(learner, p, expected):
    """for the numbers 1..100 (shuffled), the p-th percentile is p itself (rounded up)"""
    learner.call("percentile", ONE_TO_HUNDRED, p).expect(expected, note=NEAREST_RANK_NOTE)


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("p", "expected"),
    [(20, 10), (21, 20), (40, 20), (50, 30), (60, 30), (61, 40), (80, 40), (81, 50), (99, 50)],
)
def test_percentile_rounds_the_rank_up(learner, p, expected):
    """with 5 values the rank is rounded UP: p50 is the 3rd value, p21 the 2nd"""
    learner.call("percentile", [50, 10, 40, 20, 30], p).expect(expected, note=NEAREST_RANK_NOTE)


@pytest.mark.task(1)
@pytest.mark.parametrize(("p", "expected"), [(50, 10), (80, 12), (90, 12), (91, 1000), (99, 1000)])
def test_percentile_is_a_measured_value_not_an_average(learner, p, expected):
    """on skewed data the percentile is a value someone measured, never the mean (109.5)"""
    learner.call("percentile", SKEWED, p).expect(
        expected, note="percentiles exist because averages hide the slow tail; " + NEAREST_RANK_NOTE
    )


@pytest.mark.task(1)
def test_percentile_of_floats_and_of_one_value(learner):
    """floats stay the exact measured floats; one value is every percentile"""
    learner.call("percentile", [0.25, 1.5, 0.75], 50).expect(0.75)
    learner.call("percentile", [0.25, 1.5, 0.75], 34).expect(0.75)
    learner.call("percentile", [0.25, 1.5, 0.75], 33).expect(0.25)
    for p in (0, 50, 99, 100):
        learner.call("percentile", [42], p).expect(42)


@pytest.mark.task(1)
def test_percentile_does_not_change_the_list(learner):
    """percentile sorts a copy: the caller's list keeps its order"""
    values = [30, 10, 20, 50, 40]
    call = f"percentile(latencies, 50) with latencies = {values}"
    record = learner.run(act_percentile_keeps_input, values, 50, call=call).value()
    Outcome.from_attempt(call, record).expect(30)
    if record["list_after"] != values:
        raise GradeFailure(
            f"Called:   {call}\nThen:     latencies is now {record['list_after']}\n"
            f"Expected: latencies still {values}\n"
            "Why:      list.sort() changes the caller's data; sorted(latencies) makes a copy"
        )


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("values", "p"),
    [
        pytest.param([], 50, id="empty_list"),
        pytest.param([1, 2, 3], -1, id="p_below_0"),
        pytest.param([1, 2, 3], 100.5, id="p_above_100"),
    ],
)
def test_percentile_refuses_nonsense(learner, values, p):
    """an empty list, or p outside 0..100, raises ValueError"""
    learner.call("percentile", values, p).expect_raises(ValueError)


# -- task 2: latency_report ------------------------------------------------------------
def report(count, p50, p95, p99, maximum, within):
    return {
        "count": count,
        "p50": p50,
        "p95": p95,
        "p99": p99,
        "max": maximum,
        "within_slo": within,
    }


@pytest.mark.task(2)
def test_report_of_the_brief_example(learner):
    """latency_report gives the documented example's numbers"""
    learner.call("latency_report", [12, 7, 30, 9, 1000, 11, 8, 10, 13, 9], slo_ms=50).expect(
        report(10, 10, 1000, 1000, 1000, 0.9), places=9
    )


@pytest.mark.task(2)
def test_report_uses_percentiles_not_the_mean(learner):
    """p50 of skewed latencies is the median request (10), not the average (109.5)"""
    learner.call("latency_report", SKEWED, slo_ms=100).expect(
        report(10, 10, 1000, 1000, 1000, 0.9),
        places=9,
        note="p50, p95 and p99 come from percentile(), never from the mean",
    )


@pytest.mark.task(2)
def test_report_on_two_hundred_requests(learner):
    """200 requests: p95 is the 190th value and p99 the 198th"""
    values = [5] * 150 + [40] * 40 + [250] * 8 + [1500, 3000]
    random.Random(200).shuffle(values)
    learner.call("latency_report", values, slo_ms=250).expect(
        report(200, 5, 40, 250, 3000, 0.99), places=9, note=NEAREST_RANK_NOTE
    )


@pytest.mark.task(2)
@pytest.mark.parametrize(
    ("slo_ms", "within"),
    [
        pytest.param(30, 0.75, id="latency_equal_to_slo_is_within"),
        pytest.param(29.999, 0.25, id="just_under"),
        pytest.param(1, 0.0, id="none_within"),
        pytest.param(10_000, 1.0, id="all_within"),
    ],
)
def test_report_within_slo_boundaries(learner, slo_ms, within):
    """within_slo counts latencies AT MOST slo_ms, as a float fraction"""
    learner.call("latency_report", [20, 30, 30, 45.5], slo_ms=slo_ms).expect(
        report(4, 30, 45.5, 45.5, 45.5, within),
        places=9,
        note="a request exactly at the objective meets it (<=); within_slo is a float",
    )


@pytest.mark.task(2)
def test_report_of_nothing_is_an_error(learner):
    """latency_report([]) raises ValueError"""
    learner.call("latency_report", [], slo_ms=100).expect_raises(ValueError)


# -- task 3: ErrorRateAlert --------------------------------------------------------------
def describe(settings: dict, script: list) -> str:
    made = ", ".join(f"{k}={v!r}" for k, v in settings.items())
    lines = [f"alert = ErrorRateAlert({made + ', ' if made else ''}clock=fake_clock)"]
    for step in script:
        if step[0] == "record":
            lines.append(f"alert.record({step[1]}) x {step[2]}")
        elif step[0] == "wait":
            lines.append(f"the clock moves {step[1]} s")
        else:
            lines.append("alert.error_rate(), alert.firing()")
    if len(lines) > 16:  # a long schedule: the constructor and the last steps are enough
        lines = [lines[0], f"... ({len(lines) - 15} earlier steps)", *lines[-14:]]
    return "\n          ".join(lines)


def run_alert(learner, script, expected, settings=None, note=""):
    """Play the script; every ('check',) step must see the expected (rate, firing)."""
    settings = settings or {}
    checks = learner.run(act_alert, settings, script, call=describe(settings, script)).value()
    check_steps = [n for n, step in enumerate(script) if step[0] == "check"]
    for number, (rate, firing) in zip(check_steps, expected, strict=True):
        seen = next((c for c in checks if c["step"] == number), None)
        so_far = describe(settings, script[: number + 1])
        if seen is None:
            last = checks[-1] if checks else {"error_rate": {"raised": "?"}}
            Outcome.from_attempt(so_far, last["error_rate"]).value("the steps to run")
            raise GradeFailure(f"Called:   {so_far}\nProblem:  this check was never reached")
        Outcome.from_attempt(so_far + "  -> error_rate", seen["error_rate"]).expect(
            rate, places=9, note=note
        )
        Outcome.from_attempt(so_far + "  -> firing", seen["firing"]).expect(firing, note=note)


@pytest.mark.task(3)
def test_no_requests_no_alert(learner):
    """with no requests the error rate is 0.0 and the alert is quiet"""
    run_alert(learner, [("check",)], [(0.0, False)])


@pytest.mark.task(3)
def test_exactly_five_percent_does_not_fire(learner):
    """exactly 5% errors does not fire ("more than 5%"); one more error does"""
    script = [
        ("record", True, 19),
        ("record", False, 1),
        ("check",),
        ("record", False, 1),
        ("check",),
    ]
    run_alert(
        learner,
        script,
        [(0.05, False), (2 / 21, True)],
        note="error rate = failed / all requests in the window; fire only when > 5%",
    )


@pytest.mark.task(3)
def test_errors_fire_the_alert(learner):
    """a single failed request is a 100% error rate and fires"""
    run_alert(learner, [("record", False, 1), ("check",)], [(1.0, True)])


@pytest.mark.task(3)
def test_old_requests_leave_the_window(learner):
    """failures stop counting exactly 300 s after they happened (time from the given clock)"""
    script = [
        ("record", False, 10),
        ("wait", 200.0),
        ("record", True, 10),
        ("check",),
        ("wait", 99.5),
        ("check",),
        ("wait", 0.5),
        ("check",),
        ("record", False, 1),
        ("check",),
    ]
    run_alert(
        learner,
        script,
        [(0.5, True), (0.5, True), (0.0, False), (1 / 11, True)],
        note="a request at time t counts while clock() - t < window; read the time from "
        "self.clock, never from the time module",
    )


@pytest.mark.task(3)
def test_settings_are_respected(learner):
    """threshold and window given to the constructor are the ones used"""
    script = [
        ("record", False, 1),
        ("record", True, 1),
        ("check",),
        ("record", False, 1),
        ("check",),
        ("wait", 9.0),
        ("record", True, 3),
        ("check",),
        ("wait", 1.0),
        ("check",),
    ]
    run_alert(
        learner,
        script,
        [(0.5, False), (2 / 3, True), (2 / 6, False), (0.0, False)],
        settings={"threshold": 0.5, "window": 10.0},
    )


# -- differential: seeded generated inputs against the grader's own nearest rank ------------
def nearest_rank(values: list, p: float) -> float:
    """The judge's percentile, in exact arithmetic."""
    rank = max(1, math.ceil(Fraction(p) * len(values) / 100))
    return sorted(values)[rank - 1]


def _unambiguous(case: tuple[list, float]) -> bool:
    """Leave out a case where the float p / 100 * N lands a hair away from a whole number
    (7 / 100 * 100 is 7.000000000000001): the brief's formula and exact arithmetic would rank
    it differently, and the brief does not say which to use."""
    values, p = case
    return math.ceil(p / 100 * len(values)) == math.ceil(Fraction(p) * len(values) / 100)


PERCENTILE_CASES = st.tuples(
    st.one_of(
        st.lists(st.integers(1, 2000), min_size=1, max_size=60),
        st.lists(st.integers(1, 8000).map(lambda v: v / 8), min_size=1, max_size=60),
    ),
    st.one_of(st.sampled_from([0, 1, 5, 25, 50, 75, 90, 95, 99, 99.9, 100]), st.integers(0, 100)),
).filter(_unambiguous)


@pytest.mark.task(1)
def test_percentile_matches_nearest_rank_on_generated_lists(learner):
    """150 generated lists and p values (Hypothesis, derandomized): percentile gives the
    nearest-rank value every time"""
    agree(
        learner,
        "percentile",
        nearest_rank,
        PERCENTILE_CASES,
        max_examples=150,
        note=NEAREST_RANK_NOTE + " (the smallest generated list on which yours differs)",
    )


def alert_model(script: list, threshold: float, window: float) -> list[tuple[float, bool]]:
    """The judge's alert: the (error_rate, firing) every check must see."""
    now, seen, results = Fraction(1000), [], []
    for step in script:
        if step[0] == "record":
            seen += [(now, step[1])] * step[2]
        elif step[0] == "wait":
            now += Fraction(step[1])
        else:
            live = [ok for t, ok in seen if now - t < window]
            rate = Fraction(live.count(False), len(live)) if live else Fraction(0)
            results.append((float(rate), rate > Fraction(threshold)))
    return results


@pytest.mark.task(3)
@pytest.mark.parametrize("seed", [360, 361])
def test_alert_matches_the_rules_on_a_random_schedule(learner, seed):
    """120 seeded records, clock moves and checks: every error rate and firing as documented"""
    rng = random.Random(seed)
    settings = {"threshold": 0.25, "window": 60.0} if seed % 2 else {}
    script: list[tuple] = []
    for _ in range(120):
        roll = rng.random()
        if roll < 0.5:
            script.append(("record", rng.random() < 0.85, rng.randint(1, 4)))
        elif roll < 0.75:
            script.append(("wait", rng.choice([0.5, 1.0, 7.5, 30.0, 59.5, 60.0, 120.0, 299.5])))
        else:
            script.append(("check",))
    expected = alert_model(script, settings.get("threshold", 0.05), settings.get("window", 300.0))
    run_alert(
        learner,
        script,
        expected,
        settings=settings,
        note="error rate = failed / all requests recorded less than window seconds ago (0.0 "
        "when none); the alert fires when that rate is MORE than the threshold",
    )
