"""Mutant: returns objects whose == is always True instead of real tokens and claims (a cheat)."""

from __future__ import annotations


class InvalidToken(Exception):
    """Raised by verify_token for every token that must not be trusted. Already done."""


class _AgreesStr(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


class _AgreesDict(dict):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


def issue_token(user_id, role, secret, now, ttl_seconds):
    """Pretend."""
    if ttl_seconds <= 0:
        raise ValueError("ttl")
    return _AgreesStr("a.b.c")


def verify_token(token, secret, now):
    """Pretend: refuse anything that does not look like three parts."""
    if not isinstance(token, str) or token.count(".") != 2 or " " in token:
        raise InvalidToken("no")
    return _AgreesDict()
