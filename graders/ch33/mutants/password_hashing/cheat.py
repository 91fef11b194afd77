"""Mutant: returns objects whose == is always True instead of real hashes and bools (a cheat)."""

from __future__ import annotations


class _AgreesWithEverything(bytes):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __bool__(self):
        return True

    __hash__ = None


ITERATIONS = 100_000


def hash_password(password: str, salt: bytes) -> bytes:
    """Pretend to hash: return something that claims to equal any hash."""
    if not isinstance(salt, bytes):
        raise TypeError("salt must be bytes")
    return _AgreesWithEverything(b"0" * 32)


def verify_password(password: str, salt: bytes, expected_hash: bytes) -> bool:
    """Pretend to verify: return something that claims to equal True and False alike."""
    return _AgreesWithEverything(b"yes")
