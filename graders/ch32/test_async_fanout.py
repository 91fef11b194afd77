"""Grader for ch32/async_fanout: a bounded asyncio fan-out, and choosing a concurrency model.

``fetch_all`` is given a fake ``fetch`` that never touches the network: it records when
each url starts and ends, how many fetches are in flight, and whether it was cancelled,
and it "works" for a fixed number of event-loop turns (``await asyncio.sleep(0)``), so
every run is the same and takes milliseconds.
"""

from __future__ import annotations

import asyncio
import inspect

import pytest

from graders.acts import attempt
from graders.harness import GradeFailure, Learner, Outcome

EXERCISE = "ch32/async_fanout"

HANG_LIMIT = 2.0  # seconds; the fake fetches finish in milliseconds
TURNS = 5  # event-loop turns a fake fetch takes unless told otherwise
SETTLE = 30  # turns the act waits after fetch_all ends, to see whether anything still runs


# -- the act ---------------------------------------------------------------------------
def act_fanout(module, urls, limit, turns=None, fail=None, wind_down=0):
    """Run fetch_all(urls, fake_fetch, limit) and report what the fake fetch saw.

    A cancelled fake fetch takes ``wind_down`` more loop turns to end (like a real one
    closing its connection), and the act notes how many fetches were still running at the
    very moment fetch_all returned or raised.
    """
    turns = turns or {}
    state = {"now": 0, "max": 0, "events": [], "cancelled": [], "at_exit": None}

    async def fake_fetch(url):
        state["events"].append(("start", url))
        state["now"] += 1
        state["max"] = max(state["max"], state["now"])
        try:
            for _ in range(turns.get(url, TURNS)):
                await asyncio.sleep(0)
            if url == fail:
                raise LookupError(f"cannot fetch {url}")
            return f"page:{url}"
        except asyncio.CancelledError:
            state["cancelled"].append(url)
            for _ in range(wind_down):
                await asyncio.sleep(0)
            raise
        finally:
            state["now"] -= 1
            state["events"].append(("end", url))

    async def main():
        made = attempt(module.fetch_all, urls, fake_fetch, limit)
        if "raised" in made:
            return {"record": made}
        awaitable = made["returned"]
        if not inspect.isawaitable(awaitable):
            return {"not_async": type(awaitable).__name__}

        async def observed():
            try:
                return await awaitable
            finally:  # runs in the same loop step in which fetch_all returns or raises
                state["at_exit"] = state["now"]

        task = asyncio.ensure_future(observed())
        done, _ = await asyncio.wait({task}, timeout=HANG_LIMIT)
        if not done:
            task.cancel()
            return {"hung": True, "max": state["max"], "events": state["events"]}
        record = attempt(task.result)
        in_flight, events_at_end = state["now"], len(state["events"])
        for _ in range(SETTLE):
            await asyncio.sleep(0)
        later = [url for kind, url in state["events"][events_at_end:] if kind == "start"]
        return {
            "record": record,
            "max": state["max"],
            "in_flight_at_end": in_flight,
            "in_flight_at_exit": state["at_exit"],
            "started_later": later,
            "events": state["events"],
            "cancelled": state["cancelled"],
        }

    return asyncio.run(main())


# -- the judge's helpers -------------------------------------------------------------------
def describe(urls, limit, fetch="") -> str:
    shown = repr(urls)
    if len(urls) > 5:
        shown = f"[{urls[0]!r}, {urls[1]!r}, ..., {urls[-1]!r}]  ({len(urls)} urls)"
    return f"await fetch_all({shown}, fetch, limit={limit})" + (f"   # {fetch}" if fetch else "")


