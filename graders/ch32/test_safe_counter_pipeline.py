"""Grader for ch32/safe_counter_pipeline: a lock-protected counter and a clean thread pipeline.

The counter is hammered by 16 threads with ``sys.setswitchinterval(1e-6)`` and amounts
whose ``+`` runs Python code (see ``_PyAddInt``), so an unprotected ``+=`` loses updates
on every run. Pipeline acts run ``run_pipeline`` in a helper thread with a deadline, so a
pipeline that never stops (a missing sentinel) is reported as data, not as a frozen test.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter

import pytest

from graders.acts import attempt
from graders.harness import GradeFailure, Learner, Outcome

EXERCISE = "ch32/safe_counter_pipeline"

HANG_LIMIT = 2.0  # seconds a small pipeline may take before it counts as stuck
RACE_LIMIT = 6.0  # seconds the contention test may take


class _PyAddInt(int):
    """An int whose addition runs Python code.

    CPython switches threads only at some points between bytecodes (calls, loop jumps), so
    on a tiny ``self.n += 1`` the switch may never fall between the read and the write. In
    real code the update is rarely that tiny; making ``+`` a Python-level call gives every
    unprotected read-add-write the chance to be interrupted, as it would be in real programs.
    """

    def __add__(self, other):
        return int(self) + int(other)

    __radd__ = __add__


# -- acts: the counter -------------------------------------------------------------------
def act_counter_steps(module, start, amounts):
    """Increment in one thread; None in amounts means increment() with no argument."""
    box = {}

    def make():
        box["counter"] = module.ThreadSafeCounter(*([] if start is None else [start]))

    made = attempt(make)
    if "raised" in made:
        return {"made": made}
    counter = box["counter"]
    steps = []
    for amount in amounts:
        if amount is None:
            steps.append(attempt(counter.increment))
        else:
            steps.append(attempt(counter.increment, amount))
    return {"made": made, "steps": steps, "value": attempt(lambda: counter.value)}


def act_counter_race(module, threads, per_thread, start, step):
    """Many threads increment one counter at once, with very frequent thread switches."""
    counter = module.ThreadSafeCounter(start)
    amount = _PyAddInt(step)
    tickets: list[list] = [[] for _ in range(threads)]
    errors: list[str] = []
    ready = threading.Barrier(threads)

    def hammer(slot):
        out = tickets[slot]
        try:
            ready.wait(timeout=RACE_LIMIT)
            for _ in range(per_thread):
                out.append(counter.increment(amount))
        except BaseException as exc:  # noqa: BLE001 - reported to the judge
            errors.append(f"{type(exc).__name__}: {exc}")

    workers = [threading.Thread(target=hammer, args=(i,), daemon=True) for i in range(threads)]
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in workers:
            thread.start()
        deadline = time.monotonic() + RACE_LIMIT
        for thread in workers:
            thread.join(max(0.0, deadline - time.monotonic()))
    finally:
        sys.setswitchinterval(old)
    if any(thread.is_alive() for thread in workers):
        return {"hung": True}
    flat = [ticket for out in tickets for ticket in out]
    expected = set(range(start + step, start + step * (len(flat) + 1), step))
    return {
        "hung": False,
        "errors": errors[:3],
        "value": attempt(lambda: counter.value),
        "calls": len(flat),
        "distinct": len(set(flat)) if all(type(t) is int for t in flat) else -1,
        "exact_tickets": all(type(t) is int for t in flat) and set(flat) == expected,
    }


# -- acts: the pipeline ------------------------------------------------------------------
def _behaviour(name, calls, workers, options):
    """The worker_fn for one act; every call is recorded in ``calls``."""
    lock = threading.Lock()
    live = {"now": 0, "max": 0, "threads": set()}

    def square(x):
        calls.append(x)
        return x * x

    def fail(x):
        calls.append(x)
        if x in options["fail"]:
            raise ValueError(f"bad item {x}")
        return x * x

    meeting = threading.Barrier(max(workers, 1), timeout=1.0)

    def together(x):
        with lock:
            calls.append(x)
            live["now"] += 1
            live["max"] = max(live["max"], live["now"])
            live["threads"].add(threading.get_ident())
            first_round = len(calls) <= workers
        try:
            if first_round:
                meeting.wait()
            return x * x
        finally:
            with lock:
                live["now"] -= 1

    def late_first(x):
        """Item 0 finishes only after another worker has moved on to item ``options['until']``."""
        calls.append(x)
        if x == 0:
            deadline = time.monotonic() + 1.0
            while options["until"] not in calls and time.monotonic() < deadline:
                time.sleep(0.002)
        return x * x

    table = {"square": square, "fail": fail, "together": together, "late_first": late_first}
    return table[name], live


def _breaking_source(items):
    """A generator that yields the items, then fails as a broken file or socket would."""
    yield from items
    raise LookupError("the item source broke")


def act_pipeline(module, items, behaviour, workers, queue_size, options=None, lazy=False):
    """Run run_pipeline in a helper thread with a deadline and report what happened."""
    calls: list = []
    fn, live = _behaviour(behaviour, calls, workers, options or {})
    source = (item for item in items) if lazy else list(items)
    if lazy == "breaks":
        source = _breaking_source(items)
    before = set(threading.enumerate())
    box: dict = {}

    def runner():
        box["record"] = attempt(
            module.run_pipeline, source, fn, workers=workers, queue_size=queue_size
        )

    thread = threading.Thread(target=runner, daemon=True)
    thread.start()
    thread.join(HANG_LIMIT)
    if thread.is_alive():
        return {"hung": True, "calls": list(calls)}
    leftover = [t for t in threading.enumerate() if t not in before and t is not thread]
    return {
        "hung": False,
        "record": box["record"],
        "calls": list(calls),
        "leftover": len(leftover),
        "max_together": live["max"],
        "threads_used": len(live["threads"]),
    }


def act_backpressure(module, n, workers, queue_size):
    """Block every worker inside worker_fn and count how far the producer reads ahead."""
    state = {"pulled": 0, "started": 0}
    lock = threading.Lock()
    gate = threading.Event()

    def source():
        for item in range(n):
            state["pulled"] += 1
            yield item

    def fn(x):
        with lock:
            state["started"] += 1
        gate.wait(3)
        return x * x

    box: dict = {}

    def runner():
        box["record"] = attempt(
            module.run_pipeline, source(), fn, workers=workers, queue_size=queue_size
        )

    thread = threading.Thread(target=runner, daemon=True)
    thread.start()
    bound = workers + queue_size + 1
    deadline = time.monotonic() + 1.5
    while state["started"] < workers and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.005)
    deadline = time.monotonic() + 0.3  # time enough for a producer to run far ahead
    while state["pulled"] <= bound and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.005)
    ahead, blocked = state["pulled"], state["started"]
    gate.set()
    thread.join(HANG_LIMIT)
    if thread.is_alive():
        return {"hung": True}
    return {
        "hung": False,
        "record": box["record"],
        "ahead": ahead,
        "blocked": blocked,
        "bound": bound,
    }


# -- the judge's helpers -------------------------------------------------------------------
def describe(items, workers, queue_size, fn="worker_fn") -> str:
    return f"run_pipeline({items}, {fn}, workers={workers}, queue_size={queue_size})"


def pipeline(learner: Learner, call: str, *args, **kwargs) -> dict:
    data = learner.run(act_pipeline, *args, call=call, **kwargs).value("the pipeline to run")
    if data["hung"]:
        raise GradeFailure(
            f"Called:   {call}\nProblem:  it did not return within {HANG_LIMIT:g} s "
            f"(worker_fn had been called {len(data['calls'])} times)\n"
            "Why:      a worker waits on queue.get() forever unless it receives a sentinel: "
            "put ONE sentinel per worker, then join every thread"
        )
    return data


def expect_results(call: str, data: dict, expected: list, note: str = "") -> None:
    """The pipeline's result: first its length (clearer for long lists), then every value."""
    outcome = Outcome.from_attempt(call, data["record"])
    got = outcome.value(f"a list of {len(expected)} results")
    if type(got) is list and len(got) != len(expected):
        raise outcome.fail(f"{len(expected)} results, one per item (got {len(got)})", note=note)
    outcome.expect(expected, note=note)


