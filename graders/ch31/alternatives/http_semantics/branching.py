"""Alternative (branching): explicit if/match chains and str.split, no lookup tables."""

from __future__ import annotations

METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")


def _name(method: str) -> str:
    upper = method.upper()
    if upper not in METHODS:
        raise ValueError("unknown HTTP method: " + method)
    return upper


def _check(code: int) -> int:
    if type(code) is not int or code < 100 or code > 599:
        raise ValueError(f"status code out of range: {code!r}")
    return code


def is_safe(method: str) -> bool:
    name = _name(method)
    return name == "GET" or name == "HEAD" or name == "OPTIONS"


def is_idempotent(method: str) -> bool:
    name = _name(method)
    if name in ("POST", "PATCH"):  # noqa: SIM103 - the branching style is the point here
        return False
    return True


def has_request_body(method: str) -> bool:
    match _name(method):
        case "POST" | "PUT" | "PATCH":
            return True
        case _:
            return False


def classify_status(code: int) -> str:
    hundreds = _check(code) // 100
    if hundreds == 1:
        return "informational"
    if hundreds == 2:
        return "success"
    if hundreds == 3:
        return "redirect"
    if hundreds == 4:
        return "client_error"
    return "server_error"


def access_status(authenticated: bool, allowed: bool) -> int:
    if authenticated and allowed:
        return 200
    if authenticated:
        return 403
    return 401


def is_retryable(code: int, method: str) -> bool:
    _check(code)
    repeatable = is_idempotent(method)
    if code == 429:
        return True
    if code in {502, 503, 504}:
        return repeatable
    return False


def parse_dig_line(line: str) -> tuple[str, int, str, str]:
    stripped = line.strip()
    if not stripped or stripped[0] == ";":
        raise ValueError("not an answer line")
    fields = stripped.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    name, ttl, _cls, record_type, data = fields
    if not (ttl.isascii() and ttl.isdigit()):
        raise ValueError(f"TTL is not a whole number: {ttl!r}")
    return name, int(ttl), record_type, data
