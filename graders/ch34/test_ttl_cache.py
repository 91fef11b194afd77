"""Grader for ch34/ttl_cache: a TTL cache with single-flight stampede protection.

Expiry runs on a ``graders.acts.FakeClock`` (nothing sleeps to make time pass). The
concurrency tests use real threads, and every wait inside an act has a timeout, so a cache
that deadlocks or never wakes its waiters is reported as data, never as a frozen grader:

* Stampede: the leader's loader blocks on an Event until every caller is parked in a wait
  (a profile hook sees each thread enter and leave the lock ``acquire`` at the bottom of
  Event/Condition waits; designs it cannot see get a generous settling time instead), or
  until as many loader calls as callers have started (no single flight). Then the loader
  returns or raises. The clock stands still, so even a caller that arrived late would get
  a cache hit: a correct cache runs the loader exactly once.
* Different keys: the two loaders meet at a ``threading.Barrier`` with a timeout. If one
  lock is held while loading, the second loader can never start and the barrier breaks.
"""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import strategies as st

from graders.acts import FakeClock, attempt
from graders.differential import agree_run
from graders.harness import GradeFailure, Learner, Outcome

EXERCISE = "ch34/ttl_cache"

START = 1000.0  # the fake clock's first reading
TTL = 30.0
MEET = 1.0  # seconds a loader waits for its partner (barrier, event) before giving up
SETTLE = 0.5  # for waits the watcher cannot see: time to reach them after entering
HANG = 3.0  # seconds after which a thread that has not returned counts as stuck
DOWN = "database is down"
EXPIRY_NOTE = (
    "an entry stored at t is fresh while clock() - t < ttl_seconds; read the time from "
    "self.clock(), never from the time module"
)
SINGLE_FLIGHT_NOTE = (
    "single flight: the first caller that misses runs the loader; callers of the same key "
    "that arrive while it runs wait for it (an Event per key) and share its result"
)


# -- acts: run inside the sandbox, next to the learner's code ----------------------
def new_cache(module, clock):
    return attempt(lambda: module.TTLCache(TTL, clock=clock))


def act_script(module, script):
    """Play get/set/invalidate/get_or_load/wait steps on one cache and a fake clock."""
    clock = FakeClock(START)
    made = new_cache(module, clock)
    if "raised" in made:
        return {"made": made, "steps": []}
    cache = made["returned"]
    calls = []

    def loader_for(kind, payload):
        def loader():
            calls.append(kind)
            if kind == "error":
                raise ConnectionError(payload)
            if kind == "slow":  # a slow query: the fake clock moves while it runs
                value, seconds = payload
                clock.advance(seconds)
                return value
            return payload

        return loader

    steps = []
    for op, args in script:
        if op == "wait":
            clock.advance(args)
            steps.append(None)
        elif op == "load":
            key, kind, payload = args
            before = len(calls)
            loader = loader_for(kind, payload)
            record = _within(lambda key=key, loader=loader: cache.get_or_load(key, loader), HANG)
            record["loader_calls"] = len(calls) - before
            steps.append(record)
        else:
            steps.append(attempt(getattr(cache, op), *args))
    return {"made": {"returned": None}, "steps": steps}


def act_two_caches(module):
    """Two caches on one clock: what one stores, the other must not see."""
    clock = FakeClock(START)
    first, second = module.TTLCache(TTL, clock=clock), module.TTLCache(TTL, clock=clock)
    first.set("tasks:1", ["first cache"])
    loaded: list = []
    return {
        "get": attempt(second.get, "tasks:1", "MISSING"),
        "load": attempt(
            second.get_or_load, "tasks:1", lambda: loaded.append(1) or ["second cache"]
        ),
        "loader_calls": len(loaded),
        "first": attempt(first.get, "tasks:1", "MISSING"),
    }


def act_construct(module, ttl):
    record = attempt(lambda: module.TTLCache(ttl, clock=FakeClock(START)))
    return {"returned": None} if "returned" in record else record