def expect_calls(call: str, data: dict, items: list) -> None:
    if Counter(data["calls"]) != Counter(items):
        seen = Counter(data["calls"])
        missing = sorted((Counter(items) - seen).elements())
        extra = sorted((seen - Counter(items)).elements())
        raise GradeFailure(
            f"Called:   {call}\nProblem:  worker_fn was not called exactly once per item "
            f"(never called for {missing[:10]}, called too often for {extra[:10]})"
        )


def expect_no_threads_left(call: str, data: dict) -> None:
    if data["leftover"]:
        raise GradeFailure(
            f"Called:   {call}\nProblem:  {data['leftover']} thread(s) started by run_pipeline "
            "were still running after it returned\nExpected: every worker finished (joined) "
            "before returning\nWhy:      put one sentinel per worker, then join() each thread"
        )


# -- task 1: the counter ---------------------------------------------------------------------
def counter_steps(learner: Learner, start, amounts) -> tuple[list[Outcome], Outcome]:
    made = "ThreadSafeCounter()" if start is None else f"ThreadSafeCounter({start})"
    data = learner.run(act_counter_steps, start, amounts, call=made).value()
    Outcome.from_attempt(made, data["made"]).value("a new counter")
    calls = [f"counter.increment({'' if a is None else a})" for a in amounts]
    steps = [
        Outcome.from_attempt(f"{made}; ...; {c}", s)
        for c, s in zip(calls, data["steps"], strict=True)
    ]
    return steps, Outcome.from_attempt(f"{made}; {'; '.join(calls)}; counter.value", data["value"])


