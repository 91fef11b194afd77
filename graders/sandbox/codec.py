"""Type-exact encoding of plain data between the sandbox and the judge.

Only exact built-in types cross the boundary. Anything else (including subclasses of
int or str, and objects with a custom ``__eq__``) arrives as an :class:`Opaque` that
equals nothing but itself, so a submission cannot fake a correct answer.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

MAX_DEPTH = 64
MAX_ITEMS = 200_000
REPR_LIMIT = 200


class Opaque:
    """Stands in for a value that is not plain data; equal only to itself."""

    __slots__ = ("type_name", "text")

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.type_name} object: {self.text}>"

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)


def _type_name(value: object) -> str:
    cls = type(value)
    module = getattr(cls, "__module__", "?")
    qualname = getattr(cls, "__qualname__", cls.__name__)
    return qualname if module == "builtins" else f"{module}.{qualname}"


_VALUE_TYPES = (str, int, float, complex, bytes, bytearray, tuple, list, dict, set, frozenset)


def _safe_repr(value: object) -> str:
    """A truncated repr that shows the value, so messages never show a bare placeholder.

    A subclass of a built-in type is shown with the built-in's own repr (``str.__repr__``):
    the value as it is, whatever the subclass claims about itself. Other objects use their
    own repr, and ``object.__repr__`` if that fails. This runs in the sandbox, inside the
    call's time limit, and the text is only ever shown, never compared.
    """
    base = next((t for t in type(value).__mro__ if t in _VALUE_TYPES), None)
    for show in (base.__repr__ if base is not None else repr, object.__repr__):
        try:
            text = show(value)
        except Exception:  # a hostile __repr__ (or a huge int) must not break encoding
            continue
        if isinstance(text, str):
            return text if len(text) <= REPR_LIMIT else text[: REPR_LIMIT - 1] + "…"
    return "?"


class _Encoder:
    def __init__(self) -> None:
        self.items = 0

    def encode(self, value: Any, depth: int = 0) -> Any:
        self.items += 1
        if depth > MAX_DEPTH or self.items > MAX_ITEMS:
            raise ValueError("value is too deep or too large to send back")
        kind = type(value)
        if value is None or kind is bool or kind is int or kind is str:
            return value
        if kind is float:
            return value if math.isfinite(value) else {"$float": repr(value)}
        if kind is list:
            return [self.encode(item, depth + 1) for item in value]
        if kind is tuple:
            return {"$tuple": [self.encode(item, depth + 1) for item in value]}
        if kind is dict:
            pairs = [
                [self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()
            ]
            return {"$dict": pairs}
        if kind is set or kind is frozenset:
            return {"$" + kind.__name__: [self.encode(item, depth + 1) for item in value]}
        if kind is bytes or kind is bytearray:
            return {"$" + kind.__name__: base64.b64encode(bytes(value)).decode("ascii")}
        return {"$opaque": [_type_name(value), _safe_repr(value)]}


def encode(value: Any) -> Any:
    """Turn a value into JSON-ready data that remembers each exact type."""
    return _Encoder().encode(value)


def _hashable(value: Any) -> Any:
    return value if not isinstance(value, list) else tuple(_hashable(v) for v in value)


def decode(data: Any) -> Any:
    """Rebuild the value sent by :func:`encode` (never runs code, never unpickles)."""
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    if len(data) != 1:
        raise ValueError("malformed value from the sandbox")
    ((tag, body),) = data.items()
    if tag == "$tuple":
        return tuple(decode(item) for item in body)
    if tag == "$dict":
        return {_hashable(decode(k)): decode(v) for k, v in body}
    if tag == "$set":
        return {_hashable(decode(item)) for item in body}
    if tag == "$frozenset":
        return frozenset(_hashable(decode(item)) for item in body)
    if tag == "$bytes":
        return base64.b64decode(body)
    if tag == "$bytearray":
        return bytearray(base64.b64decode(body))
    if tag == "$float":
        return float(body)
    if tag == "$opaque":
        return Opaque(str(body[0]), str(body[1]))
    raise ValueError(f"unknown tag {tag!r} from the sandbox")


def dumps(message: dict[str, Any]) -> bytes:
    """Serialise one protocol message (already encoded) to bytes."""
    return json.dumps(message, separators=(",", ":")).encode("utf-8")


def loads(raw: bytes) -> dict[str, Any]:
    """Parse one protocol message; anything but a JSON object is rejected."""
    message = json.loads(raw.decode("utf-8"))
    if not isinstance(message, dict):
        raise ValueError("malformed message from the sandbox")
    return message