def _within(fn, seconds):
    """attempt(fn) in a helper thread; {'hung': True} if it has not returned in time."""
    box = {}
    thread = threading.Thread(target=lambda: box.update(attempt(fn)), daemon=True)
    thread.start()
    thread.join(seconds)
    return {"hung": True} if thread.is_alive() else box


class _WaitWatcher:
    """Tells how many threads are parked in a wait of the threading module right now.

    Event.wait, Condition.wait, Barrier.wait, Future.result and Queue.get all end in a lock
    ``acquire`` called from threading.py; a profile hook sees that call start and return.
    """

    def __init__(self) -> None:
        self.state: dict[int, bool] = {}

    def hook(self, frame, event, arg):
        if event == "c_call":
            if getattr(arg, "__name__", "") == "acquire" and (
                frame.f_code.co_filename == threading.__file__
            ):
                self.state[threading.get_ident()] = True
        elif event in ("c_return", "c_exception") and getattr(arg, "__name__", "") == "acquire":
            self.state[threading.get_ident()] = False

    def parked(self) -> int:
        return sum(self.state.copy().values())


def act_stampede(module, groups, fail, expired):
    """groups[key] threads call get_or_load(key, loader) at once; each key's loader blocks."""
    clock = FakeClock(START)
    made = new_cache(module, clock)
    if "raised" in made:
        return {"made": made}
    cache = made["returned"]
    if expired:
        for key in groups:
            cache.set(key, f"stale {key}")
        clock.advance(TTL)
    calls = {key: [] for key in groups}
    release = threading.Event()
    entered = []

    def loader_for(key):
        def loader():
            calls[key].append(1)
            release.wait(HANG)
            if fail:
                raise ConnectionError(f"{DOWN} ({key})")
            return {"key": key, "rows": [1, 2, 3]}

        return loader

    callers = [key for key, count in groups.items() for _ in range(count)]
    results: list = [None] * len(callers)
    ready = threading.Barrier(len(callers) + 1, timeout=HANG)

    def caller(slot, key):
        try:
            ready.wait()
        except threading.BrokenBarrierError:
            return
        entered.append(slot)
        results[slot] = attempt(cache.get_or_load, key, loader_for(key))

    threads = [
        threading.Thread(target=caller, args=(slot, key), daemon=True)
        for slot, key in enumerate(callers)
    ]
    watcher = _WaitWatcher()
    threading.setprofile(watcher.hook)  # each new thread picks the hook up as it starts
    try:
        for thread in threads:
            thread.start()
        ready.wait()  # every thread is running (and hooked) once this returns
    finally:
        threading.setprofile(None)
    deadline = time.monotonic() + 2 * MEET
    all_in = None
    while time.monotonic() < deadline:
        if sum(len(c) for c in calls.values()) >= len(callers):
            break  # every caller is running its own loader: no single flight
        if len(entered) == len(callers):
            all_in = all_in or time.monotonic()
            if watcher.parked() >= len(callers) or time.monotonic() - all_in >= SETTLE:
                break  # everyone is parked in a wait (or, for other designs, had time to be)
        time.sleep(0.002)
    release.set()
    end = time.monotonic() + HANG
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    after = {}
    if not stuck:
        for key in groups:
            again = []

            def reload(key=key, again=again):
                again.append(1)
                return f"reloaded {key}"

            record = _within(lambda key=key, reload=reload: cache.get_or_load(key, reload), MEET)
            record["loader_calls"] = len(again)
            after[key] = record
    return {
        "made": {"returned": None},
        "callers": callers,
        "results": results,
        "stuck": stuck,
        "loader_calls": {key: len(c) for key, c in calls.items()},
        "after": after,
    }


def act_two_keys(module):
    """get_or_load('a') and get_or_load('b') at once; their loaders must meet."""
    made = new_cache(module, FakeClock(START))
    if "raised" in made:
        return {"made": made}
    cache = made["returned"]
    meet = threading.Barrier(2, timeout=MEET)

    def loader_for(key):
        def loader():
            meet.wait()
            return f"{key} loaded"

        return loader

    results = {}
    threads = [
        threading.Thread(
            target=lambda k=key: results.update({k: attempt(cache.get_or_load, k, loader_for(k))}),
            daemon=True,
        )
        for key in ("a", "b")
    ]
    for thread in threads:
        thread.start()
    end = time.monotonic() + HANG
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
    return {
        "made": {"returned": None},
        "stuck": sum(thread.is_alive() for thread in threads),
        "results": results,
    }


