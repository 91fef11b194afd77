"""Grader for ch34/consistent_hash: a hash ring with virtual nodes.

The exercise fixes the ring completely (MD5 positions from ``ring_hash``, points labelled
``f"{node}#{i}"``, "first point at or after, wrapping round"), so the judge's own model
says where every key must go and any correct ring agrees with it key for key. That also
catches Python's built-in ``hash()``: the sandbox pins PYTHONHASHSEED, so hash() would be
stable there, but it would not give the documented positions.

Before the exact comparison, the movement tests check the promises a learner can reason
about: adding a node moves about 1/(N+1) of 10,000 keys, all of them to the new node;
removing one moves only its own keys.
"""

from __future__ import annotations

import bisect
import hashlib
from collections import Counter

import pytest
from hypothesis import strategies as st

from graders.acts import attempt
from graders.differential import agree_run
from graders.expectations import same
from graders.harness import GradeFailure, Learner, Outcome

EXERCISE = "ch34/consistent_hash"

KEYS = [f"task:{i}" for i in range(10_000)]
FEW_KEYS = KEYS[:2_000]
LAYOUT_NOTE = (
    "each node has points at ring_hash(f'{node}#{i}') for i in range(replicas); a key goes "
    "to the node of the first point at or after ring_hash(key), wrapping round to the "
    "smallest point. Use ring_hash for keys and points, never Python's hash()"
)


# -- acts: run inside the sandbox, next to the learner's code ----------------------
def _map(ring, keys):
    nodes = []
    for key in keys:
        record = attempt(ring.get_node, key)
        if "raised" in record:
            record["key"] = key
            return record
        nodes.append(record["returned"])
    return {"returned": nodes}


def act_ring(module, nodes, replicas, ops, keys):
    """Build a ring, then run ("add", n) / ("remove", n) / ("map",) steps."""
    kwargs = {} if replicas is None else {"replicas": replicas}
    made = attempt(lambda: module.HashRing(list(nodes), **kwargs))
    if "raised" in made:
        return {"made": made, "steps": []}
    ring = made["returned"]
    steps = []
    for op in ops:
        if op[0] == "map":
            steps.append(_map(ring, keys))
        elif op[0] == "add":
            steps.append(attempt(ring.add_node, op[1]))
        else:
            steps.append(attempt(ring.remove_node, op[1]))
    return {"made": {"returned": None}, "steps": steps}


def act_two_rings(module, keys):
    """Two rings with different nodes, built one after the other: each keeps its own."""
    first = module.HashRing(["cache-a", "cache-b"], replicas=5)
    second = module.HashRing(["cache-x"], replicas=5)
    return {
        "first": _map(first, keys),
        "second": _map(second, keys),
        "add": attempt(second.add_node, "cache-a"),
    }


def act_construct(module, nodes, replicas):
    record = attempt(lambda: module.HashRing(list(nodes), replicas=replicas))
    return {"returned": None} if "returned" in record else record


# -- the judge's own ring --------------------------------------------------------------
def position(text: str) -> int:
    return int.from_bytes(hashlib.md5(text.encode("utf-8"), usedforsecurity=False).digest(), "big")


class RingModel:
    def __init__(self, nodes=(), replicas=100):
        self.replicas = replicas
        self.nodes = set()
        for node in nodes:
            self.add(node)

    def add(self, node):
        self.nodes.add(node)

    def remove(self, node):
        self.nodes.discard(node)

    def points(self):
        return sorted((position(f"{n}#{i}"), n) for n in self.nodes for i in range(self.replicas))

    def mapping(self, keys):
        points = self.points()
        where = [p for p, _ in points]
        return [points[bisect.bisect_left(where, position(k)) % len(points)][1] for k in keys]


# -- describing and judging ------------------------------------------------------------
def constructor(nodes, replicas):
    extra = "" if replicas is None else f", replicas={replicas}"
    return f"ring = HashRing({list(nodes)!r}{extra})"


def op_text(op):
    return {"add": "ring.add_node({!r})", "remove": "ring.remove_node({!r})"}[op[0]].format(op[1])


