"""Grader for ch28/strategy_storage: an abstract backend, two strategies, an injected manager."""

from __future__ import annotations

import copy

import pytest

from graders.acts import attempt
from graders.expectations import same, same_items, show
from graders.harness import GradeFailure, Learner, Outcome

EXERCISE = "ch28/strategy_storage"
METHODS = ("save", "load", "list_all")


# -- acts: run inside the sandbox, next to the learner's code ----------------------
def _method_bodies(names):
    def save(self, key, value):
        self.entries[key] = value

    def load(self, key):
        return self.entries.get(key)

    def list_all(self):
        return list(self.entries.values())

    bodies = {"save": save, "load": load, "list_all": list_all}
    namespace = {name: bodies[name] for name in names}

    def __init__(self):  # noqa: N807 - a real __init__ for the made-up subclass
        self.entries = {}

    namespace["__init__"] = __init__
    return namespace


def act_instantiate_base(module):
    return attempt(lambda: type(module.StorageBackend()).__name__)


def act_abstract_methods(module):
    """The names abc records as abstract on StorageBackend (empty if it is not abstract)."""
    return sorted(getattr(module.StorageBackend, "__abstractmethods__", ()))


def act_instantiate_subclass(module, methods):
    """Define a subclass with only ``methods`` and try to make one."""
    cls = type("MadeUpBackend", (module.StorageBackend,), _method_bodies(methods))
    return attempt(lambda: type(cls()).__name__)


def act_storage_script(module, class_name, script):
    """Run (instance, operation, *args) steps on fresh backends; record each result."""
    cls = getattr(module, class_name)
    instances = {}
    records = []
    kept = {}
    for index, operation, *args in script:
        if index not in instances:
            made = attempt(cls)
            if "raised" in made:
                records.append(made)
                return records
            instances[index] = made["returned"]
        storage = instances[index]
        if operation == "mutate_last_list":
            returned = kept.get(index)
            records.append(attempt(lambda r=returned: r.clear() if isinstance(r, list) else None))
            continue
        record = attempt(getattr(storage, operation), *args)
        if operation == "list_all" and "returned" in record:
            kept[index] = record["returned"]
        records.append(record)
    return records


def act_is_backend(module, class_name):
    return attempt(lambda: isinstance(getattr(module, class_name)(), module.StorageBackend))


def _attribute_values(obj):
    """Every attribute value the object holds, whether in __dict__ or in __slots__."""
    values = list(getattr(obj, "__dict__", {}).values())
    for cls in type(obj).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        for name in [slots] if isinstance(slots, str) else slots:
            if name not in ("__dict__", "__weakref__") and hasattr(obj, name):
                values.append(getattr(obj, name))
    return values


def act_inner_containers(module, class_name, pairs):
    """Save pairs, then report which dicts and lists the object keeps in its attributes."""
    storage = getattr(module, class_name)()
    for key, value in pairs:
        storage.save(key, value)
    values = _attribute_values(storage)
    held = []
    for value in values:
        if isinstance(value, dict):
            held.append(copy.deepcopy(dict(value)))
        elif isinstance(value, list):
            held.append(copy.deepcopy(list(value)))
    return held


class _Spy:
    """A backend the grader wrote: it remembers every call made to it."""

    def __init__(self):
        self.calls = []
        self.entries = {}

    def save(self, key, value):
        self.calls.append(["save", key, copy.deepcopy(value)])
        self.entries[key] = value

    def load(self, key):
        self.calls.append(["load", key])
        return self.entries.get(key)

    def list_all(self):
        self.calls.append(["list_all"])
        return list(self.entries.values())


def _spy_backend(module):
    """A spy that is a StorageBackend if the learner's base class allows it (task 1 may be
    unfinished: task 4 is graded on its own, so fall back to a plain duck-typed spy)."""
    try:
        spy_class = type("SpyBackend", (_Spy, module.StorageBackend), {})
        return spy_class()
    except Exception:  # noqa: BLE001 - any broken base class: use the plain spy
        return _Spy()


def act_manager_with_spy(module, task_id, title):
    """add_task then get_task through a spy backend; report calls and results."""
    spy = _spy_backend(module)
    made = attempt(module.TaskManager, spy)
    if "raised" in made:
        return {"made": made}
    manager = made["returned"]
    added = attempt(manager.add_task, task_id, title)
    calls_on_add = list(spy.calls)
    spy.calls.clear()
    got = attempt(manager.get_task, task_id)
    return {
        "made": {"returned": None},
        "added": added,
        "calls_on_add": calls_on_add,
        "got": got,
        "calls_on_get": list(spy.calls),
        "entries": copy.deepcopy(spy.entries),
    }