def act_busy_cache(module):
    """While 'slow' is loading, use the cache for other keys from another thread."""
    made = new_cache(module, FakeClock(START))
    if "raised" in made:
        return {"made": made}
    cache = made["returned"]
    cache.set("ready", "cached value")
    started, others_done = threading.Event(), threading.Event()
    box = {}

    def slow_loader():
        started.set()
        box["others_in_time"] = others_done.wait(MEET)
        return "slow value"

    def slow():
        box["slow"] = attempt(cache.get_or_load, "slow", slow_loader)

    def others():
        box["get"] = attempt(cache.get, "ready")
        box["set"] = attempt(cache.set, "new", 5)
        box["hit"] = attempt(cache.get_or_load, "ready", lambda: "loaded again")
        box["fast"] = attempt(cache.get_or_load, "fast", lambda: "fast value")
        others_done.set()

    slow_thread = threading.Thread(target=slow, daemon=True)
    slow_thread.start()
    if not started.wait(MEET):
        slow_thread.join(MEET)
        return {"made": {"returned": None}, "started": False, "slow": box.get("slow")}
    other_thread = threading.Thread(target=others, daemon=True)
    other_thread.start()
    end = time.monotonic() + HANG
    for thread in (slow_thread, other_thread):
        thread.join(max(0.0, end - time.monotonic()))
    stuck = slow_thread.is_alive() or other_thread.is_alive()
    return {"made": {"returned": None}, "started": True, "stuck": stuck, **box}


# -- describing and judging scripts --------------------------------------------------------
CONSTRUCTOR = f"cache = TTLCache({TTL}, clock=fake_clock)  # it reads {START}"


def step_text(op, args, now):
    if op == "wait":
        return f"fake_clock moves {args!r} s (it now reads {now!r})"
    if op == "load":
        key, kind, payload = args
        does = f"returns {payload!r}" if kind == "value" else f"raises ConnectionError({payload!r})"
        if kind == "slow":
            does = f"takes {payload[1]!r} s of the fake clock, then returns {payload[0]!r}"
        return f"cache.get_or_load({key!r}, loader)  # a loader that {does}"
    return f"cache.{op}({', '.join(repr(a) for a in args)})"


def result_text(op, expected):
    if op == "load":
        kind, value, calls = expected
        shown = repr(value) if kind == "value" else "raises ConnectionError"
        return f"{shown}, loader {'called' if calls else 'not called'}"
    return repr(expected)


def history(steps, upto):
    lines, now = [CONSTRUCTOR], START
    for op, args, expected in steps[:upto]:
        if op == "wait":
            now += args
        if op == "load" and args[1] == "slow":
            now += args[2][1]
        line = step_text(op, args, now)
        if op in ("get", "load"):
            line += f"  -> {result_text(op, expected)}"
        lines.append(line)
    op, args, _ = steps[upto]
    lines.append(step_text(op, args, now))
    return "\n          ".join(lines)


def play(learner: Learner, steps, note=""):
    """Run the steps; every get and get_or_load must give its expected result."""
    script = [(op, args) for op, args, _ in steps]
    record = learner.run(act_script, script, call=CONSTRUCTOR).value("the cache to be used")
    Outcome.from_attempt(CONSTRUCTOR, record["made"]).value("a TTLCache to be created")
    for number, ((op, _args, expected), seen) in enumerate(
        zip(steps, record["steps"], strict=True)
    ):
        if op == "wait":
            continue
        outcome = Outcome.from_attempt(history(steps, number), seen)
        if op in ("set", "invalidate"):
            outcome.value("it to return (None)")
        elif op == "get":
            outcome.expect(expected, note=note)
        else:
            kind, value, calls = expected
            if seen.get("hung"):
                raise outcome.fail(
                    "it to return" if kind == "value" else "ConnectionError to be raised",
                    got=f"Got:      it never returned ({HANG} s later)",
                    note="is it waiting for an earlier load that failed? Forget a load and wake "
                    "its waiters in a finally block, whatever the loader does",
                )
            if kind == "value":
                outcome.expect(value, note=note)
            else:
                outcome.expect_raises(ConnectionError, note=note or "let the loader's error out")
            if seen["loader_calls"] != calls:
                raise outcome.fail(
                    "the loader to be called" if calls else "a cache hit: the loader not called",
                    got=f"Then:     the loader was called {seen['loader_calls']} time(s)",
                    note=note,
                )