def run_ring(learner: Learner, nodes, replicas, ops, keys):
    """Run the steps; return (description of each step, what each step gave)."""
    call = constructor(nodes, replicas)
    record = learner.run(act_ring, nodes, replicas, ops, keys, call=call).value("the ring")
    Outcome.from_attempt(call, record["made"]).value("a HashRing to be created")
    texts, lines = [], [call]
    for op in ops:
        if op[0] == "map":
            texts.append("\n          ".join([*lines, f"ring.get_node(key) for {len(keys)} keys"]))
        else:
            lines.append(op_text(op))
            texts.append("\n          ".join(lines))
    for text, op, seen in zip(texts, ops, record["steps"], strict=True):
        if op[0] != "map":
            Outcome.from_attempt(text, seen).value(f"{op_text(op)} to succeed")
    return texts, record["steps"]


def mapping_of(text, seen):
    """The list of nodes a 'map' step returned; fails nicely if a get_node call raised."""
    if "key" in seen:
        Outcome.from_attempt(f"{text}\n          ring.get_node({seen['key']!r})", seen).value(
            "a node name"
        )
    return Outcome.from_attempt(text, seen).value("a node for every key")


def expect_mapping(text, seen, keys, expected, note=LAYOUT_NOTE, model=None):
    got = mapping_of(text, seen)
    wrong = [i for i, (g, e) in enumerate(zip(got, expected, strict=True)) if not same(g, e)]
    if wrong and model is not None:
        last = model.points()[-1][0]
        if all(position(keys[i]) > last for i in wrong):
            note = (
                "every key on the wrong node lies beyond the last point of the ring: there is "
                "no point at or after it, so wrap round to the point with the smallest position"
            )
    if wrong:
        examples = "\n          ".join(
            f"ring.get_node({keys[i]!r}) returned {got[i]!r}, expected {expected[i]!r}"
            for i in wrong[:4]
        )
        raise GradeFailure(
            f"Called:   {text}\n"
            f"Got:      {len(wrong)} of {len(keys)} keys on the wrong node, for example\n"
            f"          {examples}\n"
            "Expected: every key on the node the documented ring gives it\n"
            f"Why:      {note}"
        )


def check_layout(learner, nodes, replicas, keys, note=LAYOUT_NOTE):
    texts, steps = run_ring(learner, nodes, replicas, [("map",)], keys)
    model = RingModel(nodes, 100 if replicas is None else replicas)
    expect_mapping(texts[0], steps[0], keys, model.mapping(keys), note, model)


# -- task 1: the ring and get_node ---------------------------------------------------------
@pytest.mark.task(1)
def test_one_node_owns_every_key(learner):
    """with a single node, every key goes to it"""
    check_layout(learner, ["solo"], None, FEW_KEYS[:200])


@pytest.mark.task(1)
def test_one_point_per_node(learner):
    """replicas=1: each key goes to the node of the next point round the ring"""
    check_layout(learner, ["cache-a", "cache-b", "cache-c"], 1, FEW_KEYS)


@pytest.mark.task(1)
def test_a_few_points_per_node(learner):
    """replicas=3 with four nodes: every one of 2,000 keys lands where the ring says"""
    check_layout(learner, ["east", "west", "north", "south"], 3, FEW_KEYS)


@pytest.mark.task(1)
def test_default_ring_of_four_nodes(learner):
    """HashRing(four nodes) uses 100 points per node; all 10,000 keys land where they should"""
    check_layout(learner, ["cache-a", "cache-b", "cache-c", "cache-d"], None, KEYS)


@pytest.mark.task(1)
def test_a_key_exactly_on_a_point_belongs_to_that_point(learner):
    """a key whose hash equals a point's position goes to that point's node ('at or after')"""
    nodes = ["cache-a", "cache-b", "cache-c"]
    keys = [f"{node}#{i}" for node in nodes for i in range(4)]
    texts, steps = run_ring(learner, nodes, 4, [("map",)], keys)
    expect_mapping(
        texts[0],
        steps[0],
        keys,
        [key.split("#")[0] for key in keys],
        note="the key 'cache-b#2' has the very position of cache-b's point 2: 'the first "
        "point at or after' is that point itself (bisect_left, not bisect_right)",
    )


@pytest.mark.task(1)
def test_keys_past_the_last_point_wrap_round(learner):
    """a key beyond the last point goes round the circle to the first point's node"""
    nodes = ["cache-a", "cache-b", "cache-c"]
    model = RingModel(nodes, 1)
    points = model.points()
    keys = [k for k in (f"wrap:{i}" for i in range(400)) if position(k) > points[-1][0]][:6]
    texts, steps = run_ring(learner, nodes, 1, [("map",)], keys)
    expect_mapping(
        texts[0],
        steps[0],
        keys,
        [points[0][1]] * len(keys),
        note="no point at or after the key's position: wrap round to the point with the "
        f"smallest position, which belongs to {points[0][1]!r}",
    )


