"""Grader for ch37/feature_flags: sticky, monotonic, evenly spread rollouts and a kill switch.

Every measure runs over 10,000 user ids. Tolerances are five standard deviations wide, so
any decent hash passes and a wrong rule fails, and the ids are fixed, so verdicts never
change from one run to the next. Stability across processes is checked by starting a fresh
Python process from inside the sandbox with another PYTHONHASHSEED (the engine's workers
always use 0, so the built-in hash() of a str would look stable there).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest
from hypothesis import strategies as st

from graders.acts import attempt
from graders.differential import agree_run
from graders.expectations import show
from graders.harness import GradeFailure, Learner, Outcome

EXERCISE = "ch37/feature_flags"
USERS = 10_000
FLAG = "new-board"
OTHER_FLAG = "dark-mode-v2"


def user_ids(count: int = USERS, prefix: str = "user-") -> list[str]:
    return [f"{prefix}{i}" for i in range(count)]


# -- acts: run inside the sandbox, next to the learner's code ----------------------
def act_buckets(module, flag, prefix, count, repeat=1):
    """bucket(flag, id) for every id, ``repeat`` times over; stops at the first problem."""
    rounds = []
    for _ in range(repeat):
        values = []
        for i in range(count):
            user = f"{prefix}{i}"
            record = attempt(module.bucket, flag, user)
            if "raised" in record:
                return {"problem": record, "user": user}
            value = record["returned"]
            if type(value) is not int:
                return {"problem": {"returned": value}, "user": user}
            values.append(value)
        rounds.append(values)
    return {"rounds": rounds}


_CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
module = __import__(sys.argv[2])
flag, prefix, count = sys.argv[3], sys.argv[4], int(sys.argv[5])
values = [module.bucket(flag, prefix + str(i)) for i in range(count)]
print("BUCKETS " + json.dumps([v if type(v) is int else repr(v) for v in values]))
"""


def act_buckets_elsewhere(module, flag, prefix, count, seed):
    """Compute buckets in a brand-new Python process, as a restarted server would."""
    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    folder = os.path.dirname(os.path.abspath(module.__file__))
    command = [sys.executable, "-c", _CHILD, folder, module.__name__, flag, prefix, str(count)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=15)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("BUCKETS "):
            return {"values": json.loads(line[len("BUCKETS ") :])}
    return {"problem": (done.stderr or done.stdout or f"exit status {done.returncode}")[-600:]}


def act_bucket_for(module, pairs):
    return [attempt(module.bucket, flag, user) for flag, user in pairs]


def act_find_user(module, flag, prefix, wanted, limit):
    """The first id whose bucket satisfies ``wanted`` (zero, or a multiple of 100 above 0)."""
    for i in range(limit):
        user = f"{prefix}{i}"
        value = module.bucket(flag, user)
        if type(value) is int and (value == 0 if wanted == "zero" else value % 100 == 0 < value):
            return [user, value]
    return None


def act_flags(module, steps, prefix, count):
    """Run steps on FeatureFlags objects; a ("check", obj, flag) step lists who is enabled."""
    objects = {}
    users = [f"{prefix}{i}" for i in range(count)]
    results = []
    for obj, operation, *args in steps:
        if obj not in objects:
            made = attempt(module.FeatureFlags)
            if "raised" in made:
                results.append(made)
                return results
            objects[obj] = made["returned"]
        flags = objects[obj]
        if operation != "check":
            results.append(attempt(getattr(flags, operation), *args))
            continue
        (flag,) = args
        enabled = []
        for index, user in enumerate(users):
            record = attempt(flags.is_enabled, flag, user)
            if "raised" in record or type(record["returned"]) is not bool:
                record["user"] = user
                results.append(record)
                return results
            if record["returned"]:
                enabled.append(index)
        results.append({"returned": enabled})
    return results