def sets(key, value):
    return [("set", (key, value), None)]


def gets(key, expected, *default):
    return [("get", (key, *default), expected)]


def waits(seconds):
    return [("wait", seconds, None)]


_PAYLOAD = object()


def loads(key, payload, expected=_PAYLOAD, called=True):
    """get_or_load(key) with a loader returning payload; expect `expected` (default: payload)."""
    result = payload if expected is _PAYLOAD else expected
    return [("load", (key, "value", payload), ("value", result, int(called)))]


def slow_loads(key, value, seconds):
    """get_or_load(key) with a loader that takes ``seconds`` of the fake clock to return."""
    return [("load", (key, "slow", [value, seconds]), ("value", value, 1))]


def fails(key, message=DOWN):
    return [("load", (key, "error", message), ("raises", None, 1))]


# -- task 1: get, set, invalidate ------------------------------------------------------------
@pytest.mark.task(1)
def test_get_returns_what_was_set(learner):
    """get returns the stored value; a missing key gives None, or the default you pass"""
    steps = sets("tasks:1", ["write report", "fix bug"]) + gets(
        "tasks:1", ["write report", "fix bug"]
    )
    steps += gets("tasks:2", None) + gets("tasks:2", "nothing", "nothing")
    steps += sets(("project", 7), {"name": "Apollo"}) + gets(("project", 7), {"name": "Apollo"})
    steps += sets("tasks:1", ["only one"]) + gets("tasks:1", ["only one"])
    play(learner, steps)


@pytest.mark.task(1)
def test_entries_expire_exactly_after_ttl(learner):
    """an entry is fresh for just under ttl_seconds; at exactly ttl_seconds it is gone"""
    steps = sets("a", 1) + waits(29.875) + gets("a", 1) + waits(0.125) + gets("a", None)
    steps += gets("a", "expired", "expired") + waits(100.0) + gets("a", None)
    play(learner, steps, note=EXPIRY_NOTE)


@pytest.mark.task(1)
def test_each_entry_has_its_own_age(learner):
    """entries stored at different times expire at different times"""
    steps = sets("early", "e") + waits(10.0) + sets("late", "l") + waits(19.5)
    steps += gets("early", "e") + gets("late", "l") + waits(0.5)
    steps += gets("early", None) + gets("late", "l") + waits(9.5) + gets("late", "l")
    steps += waits(0.5) + gets("late", None)
    play(learner, steps, note=EXPIRY_NOTE)


@pytest.mark.task(1)
def test_setting_again_restarts_the_ttl(learner):
    """set on an existing key stores the new value with a fresh ttl"""
    steps = sets("k", "old") + waits(20.0) + sets("k", "new") + waits(20.0) + gets("k", "new")
    steps += waits(9.875) + gets("k", "new") + waits(0.125) + gets("k", None)
    steps += sets("k", "back") + gets("k", "back")
    play(learner, steps, note=EXPIRY_NOTE)


@pytest.mark.task(1)
def test_falsy_values_are_real_values(learner):
    """None, 0, False, '' and [] can be cached: get returns them, not the default"""
    steps = []
    for key, value in [("none", None), ("zero", 0), ("false", False), ("empty", ""), ("list", [])]:
        steps += sets(key, value) + gets(key, value, "MISSING")
    play(
        learner,
        steps,
        note="decide 'is it there?' by the key being present and fresh, never by the "
        "value being truthy or not None",
    )


