"""Alternative (table): one frozen table of method properties; status classes by range."""

from __future__ import annotations

import re

METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")

# name -> (safe, idempotent, has a body)
_PROPERTIES = {
    "GET": (True, True, False),
    "HEAD": (True, True, False),
    "OPTIONS": (True, True, False),
    "POST": (False, False, True),
    "PUT": (False, True, True),
    "PATCH": (False, False, True),
    "DELETE": (False, True, False),
}
_CLASSES = (
    (range(100, 200), "informational"),
    (range(200, 300), "success"),
    (range(300, 400), "redirect"),
    (range(400, 500), "client_error"),
    (range(500, 600), "server_error"),
)
_DIG = re.compile(r"(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)", re.ASCII)


def _props(method: str) -> tuple[bool, bool, bool]:
    try:
        return _PROPERTIES[method.upper()]
    except KeyError:
        raise ValueError(f"unknown method {method!r}") from None


def _klass(code: int) -> str:
    if isinstance(code, int) and not isinstance(code, bool):
        for codes, name in _CLASSES:
            if code in codes:
                return name
    raise ValueError(f"not a status code: {code!r}")


def is_safe(method: str) -> bool:
    return _props(method)[0]


def is_idempotent(method: str) -> bool:
    return _props(method)[1]


def has_request_body(method: str) -> bool:
    return _props(method)[2]


def classify_status(code: int) -> str:
    return _klass(code)


def access_status(authenticated: bool, allowed: bool) -> int:
    if not authenticated:
        return 401
    return 200 if allowed else 403


def is_retryable(code: int, method: str) -> bool:
    idempotent = _props(method)[1]
    _klass(code)
    if code == 429:
        return True
    return code in (502, 503, 504) and idempotent


def parse_dig_line(line: str) -> tuple[str, int, str, str]:
    text = line.strip()
    if text.startswith(";"):
        raise ValueError("a comment is not an answer")
    match = _DIG.fullmatch(text)
    if match is None:
        raise ValueError(f"not a dig answer line: {line!r}")
    name, ttl, _klass_, rtype, data = match.groups()
    return name, int(ttl), rtype, data
