"""Mutant: compares the hashes with == (right answers, but the time taken leaks the hash)."""

from __future__ import annotations

import hashlib
import hmac

ITERATIONS = 100_000
"""PBKDF2 rounds used by this exercise (OWASP currently recommends 600,000; see above)."""

HASH_NAME = "sha256"
"""The HMAC digest PBKDF2 uses."""


def hash_password(password: str, salt: bytes) -> bytes:
    """Return the 32-byte PBKDF2-HMAC-SHA256 hash of ``password`` (UTF-8) with ``salt``.

    Uses ``ITERATIONS`` rounds. ``salt`` must be bytes; a str salt raises TypeError.
    The same password and salt always give the same hash; another salt gives another hash.
    """
    return hashlib.pbkdf2_hmac(HASH_NAME, password.encode("utf-8"), salt, ITERATIONS)


def verify_password(password: str, salt: bytes, expected_hash: bytes) -> bool:
    """Return True if ``password`` with ``salt`` hashes to exactly ``expected_hash``, else False.

    The result is a real bool (True or False, not 1/0). The comparison is constant-time
    (``hmac.compare_digest``), and a truncated or empty ``expected_hash`` never matches.
    """
    return hash_password(password, salt) == expected_hash