@pytest.mark.task(1)
def test_invalidate_forgets_a_key(learner):
    """invalidate removes a key; invalidating a missing key is not an error"""
    steps = sets("a", 1) + sets("b", 2) + [("invalidate", ("a",), None)]
    steps += gets("a", None) + gets("b", 2) + [("invalidate", ("never-set",), None)]
    steps += [("invalidate", ("a",), None)] + sets("a", 3) + gets("a", 3)
    play(learner, steps)


@pytest.mark.task(1)
@pytest.mark.parametrize("ttl", [0, -30.0], ids=["zero", "negative"])
def test_nonsense_ttl_is_refused(learner, ttl):
    """TTLCache with ttl_seconds not above 0 raises ValueError"""
    call = f"TTLCache({ttl!r}, clock=fake_clock)"
    outcome = Outcome.from_attempt(call, learner.run(act_construct, ttl, call=call).value())
    if outcome.returned:
        raise outcome.fail("ValueError to be raised", got="Got:      a TTLCache was created")
    outcome.expect_raises(ValueError)


# -- task 2: get_or_load, one caller at a time --------------------------------------------
@pytest.mark.task(2)
def test_a_miss_loads_and_caches(learner):
    """on a miss the loader runs once; after that the cached value comes back without it"""
    steps = loads("tasks:7", ["a", "b"]) + loads("tasks:7", ["other"], ["a", "b"], called=False)
    steps += gets("tasks:7", ["a", "b"]) + waits(29.5)
    steps += loads("tasks:7", ["other"], ["a", "b"], called=False)
    play(learner, steps, note="cache-aside: look in the cache first; on a miss load and store")


@pytest.mark.task(2)
def test_a_loaded_value_ages_from_when_the_loader_returned(learner):
    """a loader that takes 10 s: the value stays fresh until 30 s after it RETURNED"""
    steps = slow_loads("report", ["slow", "rows"], 10.0) + waits(29.875)
    steps += gets("report", ["slow", "rows"]) + loads("report", "new", ["slow", "rows"], False)
    steps += waits(0.125) + gets("report", None) + loads("report", "new")
    play(
        learner,
        steps,
        note="the loaded value is stored when loader() returns: read clock() after the "
        "loader, not before it (the loader here took 10 s)",
    )


@pytest.mark.task(1)
def test_each_cache_has_its_own_entries(learner):
    """two caches are independent: a key set in one is missing from the other"""
    call = (
        "first = TTLCache(30.0, clock=fake_clock); second = TTLCache(30.0, clock=fake_clock)\n"
        "          first.set('tasks:1', ['first cache']); second.get('tasks:1', 'MISSING'); "
        "second.get_or_load('tasks:1', loader); first.get('tasks:1', 'MISSING')"
    )
    got = learner.run(act_two_caches, call=call).value()
    shared = (
        "the second cache never stored 'tasks:1', yet it found the first cache's entry: "
        "the entries are shared between objects (a class attribute?), not created in __init__"
    )
    Outcome.from_attempt("second.get('tasks:1', 'MISSING')", got["get"]).expect(
        "MISSING", note=shared
    )
    Outcome.from_attempt("second.get_or_load('tasks:1', loader)", got["load"]).expect(
        ["second cache"], note=shared
    )
    Outcome.from_attempt("first.get('tasks:1', 'MISSING')", got["first"]).expect(
        ["first cache"], note="the second cache's load must not replace the first cache's entry"
    )


@pytest.mark.task(2)
def test_an_expired_entry_is_loaded_again(learner):
    """once an entry has expired, get_or_load calls the loader again and caches the new value"""
    steps = loads("k", "first") + waits(30.0) + loads("k", "second")
    steps += loads("k", "third", "second", called=False) + gets("k", "second")
    steps += waits(29.875) + gets("k", "second") + waits(0.125) + loads("k", "fourth")
    play(learner, steps, note=EXPIRY_NOTE)


@pytest.mark.task(2)
def test_set_values_are_used_by_get_or_load(learner):
    """a value stored with set is a hit for get_or_load; invalidate makes it load again"""
    steps = sets("k", "from set") + loads("k", "from loader", "from set", called=False)
    steps += [("invalidate", ("k",), None)] + loads("k", "from loader")
    steps += gets("k", "from loader")
    play(learner, steps)