def act_manager_reads_backend(module, task_id):
    """After add_task, change the backend behind the manager's back; get_task must see it."""
    spy = _spy_backend(module)
    manager = module.TaskManager(spy)
    manager.add_task(task_id, "Original title")
    manager.get_task(task_id)
    spy.entries[task_id] = {"title": "Changed by another process"}
    return attempt(manager.get_task, task_id)


def act_two_managers(module):
    backend = _spy_backend(module)
    first, second = module.TaskManager(backend), module.TaskManager(backend)
    first.add_task(1, "Shared")
    return {"second_sees": attempt(second.get_task, 1), "backend_holds": backend.entries.get(1)}


def act_manager_session(module, steps):
    """A session of add_task/get_task on one spy backend; also report what the spy holds."""
    backend = _spy_backend(module)
    made = attempt(module.TaskManager, backend)
    if "raised" in made:
        return {"made": made}
    manager = made["returned"]
    records = [attempt(getattr(manager, name), *args) for name, *args in steps]
    return {"made": made, "records": records, "entries": copy.deepcopy(backend.entries)}


# -- helpers for the judge ---------------------------------------------------------
def describe_step(step: tuple) -> str:
    index, operation, *args = step
    name = "ab"[index]
    if operation == "mutate_last_list":
        return "returned_list.clear()"
    return f"{name}.{operation}({', '.join(show(a) for a in args)})"


def run_script(learner: Learner, class_name: str, script: list[tuple]) -> list[tuple[str, dict]]:
    """Run the script and pair each step's description with its record."""
    used = sorted({step[0] for step in script})
    setup = "; ".join(f"{'ab'[i]} = {class_name}()" for i in used)
    texts = [setup] + [describe_step(step) for step in script]
    records = learner.run(act_storage_script, class_name, script, call="; ".join(texts)).value(
        "the storage calls to run"
    )
    if len(records) < len(script):  # the constructor raised
        Outcome.from_attempt(f"{class_name}()", records[-1]).value()
    history = setup
    paired = []
    for step, record in zip(script, records, strict=False):
        history += "; " + describe_step(step)
        paired.append((history, record))
    return paired


def expect_list_all(
    call: str,
    record: dict,
    values: list,
    note: str = "list_all gives the stored value of each key, once",
) -> None:
    outcome = Outcome.from_attempt(call, record)
    value = outcome.value("a list of the stored values")
    if type(value) is not list:
        raise outcome.fail(
            f"a list (of the stored values), not {type(value).__name__}",
            note="wrap it in list(...): a dict view or generator is not a new list",
        )
    pairs = all(isinstance(item, tuple) and len(item) == 2 for item in value)
    if value and pairs and same_items([item[1] for item in value], values):
        raise outcome.fail(
            f"these items, in any order: {show(values)}",
            note="it returned (key, value) pairs; list_all returns the stored values "
            "themselves, one per key",
        )
    outcome.expect_items(values, note=note)


BACKENDS = [
    pytest.param("DictStorage", marks=pytest.mark.task(2), id="DictStorage"),
    pytest.param("ListStorage", marks=pytest.mark.task(3), id="ListStorage"),
]


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend class under test; module scope groups each backend's tests together."""
    return request.param


# -- task 1 --------------------------------------------------------------------------
@pytest.mark.task(1)
def test_base_class_cannot_be_instantiated(learner):
    """StorageBackend() raises TypeError: it is abstract"""
    record = learner.run(act_instantiate_base, call="StorageBackend()").value()
    Outcome.from_attempt("StorageBackend()", record).expect_raises(
        TypeError, note="inherit from abc.ABC and mark save, load and list_all @abstractmethod"
    )


@pytest.mark.task(1)
@pytest.mark.parametrize("missing", METHODS)
def test_incomplete_subclass_cannot_be_instantiated(learner, missing):
    """a subclass that leaves out one of the three methods cannot be instantiated"""
    present = [name for name in METHODS if name != missing]
    call = (
        f"class MadeUpBackend(StorageBackend) defining only {' and '.join(present)}; "
        "MadeUpBackend()"
    )
    record = learner.run(act_instantiate_subclass, present, call=call).value()
    Outcome.from_attempt(call, record).expect_raises(
        TypeError, note=f"{missing} must be an @abstractmethod, so forgetting it is caught early"
    )


