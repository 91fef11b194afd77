"""Type-exact comparison and learner-friendly rendering of values."""

from __future__ import annotations

import reprlib
from collections import Counter
from typing import Any

from graders.sandbox.codec import Opaque

_repr = reprlib.Repr()
_repr.maxstring = 120
_repr.maxother = 120
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 12
_repr.maxlevel = 4


def show(value: Any) -> str:
    """A short, readable repr for messages."""
    if isinstance(value, Opaque):
        return repr(value)
    return _repr.repr(value)


def kind(value: Any) -> str:
    """The type name as a learner would say it: 'an int', 'a dict', 'an object of type X'."""
    if isinstance(value, Opaque):
        return f"an object of type {value.type_name}"
    name = type(value).__name__
    article = "an" if name[0] in "aeiou" else "a"
    return f"{article} {name}"


def freeze(value: Any, places: int | None = None) -> Any:
    """A hashable, type-tagged form: equal only for values of the same exact types."""
    if isinstance(value, Opaque):
        return ("opaque", id(value))
    kind_name = type(value).__name__
    if isinstance(value, (list, tuple)):
        return (kind_name, tuple(freeze(item, places) for item in value))
    if isinstance(value, dict):
        return (
            kind_name,
            frozenset((freeze(k, places), freeze(v, places)) for k, v in value.items()),
        )
    if isinstance(value, (set, frozenset)):
        return (kind_name, frozenset(freeze(item, places) for item in value))
    if isinstance(value, float) and places is not None:
        return (kind_name, round(value, places))
    return (kind_name, value)


def same(actual: Any, expected: Any, places: int | None = None) -> bool:
    """Deep equality that also demands identical types (True is not 1, a subclass is not str)."""
    return freeze(actual, places) == freeze(expected, places)


def same_items(actual: Any, expected: list[Any]) -> bool:
    """Equal as multisets of exactly-typed items: for results whose order is unspecified."""
    if not isinstance(actual, list | tuple):
        return False
    return Counter(freeze(item) for item in actual) == Counter(freeze(item) for item in expected)