def act_flags_single(module, steps, user):
    """Apply the steps to one FeatureFlags object, then ask about one user."""
    flags = module.FeatureFlags()
    for _, operation, *args in steps:
        getattr(flags, operation)(*args)
    return attempt(flags.is_enabled, FLAG, user)


# -- helpers for the judge ---------------------------------------------------------
_known_buckets: dict[tuple, list[int]] = {}


def buckets(learner: Learner, flag: str = FLAG, count: int = USERS, repeat: int = 1) -> list:
    """The learner's buckets for user-0, user-1, ... (remembered per sandbox when repeat is 1)."""
    key = (id(learner.sandbox), flag, count)
    if repeat == 1 and key in _known_buckets:
        return _known_buckets[key]
    call = f"[bucket({flag!r}, f'user-{{i}}') for i in range({count})]"
    result = learner.run(act_buckets, flag, "user-", count, repeat, call=call).value()
    if "problem" in result:
        outcome = Outcome.from_attempt(f"bucket({flag!r}, {result['user']!r})", result["problem"])
        outcome.expect_that(lambda v: False, "an int from 0 to 9999")
    if repeat > 1:
        return result["rounds"]
    _known_buckets[key] = result["rounds"][0]
    return result["rounds"][0]


def describe(obj: str, operation: str, args: tuple) -> str:
    if operation == "check":
        return f"who is enabled for {args[0]!r} among {USERS} users ({obj})"
    return f"{obj}.{operation}({', '.join(show(a) for a in args)})"


def run_flags(learner: Learner, steps: list[tuple]) -> list[list[int]]:
    """Run the steps; check that every non-check step returned None; return the checks."""
    text = "; ".join(describe(o, op, tuple(a)) for o, op, *a in steps)
    objects = sorted({s[0] for s in steps})
    setup = "; ".join(f"{o} = FeatureFlags()" for o in objects)
    results = learner.run(act_flags, steps, "user-", USERS, call=f"{setup}; {text}").value()
    history = setup
    checks = []
    for (obj, operation, *args), record in zip(steps, results, strict=False):
        history += "\n          " + describe(obj, operation, tuple(args))
        if operation == "check":
            if "user" in record:
                call = f"{history}\n          ... {obj}.is_enabled({args[0]!r}, {record['user']!r})"
                Outcome.from_attempt(call, record).expect_that(
                    lambda v: False, "True or False (a bool)"
                )
            checks.append(set(record["returned"]))
        else:
            Outcome.from_attempt(history, record).expect(None)
    if len(results) < len(steps):  # FeatureFlags() raised
        Outcome.from_attempt("FeatureFlags()", results[-1]).value()
    return checks


def expect_users(history: str, got: set[int], expected: set[int], why: str) -> None:
    if got != expected:
        extra, missing = sorted(got - expected), sorted(expected - got)
        raise GradeFailure(
            f"Called:   {history}\nGot:      {len(got)} users enabled"
            + (f"; enabled but should not be: {len(extra)} (e.g. user-{extra[0]})" if extra else "")
            + (f"; missing: {len(missing)} (e.g. user-{missing[0]})" if missing else "")
            + f"\nExpected: exactly the {len(expected)} users {why}"
        )


def expect_count_near(history: str, count: int, expected: float, tolerance: float) -> None:
    if abs(count - expected) > tolerance:
        raise GradeFailure(
            f"Called:   {history}\nGot:      {count} of {USERS} users enabled\n"
            f"Expected: about {expected:g} (within ±{tolerance:g})"
        )


def below(values: list[int], threshold: float) -> set[int]:
    return {i for i, b in enumerate(values) if b < threshold}


# -- task 1 --------------------------------------------------------------------------
@pytest.mark.task(1)
def test_bucket_is_an_int_in_range(learner):
    """bucket returns an int from 0 to 9999 for every user"""
    values = buckets(learner)
    bad = [(i, v) for i, v in enumerate(values) if not 0 <= v < 10_000]
    if bad:
        i, v = bad[0]
        raise GradeFailure(
            f"Called:   bucket({FLAG!r}, 'user-{i}')\nReturned: {v}\n"
            "Expected: an int from 0 to 9999 (use % BUCKETS)"
        )