@pytest.mark.task(1)
def test_an_empty_ring_has_no_node(learner):
    """get_node on a ring without nodes raises LookupError"""
    texts, steps = run_ring(learner, [], None, [("map",)], ["task:1"])
    seen = steps[0]
    outcome = Outcome.from_attempt("ring = HashRing([])\n          ring.get_node('task:1')", seen)
    outcome.expect_raises(LookupError, note="there is no node to give; raise LookupError")


@pytest.mark.task(1)
@pytest.mark.parametrize("replicas", [0, -3])
def test_replicas_below_one_is_refused(learner, replicas):
    """HashRing(..., replicas below 1) raises ValueError"""
    call = f"HashRing(['cache-a'], replicas={replicas})"
    record = learner.run(act_construct, ["cache-a"], replicas, call=call).value()
    outcome = Outcome.from_attempt(call, record)
    if outcome.returned:
        raise outcome.fail("ValueError to be raised", got="Got:      a HashRing was created")
    outcome.expect_raises(ValueError)


# -- task 2: adding and removing nodes ---------------------------------------------------
def moves(before, after):
    return [(k, b, a) for k, b, a in zip(KEYS, before, after, strict=True) if not same(b, a)]


@pytest.mark.task(2)
def test_a_new_node_takes_only_its_share(learner):
    """adding a 5th node moves about 1/5 of 10,000 keys, and every moved key goes to it"""
    nodes = ["cache-a", "cache-b", "cache-d", "cache-e"]
    ops = [("map",), ("add", "cache-c"), ("map",)]
    texts, steps = run_ring(learner, nodes, None, ops, KEYS)
    before, after = mapping_of(texts[0], steps[0]), mapping_of(texts[2], steps[2])
    moved = moves(before, after)
    elsewhere = [m for m in moved if not same(m[2], "cache-c")]
    if elsewhere:
        key, old, new = elsewhere[0]
        raise GradeFailure(
            f"Called:   {texts[2]}\n"
            f"Got:      {len(elsewhere)} keys moved between the old nodes, for example "
            f"{key!r} from {old!r} to {new!r}\n"
            "Expected: keys move only to the new node, cache-c\n"
            "Why:      the old nodes' points must stay where they are when a node joins. "
            "hash % N sends almost every key elsewhere, and so do points labelled by a "
            "node's position in a list; label them f'{node}#{i}'"
        )
    ideal = len(KEYS) // 5
    if not ideal // 2 <= len(moved) <= 2 * ideal:
        raise GradeFailure(
            f"Called:   {texts[2]}\n"
            f"Got:      {len(moved)} of {len(KEYS)} keys moved\n"
            f"Expected: about 1/5 of them ({ideal}), certainly between {ideal // 2} and "
            f"{2 * ideal}\n"
            "Why:      the new node takes over only the arcs just before its own points; "
            "hash % N would move almost every key"
        )
    model = RingModel([*nodes, "cache-c"])
    expect_mapping(texts[2], steps[2], KEYS, model.mapping(KEYS), model=model)


@pytest.mark.task(2)
def test_removing_a_node_moves_only_its_keys(learner):
    """removing a node moves its keys to the others and leaves every other key alone"""
    nodes = ["cache-a", "cache-b", "cache-c", "cache-d", "cache-e"]
    ops = [("map",), ("remove", "cache-b"), ("map",)]
    texts, steps = run_ring(learner, nodes, None, ops, KEYS)
    before, after = mapping_of(texts[0], steps[0]), mapping_of(texts[2], steps[2])
    still = [k for k, node in zip(KEYS, after, strict=True) if same(node, "cache-b")]
    if still:
        raise GradeFailure(
            f"Called:   {texts[2]}\n"
            f"Got:      {len(still)} keys still go to the removed node, e.g. {still[0]!r}\n"
            "Expected: no key on cache-b\n"
            "Why:      remove every one of the node's points from the ring, not just its name"
        )
    wrongly = [m for m in moves(before, after) if not same(m[1], "cache-b")]
    if wrongly:
        key, old, new = wrongly[0]
        raise GradeFailure(
            f"Called:   {texts[2]}\n"
            f"Got:      {len(wrongly)} keys that were not on cache-b moved, e.g. {key!r} "
            f"from {old!r} to {new!r}\n"
            "Expected: only cache-b's keys move\n"
            "Why:      the other nodes' points stay exactly where they were"
        )
    model = RingModel(["cache-a", "cache-c", "cache-d", "cache-e"])
    expect_mapping(texts[2], steps[2], KEYS, model.mapping(KEYS), model=model)


