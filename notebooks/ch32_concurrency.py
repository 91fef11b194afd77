# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 32 · Races you can count, a GIL you can time
#
# Concurrency bugs hide because they depend on timing. This notebook makes them show up on
# demand and then makes them go away:
#
# 1. **A race condition, traced and counted**: threads doing read-modify-write on a shared
#    counter, with a deliberate pause in the worst possible place. You see the interleaving
#    that loses an update, then count the lost updates as threads are added, then watch a
#    `Lock` bring the count to zero.
# 2. **The GIL, timed**: the same small workloads run one after another, on threads and on
#    processes. CPU work only speeds up with processes; waiting (I/O) speeds up with threads.
# 3. **asyncio**: three waits started together with `asyncio.gather`, drawn on a timeline
#    next to the same waits run one after another.
#
# All workloads are tiny so the notebook stays quick; timings are displayed, never checked.

# %%
import asyncio
import importlib
import os
import shutil
import sys
import tempfile
import textwrap
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import matplotlib.pyplot as plt
from course_helpers import check_function, check_prediction

# %% [markdown]
# ## 1. Watching an update get lost
#
# Each worker reads the counter, pauses for `time.sleep(0)` (which does nothing except let
# another thread run), then writes back what it read plus one. Two threads, three increments
# each: the answer should be 6.
#
# **What to look at:** a thread that writes a value based on a read that is no longer
# current. The other thread's increments made in between are overwritten, and the note on
# that line says how many were lost. The exact order can differ from run to run (and a run
# can even come out right by luck); that is what a race is.


# %%
class Counter:
    value = 0


def unsafe_increment(counter, times, name, trace=None):
    for _ in range(times):
        current = counter.value
        if trace is not None:
            trace.append(f"{name} read  {current}")
        time.sleep(0)  # let another thread run between the read and the write
        counter.value = current + 1
        if trace is not None:
            trace.append(f"{name} write {current + 1}")


