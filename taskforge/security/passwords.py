"""Salted PBKDF2-HMAC-SHA256 password hashing with the work factor stored in each hash."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

ALGORITHM = "pbkdf2_sha256"
SALT_BYTES = 16


def _b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


class PasswordHasher:
    """Hashes passwords as "pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>".

    Each hash keeps its own salt and iteration count, so raising the iteration count later
    does not lock anyone out: old hashes still verify and can be upgraded at the next login.
    """

    def __init__(self, iterations: int) -> None:
        if iterations < 1:
            raise ValueError("iterations must be positive")
        self.iterations = iterations
        self._decoy: str | None = None

    def hash(self, password: str) -> str:
        """A new hash of password with a fresh random salt."""
        salt = secrets.token_bytes(SALT_BYTES)
        derived = self._derive(password, salt, self.iterations)
        return f"{ALGORITHM}${self.iterations}${_b64encode(salt)}${_b64encode(derived)}"

    def verify(self, password: str, encoded: str) -> bool:
        """True only when password produces the stored hash; malformed hashes never match."""
        parsed = self._parse(encoded)
        if parsed is None:
            return False
        iterations, salt, expected = parsed
        actual = self._derive(password, salt, iterations)
        return hmac.compare_digest(actual, expected)

    def verify_decoy(self, password: str) -> None:
        """Spend the same time as a real check, for logins with an unknown username.

        Without this, "no such user" answers faster than "wrong password", which tells an
        attacker which usernames exist.
        """
        if self._decoy is None:
            self._decoy = self.hash(secrets.token_urlsafe(16))
        self.verify(password, self._decoy)

    def needs_rehash(self, encoded: str) -> bool:
        """True when the hash was made with fewer iterations than the current setting."""
        parsed = self._parse(encoded)
        return parsed is None or parsed[0] < self.iterations

    @staticmethod
    def _derive(password: str, salt: bytes, iterations: int) -> bytes:
        return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)

    @staticmethod
    def _parse(encoded: str) -> tuple[int, bytes, bytes] | None:
        try:
            algorithm, iterations, salt, digest = encoded.split("$")
            if algorithm != ALGORITHM:
                return None
            count = int(iterations)
            if count < 1:
                return None
            return count, _b64decode(salt), _b64decode(digest)
        except (ValueError, AttributeError):
            return None
