# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 28 · Patterns you can watch working
#
# Design patterns are usually shown as class diagrams. Here you will watch three of them *run*:
#
# 1. **Strategy**: one `TaskManager`, two interchangeable storage backends. A spy records every
#    call the manager makes, so you can see it only ever talks to the backend's interface. Then
#    a plot shows that "interchangeable" means *same answers*, not *same cost*.
# 2. **Observer**: an event bus delivering `task_created` to subscribers the publisher has never
#    heard of, including one subscriber that crashes.
# 3. **Decorator**: logging and caching layers wrapped around a task service. A printed call
#    trace shows the onion, and swapping two layers changes what gets logged.
#
# Why it matters: the TaskForge storage upgrade at the Phase 7 gate is exactly this Strategy
# pattern, and the decorator trace is the fastest way to understand "what runs first".

# %% [markdown]
# ## Setup
#
# All the imports live in the first code cell. The helpers after them find the course folder
# (from `$COURSE_ROOT`, or by walking up from this notebook's folder) and load your exercise
# file `exercises/ch28/strategy_storage.py` by its path. If the file is missing or still a
# stub, the notebook says so and uses a small demo implementation instead, so every cell
# still runs.

# %%
import random
import time
from abc import ABC, abstractmethod
from contextlib import contextmanager

import matplotlib.pyplot as plt
from course_helpers import check_prediction, check_value, load_exercise

# %% [markdown]
# ## A demo Strategy, used only when your exercise is not ready
#
# This is deliberately the plainest possible version of the exercise: an abstract
# `StorageBackend`, two concrete strategies, and a `TaskManager` that receives its backend
# through the constructor.


# %%
class DemoStorageBackend(ABC):
    @abstractmethod
    def save(self, key, value): ...

    @abstractmethod
    def load(self, key): ...

    @abstractmethod
    def list_all(self): ...


class DemoDictStorage(DemoStorageBackend):
    def __init__(self):
        self._data = {}

    def save(self, key, value):
        self._data[key] = value

    def load(self, key):
        return self._data.get(key)

    def list_all(self):
        return list(self._data.values())


class DemoListStorage(DemoStorageBackend):
    def __init__(self):
        self._rows = []

    def save(self, key, value):
        self._rows = [(k, v) for k, v in self._rows if k != key]
        self._rows.append((key, value))

    def load(self, key):
        for k, v in self._rows:
            if k == key:
                return v
        return None

    def list_all(self):
        return [v for _, v in self._rows]


class DemoTaskManager:
    def __init__(self, backend):
        self.backend = backend

    def add_task(self, task_id, title):
        self.backend.save(task_id, {"title": title})

    def get_task(self, task_id):
        return self.backend.load(task_id)


# %%
def strategy_is_ready(module):
    """Try the learner's classes once; explain and return False if they cannot be used yet."""
    try:
        manager = module.TaskManager(module.DictStorage())
        manager.add_task("probe", "Probe")
        manager.get_task("probe")
    except NotImplementedError:
        print("Your strategy_storage.py is still a stub (NotImplementedError); using the demo.")
        return False
    except Exception as exc:
        print(f"Your strategy_storage.py raised {type(exc).__name__}: {exc}; using the demo.")
        return False
    return True


learner = load_exercise("ch28/strategy_storage.py")
if learner is not None and strategy_is_ready(learner):
    StorageBackend, DictStorage, ListStorage, TaskManager = (
        learner.StorageBackend,
        learner.DictStorage,
        learner.ListStorage,
        learner.TaskManager,
    )
    print("Using YOUR StorageBackend, DictStorage, ListStorage and TaskManager.")
else:
    StorageBackend, DictStorage, ListStorage, TaskManager = (
        DemoStorageBackend,
        DemoDictStorage,
        DemoListStorage,
        DemoTaskManager,
    )
    print("Using the notebook's demo StorageBackend, DictStorage, ListStorage and TaskManager.")

# %% [markdown]
# **Predict first.** The script below makes a `TaskManager` add two tasks and look up two
# (one of them missing), through a spy that records every call the manager makes to its
# backend. How many calls will the spy record? Put a number in place of the `...`.

# %% tags=["predict"] answer="ch28_spy_calls"
calls_predicted = ...

# %% [markdown]
# ## 1. Strategy: what does the manager actually ask of its backend?
#
# `SpyStorage` is itself a backend: it subclasses the same `StorageBackend`, forwards every
# call to a real backend, and writes the call down. We run one short script of operations
# against a spied `DictStorage` and a spied `ListStorage`.
#
# **What to look at:** the two call logs are identical. The manager does not know, and cannot
# know, which strategy it was given. Only the *inside* of each backend differs.