@pytest.mark.task(1)
def test_counter_counts_in_one_thread(learner):
    """increment() adds 1 (or the amount given) and returns the new value"""
    steps, value = counter_steps(learner, None, [None, None, 5, None])
    for outcome, want in zip(steps, [1, 2, 7, 8], strict=True):
        outcome.expect(want)
    value.expect(8, note="value is a property: counter.value, without parentheses")


@pytest.mark.task(1)
def test_counter_start_and_negative_amounts(learner):
    """a counter can start anywhere, and amounts may be negative"""
    steps, value = counter_steps(learner, 100, [-30, 5, 0])
    for outcome, want in zip(steps, [70, 75, 75], strict=True):
        outcome.expect(want)
    value.expect(75)


def race(learner: Learner, threads: int, per_thread: int, start: int, step: int) -> dict:
    call = (
        f"{threads} threads each calling counter.increment({step}) {per_thread:,} times "
        f"on ThreadSafeCounter({start}), with sys.setswitchinterval(1e-6)"
    )
    data = learner.run(act_counter_race, threads, per_thread, start, step, call=call).value()
    if data["hung"]:
        raise GradeFailure(
            f"Called:   {call}\nProblem:  the threads did not finish within "
            f"{RACE_LIMIT:g} s (a deadlock? a Lock is not re-entrant: do not "
            "take it twice in one thread)"
        )
    if data["errors"]:
        raise GradeFailure(f"Called:   {call}\nProblem:  increment raised {data['errors']}")
    data["call"] = call
    return data


@pytest.mark.task(1)
def test_no_update_is_lost_under_contention(learner):
    """16 threads x 10,000 increments: not one update is lost"""
    data = race(learner, 16, 10_000, 0, 1)
    Outcome.from_attempt(data["call"] + "; then counter.value", data["value"]).expect(
        160_000,
        note="without a lock, two threads can read the same old value and both write "
        "old + 1: one update vanishes. Hold a Lock around the read-add-write.",
    )


@pytest.mark.task(1)
def test_every_increment_returns_its_own_value(learner):
    """under contention each increment returns a different new value, none skipped"""
    data = race(learner, 8, 10_000, 1000, 3)
    if not data["exact_tickets"]:
        distinct = data["distinct"]
        got = (
            "some returned values are not ints"
            if distinct < 0
            else f"{data['calls']:,} calls returned only {distinct:,} different values"
        )
        raise GradeFailure(
            f"Called:   {data['call']}\nGot:      {got}\n"
            "Expected: the values 1003, 1006, ..., 241000, each returned exactly once\n"
            "Why:      read the new value while you still hold the lock; read it after "
            "releasing and another thread may already have changed it"
        )


# -- task 2: results -----------------------------------------------------------------------
@pytest.mark.task(2)
def test_results_in_input_order(learner):
    """40 items on 4 workers: the squares, in input order"""
    items = list(range(40))
    call = describe("range(40)", 4, 8, "square")
    data = pipeline(learner, call, items, "square", 4, 8)
    expect_results(call, data, [x * x for x in items])


@pytest.mark.task(2)
def test_each_item_processed_exactly_once(learner):
    """every item (equal items too) is passed to worker_fn exactly once"""
    items = [3, 1, 3, 3, 2, 1, 7, 0, 3]
    call = describe(items, 3, 2, "square")
    data = pipeline(learner, call, items, "square", 3, 2)
    expect_results(call, data, [x * x for x in items])
    expect_calls(call, data, items)