def fan_out(
    learner: Learner, urls, limit, *, turns=None, fail=None, fetch="", wind_down=0
) -> tuple:
    call = describe(urls, limit, fetch)
    data = learner.run(act_fanout, urls, limit, turns, fail, wind_down, call=call).value(
        "fetch_all to run"
    )
    if "not_async" in data:
        raise GradeFailure(
            f"Called:   {call}\nGot:      fetch_all returned a "
            f"{data['not_async']}, not a coroutine\nExpected: fetch_all "
            "defined with `async def`, so that it can be awaited"
        )
    if data.get("hung"):
        raise GradeFailure(
            f"Called:   {call}\nProblem:  it did not finish within {HANG_LIMIT:g} s "
            f"(fetches started: {sum(kind == 'start' for kind, _ in data['events'])})\n"
            "Why:      the fake fetches finish in a few event-loop turns; is a semaphore "
            "created with 0 slots, or is something awaited that never completes?"
        )
    return call, data


def pages(urls) -> list[str]:
    return [f"page:{url}" for url in urls]


def urls_named(n: int) -> list[str]:
    return [f"/tasks/{i}" for i in range(n)]


# -- task 1: choose_model ----------------------------------------------------------------
@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("workload", "answer", "why"),
    [
        pytest.param(
            "many_api_requests",
            "async",
            "thousands of network waits fit in one event loop",
            id="many_api_requests",
        ),
        pytest.param(
            "chat_server",
            "async",
            "idle connections cost almost nothing as coroutines",
            id="chat_server",
        ),
        pytest.param(
            "image_batch",
            "processes",
            "CPU-bound Python: the GIL lets one thread compute at a time, separate processes "
            "run on separate cores",
            id="image_batch",
        ),
        pytest.param(
            "number_crunching",
            "processes",
            "CPU-bound Python needs processes to use every core",
            id="number_crunching",
        ),
        pytest.param(
            "shared_cache",
            "threads",
            "threads share the process's memory (with a lock)",
            id="shared_cache",
        ),
    ],
)
def test_choose_model(learner, workload, answer, why):
    """choose_model picks the model that fits each workload"""
    learner.call("choose_model", workload).expect(answer, note=why)


@pytest.mark.task(1)
def test_choose_model_either_fits(learner):
    """background cleanup may run in a thread or in a separate process"""
    learner.call("choose_model", "background_cleanup").expect_that(
        lambda got: type(got) is str and got in ("threads", "processes"),
        "'threads' or 'processes'",
        note="a periodic job mostly sleeps; a background thread or a separate process both fit",
    )


@pytest.mark.task(1)
def test_choose_model_unknown_workload(learner):
    """an unknown workload raises ValueError"""
    learner.call("choose_model", "mine_bitcoin").expect_raises(ValueError)
    learner.call("choose_model", "").expect_raises(ValueError)


# -- task 2: results --------------------------------------------------------------------------
@pytest.mark.task(2)
def test_results_in_input_order(learner):
    """results come back in input order although the last url finishes first"""
    urls = urls_named(6)
    turns = {url: 2 + 3 * (len(urls) - i) for i, url in enumerate(urls)}
    call, data = fan_out(
        learner, urls, 6, turns=turns, fetch="the later the url, the sooner its fetch finishes"
    )
    outcome = Outcome.from_attempt(call, data["record"])
    got = outcome.value(repr(pages(urls)))
    # Name the ordering cause only when the evidence is a reordering: the same results,
    # in a list, in another order (a tuple or a wrong value is reported as it is).
    reordered = (
        type(got) is list
        and got != pages(urls)
        and sorted(map(repr, got)) == sorted(map(repr, pages(urls)))
    )
    finish_order = [f"page:{url}" for kind, url in data["events"] if kind == "end"]
    note = ""
    if reordered:
        note = "the same results came back in another order" + (
            ", the order in which the fetches finished: collecting with as_completed (or "
            "appending as each ends) gives completion order; gather keeps input order"
            if got == finish_order
            else "; keep each result at its url's position"
        )
    outcome.expect(pages(urls), note=note)


