"""Alternative: SHA-256 of "flag:user" modulo BUCKETS; percentages in a dict, kills in a set."""

from __future__ import annotations

import hashlib

BUCKETS = 10_000


def bucket(flag: str, user_id: str) -> int:
    """Stable bucket."""
    digest = hashlib.sha256(f"{flag}:{user_id}".encode()).hexdigest()
    return int(digest, 16) % BUCKETS


class FeatureFlags:
    """Percentages and kill switches."""

    def __init__(self) -> None:
        """No flags."""
        self.percent: dict[str, float] = {}
        self.killed: set[str] = set()

    def set_rollout(self, flag: str, percent: float) -> None:
        """Check, then store."""
        if not 0 <= percent <= 100:
            raise ValueError(f"percent must be within 0..100, got {percent}")
        self.percent[flag] = percent

    def is_enabled(self, flag: str, user_id: str) -> bool:
        """Not killed and in the rollout."""
        if flag in self.killed or flag not in self.percent:
            return False
        return bucket(flag, user_id) < self.percent[flag] * 100

    def kill(self, flag: str) -> None:
        """Off for everybody."""
        self.killed.add(flag)

    def revive(self, flag: str) -> None:
        """Back to the percentage."""
        self.killed.discard(flag)