@pytest.mark.task(2)
def test_order_kept_when_workers_finish_out_of_order(learner):
    """results stay in input order even when item 0 finishes last"""
    items = list(range(10))
    call = describe("range(10)", 2, 2, "a worker_fn that finishes item 0 last")
    data = pipeline(learner, call, items, "late_first", 2, 2, options={"until": 6})
    expect_results(
        call,
        data,
        [x * x for x in items],
        note="workers finish in any order: remember each item's position (enumerate) "
        "and put its result back there",
    )


@pytest.mark.task(2)
def test_workers_run_at_the_same_time(learner):
    """with workers=3, three calls of worker_fn run at the same time, on 3 threads at most"""
    items = list(range(12))
    call = describe("range(12)", 3, 4, "a worker_fn where the first 3 calls wait for each other")
    data = pipeline(learner, call, items, "together", 3, 4)
    outcome = Outcome.from_attempt(call, data["record"])
    if not outcome.returned and not outcome.raised(threading.BrokenBarrierError):
        outcome.value("the squares of 0 to 11")  # shows what was raised instead
    if outcome.raised(threading.BrokenBarrierError) or data["max_together"] < 3:
        raise GradeFailure(
            f"Called:   {call}\nGot:      at most {data['max_together']} call(s) of worker_fn "
            "ran at the same time\nExpected: 3 (one per worker thread)"
        )
    if data["threads_used"] > 3:
        raise GradeFailure(
            f"Called:   {call}\nGot:      worker_fn ran on "
            f"{data['threads_used']} different threads\nExpected: at most 3, "
            "the worker threads"
        )
    outcome.expect([x * x for x in items])


@pytest.mark.task(2)
@pytest.mark.parametrize(
    ("items", "workers", "queue_size"),
    [
        pytest.param([5, 6, 7, 8, 9], 1, 1, id="one_worker_queue_of_one"),
        pytest.param([4, 2], 8, 8, id="more_workers_than_items"),
        pytest.param([], 3, 3, id="no_items"),
    ],
)
def test_small_pipelines(learner, items, workers, queue_size):
    """one worker, more workers than items, and no items at all"""
    call = describe(items, workers, queue_size, "square")
    data = pipeline(learner, call, items, "square", workers, queue_size)
    expect_results(call, data, [x * x for x in items])


@pytest.mark.task(2)
@pytest.mark.parametrize(("workers", "queue_size"), [(0, 4), (2, 0), (-1, -1)])
def test_bad_sizes_raise(learner, workers, queue_size):
    """workers or queue_size below 1 raise ValueError"""
    call = describe([1, 2], workers, queue_size, "square")
    data = pipeline(learner, call, [1, 2], "square", workers, queue_size)
    Outcome.from_attempt(call, data["record"]).expect_raises(ValueError)


# -- task 3: clean shutdown -------------------------------------------------------------------
@pytest.mark.task(3)
@pytest.mark.parametrize(
    ("n", "workers", "queue_size"),
    [
        pytest.param(30, 4, 8, id="30_items"),
        pytest.param(3, 6, 2, id="3_items_6_workers"),
        pytest.param(0, 3, 3, id="no_items"),
    ],
)
def test_no_thread_left_running(learner, n, workers, queue_size):
    """when run_pipeline returns, every thread it started has finished"""
    items = list(range(n))
    call = describe(f"range({n})", workers, queue_size, "square")
    data = pipeline(learner, call, items, "square", workers, queue_size)
    expect_results(call, data, [x * x for x in items])
    expect_no_threads_left(call, data)


@pytest.mark.task(3)
def test_error_is_raised_after_every_item_is_done(learner):
    """worker_fn fails for items 7, 3 and 15: all 20 items are tried, then 'bad item 3' is raised"""
    items = list(range(20))
    call = describe("range(20)", 4, 4, "a worker_fn raising ValueError for 3, 7 and 15")
    data = pipeline(learner, call, items, "fail", 4, 4, options={"fail": {7, 3, 15}})
    outcome = Outcome.from_attempt(call, data["record"])
    outcome.expect_raises(ValueError, note="after shutdown, re-raise the worker's exception")
    message = data["record"].get("message")
    if message != "bad item 3":
        raise outcome.fail(
            "the ValueError of item 3 ('bad item 3'), the earliest failing item",
            note="several items failed; raise the one earliest in input order",
        )
    expect_calls(call, data, items)
    expect_no_threads_left(call, data)