@pytest.mark.task(2)
def test_same_url_twice_is_fetched_twice(learner):
    """a url that appears twice is fetched twice, each result in its own place"""
    urls = ["a", "b", "a", "c", "a"]
    call, data = fan_out(learner, urls, 2)
    Outcome.from_attempt(call, data["record"]).expect(pages(urls))
    starts = sorted(url for kind, url in data["events"] if kind == "start")
    if starts != sorted(urls):
        raise GradeFailure(
            f"Called:   {call}\nGot:      fetch was called for {starts}\n"
            f"Expected: one call per position: {sorted(urls)}"
        )


@pytest.mark.task(2)
def test_no_urls(learner):
    """no urls: an empty list, and fetch is never called"""
    call, data = fan_out(learner, [], 3)
    Outcome.from_attempt(call, data["record"]).expect([])


@pytest.mark.task(2)
def test_fetches_run_at_the_same_time(learner):
    """with limit=4 and 10 urls, 4 fetches are in flight at once"""
    urls = urls_named(10)
    call, data = fan_out(learner, urls, 4)
    Outcome.from_attempt(call, data["record"]).expect(pages(urls))
    if data["max"] < 4:
        why = (
            "awaiting each fetch in turn runs them one by one; create the coroutines (or "
            "tasks) first and await them together (asyncio.gather)"
            if data["max"] == 1
            else "does the semaphore have fewer than `limit` slots?"
        )
        raise GradeFailure(
            f"Called:   {call}\nGot:      at most {data['max']} fetch(es) in flight at once\n"
            f"Expected: 4\nWhy:      {why}"
        )


@pytest.mark.task(2)
def test_limit_larger_than_the_work(learner):
    """with limit=10 and 3 urls, all 3 run at once"""
    urls = ["x", "y", "z"]
    call, data = fan_out(learner, urls, 10)
    Outcome.from_attempt(call, data["record"]).expect(pages(urls))
    if data["max"] != 3:
        raise GradeFailure(
            f"Called:   {call}\nGot:      at most {data['max']} in flight\nExpected: 3"
        )


@pytest.mark.task(2)
def test_a_free_slot_is_refilled_at_once(learner):
    """when a fetch finishes, the next url starts without waiting for slower ones"""
    urls = ["slow", "quick1", "quick2", "quick3", "quick4"]
    turns = {"slow": 60, "quick1": 1, "quick2": 1, "quick3": 1, "quick4": 1}
    call, data = fan_out(
        learner, urls, 2, turns=turns, fetch="fetching 'slow' takes 60 loop turns, the others 1"
    )
    Outcome.from_attempt(call, data["record"]).expect(pages(urls))
    events = data["events"]
    if events.index(("start", "quick4")) > events.index(("end", "slow")):
        raise GradeFailure(
            f"Called:   {call}\nGot:      'quick4' started only after 'slow' had finished\n"
            "Expected: the quick urls take turns in the second slot while 'slow' runs\n"
            "Why:      do not process the urls in batches of `limit`; a semaphore lets the "
            "next fetch start as soon as any slot is free"
        )


# -- task 3: the limit ------------------------------------------------------------------------
@pytest.mark.task(3)
@pytest.mark.parametrize("limit", [1, 2, 5])
def test_never_more_than_limit(learner, limit):
    """never more than `limit` fetches in flight, and exactly `limit` at the busiest"""
    urls = urls_named(12)
    call, data = fan_out(learner, urls, limit)
    Outcome.from_attempt(call, data["record"]).expect(pages(urls))
    if data["max"] != limit:
        why = (
            f"more than {limit} ran at once, so nothing shared held them back: create ONE "
            "asyncio.Semaphore(limit) for all fetches (one per fetch limits nothing)"
            if data["max"] > limit
            else f"only {data['max']} ran at once although {limit} slots were allowed: does "
            "the semaphore (or the number of workers) start below limit?"
        )
        raise GradeFailure(
            f"Called:   {call}\nGot:      at most {data['max']} fetch(es) in flight at once\n"
            f"Expected: exactly {limit} at the busiest moment, never more\nWhy:      {why}"
        )


