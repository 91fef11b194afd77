# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 34 · A rate limiter and a hash ring on a simulated clock
#
# Two building blocks of the chapter, run as small simulations you can look at:
#
# 1. **A token bucket** (capacity 10, refilled at 5 tokens per second) facing steady traffic,
#    a burst, and then more traffic than it refills. The clock is *injected*: the simulation
#    moves a fake clock forward instead of sleeping, so 12 simulated seconds take a few
#    milliseconds and give the same result every run. A plot shows the tokens over time and
#    which requests got `429 Too Many Requests`.
# 2. **The boundary problem of fixed windows**, in a few lines of numbers.
# 3. **Consistent hashing vs `hash(key) % N`**: how many of 10,000 keys have to move to
#    another server when one server joins a cluster of 3 to 10, and how virtual nodes even
#    out the load.

# %%
import bisect
import hashlib
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter, deque
from pathlib import Path

import matplotlib.pyplot as plt
from course_helpers import check_function, check_prediction

# %% [markdown]
# ## 1. A token bucket with an injected clock
#
# The bucket never runs a timer. Each time it is asked, it first adds the tokens earned since
# it was last asked (elapsed time x refill rate, never above the capacity), then spends one
# token if it has one. The only thing it needs from the outside world is "what time is it?",
# which is why a test (or this notebook) can hand it a fake clock.


# %%
class FakeClock:
    def __init__(self, start=0.0):
        self.now = start

    def __call__(self):
        return self.now


class TokenBucket:
    def __init__(self, capacity, refill_per_second, clock):
        self.capacity = capacity
        self.rate = refill_per_second
        self.clock = clock
        self.tokens = float(capacity)
        self.updated = clock()

    def _refill(self):
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def available(self):
        self._refill()
        return self.tokens

    def allow(self):
        self._refill()
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False  # the caller answers 429 Too Many Requests


# %% [markdown]
# The traffic, in simulated seconds: 3 requests per second for 4 s (well under the refill
# rate), a burst of 25 requests in half a second at t = 4, a quiet spell, then 8 requests
# per second from t = 7 to t = 12 (more than the 5 per second the bucket refills).

# %%
CAPACITY, RATE = 10, 5.0
arrivals = (
    [i / 3 for i in range(12)]  # steady: 3 per second
    + [4 + i * 0.02 for i in range(25)]  # burst: 25 within half a second
    + [7 + i / 8 for i in range(40)]  # sustained: 8 per second
)
samples = [i * 0.02 for i in range(int(12 / 0.02) + 1)]  # when to read the token level

clock = FakeClock()
bucket = TokenBucket(CAPACITY, RATE, clock)
events = sorted([(t, "request") for t in arrivals] + [(t, "sample") for t in samples])
levels, allowed, rejected = [], [], []
for t, kind in events:
    clock.now = t
    if kind == "sample":
        levels.append((t, bucket.available()))
    elif bucket.allow():
        allowed.append(t)
    else:
        rejected.append(t)

assert all(0 <= level <= CAPACITY for _, level in levels)
assert len(allowed) <= CAPACITY + RATE * 12  # never more than the burst plus the refill
print(f"{len(arrivals)} requests: {len(allowed)} allowed, {len(rejected)} rejected with 429")
print(f"burst at t=4: {sum(4 <= t < 4.5 for t in allowed)} of 25 allowed")
print(
    f"t=7..12 at 8/s: {sum(t >= 7 for t in allowed)} of 40 allowed "
    f"({CAPACITY} tokens saved during the quiet spell + about {RATE * 5:.0f} refilled in 5 s)"
)

# %% [markdown]
# **What to look at:** during the steady phase the bucket stays near full, so nothing is
# refused. The burst spends the 10 saved tokens in a fifth of a second; after that only the
# trickle of refill gets through and the rest are red. The quiet spell refills the bucket
# (up to its capacity, not beyond). In the last phase the savings go first, then the level
# hovers near zero and the bucket admits about 5 per second, its refill rate, whatever the
# demand. Capacity decides how big a burst may be; the refill rate decides the long-run
# average.

