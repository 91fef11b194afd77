"""Mutant: is_enabled rolls a random number on every call, so users flip in and out."""

from __future__ import annotations

import hashlib
import random

BUCKETS = 10_000


def bucket(flag: str, user_id: str) -> int:
    """Return this user's fixed bucket for this flag: an int from 0 to BUCKETS - 1.

    It depends only on the flag name and the user id (never on the time, the process or
    the percentage), comes from a stable hash of both, and spreads users evenly over the
    buckets. Different flags put the same user in unrelated buckets.
    """
    digest = hashlib.sha256(f"{flag}\x00{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


class FeatureFlags:
    """A set of named flags, each with a rollout percentage and a kill switch."""

    def __init__(self) -> None:
        """Start with no flags: every flag is off for everybody."""
        self._percent: dict[str, float] = {}
        self._killed: set[str] = set()

    def set_rollout(self, flag: str, percent: float) -> None:
        """Turn ``flag`` on for ``percent`` % of users (0 to 100, fractions allowed).

        Raise ValueError, changing nothing, when percent is outside 0..100. A new flag
        name is created; a known one is ramped up or down. A killed flag stays off.
        """
        if not 0 <= percent <= 100:
            raise ValueError(f"percent must be between 0 and 100, got {percent}")
        self._percent[flag] = percent

    def is_enabled(self, flag: str, user_id: str) -> bool:
        """Return True when ``flag`` is on for this user.

        That is: the flag is not killed, and bucket(flag, user_id) < percent * 100. An
        unknown flag is off for everybody.
        """
        if flag in self._killed or flag not in self._percent:
            return False
        return random.random() * 100 < self._percent[flag]

    def kill(self, flag: str) -> None:
        """Switch ``flag`` off for everybody at once, keeping its rollout percentage.

        Works for any name, even one never rolled out. The flag stays off, whatever
        set_rollout is called with, until revive(flag).
        """
        self._killed.add(flag)

    def revive(self, flag: str) -> None:
        """Lift the kill switch: ``flag`` is back to its rollout percentage, same users."""
        self._killed.discard(flag)
