"""Alternative: PBKDF2 written out from RFC 8018 with hmac.digest (one 32-byte block)."""

from __future__ import annotations

import hmac

ITERATIONS = 100_000
HASH_NAME = "sha256"


def hash_password(password: str, salt: bytes) -> bytes:
    if not isinstance(salt, (bytes, bytearray)):
        raise TypeError(f"salt must be bytes, not {type(salt).__name__}")
    key = password.encode("utf-8")
    block = hmac.digest(key, bytes(salt) + (1).to_bytes(4, "big"), HASH_NAME)
    total = int.from_bytes(block, "big")
    for _ in range(ITERATIONS - 1):
        block = hmac.digest(key, block, HASH_NAME)
        total ^= int.from_bytes(block, "big")
    return total.to_bytes(32, "big")


def verify_password(password: str, salt: bytes, expected_hash: bytes) -> bool:
    if len(expected_hash) != 32:
        return False
    return hmac.compare_digest(hash_password(password, salt), expected_hash)