# %%
fig, (top, bottom) = plt.subplots(
    2, 1, figsize=(10, 5), sharex=True, gridspec_kw={"height_ratios": [2, 1]}
)
top.plot([t for t, _ in levels], [level for _, level in levels], color="tab:blue")
top.axhline(CAPACITY, color="grey", linestyle="--", label=f"capacity {CAPACITY}")
top.set_ylabel("tokens in the bucket")
top.set_title(f"Token bucket: capacity {CAPACITY}, refill {RATE:.0f} tokens per second")
top.legend(loc="upper right")
bottom.scatter(allowed, [1] * len(allowed), marker="o", color="tab:green", label="allowed")
bottom.scatter(rejected, [0] * len(rejected), marker="x", color="tab:red", label="429")
bottom.set_yticks([0, 1], ["rejected", "allowed"])
bottom.set_ylim(-0.6, 1.6)
bottom.set_xlabel("simulated seconds")
for ax in (top, bottom):
    for start, end in ((4, 4.5), (7, 12)):
        ax.axvspan(start, end, color="orange", alpha=0.08)
plt.tight_layout()
plt.show()

# %% [markdown]
# **Predict first.** A limiter allows 10 requests per calendar second. A client sends 10
# requests between 950 ms and 995 ms, then 10 more between 1,000 ms and 1,045 ms. How many
# of the 20 will the fixed window accept?

# %% tags=["predict"] answer="ch34_fixed_window"
fixed_window_accepts_predicted = ...

# %% [markdown]
# ## 2. Fixed windows let twice the limit through
#
# A fixed-window limiter counts requests per calendar second and resets the count when the
# second changes. Limit: 10 per second. A client sends 10 requests in the last 50 ms of one
# second and 10 more in the first 50 ms of the next. A sliding-window log instead keeps the
# times of the requests it accepted and counts those in the 1,000 ms before *now*.
#
# **What to look at:** 20 requests accepted within 100 ms by the fixed window, though the
# limit says 10 per second; the sliding window accepts 10.

# %%
LIMIT = 10
times_ms = [950 + 5 * i for i in range(10)] + [1000 + 5 * i for i in range(10)]

window_counts = Counter()
fixed_ok = []
for t in times_ms:
    window = t // 1000
    if window_counts[window] < LIMIT:
        window_counts[window] += 1
        fixed_ok.append(t)

log = deque()
sliding_ok = []
for t in times_ms:
    while log and log[0] <= t - 1000:
        log.popleft()
    if len(log) < LIMIT:
        log.append(t)
        sliding_ok.append(t)

span = times_ms[-1] - times_ms[0]
print(f"{len(times_ms)} requests within {span} ms, limit {LIMIT} per second")
print(f"fixed window accepted   {len(fixed_ok)}")
print(f"sliding window accepted {len(sliding_ok)}")
assert len(sliding_ok) == LIMIT
check_prediction(
    fixed_window_accepts_predicted,
    len(fixed_ok),
    explanation=(
        "All 20: the first ten fall in second 0 and the next ten in second 1, and the counter "
        "resets at the boundary. Twice the limit gets through within 100 ms, which is the "
        "weakness a sliding window (or a token bucket) removes."
    ),
)

# %% [markdown]
# **Your turn.** Write `sliding_window_accepts(times_ms, limit, window_ms)`: given request
# times in ascending order, return the list of the times it accepts, where a request is
# accepted when fewer than `limit` *accepted* requests happened in the `window_ms`
# milliseconds before it (a request exactly `window_ms` earlier no longer counts).


# %% tags=["exercise"] answer="ch34_sliding_window"
def sliding_window_accepts(times_ms, limit, window_ms):
    """The accepted request times under a sliding-window log limiter."""
    raise NotImplementedError("your turn")


# %%
check_function(
    sliding_window_accepts,
    [
        ((times_ms, LIMIT, 1000), times_ms[:10], "the burst across the boundary: only 10 pass"),
        (([0, 1, 2, 3], 2, 10), [0, 1], "two per 10 ms: the third and fourth are refused"),
        (([0, 5, 10, 15], 2, 10), [0, 5, 10, 15], "at 10 ms the request at 0 ms has left the log"),
        (([0, 1, 2, 12], 2, 10), [0, 1, 12], "refused requests are not counted later"),
    ],
    name="sliding_window_accepts",
)

