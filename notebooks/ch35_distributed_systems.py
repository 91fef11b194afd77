# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 35 · Breakers, backoff and partitions on a simulated clock
#
# Failure handling is about *time*: how long to keep trying, when to stop, when to try
# again. Simulated time lets you watch a whole outage in one plot:
#
# 1. **A circuit breaker** in front of a service that goes down from t = 10 s to t = 25 s.
#    A timeline shows the breaker's state (closed, open, half-open) and what happened to
#    every call.
# 2. **Retry with exponential backoff and jitter**: the delays one client waits, and what
#    200 clients do to a server that blinked, with and without jitter.
# 3. **CAP**: three replicas, a network partition, and one seat left to sell, in CP mode and
#    in AP mode; then a drill table of real scenarios.
#
# Nothing sleeps: both the breaker and the retry loop receive their clock or their `sleep`
# function from outside, which is also what makes them easy to test.

# %%
import random
from collections import Counter
from itertools import pairwise

import matplotlib.pyplot as plt
from course_helpers import check_function, check_prediction

# %% [markdown]
# ## 1. A circuit breaker
#
# - **closed**: calls go through; consecutive failures are counted.
# - **open** (after 3 failures in a row): calls fail at once with `CircuitOpenError`,
#   without touching the sick service, for 5 seconds.
# - **half-open** (when the 5 seconds are up): one trial call goes through. Success closes
#   the breaker; failure opens it for another 5 seconds.


# %%
class CircuitOpenError(Exception):
    pass


class CircuitBreaker:
    def __init__(self, failure_threshold, reset_timeout, clock):
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.clock = clock
        self.state = "closed"
        self.failures = 0
        self.opened_at = None
        self.transitions = [(clock(), "closed")]

    def _move(self, state):
        self.state = state
        self.transitions.append((self.clock(), state))

    def call(self, function, *args):
        if self.state == "open":
            if self.clock() - self.opened_at < self.reset_timeout:
                raise CircuitOpenError("circuit open: failing fast")
            self._move("half_open")
        try:
            result = function(*args)
        except Exception:
            self.failures += 1
            if self.state == "half_open" or self.failures >= self.failure_threshold:
                self.opened_at = self.clock()
                self._move("open")
            raise
        self.failures = 0
        if self.state == "half_open":
            self._move("closed")
        return result


# %% [markdown]
# The simulation calls the user service every half second for 40 simulated seconds. The
# service fails every call between t = 10 and t = 25.

# %%
now = [0.0]
OUTAGE = (10.0, 25.0)

# %% [markdown]
# **Predict first.** The service is down from t = 10 s to t = 25 s, and a call arrives every
# 0.5 s (30 calls during the outage). The breaker opens after 3 failures and waits 5 s before
# one trial call. How many of those 30 calls will actually reach the failing service?

# %% tags=["predict"] answer="ch35_calls_reaching"
calls_reaching_predicted = ...


# %%


def user_service(user_id):
    if OUTAGE[0] <= now[0] < OUTAGE[1]:
        raise ConnectionError("user service unavailable")
    return {"id": user_id, "name": "ada"}


breaker = CircuitBreaker(failure_threshold=3, reset_timeout=5.0, clock=lambda: now[0])
calls = []
for step in range(81):
    now[0] = step * 0.5
    try:
        breaker.call(user_service, 42)
        calls.append((now[0], "ok"))
    except CircuitOpenError:
        calls.append((now[0], "rejected fast"))
    except ConnectionError:
        calls.append((now[0], "failed"))

allowed_moves = {
    ("closed", "open"),
    ("open", "half_open"),
    ("half_open", "closed"),
    ("half_open", "open"),
}
moves = list(pairwise(state for _, state in breaker.transitions))
assert set(moves) <= allowed_moves
for t, state in breaker.transitions:
    print(f"t={t:5.1f}s  -> {state}")
during = [outcome for t, outcome in calls if OUTAGE[0] <= t < OUTAGE[1]]
print(
    f"\nduring the outage: {len(during)} calls, {during.count('failed')} reached the service, "
    f"{during.count('rejected fast')} were rejected without touching it"
)

# %%
check_prediction(
    calls_reaching_predicted,
    during.count("failed"),
    explanation=(
        "Five: the three failures that open the breaker (10.0, 10.5, 11.0 s), then one trial "
        "call at 16 s and another at 21 s, each of which fails and re-opens it. The other 25 "
        "calls are rejected at once, without waiting for a timeout or loading the service."
    ),
)

# %% [markdown]
# **What to look at:** three failures open the breaker, then calls are rejected instantly
# (no waiting on timeouts, no load on a service that is trying to recover). Every 5 seconds
# a single trial call probes the service; during the outage it fails and the breaker opens
# again. The first trial after t = 25 succeeds and traffic flows again.

