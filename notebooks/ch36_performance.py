# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 36 · Profiles, percentiles and caches
#
# Performance work starts with measuring, and each measurement has a picture that makes it
# easier to read:
#
# 1. **cProfile on a slow "task listing"**: the profiler's table, the same numbers as a bar
#    chart of where the time goes, the one-line fix, and the before/after.
# 2. **Your `sum_of_squares_slow` and `sum_of_squares_fast`** (from
#    `exercises/ch36/profiling.py`, or a demo), timed as the input grows.
# 3. **A latency histogram** of 10,000 synthetic requests with the mean, p50, p95 and p99
#    marked, to show why dashboards use percentiles and not averages.
# 4. **`lru_cache` hit rate against cache size** for a realistic, skewed workload.

# %%
import cProfile
import functools
import io
import math
import pstats
import random
import time

import matplotlib.pyplot as plt
from course_helpers import check_function, check_prediction, load_exercise

# %% [markdown]
# ## 1. Profiling a slow task listing
#
# The listing joins 3,000 tasks to their owners. `find_user` looks each owner up by walking
# the list of 2,000 users, a pattern that is easy to write and easy to miss in review.

# %%
rng = random.Random(36)
USERS = [{"id": i, "name": f"user{i:04d}"} for i in range(2000)]
TASKS = [{"id": t, "user_id": rng.randrange(2000), "title": f"task {t}"} for t in range(3000)]


def find_user(user_id):
    for user in USERS:
        if user["id"] == user_id:
            return user
    return None


def format_row(task, user):
    return f"{task['id']:>5}  {user['name']:<9}  {task['title']}"


def list_tasks_slow():
    return [format_row(task, find_user(task["user_id"])) for task in TASKS]


profiler = cProfile.Profile()
profiler.runcall(list_tasks_slow)  # profile just this call, not the notebook around it

report = io.StringIO()
stats = pstats.Stats(profiler, stream=report).strip_dirs()
stats.sort_stats("cumulative").print_stats(6)
print(report.getvalue().strip())

# %% [markdown]
# **How to read it:** `ncalls` is how often a function ran; `tottime` is the time spent in
# the function's own code; `cumtime` adds the time of everything it called; the two
# `percall` columns divide those by the calls. The chart below plots `tottime` per
# function. **What to look at:** one bar, `find_user`, holds nearly all of it: 3,000 calls
# that each scan up to 2,000 users. That is the few percent of the code worth optimising.
# (The profiled run is slower than a normal one, because watching every call costs time:
# read a profile for proportions, and measure speed-ups without the profiler, as below.)

# %%
own_time = sorted(
    (
        (f"{func}  ({calls} calls)", tottime)
        for (_, _, func), (_, calls, tottime, _, _) in stats.stats.items()
        if tottime > 0 and "_lsprof" not in func
    ),
    key=lambda item: item[1],
)[-6:]
fig, ax = plt.subplots(figsize=(8, 3))
ax.barh([name for name, _ in own_time], [t * 1000 for _, t in own_time], color="tab:orange")
ax.set_xlabel("milliseconds of own time (tottime)")
ax.set_title("Where the listing spends its time")
plt.tight_layout()
plt.show()

# %% [markdown]
# The fix is the same idea as a database index: build a dictionary from id to user once,
# then each lookup is a hash instead of a scan. The two versions must return the same rows.


# %%
def list_tasks_fast():
    users_by_id = {user["id"]: user for user in USERS}
    return [format_row(task, users_by_id[task["user_id"]]) for task in TASKS]