# %% [markdown]
# **Predict first.** With `hash(key) % N`, about what share of 10,000 keys change server when
# a 6th server joins the 5 you had? Give a fraction between 0 and 1.

# %% tags=["predict"] answer="ch34_modulo_moves"
share_moved_predicted = ...

# %% [markdown]
# ## 3. Which server holds this key?
#
# Spread cache keys over N servers with `hash(key) % N`, and adding one server changes the
# answer for almost every key, which empties the cache all at once. A consistent-hash ring
# places servers (and keys) at points on a circle; each key belongs to the next server
# point clockwise. A new server only takes over the arcs just before its own points.
#
# Two practical details: Python's built-in `hash()` of a string changes every time Python
# starts (hash randomisation), so both schemes use a stable hash (BLAKE2 here); and each
# server gets 100 points on the ring ("virtual nodes") so its arcs add up to a fair share.


# %%
def stable_hash(text):
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


class HashRing:
    def __init__(self, nodes, points_per_node=100):
        ring = sorted(
            (stable_hash(f"{node}#{i}"), node) for node in nodes for i in range(points_per_node)
        )
        self.points = [point for point, _ in ring]
        self.owners = [node for _, node in ring]

    def node_for(self, key_hash):
        index = bisect.bisect(self.points, key_hash) % len(self.points)
        return self.owners[index]


KEYS = [stable_hash(f"task:{i}") for i in range(10_000)]
sizes = list(range(3, 11))
moved_modulo, moved_ring = [], []
for n in sizes:
    before, after = [f"cache-{i}" for i in range(n)], [f"cache-{i}" for i in range(n + 1)]
    moved_modulo.append(sum(k % n != k % (n + 1) for k in KEYS) / len(KEYS))
    old_ring, new_ring = HashRing(before), HashRing(after)
    moves = [(old_ring.node_for(k), new_ring.node_for(k)) for k in KEYS]
    moved = [(old, new) for old, new in moves if old != new]
    assert all(new == after[-1] for _, new in moved), "keys may only move to the new node"
    moved_ring.append(len(moved) / len(KEYS))

print(" N -> N+1   modulo moved   ring moved   ideal 1/(N+1)")
for n, m, r in zip(sizes, moved_modulo, moved_ring, strict=True):
    print(f"{n:>2} -> {n + 1:<4}  {m:>12.1%}  {r:>11.1%}  {1 / (n + 1):>14.1%}")

# %%
check_prediction(
    share_moved_predicted,
    moved_modulo[sizes.index(5)],
    judge=lambda predicted, actual: abs(float(predicted) - actual) < 0.1,
    explanation=(
        "About 5/6 (83%): a key stays put only when `h % 5 == h % 6`, which holds for about one "
        "key in six. The ring moves only about 1/6, the new server's fair share."
    ),
)

# %% [markdown]
# **What to look at:** with modulo hashing, going from N to N+1 servers moves about
# N/(N+1) of the keys: most of the cache is suddenly in the wrong place. With the ring, about
# 1/(N+1) move, which is the least possible (the new server has to get its share from
# somewhere), and the assertion above checked that every moved key moved *to the new
# server*, never between old ones.

# %%
fig, ax = plt.subplots(figsize=(7, 3.8))
ax.plot(sizes, moved_modulo, marker="o", color="tab:red", label="hash(key) % N")
ax.plot(sizes, moved_ring, marker="o", color="tab:green", label="consistent-hash ring")
ax.plot(sizes, [1 / (n + 1) for n in sizes], linestyle="--", color="grey", label="1 / (N+1)")
ax.set_xlabel("servers before one more joins (N)")
ax.set_ylabel("share of 10,000 keys that move")
ax.set_ylim(0, 1)
ax.set_title("Adding one cache server")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## Why 100 points per server?
#
# With a single point each, the arcs between servers are as uneven as random cuts of a
# circle usually are, and one server can end up with several times the keys of another.
# **What to look at:** the spread of the bars with 1 point per server against 100 points.

# %%
nodes = [f"cache-{i}" for i in range(5)]
fig, ax = plt.subplots(figsize=(7, 3.5))
for offset, points in ((-0.2, 1), (0.2, 100)):
    ring = HashRing(nodes, points_per_node=points)
    load = Counter(ring.node_for(k) for k in KEYS)
    counts = [load[node] for node in nodes]
    ax.bar(
        [i + offset for i in range(len(nodes))],
        counts,
        width=0.4,
        label=f"{points} point(s) per server (max/min {max(counts) / max(min(counts), 1):.1f})",
    )