@pytest.mark.task(1)
def test_bucket_is_deterministic(learner):
    """bucket gives the same answer every time it is asked"""
    first, second = buckets(learner, count=2000, repeat=2)
    third = buckets(learner, count=2000)
    for i, (a, b, c) in enumerate(zip(first, second, third, strict=True)):
        if not a == b == c:
            raise GradeFailure(
                f"Called:   bucket({FLAG!r}, 'user-{i}') three times\nReturned: {a}, {b}, {c}\n"
                "Expected: the same number each time (no randomness, no clock)"
            )


@pytest.mark.task(1)
def test_bucket_is_stable_across_processes(learner):
    """bucket is the same in a freshly started Python process (a restarted server)"""
    here = buckets(learner, count=500)
    call = f"[bucket({FLAG!r}, f'user-{{i}}') for i in range(500)] in a new Python process"
    there = learner.run(act_buckets_elsewhere, FLAG, "user-", 500, 271828, call=call).value()
    if "problem" in there:
        raise GradeFailure(
            f"Called:   {call}\nProblem:  it failed: {there['problem']}\n"
            "Expected: the same buckets as in this process"
        )
    for i, (a, b) in enumerate(zip(here, there["values"], strict=False)):
        if a != b:
            raise GradeFailure(
                f"Called:   bucket({FLAG!r}, 'user-{i}') in two Python processes\n"
                f"Returned: {a} in one, {b} in the other\nExpected: the same bucket\n"
                "Why:      the built-in hash() of a str changes every time Python starts; "
                "hashlib (md5, sha256, ...) does not"
            )