def best_of(function, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


assert list_tasks_slow() == list_tasks_fast()
slow_ms, fast_ms = best_of(list_tasks_slow), best_of(list_tasks_fast)
speedup = slow_ms / fast_ms
print(f"before: {slow_ms:7.2f} ms   after: {fast_ms:6.2f} ms   about {speedup:.0f}x faster")

# %% [markdown]
# ## 2. Your `sum_of_squares_slow` vs `sum_of_squares_fast`
#
# The exercise's slow version does work that grows with n squared; the fast one uses the
# closed form n(n+1)(2n+1)/6. The probe checks both on small inputs against the formula.
#
# **What to look at:** on log-log axes, a power law is a straight line whose slope is the
# exponent. The slow line climbs with a slope of about 2 (ten times the input, a hundred
# times the time); the fast line is flat, whatever n is.


# %%
def demo_sum_of_squares_slow(n):
    total = 0
    for i in range(1, n + 1):
        for _ in range(i):  # add i, i times: i * i the long way
            total += i
    return total


def demo_sum_of_squares_fast(n):
    return n * (n + 1) * (2 * n + 1) // 6


def demo_identify_faster(n):
    start = time.perf_counter()
    demo_sum_of_squares_slow(n)
    slow = time.perf_counter() - start
    start = time.perf_counter()
    demo_sum_of_squares_fast(n)
    fast = time.perf_counter() - start
    return "fast" if fast <= slow else "slow"


def profiling_is_ready(module):
    try:
        for n in (0, 1, 2, 10, 57):
            expected = n * (n + 1) * (2 * n + 1) // 6
            slow, fast = module.sum_of_squares_slow(n), module.sum_of_squares_fast(n)
            if slow != expected or fast != expected:
                print(
                    f"For n={n} your functions return {slow} and {fast}, expected {expected}; "
                    "using the demo."
                )
                return False
        module.identify_faster(10)
    except NotImplementedError:
        print("Your profiling.py is still a stub (NotImplementedError); using the demo.")
        return False
    except Exception as exc:
        print(f"Your profiling.py raised {type(exc).__name__}: {exc}; using the demo.")
        return False
    return True


learner = load_exercise("ch36/profiling.py")
if learner is not None and profiling_is_ready(learner):
    slow_fn, fast_fn, identify_faster = (
        learner.sum_of_squares_slow,
        learner.sum_of_squares_fast,
        learner.identify_faster,
    )
    print("Using YOUR sum_of_squares_slow, sum_of_squares_fast and identify_faster.")
else:
    slow_fn, fast_fn, identify_faster = (
        demo_sum_of_squares_slow,
        demo_sum_of_squares_fast,
        demo_identify_faster,
    )
    print("Using the notebook's demo functions.")

# %%
ns = [100, 200, 400, 800, 1600]
slow_times = [best_of(lambda n=n: slow_fn(n), repeat=1) for n in ns]
fast_times = [best_of(lambda n=n: fast_fn(n), repeat=3) for n in ns]
print(f"identify_faster(1000) says: {identify_faster(1000)!r}")

fig, ax = plt.subplots(figsize=(6.5, 3.8))
ax.loglog(ns, slow_times, marker="o", label="sum_of_squares_slow")
ax.loglog(ns, fast_times, marker="o", label="sum_of_squares_fast")
reference = [slow_times[0] * (n / ns[0]) ** 2 for n in ns]
ax.loglog(ns, reference, linestyle=":", color="grey", label="slope 2 (n squared)")
ax.set_xlabel("n")
ax.set_ylabel("milliseconds")
ax.set_title("Growth on log-log axes")
ax.legend()
ax.grid(alpha=0.3, which="both")
plt.show()

# %% [markdown]
# **Predict first.** In the next section most requests take about 40 ms and 3% take several
# hundred. Where will the *mean* land: `"below p50"`, `"between p50 and p95"` or
# `"above p95"`?

# %% tags=["predict"] answer="ch36_mean_position"
mean_position_predicted = ...

# %% [markdown]
# ## 3. Latency: why p99 and not the average
#
# 10,000 synthetic request durations from a seeded generator: most requests are quick
# (around 40 ms), and 3% hit something slow (a cache miss, a lock, a garbage collection) and
# take several hundred milliseconds. Percentiles use the nearest-rank rule: p95 is the
# duration that 95% of requests do not exceed.
#
# **What to look at:** the mean sits well to the right of where most requests are, yet far
# to the left of the slow tail: it describes no real request. p50 shows the typical user,
# p99 the unlucky one in a hundred, which for a busy service is many people every minute.
# The x axis is logarithmic so that both the bulk and the tail fit.

# %%
rng = random.Random(3636)
latencies = [
    rng.lognormvariate(math.log(600), 0.5)
    if rng.random() < 0.03
    else rng.lognormvariate(math.log(40), 0.35)
    for _ in range(10_000)
]
ordered = sorted(latencies)


def percentile(q):
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


marks = {
    "p50": percentile(50),
    "mean": sum(latencies) / len(latencies),
    "p95": percentile(95),
    "p99": percentile(99),
}
assert marks["p50"] <= marks["p95"] <= marks["p99"]
for name, value in marks.items():
    print(f"{name:>4}: {value:7.1f} ms")

# %%
mean = marks["mean"]
where = (
    "below p50"
    if mean < marks["p50"]
    else "between p50 and p95"
    if mean <= marks["p95"]
    else "above p95"
)
check_prediction(
    mean_position_predicted,
    where,
    explanation=(
        f"The mean is {mean:.0f} ms: the 3% slow requests drag it above the typical request "
        f"(p50 {marks['p50']:.0f} ms), yet it stays far below what the unlucky users see "
        f"(p99 {marks['p99']:.0f} ms). It describes nobody, which is why SLOs use percentiles."
    ),
)

# %% [markdown]
# **Your turn.** The Apdex score summarises latency against a target `T`: requests up to `T`
# are *satisfied*, up to `4 * T` *tolerating*, slower ones *frustrated*. The score is
# `(satisfied + tolerating / 2) / total`. Write `apdex(latencies_ms, target_ms)`, rounded to
# two decimals; an empty list raises `ValueError`.


# %% tags=["exercise"] answer="ch36_apdex"
def apdex(latencies_ms, target_ms):
    """(satisfied + tolerating / 2) / total, rounded to 2 decimals."""
    raise NotImplementedError("your turn")


# %%
def apdex_or_error(latencies_ms, target_ms):
    try:
        return apdex(latencies_ms, target_ms)
    except ValueError:
        return "ValueError"


check_function(
    apdex_or_error,
    [
        (([10, 20, 30, 40], 50), 1.0, "every request within T is satisfied"),
        (([10, 60, 300], 50), 0.5, "one satisfied, one tolerating (60 <= 200), one frustrated"),
        (([50, 200, 201], 50), 0.5, "exactly T is satisfied, exactly 4T still tolerating"),
        (([], 50), "ValueError", "no requests, no score"),
    ],
    name="apdex",
)
print(f"requests faster than the mean: {sum(x < marks['mean'] for x in latencies) / 100:.1f}%")

fig, ax = plt.subplots(figsize=(9, 3.8))
bins = [10 * 1.05**i for i in range(120)]
ax.hist(latencies, bins=bins, color="lightsteelblue")
ax.set_xscale("log")
colours = {"p50": "tab:green", "mean": "black", "p95": "tab:orange", "p99": "tab:red"}
for name, value in marks.items():
    ax.axvline(
        value,
        color=colours[name],
        linestyle="--" if name == "mean" else "-",
        label=f"{name}: {value:.0f} ms",
    )
ax.set_xlabel("request duration (ms, log scale)")
ax.set_ylabel("requests")
ax.set_title("10,000 requests: the typical one, the average, and the tail")
ax.legend()
plt.show()

# %% [markdown]
# ## 4. How big should a cache be?
#
# TaskForge looks up user profiles. Real traffic is skewed: a few users are very active and
# most are rarely seen. Here 5,000 lookups over 1,000 users follow such a skew (user k is
# requested in proportion to 1/k). For each cache size we wrap a fresh function in
# `functools.lru_cache(maxsize=...)` and read its `cache_info()`.

# %% [markdown]
# **Predict first.** The largest cache below holds 1,024 entries, more than the 1,000 users.
# Will its hit rate be 100%? Answer `True` or `False`.

# %% tags=["predict"] answer="ch36_full_cache"
full_hit_rate_predicted = ...

# %%
population = list(range(1, 1001))
requests = random.Random(36).choices(population, weights=[1 / k for k in population], k=5000)


def load_profile(user_id):
    return {"id": user_id}  # stands in for a database query


sizes = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
hit_rates = []
for size in sizes:
    cached = functools.lru_cache(maxsize=size)(load_profile)
    for user_id in requests:
        cached(user_id)
    info = cached.cache_info()
    hit_rates.append(info.hits / (info.hits + info.misses))
    if size == 64:
        print("maxsize=64:", info)

check_prediction(
    full_hit_rate_predicted,
    hit_rates[-1] == 1.0,
    explanation=(
        f"No: it reaches {hit_rates[-1]:.0%}. Every user's first lookup is a miss however big "
        f"the cache is, and {len(set(requests))} different users appear in the 5,000 requests."
    ),
)

# %% [markdown]
# **What to look at:** the x axis doubles at every step. With this kind of skew, each
# *doubling* of the cache adds roughly the same handful of percentage points, so every extra
# point costs twice the memory of the one before; meanwhile 64 entries (6% of the users)
# already answer about half of the lookups. The curve stops short of 100% even when every
# user fits, because the first request for each user is always a miss. Where to stop
# depends on your traffic, which is why you measure the hit rate in production instead of
# guessing.

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.6))
ax.semilogx(sizes, [r * 100 for r in hit_rates], marker="o", base=2)
ax.set_xlabel("lru_cache maxsize (entries)")
ax.set_ylabel("hit rate (%)")
ax.set_ylim(0, 100)
ax.set_title("5,000 skewed lookups over 1,000 users")
ax.grid(alpha=0.3, which="both")
plt.show()

# %% [markdown]
# ## Try this
#
# - Profile `list_tasks_fast` the same way. Which function leads the table now, and is it
#   worth optimising?
# - Sort the profile by `"tottime"` instead of `"cumulative"`. When is each order the more
#   useful one?
# - Change the slow share of requests from 3% to 0.5% and to 10%. Which of the four markers
#   move, and which barely notice?
# - Replace the 1/k weights with equal weights (every user equally likely). What happens to
#   the hit-rate curve, and what does it tell you about caching uniformly random keys?
# - Wrap `find_user` in `functools.lru_cache` instead of building a dictionary. How much does
#   it help with 3,000 tasks spread over 2,000 users, and how does `cache_info()` explain it?
