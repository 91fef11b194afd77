"""Mutant: returns objects that claim to equal anything instead of real answers."""

from __future__ import annotations


class _Agrees:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __bool__(self):
        return True

    __hash__ = None


def _anything(*args, **kwargs):
    for arg in args:
        if arg in ("FETCH", "", "GETS", "CONNECTX", "BREW") or arg in (0, 99, 42, 600, 1000, -200):
            raise ValueError("no")
        if isinstance(arg, str) and (not arg.strip() or arg.startswith(";")):
            raise ValueError("no")
    return _Agrees()


is_safe = is_idempotent = has_request_body = classify_status = _anything
access_status = is_retryable = parse_dig_line = _anything
