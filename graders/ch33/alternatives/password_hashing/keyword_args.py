"""Alternative: hashlib.pbkdf2_hmac with keyword arguments and dklen; secrets.compare_digest."""

from __future__ import annotations

import hashlib
import secrets

ITERATIONS = 100_000
HASH_NAME = "sha256"


def hash_password(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac(
        hash_name=HASH_NAME,
        password=bytes(password, "utf-8"),
        salt=salt,
        iterations=ITERATIONS,
        dklen=32,
    )


def verify_password(password: str, salt: bytes, expected_hash: bytes) -> bool:
    attempt = hash_password(password, salt)
    return bool(secrets.compare_digest(attempt, expected_hash))