def run_threads(target, count, *args):
    counter = Counter()
    threads = [threading.Thread(target=target, args=(counter, *args)) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counter.value


trace = []
counter = Counter()
workers = [
    threading.Thread(target=unsafe_increment, args=(counter, 3, name, trace))
    for name in ("T1", "T2")
]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()

last_written = 0
for line in trace:
    note = ""
    if "write" in line:
        value = int(line.split()[-1])
        if value != last_written + 1:
            lost = last_written + 1 - value
            note = f"   <- the counter was already {last_written}: {lost} update(s) lost"
        last_written = value
    print(line + note)
print(f"\nexpected 6, got {counter.value}")

# %% [markdown]
# **Predict first.** In the next cell 8 threads each do 300 read-pause-write increments,
# but now holding a `threading.Lock` around all three steps. How many of the 2,400 updates
# will be lost?

# %% tags=["predict"] answer="ch32_lost_with_lock"
lost_with_lock_predicted = ...

# %% [markdown]
# ## Counting lost updates, with and without a lock
#
# Now 1, 2, 4 and 8 threads, 300 increments each. The locked version holds a
# `threading.Lock` across the whole read-pause-write, so no other thread can get in between.
#
# **What to look at:** without the lock, the share of lost updates grows with the number of
# threads; with it, the count is zero every time (the one thing this notebook asserts). The
# lock is not free: the locked runs take longer because threads now wait for each other.


# %%
def locked_increment(counter, times, lock):
    for _ in range(times):
        with lock:
            current = counter.value
            time.sleep(0)
            counter.value = current + 1


PER_THREAD = 300
thread_counts = [1, 2, 4, 8]
lost_unsafe, lost_locked = [], []
for count in thread_counts:
    expected = count * PER_THREAD
    lost_unsafe.append(expected - run_threads(unsafe_increment, count, PER_THREAD, "T"))
    lost_locked.append(
        expected - run_threads(locked_increment, count, PER_THREAD, threading.Lock())
    )
    print(
        f"{count} thread(s): expected {expected:>4}, lost without lock {lost_unsafe[-1]:>4}, "
        f"lost with lock {lost_locked[-1]}"
    )
assert lost_locked == [0] * len(thread_counts)
check_prediction(
    lost_with_lock_predicted,
    lost_locked[-1],
    explanation=(
        "None. While one thread holds the lock, no other can start its read, so every write "
        "is based on the latest value. The pause still happens; it just cannot be exploited."
    ),
)

fig, ax = plt.subplots(figsize=(6.5, 3.5))
positions = range(len(thread_counts))
ax.bar([p - 0.2 for p in positions], lost_unsafe, width=0.4, color="tab:red", label="no lock")
ax.bar(
    [p + 0.2 for p in positions],
    lost_locked,
    width=0.4,
    color="tab:green",
    label="with Lock (always 0)",
)
ax.set_xticks(list(positions), [f"{n} thread(s)" for n in thread_counts])
ax.set_ylabel("lost updates")
ax.set_title(f"Read-pause-write, {PER_THREAD} increments per thread")
ax.legend()
plt.show()

# %% [markdown]
# ## Without the pause, the race hides
#
# The plain `counter.value += 1` is still a read, an add and a write, but with no pause in
# between the interpreter rarely switches threads at that exact moment. The count below may
# well come out right. That does not make the code correct; it makes the bug rare, which
# is worse: it will show up under load, in production, and never in your test.


# %%
def plain_increment(counter, times):
    for _ in range(times):
        counter.value += 1


got = run_threads(plain_increment, 4, 100_000)
print(
    f"4 threads x 100,000 plain increments: expected 400000, got {got} "
    f"({400_000 - got} lost this time)"
)

# %% [markdown]
# ## 2. The GIL, timed
#
# In CPython only one thread at a time runs Python bytecode (the global interpreter lock), but
# a thread that waits (on a socket, a file, or `time.sleep`) lets the others run. Processes
# each have their own interpreter and their own GIL.
#
# A process pool has to send each task to another Python process, so the function must be
# importable there. Functions defined in a notebook cell are not, on every platform, so the
# next cell writes the two workloads to a small module in a temporary folder and imports it.

# %%
work_dir = Path(tempfile.mkdtemp(prefix="ch32_"))
(work_dir / "ch32_work.py").write_text(
    textwrap.dedent(
        """
        import time

        def cpu_task(n):
            total = 0
            for i in range(n):
                total += i * i % 7
            return total

        def wait_task(seconds):
            time.sleep(seconds)  # stands in for waiting on a network or a disk
            return seconds

        def warm_up(_):
            return None
        """
    )
)
sys.path.insert(0, str(work_dir))
work = importlib.import_module("ch32_work")

CPU_TASKS, CPU_SIZE = 4, 500_000
WAIT_TASKS, WAIT_SECONDS = 8, 0.05
CORES = os.cpu_count() or 1


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


cpu_args, wait_args = [CPU_SIZE] * CPU_TASKS, [WAIT_SECONDS] * WAIT_TASKS
with ThreadPoolExecutor(max_workers=8) as threads, ProcessPoolExecutor(CORES) as processes:
    startup = timed(lambda: list(processes.map(work.warm_up, range(CORES))))
    timings = {
        "CPU work": {
            "one after another": timed(lambda: [work.cpu_task(n) for n in cpu_args]),
            "8 threads": timed(lambda: list(threads.map(work.cpu_task, cpu_args))),
            f"{CORES} processes": timed(lambda: list(processes.map(work.cpu_task, cpu_args))),
        },
        "waiting (I/O-like)": {
            "one after another": timed(lambda: [work.wait_task(s) for s in wait_args]),
            "8 threads": timed(lambda: list(threads.map(work.wait_task, wait_args))),
            f"{CORES} processes": timed(lambda: list(processes.map(work.wait_task, wait_args))),
        },
    }
for workload, rows in timings.items():
    print(workload)
    for how, seconds in rows.items():
        print(f"   {how:<20}{seconds * 1000:8.0f} ms")
print(f"(starting the process pool took {startup * 1000:.0f} ms, paid once, before timing)")
sys.path.remove(str(work_dir))
shutil.rmtree(work_dir)  # the pool is closed, so the module file is no longer needed

# %% [markdown]
# **What to look at:** on the left, threads do not beat running the CPU tasks one after
# another (they take turns holding the GIL), while processes divide the time by up to the
# number of cores this machine has (less if other programs keep those cores busy: a process
# can only use a core that is free). On the right, threads finish eight waits in about the
# time of one, and the small process pool is limited by its number of workers. The rule of
# thumb from the chapter: CPU-bound work goes to processes, waiting goes to threads or
# asyncio.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
for ax, (workload, rows) in zip(axes, timings.items(), strict=True):
    bars = ax.bar(
        list(rows), [s * 1000 for s in rows.values()], color=["grey", "tab:blue", "tab:orange"]
    )
    for bar in bars:
        ax.annotate(
            f"{bar.get_height():.0f} ms",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
        )
    ax.set_ylim(top=max(rows.values()) * 1000 * 1.15)  # room for the labels
    ax.set_ylabel("milliseconds")
    ax.set_title(workload)
fig.suptitle(
    f"{CPU_TASKS} CPU tasks and {WAIT_TASKS} waits of {WAIT_SECONDS * 1000:.0f} ms, "
    f"on {CORES} core(s)"
)
plt.tight_layout()
plt.show()

# %% [markdown]
# **Your turn.** Write `count_with_lock(threads, per_thread)`: start `threads` threads that
# each add 1 to one shared `Counter()` `per_thread` times, using the same read, `time.sleep(0)`,
# write steps as `unsafe_increment`, made safe with a `threading.Lock`. Join the threads and
# return the counter's final value.


# %% tags=["exercise"] answer="ch32_count_with_lock"
def count_with_lock(threads, per_thread):
    """The final count after `threads` threads each add 1, `per_thread` times, safely."""
    raise NotImplementedError("your turn")


# %%
check_function(
    count_with_lock,
    [
        ((1, 50), 50, "one thread cannot race with itself"),
        ((4, 200), 800, "four threads x 200 increments; a lost update means the lock is missing"),
        ((8, 100), 800, "eight threads: each must take the lock around read, pause and write"),
    ],
    name="count_with_lock",
)

# %% [markdown]
# **Predict first.** In the next section three coroutines each `await asyncio.sleep(0.2)`.
# Run with `asyncio.gather`, about how many seconds will all three take together?

# %% tags=["predict"] answer="ch32_gather_seconds"
gather_seconds_predicted = ...

# %% [markdown]
# ## 3. asyncio: three waits at once
#
# A coroutine that reaches `await asyncio.sleep(...)` hands control back to the event loop,
# which runs another coroutine in the meantime: one thread, no locks, cooperative switching.
# Jupyter already runs an event loop, so a notebook cell may use `await` directly; in a
# script you would call `asyncio.run(main())` instead.
#
# **What to look at:** on the timeline, the three sequential bars sit end to end, while the
# three gathered bars start together and finish together.


# %%
async def fetch(name, seconds, log, origin):
    start = time.perf_counter() - origin
    await asyncio.sleep(seconds)
    log.append((name, start, time.perf_counter() - origin))


async def one_after_another(log, origin):
    for name in ("users", "tasks", "comments"):
        await fetch(name, 0.2, log, origin)


async def all_at_once(log, origin):
    await asyncio.gather(*(fetch(n, 0.2, log, origin) for n in ("users", "tasks", "comments")))


runs = {}
for label, scenario in [("sequential awaits", one_after_another), ("asyncio.gather", all_at_once)]:
    log, origin = [], time.perf_counter()
    await scenario(log, origin)  # noqa: F704 (top-level await is fine in Jupyter)
    runs[label] = log
    print(f"{label:<18} finished after {max(end for _, _, end in log):.2f} s")

fig, ax = plt.subplots(figsize=(8, 3))
rows = []
for label, log in runs.items():
    for name, start, end in log:
        rows.append((f"{label}: {name}", start, end))
for y, (row_label, start, end) in enumerate(reversed(rows)):
    colour = "tab:orange" if row_label.startswith("asyncio") else "tab:blue"
    ax.barh(y, end - start, left=start, color=colour)
ax.set_yticks(range(len(rows)), [r[0] for r in reversed(rows)])
ax.set_xlim(left=0)
ax.set_xlabel("seconds since the scenario started")
ax.set_title("Three 0.2 s waits")
plt.tight_layout()
plt.show()

# %%
check_prediction(
    gather_seconds_predicted,
    max(end for _, _, end in runs["asyncio.gather"]),
    judge=lambda predicted, actual: abs(float(predicted) - actual) < 0.1,
    explanation=(
        "About 0.2 s: all three start before any of them finishes, because each `await` hands "
        "the loop to the next coroutine. Awaited one after another they take about 0.6 s."
    ),
)

# %% [markdown]
# ## Try this
#
# - Move `time.sleep(0)` in `unsafe_increment` to *after* the write. How many updates are
#   lost now, and why?
# - Replace the `threading.Lock` with `threading.RLock`, then with no lock but a
#   `queue.Queue` that a single thread drains (a producer/consumer design). Which designs
#   keep the count right?
# - Double `CPU_SIZE`: which bars double? Then set `WAIT_TASKS = 64`: when do threads stop
#   being almost free?
# - In section 3, replace `asyncio.sleep` with `time.sleep` inside `fetch`. The gathered
#   version becomes sequential: a blocking call inside a coroutine stalls the whole loop.
# - Write a version of `all_at_once` that fetches 30 things but never more than 5 at a time
#   (hint: `asyncio.Semaphore`).
