"""The input boundary: request bodies, query parameters and URL ids are decoded and checked here.

Everything a client sends passes through these functions before any service sees it, so a
malformed value becomes a 4xx answer at one place instead of an exception deep inside
(json's RecursionError, SQLite's OverflowError, PostgreSQL's "invalid byte sequence").
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping

from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter

from ..errors import BadRequest

INT64_MAX = 2**63 - 1  # the largest value an SQLite INTEGER or PostgreSQL BIGINT can hold
MAX_JSON_DEPTH = 32  # TaskForge bodies are flat objects; 32 levels leave room for clients
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def decode_json(raw: bytes) -> object:
    """Parse a request body: strict UTF-8, bounded nesting, storable strings and numbers."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the request body is not valid UTF-8") from None
    _check_depth(text)
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except ValueError:
        raise BadRequest("the request body is not valid JSON") from None
    _check_value(value)
    return value


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _check_depth(text: str) -> None:
    # Counting brackets outside strings finds the depth without recursing, so a body of a
    # million "[" is refused before json.loads could raise RecursionError.
    depth = 0
    for bracket in _BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_JSON_DEPTH:
            raise BadRequest(f"the request body nests deeper than {MAX_JSON_DEPTH} levels")


def _check_value(value: object) -> None:
    if isinstance(value, str):
        check_text(value, "strings in the request body")
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not -INT64_MAX - 1 <= value <= INT64_MAX:
            raise BadRequest("integers in the request body must fit in 64 bits")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise BadRequest("numbers in the request body must be finite")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, "keys in the request body")
            _check_value(item)
    elif isinstance(value, list):
        for item in value:
            _check_value(item)


def check_text(text: str, what: str) -> str:
    """Refuse text that no database stores faithfully: lone surrogates and NUL characters."""
    if "\x00" in text:
        raise BadRequest(f"{what} must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest(f"{what} must be valid Unicode (no lone surrogates)") from None
    return text


def int_arg(args: Mapping[str, str], name: str, *, minimum: int) -> int | None:
    """An optional query parameter written with ASCII digits, from minimum to 2**63 - 1."""
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    # str.isdigit() accepts "²" and "١", which int() rejects or reads as another number.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19 or int(raw) > INT64_MAX:
        raise BadRequest(f"query parameter {name} must be an integer of at least {minimum}")
    value = int(raw)
    if value < minimum:
        raise BadRequest(f"query parameter {name} must be an integer of at least {minimum}")
    return value


def text_arg(args: Mapping[str, str], name: str, *, max_length: int) -> str | None:
    """An optional free-text query parameter (no NUL, at most max_length characters)."""
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    check_text(raw, f"query parameter {name}")
    if len(raw) > max_length:
        raise BadRequest(f"query parameter {name} must be at most {max_length} characters")
    return raw


class IdConverter(BaseConverter):
    """URL part for a row id: ASCII digits, 1 to 2**63 - 1; anything else is a 404."""

    regex = r"[0-9]+"
    weight = 50

    def to_python(self, value: str) -> int:
        if len(value) > 19 or not 1 <= int(value) <= INT64_MAX:
            # NotFound, not ValidationError: the latter lets the router try the other rules,
            # and one for another method on a similar path would answer 405.
            raise NotFound("no such resource: ids run from 1 to 2**63 - 1")
        return int(value)

    def to_url(self, value: object) -> str:
        return str(int(value))  # type: ignore[call-overload]