# %%
class SpyStorage(StorageBackend):
    """A backend that forwards to another backend and records each call."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = []

    def save(self, key, value):
        self.calls.append(f"save({key!r}, {value!r})")
        return self.inner.save(key, value)

    def load(self, key):
        result = self.inner.load(key)
        self.calls.append(f"load({key!r}) -> {result!r}")
        return result

    def list_all(self):
        result = self.inner.list_all()
        self.calls.append(f"list_all() -> {len(list(result))} item(s)")
        return result


def run_script(backend_class):
    spy = SpyStorage(backend_class())
    manager = TaskManager(spy)
    manager.add_task(1, "Write the README")
    manager.add_task(2, "Add an index on tasks.user_id")
    manager.get_task(2)
    manager.get_task(99)  # a missing task loads as None
    return spy


spies = {cls.__name__: run_script(cls) for cls in (DictStorage, ListStorage)}
for name, spy in spies.items():
    print(f"--- TaskManager talking to {name} ---")
    for call in spy.calls:
        print("   ", call)
    print("    what the backend holds inside:", getattr(spy.inner, "__dict__", spy.inner))
    print()

logs = [spy.calls for spy in spies.values()]
assert logs[0] == logs[1], "the manager should make the same calls whatever the backend"

# %%
check_prediction(
    calls_predicted,
    len(logs[0]),
    explanation=(
        "One backend call per manager call: add_task is one save, get_task is one load, and a "
        "missing task is just a load that returns None. The manager adds nothing of its own, "
        "which is what lets any backend stand in for any other."
    ),
)

# %% [markdown]
# ## Interchangeable behaviour, different cost
#
# Both strategies give the same answers, but a dictionary finds a key by hashing it while a
# list of `(key, value)` pairs has to walk the list. We grow both stores and time random
# lookups at a few sizes.
#
# **What to look at:** the list line climbs with the number of tasks (linear scan), the dict
# line stays flat. Times depend on your machine and are only shown, never checked. Picking
# a strategy is a decision about the workload, and the pattern lets you change that decision
# in one line (the constructor call) without touching `TaskManager`.

# %%
sizes = [250, 500, 1000, 2000]
lookups = 200
rng = random.Random(28)
micros = {}
for backend_class in (DictStorage, ListStorage):
    manager = TaskManager(backend_class())
    stored = 0
    micros[backend_class.__name__] = []
    for size in sizes:
        while stored < size:
            manager.add_task(stored, f"task {stored}")
            stored += 1
        keys = [rng.randrange(size) for _ in range(lookups)]
        start = time.perf_counter()
        for key in keys:
            manager.get_task(key)
        micros[backend_class.__name__].append((time.perf_counter() - start) / lookups * 1e6)

fig, ax = plt.subplots(figsize=(6, 3.5))
for name, values in micros.items():
    ax.plot(sizes, values, marker="o", label=name)
ax.set_xlabel("tasks stored")
ax.set_ylabel("microseconds per get_task")
ax.set_title("Same interface, different cost curve")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## 2. Observer: an event bus you can trace
#
# The publisher calls `bus.publish("task_created", task)` and nothing else. Three subscribers
# react: an audit log, a notifier, and a statistics counter. A fourth, `flaky_webhook`, raises
# an exception.
#
# **What to look at:** the order of delivery (subscription order), the publisher's code
# never naming a subscriber, and the design decision in `publish`: a crashing subscriber is
# reported and skipped, so it cannot stop the others. Whether that is right for your system
# is a choice you should make on purpose.


# %%
class EventBus:
    def __init__(self):
        self._subscribers = {}

    def subscribe(self, event, handler):
        self._subscribers.setdefault(event, []).append(handler)

    def unsubscribe(self, event, handler):
        self._subscribers.get(event, []).remove(handler)

    def publish(self, event, payload):
        print(f"publish {event} {payload}")
        for handler in list(self._subscribers.get(event, [])):
            try:
                handler(payload)
                print(f"   -> {handler.__name__}: ok")
            except Exception as exc:
                print(f"   -> {handler.__name__}: FAILED ({exc}); other subscribers still run")


audit_log, stats = [], {"created": 0}


def write_audit_log(task):
    audit_log.append(f"task {task['id']} created by {task['owner']}")


def notify_owner(task):
    pass  # a real notifier would send mail here


def count_created(task):
    stats["created"] += 1


def flaky_webhook(task):
    raise ConnectionError("webhook endpoint timed out")


bus = EventBus()
for handler in (write_audit_log, flaky_webhook, notify_owner, count_created):
    bus.subscribe("task_created", handler)

bus.publish("task_created", {"id": 1, "owner": "ada"})
bus.unsubscribe("task_created", flaky_webhook)
bus.publish("task_created", {"id": 2, "owner": "grace"})
bus.publish("task_deleted", {"id": 1})  # nobody listens: nothing happens
print()
print("audit log:", audit_log)
print("stats:", stats)

# %% [markdown]
# **Your turn.** Write a subscriber `count_by_owner(task)` that adds one to
# `per_owner[task["owner"]]` for every `task_created` event it receives (start a new owner
# at 1). The publisher will not change at all: that is the point of the pattern.

# %% tags=["exercise"] answer="ch28_count_by_owner"
per_owner = {}


def count_by_owner(task):
    """Subscriber: count created tasks per owner in per_owner."""
    raise NotImplementedError("your turn")


# %%
def subscriber_problem(handler):
    per_owner.clear()
    for number, owner in enumerate(["ada", "grace", "ada"], start=1):
        handler({"id": number, "owner": owner})
    expected = {"ada": 2, "grace": 1}
    if per_owner != expected:
        return f"after tasks by ada, grace and ada, per_owner is {per_owner}; expected {expected}"
    return None


check_value(count_by_owner, subscriber_problem, what="count_by_owner subscriber")

# %% [markdown]
# ## 3. Decorator: the onion, printed
#
# `LoggingTaskService` wraps `CachingTaskService`, which wraps `TaskService` (a pretend
# database). All three share one method, `get_task`, so each layer can stand in for the one it
# wraps. A tiny tracer indents each call by its depth.
#
# **What to look at:** on the first request the call goes through every layer to the
# database; on the second the cache answers and `TaskService` is never entered.

# %%
trace_lines = []
depth = [0]


@contextmanager
def layer(label):
    trace_lines.append("    " * depth[0] + label)
    depth[0] += 1
    try:
        yield
    finally:
        depth[0] -= 1


class TaskService:
    def get_task(self, task_id):
        with layer(f"TaskService.get_task({task_id})  reads the database"):
            return {"id": task_id, "title": f"task {task_id}"}


class CachingTaskService:
    def __init__(self, inner):
        self.inner, self.cache = inner, {}

    def get_task(self, task_id):
        hit = task_id in self.cache
        with layer(f"CachingTaskService.get_task({task_id})  {'HIT' if hit else 'miss'}"):
            if not hit:
                self.cache[task_id] = self.inner.get_task(task_id)
            return self.cache[task_id]


class LoggingTaskService:
    def __init__(self, inner):
        self.inner = inner

    def get_task(self, task_id):
        with layer(f"LoggingTaskService.get_task({task_id})  writes a log line"):
            return self.inner.get_task(task_id)


def show(service, requests):
    trace_lines.clear()
    for task_id in requests:
        service.get_task(task_id)
    print("\n".join(trace_lines))


print("Logging(Caching(TaskService)): every request is logged")
show(LoggingTaskService(CachingTaskService(TaskService())), [7, 7])

# %% [markdown]
# **Predict first.** Next the cache becomes the *outer* layer. When task 7 is requested the
# second time, how many layers will the call enter (how many lines will the tracer print for
# that second request)?

# %% tags=["predict"] answer="ch28_cache_outside"
layers_entered_second_time = ...

# %% [markdown]
# ## Same layers, other order
#
# Now the cache is the outer layer. **What to look at:** the second request never reaches
# the logging layer, so a cache hit leaves no log line. Neither order is wrong; they answer
# different questions ("log every request" vs "log every database read"). The order of
# wrapping is a design decision, made in the one place where the objects are assembled.

# %%
print("Caching(Logging(TaskService)): only cache misses are logged")
show(CachingTaskService(LoggingTaskService(TaskService())), [7, 7])

# %%
cache_outside = CachingTaskService(LoggingTaskService(TaskService()))
cache_outside.get_task(7)
trace_lines.clear()
cache_outside.get_task(7)
check_prediction(
    layers_entered_second_time,
    len(trace_lines),
    explanation=(
        "Only the cache: it holds task 7 after the first request and answers without calling "
        "the layer it wraps, so neither the logger nor the database sees the second request."
    ),
)

# %% [markdown]
# ## Try this
#
# - Add a third backend (for example one that keeps tasks in a `sqlite3` in-memory database)
#   and pass it to `run_script`. The spy's call log should not change at all.
# - Change `EventBus.publish` so that a failing subscriber stops the delivery. Which of the
#   subscribers above would you rather lose, and which would you rather crash loudly?
# - Add a `TimingTaskService` layer and try it in each position of the onion. Where does it
#   measure the database, and where does it measure the cache?
# - Once your `exercises/ch28/strategy_storage.py` passes its grader, re-run this notebook
#   and check that the cell which loads it reports that it is using *your* classes.
