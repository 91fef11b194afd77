"""The sandbox codec keeps exact types and never lets a fake value pass as real."""

from __future__ import annotations

import math

import pytest

from graders.expectations import same, same_items
from graders.sandbox.codec import Opaque, decode, dumps, encode, loads


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -7,
        10**40,
        1.5,
        "text",
        "",
        b"\x00\xff",
        [1, "a"],
        (1, (2, 3)),
        {"a": 1, 2: [3]},
        {(1, 2): "tuple key"},
        {1, 2},
        frozenset({"x"}),
        bytearray(b"ab"),
        [[[]]],
        {"nested": {"deep": (None, b"")}},
    ],
)
def test_plain_values_round_trip_with_exact_types(value):
    back = decode(loads(dumps({"v": encode(value)}))["v"])
    assert same(back, value)


def test_non_finite_floats_round_trip():
    back = decode(encode([math.inf, -math.inf]))
    assert back == [math.inf, -math.inf]
    assert math.isnan(decode(encode(math.nan)))


def test_subclasses_and_custom_objects_become_opaque():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    class Sneaky(int):
        pass

    for value in (AlwaysEqual(), Sneaky(3), object()):
        decoded = decode(encode(value))
        assert isinstance(decoded, Opaque)
        assert decoded != decoded.__class__("x", "y")
        assert not same(decoded, 3)


def test_opaque_equals_only_itself():
    one, two = Opaque("T", "t"), Opaque("T", "t")
    assert one == one and one != two


def test_hostile_repr_does_not_break_encoding():
    class Hostile:
        def __repr__(self):
            raise RuntimeError("no")

    assert isinstance(decode(encode(Hostile())), Opaque)


def test_too_deep_values_are_refused():
    value: list = []
    for _ in range(100):
        value = [value]
    with pytest.raises(ValueError):
        encode(value)


def test_unknown_tags_are_rejected():
    with pytest.raises(ValueError):
        decode({"$pickle": "..."})


def test_same_distinguishes_bool_from_int_and_list_from_tuple():
    assert not same(True, 1)
    assert not same([1], (1,))
    assert same({"a": [1, 2]}, {"a": [1, 2]})
    assert same(0.1 + 0.2, 0.3, places=9)


def test_same_items_ignores_order_but_not_multiplicity():
    assert same_items([3, 1, 2], [1, 2, 3])
    assert not same_items([1, 1, 2], [1, 2, 2])
    assert not same_items("abc", ["a", "b", "c"])


def test_opaque_values_show_their_value_truncated_never_a_placeholder():
    class Label(str):
        def __repr__(self):
            return "<a str>"

    class Point:
        def __init__(self):
            self.x = 1

        def __repr__(self):
            return f"Point(x={self.x})"

    label = decode(encode(Label("paid")))
    assert label.text == "'paid'" and "<a str>" not in repr(label)
    assert "Point(x=1)" in repr(decode(encode(Point())))
    long = decode(encode(Label("x" * 1000)))
    assert len(long.text) <= 200 and long.text.endswith("…")
