"""Salted PBKDF2-HMAC-SHA256 password hashing with the work factor stored in each hash."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import ServiceBusy

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


class HashingSlots:
    """At most `size` password hashes run at once in this process; others wait, then give up.

    A hash costs a fraction of a second of CPU on purpose. Without a cap, a burst of logins
    (even for usernames that do not exist) would queue that work on every core; with it, the
    excess is answered 503 quickly and the server stays responsive.
    """

    def __init__(self, size: int, wait_seconds: float) -> None:
        if size < 1:
            raise ValueError("size must be positive")
        self.size = size
        self.wait_seconds = wait_seconds
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the block; ServiceBusy if none frees up within wait_seconds."""
        if not self._slots.acquire(timeout=self.wait_seconds):
            raise ServiceBusy("the server is busy checking passwords; try again", retry_after=1)
        try:
            yield
        finally:
            self._slots.release()