@pytest.mark.task(3)
def test_every_item_failing_still_shuts_down(learner):
    """when worker_fn fails on every item, run_pipeline still stops cleanly and raises"""
    items = list(range(25))
    call = describe("range(25)", 3, 2, "a worker_fn that always raises ValueError")
    data = pipeline(learner, call, items, "fail", 3, 2, options={"fail": set(items)})
    outcome = Outcome.from_attempt(call, data["record"])
    outcome.expect_raises(
        ValueError,
        note="a worker must survive worker_fn's exception, or nobody is left to empty the queue",
    )
    if data["record"].get("message") != "bad item 0":
        raise outcome.fail("the ValueError of item 0 ('bad item 0')")
    expect_calls(call, data, items)
    expect_no_threads_left(call, data)


# -- task 4: backpressure -----------------------------------------------------------------------
@pytest.mark.task(4)
@pytest.mark.parametrize(("workers", "queue_size"), [(2, 3), (3, 1)])
def test_producer_does_not_run_ahead(learner, workers, queue_size):
    """while every worker is busy, at most workers + queue_size + 1 items are read"""
    call = describe(
        "a generator of 200 items",
        workers,
        queue_size,
        "a worker_fn that blocks until the grader lets it go",
    )
    data = learner.run(act_backpressure, 200, workers, queue_size, call=call).value()
    if data["hung"]:
        raise GradeFailure(
            f"Called:   {call}\nProblem:  it did not return within "
            f"{HANG_LIMIT:g} s after the workers were released"
        )
    if data["ahead"] > data["bound"]:
        raise GradeFailure(
            f"Called:   {call}\nGot:      {data['ahead']} items were read from the generator "
            f"while all {data['blocked']} workers were busy\n"
            f"Expected: at most {data['bound']} ({workers} held by the workers, {queue_size} "
            "in the queue, 1 waiting in put)\nWhy:      use queue.Queue(maxsize=queue_size) and "
            "read the items one by one, so put() blocks while the queue is full"
        )
    expect_results(call, data, [x * x for x in range(200)])


@pytest.mark.task(4)
def test_generator_items(learner):
    """items may be a generator: its 60 items are all processed, in order"""
    items = list(range(60))
    call = describe("(x for x in range(60))", 4, 3, "square")
    data = pipeline(learner, call, items, "square", 4, 3, lazy=True)
    expect_results(call, data, [x * x for x in items])


@pytest.mark.task(3)
def test_a_failing_item_source_still_shuts_down(learner):
    """when reading the items raises, the workers are still stopped before run_pipeline raises"""
    items = list(range(6))
    call = describe("a generator that yields 0..5, then raises LookupError", 3, 2, "worker_fn")
    data = pipeline(learner, call, items, "square", 3, 2, lazy="breaks")
    outcome = Outcome.from_attempt(call, data["record"])
    outcome.expect_raises(
        Exception, note="the source's error ends the run; it must not be swallowed"
    )
    if sorted(data["calls"]) != items:
        raise outcome.fail(
            "worker_fn called once for each of the 6 items read before the source failed",
            got=f"Then:     worker_fn was called for {sorted(data['calls'])}",
        )
    if data["leftover"]:
        raise GradeFailure(
            f"Called:   {call}\nProblem:  {data['leftover']} worker thread(s) were still "
            "running after run_pipeline raised\nExpected: every worker finished before "
            "run_pipeline raised\nWhy:      the error came from iterating over the items, "
            "after the workers had started: put the sentinels and join the threads in a "
            "`finally:` so this path stops them too"
        )


def act_two_counters(module):
    """Two counters side by side: each keeps its own count."""
    first, second = module.ThreadSafeCounter(), module.ThreadSafeCounter(10)
    steps = [attempt(first.increment, 5), attempt(second.increment), attempt(first.increment)]
    return steps + [attempt(lambda: first.value), attempt(lambda: second.value)]


@pytest.mark.task(1)
def test_two_counters_count_separately(learner):
    """two counters do not share their count"""
    call = (
        "a = ThreadSafeCounter(); b = ThreadSafeCounter(10); "
        "a.increment(5); b.increment(); a.increment(); a.value; b.value"
    )
    records = learner.run(act_two_counters, call=call).value("the counters to work")
    shown = ["a.increment(5)", "b.increment()", "a.increment()", "a.value", "b.value"]
    for text, record, want in zip(shown, records, [5, 11, 6, 6, 11], strict=True):
        Outcome.from_attempt(f"{call}  -> {text}", record).expect(
            want, note="a and b must not share one count: keep it on the instance (self)"
        )