@pytest.mark.task(2)
def test_adding_then_removing_restores_every_key(learner):
    """add a node and remove it again: every key is back on its old node"""
    nodes = ["alpha", "beta", "gamma"]
    ops = [("map",), ("add", "delta"), ("add", "aardvark"), ("remove", "delta")]
    ops += [("remove", "aardvark"), ("map",)]
    texts, steps = run_ring(learner, nodes, 20, ops, FEW_KEYS)
    expect_mapping(texts[-1], steps[-1], FEW_KEYS, mapping_of(texts[0], steps[0]))
    expect_mapping(texts[-1], steps[-1], FEW_KEYS, RingModel(nodes, 20).mapping(FEW_KEYS))


@pytest.mark.task(2)
def test_the_order_nodes_arrive_in_does_not_matter(learner):
    """nodes added one by one, in another order, give the same ring as the constructor"""
    ops = [("add", "cache-a"), ("add", "cache-d"), ("add", "cache-b"), ("map",)]
    texts, steps = run_ring(learner, ["cache-c"], 10, ops, FEW_KEYS)
    model = RingModel(["cache-a", "cache-b", "cache-c", "cache-d"], 10)
    expect_mapping(
        texts[-1],
        steps[-1],
        FEW_KEYS,
        model.mapping(FEW_KEYS),
        note="a node's points depend only on its name and i, never on when it joined",
    )


@pytest.mark.task(2)
def test_a_node_cannot_be_added_twice(learner):
    """add_node of a node already on the ring raises ValueError and changes nothing"""
    nodes = ["cache-a", "cache-b"]
    call = constructor(nodes, 5) + "\n          ring.add_node('cache-a')"
    record = learner.run(act_ring, nodes, 5, [("add", "cache-a"), ("map",)], FEW_KEYS, call=call)
    record = record.value()
    Outcome.from_attempt(constructor(nodes, 5), record["made"]).value("a HashRing")
    Outcome.from_attempt(call, record["steps"][0]).expect_raises(ValueError)
    expect_mapping(
        call + "\n          ring.get_node(key) for 2000 keys",
        record["steps"][1],
        FEW_KEYS,
        RingModel(nodes, 5).mapping(FEW_KEYS),
        note="a refused add_node must leave the ring exactly as it was (check first, then change)",
    )


@pytest.mark.task(2)
def test_removing_an_unknown_node_raises_key_error(learner):
    """remove_node of a node that is not on the ring raises KeyError"""
    call = constructor(["cache-a"], 5) + "\n          ring.remove_node('cache-z')"
    record = learner.run(act_ring, ["cache-a"], 5, [("remove", "cache-z")], [], call=call).value()
    Outcome.from_attempt(call, record["made"]).value("a HashRing")
    Outcome.from_attempt(call, record["steps"][0]).expect_raises(KeyError)


@pytest.mark.task(2)
def test_a_ring_emptied_by_removals_has_no_node(learner):
    """after removing every node, get_node raises LookupError"""
    ops = [("remove", "cache-a"), ("remove", "cache-b"), ("map",)]
    texts, steps = run_ring(learner, ["cache-a", "cache-b"], 5, ops, ["task:1"])
    Outcome.from_attempt(texts[-1], steps[-1]).expect_raises(LookupError)


# -- task 3: virtual nodes balance the load --------------------------------------------
@pytest.mark.task(3)
def test_virtual_nodes_spread_keys_evenly(learner):
    """with 100 points each, the busiest of 10 nodes holds at most 1.5x the keys of the quietest"""
    nodes = [f"node-{i}" for i in range(10)]
    texts, steps = run_ring(learner, nodes, 100, [("map",)], KEYS)
    got = mapping_of(texts[0], steps[0])
    loads = Counter(node for node in got if isinstance(node, str))
    counts = {node: loads.get(node, 0) for node in nodes}
    busiest, quietest = max(counts.values()), min(counts.values())
    if quietest == 0 or busiest > 1.5 * quietest:
        raise GradeFailure(
            f"Called:   {texts[0]}\n"
            f"Got:      keys per node {counts}\n"
            "Expected: every node between about 900 and 1,100 keys (busiest at most 1.5x "
            "the quietest)\n"
            "Why:      with `replicas` points per node, at ring_hash(f'{node}#{i}'), the "
            "arcs between points even out; with one point per node some arcs are huge"
        )
    model = RingModel(nodes, 100)
    expect_mapping(texts[0], steps[0], KEYS, model.mapping(KEYS), model=model)