# %%
levels = {"closed": 0, "half_open": 1, "open": 2}
fig, (top, bottom) = plt.subplots(
    2, 1, figsize=(10, 4.8), sharex=True, gridspec_kw={"height_ratios": [1.3, 1]}
)
times = [t for t, _ in breaker.transitions] + [40.0]
states = [levels[s] for _, s in breaker.transitions]
top.step(times, states + states[-1:], where="post", color="tab:purple")
top.set_yticks(list(levels.values()), list(levels))
top.set_title("Circuit breaker state (threshold 3 failures, reset timeout 5 s)")
styles = {
    "ok": ("o", "tab:green", 2),
    "failed": ("x", "tab:red", 1),
    "rejected fast": ("|", "grey", 0),
}
for outcome, (marker, colour, y) in styles.items():
    xs = [t for t, o in calls if o == outcome]
    bottom.scatter(xs, [y] * len(xs), marker=marker, color=colour, label=outcome)
bottom.set_yticks([0, 1, 2], ["rejected fast", "failed", "ok"])
bottom.set_ylim(-0.6, 2.6)
bottom.set_xlabel("simulated seconds")
for ax in (top, bottom):
    ax.axvspan(*OUTAGE, color="tab:red", alpha=0.08)
top.text(sum(OUTAGE) / 2, 0.5, "service down", ha="center", va="center", color="tab:red")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 2. Retry with exponential backoff and jitter
#
# `retry` calls an operation up to 5 times. After each failure it waits `base x 2^attempt`
# seconds (1, 2, 4, 8), capped, optionally "jittered", and after the last attempt it
# re-raises the error instead of hiding it. The `sleep` function and the random generator
# are parameters, so here they record instead of waiting.


# %%
def backoff_delay(attempt, base=1.0, cap=30.0, jitter="none", rng=random):
    delay = min(cap, base * 2**attempt)
    if jitter == "full":
        return rng.uniform(0, delay)
    if jitter == "equal":
        return delay / 2 + rng.uniform(0, delay / 2)
    return delay


def retry(operation, attempts=5, jitter="none", sleep=None, rng=random):
    for attempt in range(attempts):
        try:
            return operation()
        except ConnectionError:
            if attempt == attempts - 1:
                raise
            sleep(backoff_delay(attempt, jitter=jitter, rng=rng))


def flaky(failures):
    remaining = [failures]

    def operation():
        if remaining[0] > 0:
            remaining[0] -= 1
            raise ConnectionError("try again")
        return "done"

    return operation


waits = []
print("fails twice, then works:", retry(flaky(2), sleep=waits.append), "after waiting", waits)
waits = []
try:
    retry(flaky(99), sleep=waits.append)
except ConnectionError as exc:
    print(f"never works: re-raised {exc!r} after waiting {waits} (sum {sum(waits):.0f} s)")
assert waits == [1, 2, 4, 8]

# %% [markdown]
# **Your turn.** Write `backoff_schedule(attempts, base, cap)`: the list of waits, without
# jitter, between `attempts` tries of an operation that keeps failing. There is one wait
# fewer than attempts (no wait after the last), the k-th wait (from 0) is `base * 2**k`, and
# no wait is longer than `cap`.


# %% tags=["exercise"] answer="ch35_backoff_schedule"
def backoff_schedule(attempts, base, cap):
    """The waits between `attempts` tries: base, 2*base, 4*base, ..., each at most cap."""
    raise NotImplementedError("your turn")


# %%
check_function(
    backoff_schedule,
    [
        ((5, 1, 30), [1, 2, 4, 8], "five attempts, four waits, doubling from 1 s"),
        ((7, 1, 10), [1, 2, 4, 8, 10, 10], "the cap stops the doubling at 10 s"),
        ((3, 0.5, 30), [0.5, 1.0], "the base scales every wait"),
        ((1, 1, 30), [], "a single attempt never waits"),
    ],
    name="backoff_schedule",
)

# %% [markdown]
# **Predict first.** 200 clients fail at the same moment and retry with backoff and *no*
# jitter. How many retries land in the busiest quarter of a second?

# %% tags=["predict"] answer="ch35_herd"
busiest_quarter_predicted = ...

# %% [markdown]
# Now 200 clients all see the same error at t = 0 (the server blinked) and all retry.
# Each client's retry times are the running sum of its delays.
#
# **What to look at:** without jitter every client retries at exactly the same moments
# (1, 3, 7, 15 s), so the recovering server is hit by 200 requests at once, four times over:
# a self-made thundering herd. "Full jitter" (a random delay between 0 and the backoff)
# spreads the same retries out; "equal jitter" keeps at least half the backoff and spreads
# the rest.

# %%
CLIENTS = 200
rng = random.Random(35)
retry_times = {}
for jitter in ("none", "equal", "full"):
    moments = []
    for _ in range(CLIENTS):
        t = 0.0
        for attempt in range(4):
            t += backoff_delay(attempt, jitter=jitter, rng=rng)
            moments.append(t)
    retry_times[jitter] = moments