@pytest.mark.task(1)
def test_buckets_spread_evenly(learner):
    """10,000 users spread evenly: about 1,000 in each tenth of the range"""
    values = buckets(learner)
    counts = [0] * 10
    for value in values:
        counts[min(value // 1000, 9)] += 1
    distinct = len(set(values))
    if any(abs(c - 1000) > 150 for c in counts) or distinct < 5000:
        raise GradeFailure(
            f"Called:   bucket({FLAG!r}, f'user-{{i}}') for 10,000 users\n"
            f"Got:      users per range 0-999, 1000-1999, ...: {counts}; "
            f"{distinct} different buckets\n"
            "Expected: about 1,000 per range (within ±150) and over 5,000 different buckets "
            "(about 6,300 for a good hash)\n"
            "Why:      turn the whole digest into an int before taking % BUCKETS"
        )


@pytest.mark.task(1)
def test_bucket_depends_on_the_flag(learner):
    """each flag picks its own users: buckets for two flags are unrelated"""
    a = buckets(learner, FLAG)
    b = buckets(learner, OTHER_FLAG)
    same_bucket = sum(x == y for x, y in zip(a, b, strict=True))
    both_low = len(below(a, 5000) & below(b, 5000))
    if same_bucket > 100 or abs(both_low - 2500) > 300:
        raise GradeFailure(
            f"Called:   bucket({FLAG!r}, user) and bucket({OTHER_FLAG!r}, user) for 10,000 users\n"
            f"Got:      {same_bucket} users in the same bucket for both flags; {both_low} in "
            "the lower half for both\n"
            "Expected: only a handful in the same bucket, and about 2,500 (±300) in the lower "
            "half for both, as for two independent coin flips\n"
            "Why:      hash the flag name together with the user id"
        )


@pytest.mark.task(1)
def test_bucket_accepts_any_text(learner):
    """bucket works for accents, other scripts, empty and very long ids"""
    pairs = [
        (FLAG, "zoë"),
        (FLAG, "用户-7"),
        (FLAG, ""),
        (FLAG, "x" * 5000),
        ("rollout with spaces", "user-1"),
        ("", "user-1"),
    ]
    records = learner.run(act_bucket_for, pairs, call="bucket(...) on unusual text").value()
    for (flag, user), record in zip(pairs, records, strict=True):
        Outcome.from_attempt(f"bucket({flag!r}, {show(user)})", record).expect_that(
            lambda v: type(v) is int and 0 <= v < 10_000,
            "an int from 0 to 9999",
            note="encode the text to bytes (str.encode()) before hashing",
        )


# -- task 2 --------------------------------------------------------------------------
@pytest.mark.task(2)
def test_unknown_flag_is_off(learner):
    """a flag that was never rolled out is off for everybody"""
    (enabled,) = run_flags(learner, [("flags", "check", FLAG)])
    expect_users(
        f"flags.is_enabled({FLAG!r}, user) for 10,000 users",
        enabled,
        set(),
        "(none: unknown flags are off)",
    )


@pytest.mark.task(2)
def test_zero_and_hundred_percent(learner):
    """0% enables nobody and 100% enables everybody"""
    steps = [
        ("flags", "set_rollout", FLAG, 0),
        ("flags", "check", FLAG),
        ("flags", "set_rollout", FLAG, 100),
        ("flags", "check", FLAG),
    ]
    nobody, everybody = run_flags(learner, steps)
    expect_users(
        f"flags.set_rollout({FLAG!r}, 0); is_enabled for 10,000 users",
        nobody,
        set(),
        "(none at 0%)",
    )
    expect_users(
        f"flags.set_rollout({FLAG!r}, 100); is_enabled for 10,000 users",
        everybody,
        set(range(USERS)),
        "(all at 100%)",
    )


@pytest.mark.task(2)
def test_ten_percent_is_about_a_tenth(learner):
    """at 10%, about 1,000 of 10,000 users are in: exactly those with bucket below 1000"""
    values = buckets(learner)
    (enabled,) = run_flags(learner, [("flags", "set_rollout", FLAG, 10), ("flags", "check", FLAG)])
    history = f"flags.set_rollout({FLAG!r}, 10); is_enabled for 10,000 users"
    expect_count_near(history, len(enabled), 1000, 150)
    expect_users(history, enabled, below(values, 1000), "whose bucket is below 10 * 100")


@pytest.mark.task(2)
def test_fractional_percentages(learner):
    """0.5% and 2.5% work too: users with bucket below 50 and below 250"""
    values = buckets(learner)
    steps = [
        ("flags", "set_rollout", FLAG, 0.5),
        ("flags", "check", FLAG),
        ("flags", "set_rollout", FLAG, 2.5),
        ("flags", "check", FLAG),
    ]
    half, two_and_half = run_flags(learner, steps)
    expect_users(
        f"flags.set_rollout({FLAG!r}, 0.5); is_enabled for 10,000 users",
        half,
        below(values, 50),
        "whose bucket is below 0.5 * 100",
    )
    expect_users(
        f"flags.set_rollout({FLAG!r}, 2.5); is_enabled for 10,000 users",
        two_and_half,
        below(values, 250),
        "whose bucket is below 2.5 * 100",
    )


@pytest.mark.task(2)
def test_ramping_up_only_adds_users(learner):
    """ramping 1% -> 5% -> 10% -> 25% -> 50% -> 100% never drops anyone already in"""
    ramp = [1, 5, 10, 25, 50, 100]
    steps = []
    for percent in ramp:
        steps += [("flags", "set_rollout", FLAG, percent), ("flags", "check", FLAG)]
    sets = run_flags(learner, steps)
    history = "flags.set_rollout(...)"
    previous: set[int] = set()
    for percent, enabled in zip(ramp, sets, strict=True):
        history += f" {percent}%"
        dropped = sorted(previous - enabled)
        if dropped:
            raise GradeFailure(
                f"Called:   {history}\nGot:      {len(dropped)} users who were in at the "
                f"previous step are out now (e.g. user-{dropped[0]})\n"
                "Expected: every user already enabled stays enabled\n"
                "Why:      the bucket must not depend on the percentage"
            )
        expect_count_near(history, len(enabled), percent * 100, max(5 * (percent * 100) ** 0.5, 25))
        previous = enabled


@pytest.mark.task(2)
def test_ramping_down_and_up_again(learner):
    """ramping 10% -> 50% -> 10% gives back exactly the first 10%"""
    steps = [
        ("flags", "set_rollout", FLAG, 10),
        ("flags", "check", FLAG),
        ("flags", "set_rollout", FLAG, 50),
        ("flags", "set_rollout", FLAG, 10),
        ("flags", "check", FLAG),
    ]
    first, again = run_flags(learner, steps)
    expect_users(
        f"flags.set_rollout({FLAG!r}, 10 -> 50 -> 10)",
        again,
        first,
        "enabled the first time at 10%",
    )


@pytest.mark.task(2)
def test_percentage_threshold_is_exclusive(learner):
    """a user whose bucket equals percent * 100 is just outside; bucket 0 is out at 0%"""
    found = learner.run(
        act_find_user,
        FLAG,
        "edge-",
        "multiple",
        200_000,
        call="searching for a user whose bucket is a multiple of 100",
    ).value()
    if found is None:
        raise GradeFailure(
            "Called:   bucket(...) for 200,000 users\n"
            "Got:      no bucket that is a multiple of 100\n"
            "Expected: buckets spread over 0 to 9999"
        )
    user, value = found
    percent = value // 100
    steps = [("flags", "set_rollout", FLAG, percent)]
    history = f"flags.set_rollout({FLAG!r}, {percent}); flags.is_enabled({FLAG!r}, {user!r})"
    record = learner.run(act_flags_single, steps, user, call=history).value()
    Outcome.from_attempt(history + f"  # bucket is {value}", record).expect(
        False, note=f"in means bucket < percent * 100, and {value} < {value} is False"
    )
    zero = learner.run(
        act_find_user, FLAG, "zero-", "zero", 300_000, call="searching for a user in bucket 0"
    ).value()
    if zero is not None:
        history = f"flags.set_rollout({FLAG!r}, 0); flags.is_enabled({FLAG!r}, {zero[0]!r})"
        record = learner.run(
            act_flags_single, [("flags", "set_rollout", FLAG, 0)], zero[0], call=history
        ).value()
        Outcome.from_attempt(history + "  # bucket is 0", record).expect(
            False, note="0% means nobody, not even bucket 0"
        )


@pytest.mark.task(2)
@pytest.mark.parametrize("bad", [-1, -0.01, 100.5, 101, 1000])
def test_invalid_percentage_is_refused(learner, bad):
    """a percentage outside 0..100 raises ValueError and keeps the old rollout"""
    values = buckets(learner, count=2000)
    steps = [
        ("flags", "set_rollout", FLAG, 10),
        ("flags", "set_rollout", FLAG, bad),
        ("flags", "check", FLAG),
    ]
    text = f"flags.set_rollout({FLAG!r}, 10); flags.set_rollout({FLAG!r}, {bad!r})"
    results = learner.run(act_flags, steps, "user-", 2000, call=text).value()
    Outcome.from_attempt(text, results[1] if len(results) > 1 else results[0]).expect_raises(
        ValueError
    )
    if len(results) > 2 and "user" not in results[2]:
        expect_users(
            text + "; is_enabled for 2,000 users",
            set(results[2]["returned"]),
            below(values, 1000),
            "of the 10% rollout (a refused call changes nothing)",
        )


@pytest.mark.task(2)
def test_flags_are_independent(learner):
    """two flags keep their own percentages and their own users"""
    a = buckets(learner, FLAG)
    b = buckets(learner, OTHER_FLAG)
    steps = [
        ("flags", "set_rollout", FLAG, 10),
        ("flags", "set_rollout", OTHER_FLAG, 60),
        ("flags", "check", FLAG),
        ("flags", "check", OTHER_FLAG),
    ]
    on_a, on_b = run_flags(learner, steps)
    history = f"flags.set_rollout({FLAG!r}, 10); flags.set_rollout({OTHER_FLAG!r}, 60)"
    expect_users(
        history + f"; who has {FLAG!r}",
        on_a,
        below(a, 1000),
        f"whose bucket for {FLAG!r} is below 1000",
    )
    expect_users(
        history + f"; who has {OTHER_FLAG!r}",
        on_b,
        below(b, 6000),
        f"whose bucket for {OTHER_FLAG!r} is below 6000",
    )


@pytest.mark.task(2)
def test_flag_objects_do_not_share_flags(learner):
    """two FeatureFlags objects are separate (one's rollouts do not leak into the other)"""
    steps = [("first", "set_rollout", FLAG, 100), ("second", "check", FLAG)]
    (enabled,) = run_flags(learner, steps)
    expect_users(
        f"first.set_rollout({FLAG!r}, 100); second.is_enabled(...)",
        enabled,
        set(),
        "(none: create the dict in __init__, not in the class body)",
    )


# -- task 3 --------------------------------------------------------------------------
@pytest.mark.task(3)
def test_kill_switches_everybody_off(learner):
    """kill turns a 100% flag off for everybody"""
    steps = [("flags", "set_rollout", FLAG, 100), ("flags", "kill", FLAG), ("flags", "check", FLAG)]
    (enabled,) = run_flags(learner, steps)
    expect_users(
        f"flags.set_rollout({FLAG!r}, 100); flags.kill({FLAG!r})",
        enabled,
        set(),
        "(none: the flag is killed)",
    )


@pytest.mark.task(3)
def test_revive_brings_back_the_same_users(learner):
    """after kill and revive, exactly the same 25% are back"""
    steps = [
        ("flags", "set_rollout", FLAG, 25),
        ("flags", "check", FLAG),
        ("flags", "kill", FLAG),
        ("flags", "check", FLAG),
        ("flags", "revive", FLAG),
        ("flags", "check", FLAG),
    ]
    before, killed, after = run_flags(learner, steps)
    expect_users(
        f"flags.set_rollout({FLAG!r}, 25); flags.kill({FLAG!r})",
        killed,
        set(),
        "(none while killed)",
    )
    expect_users(
        f"flags.set_rollout({FLAG!r}, 25); kill; revive",
        after,
        before,
        "enabled before the kill (kill must not forget the percentage)",
    )


@pytest.mark.task(3)
def test_rollout_while_killed_stays_off(learner):
    """set_rollout on a killed flag keeps it off until revive"""
    steps = [
        ("flags", "set_rollout", FLAG, 10),
        ("flags", "kill", FLAG),
        ("flags", "set_rollout", FLAG, 100),
        ("flags", "check", FLAG),
        ("flags", "revive", FLAG),
        ("flags", "check", FLAG),
    ]
    killed, revived = run_flags(learner, steps)
    history = f"flags.set_rollout({FLAG!r}, 10); kill; set_rollout({FLAG!r}, 100)"
    expect_users(history, killed, set(), "(none: only revive lifts the kill switch)")
    expect_users(history + "; revive", revived, set(range(USERS)), "(all: the rollout is 100%)")


@pytest.mark.task(3)
def test_kill_touches_only_that_flag(learner):
    """killing one flag leaves the others as they were"""
    b = buckets(learner, OTHER_FLAG)
    steps = [
        ("flags", "set_rollout", FLAG, 100),
        ("flags", "set_rollout", OTHER_FLAG, 30),
        ("flags", "kill", FLAG),
        ("flags", "check", OTHER_FLAG),
    ]
    (enabled,) = run_flags(learner, steps)
    expect_users(
        f"... flags.kill({FLAG!r}); who has {OTHER_FLAG!r} at 30%",
        enabled,
        below(b, 3000),
        f"whose bucket for {OTHER_FLAG!r} is below 3000",
    )


@pytest.mark.task(3)
def test_kill_before_rollout(learner):
    """a flag killed before it was ever rolled out stays off until revived"""
    steps = [
        ("flags", "kill", "later"),
        ("flags", "set_rollout", "later", 100),
        ("flags", "check", "later"),
        ("flags", "revive", "later"),
        ("flags", "check", "later"),
        ("flags", "revive", "later"),
    ]
    killed, revived = run_flags(learner, steps)
    expect_users(
        "flags.kill('later'); flags.set_rollout('later', 100)", killed, set(), "(none while killed)"
    )
    expect_users("... flags.revive('later')", revived, set(range(USERS)), "(all at 100%)")


# -- Hypothesis: generated operation sequences against a model ------------------------------
def stand_in_bucket(flag: str, user_id: str) -> int:
    """The grader's own bucket, put in place of the learner's for the sequence test below."""
    digest = hashlib.sha256(f"{flag}/{user_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10_000


def act_flag_ops(module, ops):
    """Play generated operations on one FeatureFlags, with bucket replaced by the stand-in."""
    module.bucket = stand_in_bucket
    flags = module.FeatureFlags()
    seen = []
    for op, *args in ops:
        record = attempt(getattr(flags, op), *args)
        if "raised" in record:
            seen.append(record["raised"])
        elif op == "is_enabled":
            seen.append(record["returned"])
        else:
            seen.append("ok" if record["returned"] is None else record["returned"])
    return seen


def model_flag_ops(ops):
    percent: dict[str, float] = {}
    killed: set[str] = set()
    seen: list = []
    for op, *args in ops:
        if op == "set_rollout":
            flag, value = args
            if not 0 <= value <= 100:
                seen.append("ValueError")
                continue
            percent[flag] = value
        elif op == "kill":
            killed.add(args[0])
        elif op == "revive":
            killed.discard(args[0])
        else:
            flag, user = args
            on = flag in percent and flag not in killed
            seen.append(on and stand_in_bucket(flag, user) < percent[flag] * 100)
            continue
        seen.append("ok")
    return seen


_FLAGS = st.sampled_from(["new-board", "dark-mode"])
FLAG_OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("set_rollout"),
            _FLAGS,
            st.sampled_from([0, 0.5, 10, 25, 50, 99.5, 100, -1, 100.5]),
        ),
        st.tuples(st.sampled_from(["kill", "revive"]), _FLAGS),
        st.tuples(st.just("is_enabled"), _FLAGS, st.sampled_from([f"user-{i}" for i in range(6)])),
    ),
    max_size=25,
)


def describe_flag_ops(ops) -> str:
    steps = "; ".join(f"flags.{op}({', '.join(repr(a) for a in args)})" for op, *args in ops)
    return "bucket = the grader's stand-in; flags = FeatureFlags(); " + (steps or "nothing")


@pytest.mark.task(3)
def test_generated_operation_sequences_follow_the_rules(learner):
    """150 generated sequences of set_rollout, kill, revive and is_enabled (Hypothesis,
    derandomized), with the grader's own bucket: every answer as documented"""
    agree_run(
        learner,
        act_flag_ops,
        model_flag_ops,
        FLAG_OPS,
        describe=describe_flag_ops,
        max_examples=150,
        note="one entry per call ('ok' for set_rollout/kill/revive, the exception's name, or "
        "is_enabled's answer). bucket is replaced by the grader's own here, so only the "
        "rollout and kill-switch rules count: is_enabled uses bucket(flag, user_id) < "
        "percent * 100, as its docstring says",
    )