@pytest.mark.task(3)
@pytest.mark.parametrize("replicas", [10, 250])
def test_replicas_sets_the_number_of_points(learner, replicas):
    """the replicas you pass is the number of points per node: the ring matches exactly"""
    check_layout(learner, ["cache-a", "cache-b", "cache-c"], replicas, FEW_KEYS)


@pytest.mark.task(1)
def test_each_ring_has_its_own_points(learner):
    """two rings built one after the other keep their own nodes and points"""
    keys = KEYS[:500]
    call = (
        "first = HashRing(['cache-a', 'cache-b'], replicas=5); "
        "second = HashRing(['cache-x'], replicas=5)\n"
        "          get_node(key) on each, for 500 keys; then second.add_node('cache-a')"
    )
    got = learner.run(act_two_rings, keys, call=call).value()
    for name, nodes in (("first", ["cache-a", "cache-b"]), ("second", ["cache-x"])):
        answers = got[name].get("returned") or []
        strangers = sorted({a for a in answers if a not in nodes}, key=repr)
        note = (
            f"the {name} ring answered {strangers[:3]!r}, nodes only the other ring was given: "
            "the points or the node set are shared between objects (a class attribute?), not "
            "created in __init__"
            if strangers
            else LAYOUT_NOTE
        )
        expected = RingModel(nodes, 5).mapping(keys)
        expect_mapping(f"{call}  ({name} ring)", got[name], keys, expected, note=note)
    Outcome.from_attempt("second.add_node('cache-a')", got["add"]).value(
        "None: 'cache-a' is on the first ring, not on the second"
    )


# -- Hypothesis: generated add/remove sequences against the model ----------------------------
PROBE_KEYS = [f"task:{i}" for i in range(40)] + ["", "é", "user:7:tasks"]


def _raised(record: dict, documented: str) -> str:
    """The documented exception's name when that is what was raised (a subclass counts)."""
    return documented if documented in record.get("mro", []) else record.get("raised", "?")


def act_ring_ops(module, case):
    """Build a ring, apply generated adds/removes, then say where every probe key goes."""
    nodes, replicas, ops = case
    ring = module.HashRing(list(nodes), replicas=replicas)
    seen = []
    for op, node in ops:
        record = attempt(ring.add_node if op == "add" else ring.remove_node, node)
        documented = "ValueError" if op == "add" else "KeyError"
        seen.append("ok" if "returned" in record else _raised(record, documented))
    where = _map(ring, PROBE_KEYS)
    seen.append(where["returned"] if "returned" in where else _raised(where, "LookupError"))
    return seen


def model_ring_ops(case):
    nodes, replicas, ops = case
    model = RingModel(nodes, replicas)
    seen: list = []
    for op, node in ops:
        if op == "add" and node in model.nodes:
            seen.append("ValueError")
        elif op == "remove" and node not in model.nodes:
            seen.append("KeyError")
        else:
            (model.add if op == "add" else model.remove)(node)
            seen.append("ok")
    if not model.nodes:
        seen.append("LookupError")  # KeyError and IndexError count: they are LookupErrors
    else:
        seen.append(model.mapping(PROBE_KEYS))
    return seen


_NODES = st.sampled_from(["cache-a", "cache-b", "cache-c", "cache-d"])
RING_CASES = st.tuples(
    st.lists(_NODES, max_size=3, unique=True),
    st.integers(1, 12),
    st.lists(st.tuples(st.sampled_from(["add", "remove"]), _NODES), max_size=8),
)


def describe_ring_ops(case) -> str:
    nodes, replicas, ops = case
    calls = [f"ring.{op}_node({node!r})" for op, node in ops]
    return "; ".join(
        [f"ring = HashRing({nodes!r}, replicas={replicas})", *calls]
        + [f"ring.get_node(key) for {len(PROBE_KEYS)} keys"]
    )


@pytest.mark.task(2)
def test_generated_add_remove_sequences(learner):
    """120 generated rings and add/remove sequences (Hypothesis, derandomized): every refusal
    and then every key's node as the documented ring says"""
    agree_run(
        learner,
        act_ring_ops,
        model_ring_ops,
        RING_CASES,
        describe=describe_ring_ops,
        max_examples=120,
        note="one entry per add/remove ('ok' or the exception's class), then the node of every "
        "probe key (this is the smallest generated sequence that differs)",
    )