@pytest.mark.task(2)
def test_a_loaded_none_is_cached(learner):
    """a loader that returns None (or 0) is still a hit the next time"""
    steps = loads("none", None) + loads("none", "other", None, called=False)
    steps += loads("zero", 0) + loads("zero", 5, 0, called=False) + gets("none", None, "MISSING")
    play(
        learner,
        steps,
        note="None is a value like any other; remember whether the key is there, not "
        "whether its value is None",
    )


@pytest.mark.task(2)
def test_a_loader_error_is_raised_and_not_cached(learner):
    """when the loader raises, get_or_load raises the same error and caches nothing"""
    steps = fails("k") + gets("k", None, None) + fails("k") + loads("k", "recovered")
    steps += loads("k", "again", "recovered", called=False)
    play(
        learner,
        steps,
        note="let the loader's own exception propagate, and store nothing: the next call "
        "must try the loader again",
    )


@pytest.mark.task(2)
def test_loads_of_different_keys_are_separate(learner):
    """each key is loaded and cached on its own"""
    steps = loads("a", "A") + loads("b", "B") + loads("a", "x", "A", called=False)
    steps += waits(15.0) + loads("c", "C") + waits(15.0) + loads("a", "A2")
    steps += loads("c", "x", "C", called=False) + gets("b", None)
    play(learner, steps, note=EXPIRY_NOTE)


# -- task 3: single flight ---------------------------------------------------------------
def stampede(learner: Learner, groups, *, fail=False, expired=False):
    callers = " and ".join(
        f"{n} threads call cache.get_or_load({k!r}, loader)" for k, n in groups.items()
    )
    call = f"{CONSTRUCTOR}\n          {'(every key has just expired) ' if expired else ''}{callers}"
    call += f" at once; the loader {'raises ConnectionError' if fail else 'returns a value'}"
    record = learner.run(act_stampede, groups, fail, expired, call=call).value()
    Outcome.from_attempt(CONSTRUCTOR, record["made"]).value("a TTLCache to be created")
    total = len(record["callers"])
    if record["stuck"]:
        raise GradeFailure(
            f"Called:   {call}\n"
            f"Got:      {record['stuck']} of the {total} calls never returned ({HANG} s later)\n"
            "Expected: every caller returns (or raises) once the loader is done\n"
            "Why:      waiting callers must be woken up whatever the loader does: set their "
            "Event (and forget the running load) in a finally block"
        )
    for key, count in record["loader_calls"].items():
        if count != 1:
            ran = (
                f"ran {count} times"
                if count
                else "never ran (its callers shared another key's load)"
            )
            raise GradeFailure(
                f"Called:   {call}\n"
                f"Got:      the loader for {key!r} {ran}\n"
                f"Expected: it runs once; the other {groups[key] - 1} callers wait and share "
                "its result\n"
                f"Why:      {SINGLE_FLIGHT_NOTE}"
            )
    for slot, (key, seen) in enumerate(zip(record["callers"], record["results"], strict=True)):
        outcome = Outcome.from_attempt(f"{call}\n          (caller {slot + 1}, key {key!r})", seen)
        if fail:
            outcome.expect_raises(
                ConnectionError,
                note="the leader's exception goes to every caller that waited for it",
            )
            message = seen.get("message", "")
            if message != f"{DOWN} ({key})":
                raise outcome.fail(
                    f"the loader's own ConnectionError: {DOWN} ({key})",
                    note="re-raise the exception the loader raised, not a new one",
                )
        else:
            outcome.expect({"key": key, "rows": [1, 2, 3]}, note=SINGLE_FLIGHT_NOTE)
    return call, record


@pytest.mark.task(3)
def test_a_stampede_runs_the_loader_once(learner):
    """16 threads miss the same key at once: the loader runs once and all 16 get its value"""
    call, record = stampede(learner, {"report": 16})
    after = Outcome.from_attempt(
        f"{call}\n          then cache.get_or_load('report', loader)", record["after"]["report"]
    )
    after.expect({"key": "report", "rows": [1, 2, 3]}, note="the loaded value is cached")
    if record["after"]["report"]["loader_calls"]:
        raise after.fail("a cache hit", got="Then:     the loader was called again")