@pytest.mark.task(1)
def test_complete_subclass_can_be_instantiated(learner):
    """exactly save, load and list_all are abstract, so a subclass defining them can be made"""
    call = "StorageBackend.__abstractmethods__"
    names = learner.run(act_abstract_methods, call=call).value()
    if names != sorted(METHODS):
        raise GradeFailure(
            f"Called:   {call}\nGot:      {show(names)}\nExpected: {show(sorted(METHODS))}\n"
            "Why:      the base class promises these three methods and nothing else; abc "
            "lists the methods marked @abstractmethod on a class that inherits from ABC"
        )
    call = "class MadeUpBackend(StorageBackend) defining all three methods; MadeUpBackend()"
    record = learner.run(act_instantiate_subclass, list(METHODS), call=call).value()
    Outcome.from_attempt(call, record).expect("MadeUpBackend")


# -- tasks 2 and 3: the same contract for both strategies -------------------------
def test_is_a_storage_backend(learner, backend):
    """the backend is a StorageBackend (isinstance is True)"""
    call = f"isinstance({backend}(), StorageBackend)"
    record = learner.run(act_is_backend, backend, call=call).value()
    Outcome.from_attempt(call, record).expect(True)


def test_save_then_load(learner, backend):
    """load returns exactly what save stored, for several keys and kinds of value"""
    pairs = [
        (1, {"title": "Write the report"}),
        ("draft", "text"),
        ((2, 3), [1, 2]),
        ("zero", 0),
        ("empty", {}),
        ("no", False),
    ]
    script = [(0, "save", k, v) for k, v in pairs] + [(0, "load", k) for k, _ in pairs]
    paired = run_script(learner, backend, script)
    for (call, record), (_, value) in zip(paired[len(pairs) :], pairs, strict=True):
        Outcome.from_attempt(call, record).expect(
            value, note="load returns the saved value as it is, even a falsy one like 0 or {}"
        )


def test_missing_key_loads_as_none(learner, backend):
    """loading a key that was never saved returns None (no KeyError)"""
    script = [(0, "load", 1), (0, "save", "a", 1), (0, "load", "b"), (0, "load", 0)]
    paired = run_script(learner, backend, script)
    for index in (0, 2, 3):
        call, record = paired[index]
        Outcome.from_attempt(call, record).expect(None, note="a missing key loads as None")


def test_saving_again_replaces(learner, backend):
    """saving an existing key replaces its value and keeps one entry for it"""
    script = [
        (0, "save", "k", "first"),
        (0, "save", "other", 1),
        (0, "save", "k", "second"),
        (0, "save", "k", "third"),
        (0, "load", "k"),
        (0, "list_all"),
    ]
    paired = run_script(learner, backend, script)
    Outcome.from_attempt(*paired[4]).expect("third", note="the newest save wins")
    expect_list_all(*paired[5], ["third", 1])


def test_list_all_gives_every_value(learner, backend):
    """list_all returns a new list of the stored values, one per key (any order)"""
    pairs = [(3, {"title": "c"}), (1, {"title": "a"}), (2, {"title": "b"}), (4, {"title": "a"})]
    script = [(0, "list_all")] + [(0, "save", k, v) for k, v in pairs] + [(0, "list_all")]
    paired = run_script(learner, backend, script)
    expect_list_all(*paired[0], [])
    expect_list_all(*paired[-1], [value for _, value in pairs])


def test_list_all_returns_a_copy(learner, backend):
    """clearing the list that list_all returned does not empty the backend"""
    script = [
        (0, "save", "a", 1),
        (0, "save", "b", 2),
        (0, "list_all"),
        (0, "mutate_last_list"),
        (0, "list_all"),
        (0, "load", "a"),
    ]
    paired = run_script(learner, backend, script)
    note = "return a new list (list(...)), not the list or dict view the backend keeps"
    expect_list_all(*paired[-2], [1, 2], note=note)
    Outcome.from_attempt(*paired[-1]).expect(1, note=note)


def test_instances_do_not_share_entries(learner, backend):
    """two backend objects keep separate entries"""
    script = [
        (0, "save", "a", 1),
        (1, "load", "a"),
        (1, "list_all"),
        (1, "save", "b", 2),
        (0, "list_all"),
    ]
    paired = run_script(learner, backend, script)
    note = "create the dict or list in __init__ (self.x = ...), not as a class attribute"
    Outcome.from_attempt(*paired[1]).expect(None, note=note)
    expect_list_all(*paired[2], [], note=note)
    expect_list_all(*paired[4], [1], note=note)


def test_keeps_entries_in_the_documented_container(learner, backend):
    """DictStorage keeps a dict; ListStorage keeps a list of (key, value) tuples"""
    pairs = [("a", 1), (2, {"title": "b"}), ("a", 3)]
    call = (
        f"s = {backend}(); s.save('a', 1); s.save(2, {{'title': 'b'}}); s.save('a', 3); "
        "the attributes of s"
    )
    held = learner.run(act_inner_containers, backend, pairs, call=call).value()
    expected = [("a", 3), (2, {"title": "b"})]
    if backend == "DictStorage":
        found = any(same(value, dict(expected)) for value in held)
        wanted = f"an attribute holding the dict {show(dict(expected))}"
    else:
        found = any(type(value) is list and same_items(value, expected) for value in held)
        wanted = f"an attribute holding a list of the tuples {show(expected)} (any order)"
    if not found:
        raise GradeFailure(
            f"Called:   {call}\nGot:      the dicts and lists it holds: {show(held)}\n"
            f"Expected: {wanted}"
        )