ax.axhline(len(KEYS) / len(nodes), color="grey", linestyle="--", label="fair share")
ax.set_xticks(range(len(nodes)), nodes)
ax.set_ylabel("keys owned")
ax.set_title("Load per server, 10,000 keys on 5 servers")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 4. Two worker processes, one login limit
#
# A production server runs several **worker processes** of the same app (gunicorn's
# `--workers 2`), and processes share no Python objects. Below, two real processes each
# receive 10 wrong password guesses for `alice` at the same time, under a limit of 5 guesses.
# First each process keeps its counts in its own dict; then both use one SQLite table, with
# `BEGIN IMMEDIATE` making "count, compare, record" a single step.
#
# **Predict first.** With the counts in each process's own dict, how many of the 20 guesses
# will be let through?

# %% tags=["predict"] answer="ch34_two_workers"
guesses_through_predicted = ...

# %%
WORKER = """
import sqlite3, sys
mode, path, guesses, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), 5
counts, allowed = {}, 0
for _ in range(guesses):
    if mode == "own dict":
        counts["alice"] = counts.get("alice", 0) + 1
        allowed += counts["alice"] <= limit
    else:
        conn = sqlite3.connect(path, isolation_level=None, timeout=10)
        conn.execute("BEGIN IMMEDIATE")
        (seen,) = conn.execute("SELECT count(*) FROM attempts WHERE key = 'alice'").fetchone()
        if seen < limit:
            conn.execute("INSERT INTO attempts (key) VALUES ('alice')")
            allowed += 1
        conn.execute("COMMIT")
        conn.close()
print(allowed)
"""


def two_workers(mode, folder):
    path = str(Path(folder) / f"{mode.replace(' ', '_')}.db")
    setup = sqlite3.connect(path)
    setup.execute("CREATE TABLE IF NOT EXISTS attempts (key TEXT NOT NULL)")
    setup.commit()
    setup.close()
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, mode, path, "10"], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    return [int(worker.communicate(timeout=60)[0]) for worker in workers]


with tempfile.TemporaryDirectory(prefix="ch34_") as folder:
    through = {mode: two_workers(mode, folder) for mode in ("own dict", "shared table")}
for mode, per_worker in through.items():
    print(f"{mode:<13} let through {per_worker} = {sum(per_worker)} of 20 guesses (limit 5)")
assert sum(through["shared table"]) == 5

fig, ax = plt.subplots(figsize=(5.5, 3.2))
ax.bar(list(through), [sum(v) for v in through.values()], color=["tab:red", "tab:green"])
ax.axhline(5, color="black", linestyle="--", label="the limit")
ax.set_ylabel("guesses let through")
ax.set_title("Two worker processes, 10 guesses each")
ax.legend()
plt.show()

# %%
check_prediction(
    guesses_through_predicted,
    sum(through["own dict"]),
    explanation=(
        "10: each process counts only the guesses it handled itself, so each lets 5 through. "
        "With N workers the limit becomes N times the limit. One shared, atomic count (a "
        "database row, or Redis INCR) restores it whichever worker answers."
    ),
)

# %% [markdown]
# ## Try this
#
# - Give the bucket a capacity of 1. What happens to the burst, and to the steady phase?
#   When would you want a large capacity with a slow refill?
# - Replace `FakeClock` with `time.monotonic` and call `allow()` in a loop: the same class
#   works for real, which is the point of injecting the clock.
# - Make one server *leave* the ring instead of joining. Which keys move, and where to?
# - Give one server twice as many points as the others (a weighted ring, for a bigger
#   machine) and check it ends up with about twice the keys.
# - In section 4, remove `BEGIN IMMEDIATE` (and the matching `COMMIT`) from the shared
#   version and run it a few times. Can two processes both read 4 and both let a guess in?
# - Change `stable_hash` to Python's `hash`, restart the kernel twice and compare which
#   server owns `task:1`. Why would that be a disaster for a cache shared by several app
#   servers?