@pytest.mark.task(3)
def test_a_stampede_on_an_expired_entry(learner):
    """when a cached entry expires under load, 16 callers still cause just one reload"""
    stampede(learner, {"report": 16}, expired=True)


@pytest.mark.task(3)
def test_a_failed_load_reaches_every_waiter(learner):
    """the loader fails while 12 callers wait: it runs once, all 12 get its error, none is cached"""
    call, record = stampede(learner, {"report": 12}, fail=True)
    seen = record["after"]["report"]
    after = Outcome.from_attempt(
        f"{call}\n          then cache.get_or_load('report', loader)  # a loader that works", seen
    )
    if seen.get("hung"):
        raise after.fail(
            "'reloaded report'",
            got=f"Got:      it never returned ({MEET} s later)",
            note="forget the failed load (in a finally block), or the next caller waits for "
            "it forever",
        )
    after.expect("reloaded report", note="errors are never cached: the next call loads again")


@pytest.mark.task(3)
def test_each_key_has_its_own_flight(learner):
    """8 callers of 'a' and 8 of 'b' at once: one load per key, each caller gets its own key"""
    stampede(learner, {"a": 8, "b": 8})


# -- task 4: different keys do not wait for each other -----------------------------------
@pytest.mark.task(4)
def test_two_keys_load_at_the_same_time(learner):
    """loaders of two different keys run at the same time (they wait for each other to start)"""
    call = (
        f"{CONSTRUCTOR}\n          two threads: cache.get_or_load('a', loader_a) and "
        "cache.get_or_load('b', loader_b);\n          each loader waits (up to "
        f"{MEET} s) until the other one has started too"
    )
    record = learner.run(act_two_keys, call=call).value()
    Outcome.from_attempt(CONSTRUCTOR, record["made"]).value("a TTLCache to be created")
    if record["stuck"]:
        raise GradeFailure(
            f"Called:   {call}\nGot:      {record['stuck']} of the 2 calls never returned\n"
            "Expected: both return at once"
        )
    for key in ("a", "b"):
        seen = record["results"][key]
        if "BrokenBarrierError" in seen.get("mro", []):
            other = "b" if key == "a" else "a"
            raise GradeFailure(
                f"Called:   {call}\n"
                f"Got:      the loaders never ran at the same time: the loader of {key!r} gave "
                f"up after {MEET} s (threading.BrokenBarrierError) because the loader of "
                f"{other!r} could not start while one was running\n"
                "Expected: both loaders run in parallel; get_or_load returns 'a loaded' and "
                "'b loaded'\n"
                "Why:      a lock held while a loader runs makes every key wait for the slowest "
                "query; hold the lock only to look at and update the dictionaries, and wait "
                "for a key's load outside it"
            )
        Outcome.from_attempt(f"{call}  (key {key!r})", seen).expect(f"{key} loaded")


@pytest.mark.task(4)
def test_the_cache_stays_usable_during_a_slow_load(learner):
    """while one key loads slowly, get, set and get_or_load of other keys answer at once"""
    call = (
        f"{CONSTRUCTOR}; cache.set('ready', 'cached value')\n          thread 1: "
        "cache.get_or_load('slow', loader)  # a loader that takes a while\n          thread 2, "
        "during that load: cache.get('ready'); cache.set('new', 5); "
        "cache.get_or_load('ready', ...); cache.get_or_load('fast', lambda: 'fast value')"
    )
    record = learner.run(act_busy_cache, call=call).value()
    Outcome.from_attempt(CONSTRUCTOR, record["made"]).value("a TTLCache to be created")
    if not record["started"]:
        Outcome.from_attempt(call, record.get("slow") or {"returned": None}).value()
        raise GradeFailure(f"Called:   {call}\nGot:      the slow loader was never called")
    if record["stuck"] or not record.get("others_in_time"):
        raise GradeFailure(
            f"Called:   {call}\n"
            f"Got:      thread 2 could not finish while 'slow' was loading (waited {MEET} s)\n"
            "Expected: calls about other keys never wait for a load in progress\n"
            "Why:      do not hold the cache's lock while a loader runs"
        )
    Outcome.from_attempt(call + "\n          -> cache.get('ready')", record["get"]).expect(
        "cached value"
    )
    Outcome.from_attempt(call + "\n          -> cache.set('new', 5)", record["set"]).value()
    Outcome.from_attempt(
        call + "\n          -> cache.get_or_load('ready', ...)", record["hit"]
    ).expect("cached value")
    Outcome.from_attempt(
        call + "\n          -> cache.get_or_load('fast', ...)", record["fast"]
    ).expect("fast value")
    Outcome.from_attempt(call + "\n          -> thread 1's result", record["slow"]).expect(
        "slow value"
    )