fig, axes = plt.subplots(3, 1, figsize=(10, 6), sharex=True, sharey=True)
bins = [i * 0.25 for i in range(64)]
for ax, (jitter, moments) in zip(axes, retry_times.items(), strict=True):
    ax.hist(moments, bins=bins, color="tab:blue")
    peak = max(Counter(int(m * 4) for m in moments).values())
    ax.set_title(f"jitter = {jitter!r}: busiest quarter second has {peak} retries", fontsize=10)
    ax.set_ylabel("retries")
axes[-1].set_xlabel("seconds after the shared failure")
plt.tight_layout()
plt.show()

# %%
check_prediction(
    busiest_quarter_predicted,
    max(Counter(int(m * 4) for m in retry_times["none"]).values()),
    explanation=(
        "All 200: with no jitter every client computes the same delays, so they all come back "
        "at 1, 3, 7 and 15 s together. Jitter is what breaks up the herd."
    ),
)

# %% [markdown]
# ## 3. CAP: a partition and the last seat
#
# Three replicas hold the number of free seats on a flight: 1. A network partition cuts
# replica C off from A and B. Two customers try to book at the same moment, one through A,
# one through C.
#
# - **CP** (consistency first): a write needs a majority of replicas (2 of 3) to agree. A and
#   B can still form a majority; C alone cannot, so C refuses the booking: unavailable, but
#   never wrong.
# - **AP** (availability first): each side keeps accepting writes with the replicas it can
#   reach, and the sides reconcile after the partition heals. Both customers get a
#   confirmation for the same seat.
#
# **What to look at:** in CP the replicas disagree only while C is cut off, and C never
# made a promise it could not keep. In AP the replicas end up agreeing (no seats left), yet
# two customers hold a confirmation: the inconsistency has moved out of the database and
# into the real world.


# %%
def book_last_seat(mode):
    replicas = {"A": 1, "B": 1, "C": 1}
    reachable = {"A": {"A", "B"}, "B": {"A", "B"}, "C": {"C"}}  # the partition
    majority = len(replicas) // 2 + 1
    bookings, log = [], []
    for customer, replica in (("customer 1", "A"), ("customer 2", "C")):
        group = reachable[replica]
        if mode == "CP" and len(group) < majority:
            log.append(f"{customer} via {replica}: REFUSED, no majority (only {sorted(group)})")
            continue
        if replicas[replica] <= 0:
            log.append(f"{customer} via {replica}: sold out")
            continue
        for name in group:  # write to every replica this side of the partition can reach
            replicas[name] -= 1
        bookings.append(customer)
        log.append(f"{customer} via {replica}: CONFIRMED (written to {sorted(group)})")
    log.append(f"during the partition, seats per replica: {replicas}")
    replicas["C"] = replicas["A"]  # the partition heals and C catches up
    log.append(f"after healing: seats per replica {replicas}; confirmed bookings {bookings}")
    if len(bookings) > 1:
        log.append("  -> conflict: one seat, two confirmed customers; someone must be told no")
    return bookings, log


for mode in ("CP", "AP"):
    bookings, log = book_last_seat(mode)
    print(mode)
    for line in log:
        print("  ", line)
    print()
assert len(book_last_seat("CP")[0]) == 1

# %% [markdown]
# ## The drill
#
# Partitions are not optional in a networked system, so the real question is what each
# feature should do *during* one. Cover the middle column, decide for yourself, then check.

# %%
drill = [
    ("medical records", "CP", "a stale allergy list can hurt someone"),
    ("trending topics", "AP", "a slightly old ranking harms nobody"),
    ("seat reservation", "CP", "selling one seat twice is worse than a short 'try again'"),
    ("product recommendations", "AP", "any reasonable suggestion beats an error page"),
    ("bank balance and transfers", "CP", "money must never be created by a split"),
    ("likes on a post", "AP", "counts can converge later; nobody audits them"),
]
print(f"{'scenario':<28}{'choose':<8}why")
for scenario, choice, why in drill:
    print(f"{scenario:<28}{choice:<8}{why}")

# %% [markdown]
# ## Try this
#
# - Lower the breaker's `reset_timeout` to 1 s. How many calls reach the service during
#   the outage now? What does that mean for a service that is trying to restart?
# - Make the half-open state allow 3 trial calls and require all 3 to succeed before
#   closing. Does the timeline change?
# - Add a cap of 4 s to `backoff_delay` and re-draw the herd. What does a cap do to the
#   spikes without jitter?
# - Write an idempotency-key store: a dict from key to the first result, so that a retried
#   POST returns the stored result instead of charging a card twice. Why do retries and
#   idempotency keys always come as a pair?
# - Add a fourth replica D on C's side of the partition (in `replicas` and `reachable`).
#   Can either side still take bookings in CP mode? Why do real clusters have an odd size?