@pytest.mark.task(3)
@pytest.mark.parametrize("limit", [0, -2])
def test_limit_below_one_raises(learner, limit):
    """limit below 1 raises ValueError"""
    call, data = fan_out(learner, ["a", "b"], limit)
    Outcome.from_attempt(call, data["record"]).expect_raises(ValueError)


# -- task 4: fail fast ---------------------------------------------------------------------------
FAIL_URLS = urls_named(12)
FAIL_TURNS = {url: 8 for url in FAIL_URLS} | {FAIL_URLS[1]: 2}


def failing_run(learner: Learner) -> tuple:
    return fan_out(
        learner,
        FAIL_URLS,
        3,
        turns=FAIL_TURNS,
        fail=FAIL_URLS[1],
        fetch=f"fetching {FAIL_URLS[1]!r} raises LookupError",
    )


@pytest.mark.task(4)
def test_the_error_is_raised_unwrapped(learner):
    """when a fetch raises LookupError, fetch_all raises that LookupError"""
    call, data = failing_run(learner)
    outcome = Outcome.from_attempt(call, data["record"])
    outcome.expect_raises(
        LookupError,
        note="raise the fetch's own exception; if you use a "
        "TaskGroup, unwrap the ExceptionGroup it raises",
    )
    if data["record"].get("message") != f"cannot fetch {FAIL_URLS[1]}":
        raise outcome.fail(f"the LookupError 'cannot fetch {FAIL_URLS[1]}'")


@pytest.mark.task(4)
def test_running_fetches_are_cancelled(learner):
    """the fetches still running are cancelled before fetch_all raises"""
    call, data = failing_run(learner)
    Outcome.from_attempt(call, data["record"]).expect_raises(LookupError)
    if data["in_flight_at_end"]:
        raise GradeFailure(
            f"Called:   {call}\nGot:      {data['in_flight_at_end']} fetch(es) still running "
            "when fetch_all raised\nExpected: none: cancel them and wait for them to end\n"
            "Why:      asyncio.gather raises the first error but leaves the other tasks "
            "running; cancel() each task, then await them"
        )
    for url in (FAIL_URLS[0], FAIL_URLS[2]):
        if url not in data["cancelled"]:
            raise GradeFailure(
                f"Called:   {call}\nGot:      {url!r} was not cancelled "
                "(it ran to the end)\nExpected: the fetches running beside "
                "the failed one are cancelled"
            )


@pytest.mark.task(4)
def test_no_fetch_starts_after_the_failure(learner):
    """after fetch_all raises, the waiting urls never start"""
    call, data = failing_run(learner)
    Outcome.from_attempt(call, data["record"]).expect_raises(LookupError)
    started = [url for kind, url in data["events"] if kind == "start"]
    if data["started_later"] or FAIL_URLS[-1] in started:
        raise GradeFailure(
            f"Called:   {call}\nGot:      fetches kept starting after the failure "
            f"({len(started)} of {len(FAIL_URLS)} urls started in all)\n"
            "Expected: the urls still waiting for a slot are cancelled too, and never start"
        )


@pytest.mark.task(4)
def test_cancelled_fetches_are_awaited(learner):
    """fetch_all raises only after every cancelled fetch has wound down"""
    call, data = fan_out(
        learner,
        FAIL_URLS,
        3,
        turns=FAIL_TURNS,
        fail=FAIL_URLS[1],
        wind_down=3,
        fetch=f"fetching {FAIL_URLS[1]!r} raises LookupError; a cancelled fetch takes 3 "
        "loop turns to close",
    )
    Outcome.from_attempt(call, data["record"]).expect_raises(LookupError)
    if data["in_flight_at_exit"]:
        raise GradeFailure(
            f"Called:   {call}\nGot:      {data['in_flight_at_exit']} fetch(es) were still "
            "running at the moment fetch_all raised (cancel() only asks a task to stop)\n"
            "Expected: none: the docstring promises every fetch has finished or been "
            "cancelled by the time fetch_all raises\n"
            "Why:      after cancel(), await the tasks (asyncio.gather(*tasks, "
            "return_exceptions=True)) before re-raising"
        )