# -- Hypothesis: generated single-caller sequences against a model --------------------------
def act_cache_ops(module, ops):
    """act_script on generated steps, each observation made compact."""
    played = act_script(module, ops)
    if "raised" in played["made"]:
        return ["TTLCache() raised " + played["made"]["raised"]]
    seen = []
    for (op, _args), record in zip(ops, played["steps"], strict=False):
        if op == "wait":
            continue
        if record.get("hung"):
            outcome = "never returned"
        elif "raised" in record:
            outcome = "raised " + record["raised"]
        else:
            outcome = record["returned"]
        seen.append([outcome, record["loader_calls"]] if op == "load" else outcome)
    return seen


def model_cache_ops(ops):
    now, entries, seen = START, {}, []

    def fresh(key):
        return key in entries and now - entries[key][0] < TTL

    for op, args in ops:
        if op == "wait":
            now += args
        elif op == "set":
            entries[args[0]] = (now, args[1])
            seen.append(None)
        elif op == "invalidate":
            entries.pop(args[0], None)
            seen.append(None)
        elif op == "get":
            key, *default = args
            seen.append(entries[key][1] if fresh(key) else (default or [None])[0])
        else:
            key, kind, payload = args
            if fresh(key):
                seen.append([entries[key][1], 0])
            elif kind == "error":
                seen.append(["raised ConnectionError", 1])
            else:
                value = payload
                if kind == "slow":
                    value, took = payload
                    now += took
                entries[key] = (now, value)
                seen.append([value, 1])
    return seen


_KEYS = st.sampled_from(["tasks:1", "tasks:2"])
_VALUES = st.sampled_from([None, 0, "rows", [1, 2]])
CACHE_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("wait"), st.sampled_from([0.125, 10.0, 29.875, 30.0])),
        st.tuples(st.just("set"), st.tuples(_KEYS, _VALUES)),
        st.tuples(st.just("get"), st.one_of(st.tuples(_KEYS), st.tuples(_KEYS, st.just("MISS")))),
        st.tuples(st.just("invalidate"), st.tuples(_KEYS)),
        st.tuples(st.just("load"), st.tuples(_KEYS, st.just("value"), _VALUES)),
        st.tuples(st.just("load"), st.tuples(_KEYS, st.just("error"), st.just(DOWN))),
        st.tuples(
            st.just("load"),
            st.tuples(_KEYS, st.just("slow"), st.tuples(_VALUES, st.sampled_from([5.0, 30.0]))),
        ),
    ),
    max_size=25,
)


def describe_cache_ops(ops) -> str:
    steps, now = [], START
    for op, args in ops:
        if op == "load" and args[1] == "slow":
            now += args[2][1]
        if op == "wait":
            now += args
        steps.append(step_text(op, tuple(args) if op != "wait" else args, now))
    return CONSTRUCTOR + "\n          " + "\n          ".join(steps or ["(nothing)"])


@pytest.mark.task(2)
def test_generated_sequences_follow_the_rules(learner):
    """150 generated sequences of set, get, invalidate, get_or_load and clock moves
    (Hypothesis, derandomized): every answer and every loader call as documented"""
    agree_run(
        learner,
        act_cache_ops,
        model_cache_ops,
        CACHE_OPS,
        describe=describe_cache_ops,
        max_examples=150,
        note="one entry per call, clock moves left out; get_or_load as [result, loader "
        f"calls]. {EXPIRY_NOTE}; a loaded value ages from when the loader returned",
    )