# -- task 4 --------------------------------------------------------------------------
@pytest.mark.task(4)
def test_manager_saves_and_loads_through_the_injected_backend(learner):
    """TaskManager calls save and load on the backend it was given"""
    call = "spy = SpyBackend(); m = TaskManager(spy); m.add_task(7, 'Fix login'); m.get_task(7)"
    result = learner.run(act_manager_with_spy, 7, "Fix login", call=call).value()
    Outcome.from_attempt("TaskManager(spy)", result["made"]).value()
    Outcome.from_attempt("m.add_task(7, 'Fix login')", result["added"]).expect(None)
    saves = [c for c in result["calls_on_add"] if c[0] == "save"]
    if not same(saves, [["save", 7, {"title": "Fix login"}]]):
        raise GradeFailure(
            f"Called:   {call}\nGot:      calls the backend received during add_task: "
            f"{show(result['calls_on_add'])}\n"
            "Expected: exactly one call save(7, {'title': 'Fix login'}) on the injected backend\n"
            "Why:      TaskManager must store through the backend it receives, never its own"
        )
    if ["load", 7] not in result["calls_on_get"]:
        raise GradeFailure(
            f"Called:   {call}\nGot:      calls the backend received during get_task: "
            f"{show(result['calls_on_get'])}\nExpected: a call load(7) on the injected backend"
        )
    Outcome.from_attempt("m.get_task(7)", result["got"]).expect({"title": "Fix login"})


@pytest.mark.task(4)
def test_manager_reads_the_backend_every_time(learner):
    """get_task returns what the backend holds now, even if it changed elsewhere"""
    call = (
        "spy = SpyBackend(); m = TaskManager(spy); m.add_task('T-1', 'Original title'); "
        "spy.entries['T-1'] = {'title': 'Changed by another process'}; m.get_task('T-1')"
    )
    record = learner.run(act_manager_reads_backend, "T-1", call=call).value()
    Outcome.from_attempt(call, record).expect(
        {"title": "Changed by another process"},
        note="the backend is the single source of truth: keep no copy of the tasks",
    )


@pytest.mark.task(4)
def test_two_managers_share_one_backend(learner):
    """two TaskManagers given the same backend see each other's tasks"""
    call = "b = SpyBackend(); TaskManager(b).add_task(1, 'Shared'); TaskManager(b).get_task(1)"
    result = learner.run(act_two_managers, call=call).value()
    if not same(result["backend_holds"], {"title": "Shared"}):
        raise GradeFailure(
            f"Called:   {call}\nGot:      the backend holds {show(result['backend_holds'])} "
            "under key 1\nExpected: {'title': 'Shared'} under key 1\n"
            "Why:      add_task saves {'title': title} in the injected backend"
        )
    Outcome.from_attempt(call, result["second_sees"]).expect({"title": "Shared"})


@pytest.mark.task(4)
def test_manager_session(learner):
    """add, read, re-add and miss tasks; the backend keeps one {'title': ...} per id"""
    steps = [
        ("add_task", 1, "Write the report"),
        ("add_task", "B-2", "Fix login"),
        ("get_task", 1),
        ("get_task", 99),
        ("add_task", 1, "Write the final report"),
        ("get_task", 1),
        ("get_task", "B-2"),
    ]
    expected = [
        None,
        None,
        {"title": "Write the report"},
        None,
        None,
        {"title": "Write the final report"},
        {"title": "Fix login"},
    ]
    result = learner.run(act_manager_session, steps, call="m = TaskManager(SpyBackend()); ...")
    result = result.value()
    history = "m = TaskManager(SpyBackend())"
    Outcome.from_attempt(history, result["made"]).value()
    for (name, *args), record, want in zip(steps, result["records"], expected, strict=False):
        history += f"; m.{name}({', '.join(show(a) for a in args)})"
        Outcome.from_attempt(history, record).expect(want)
    held = {1: {"title": "Write the final report"}, "B-2": {"title": "Fix login"}}
    if not same(result["entries"], held):
        raise GradeFailure(
            f"Called:   {history}\nGot:      the backend holds {show(result['entries'])}\n"
            f"Expected: {show(held)}\nWhy:      every task is saved in the injected backend"
        )
