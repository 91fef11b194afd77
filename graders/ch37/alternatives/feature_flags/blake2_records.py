"""Alternative: BLAKE2b digest of the NUL-joined names read as a big-endian int; one record per
flag holding its percentage and kill state."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

BUCKETS = 10_000


def bucket(flag: str, user_id: str) -> int:
    """Stable, even, per flag."""
    digest = hashlib.blake2b(flag.encode() + b"\0" + user_id.encode(), digest_size=16).digest()
    return int.from_bytes(digest, "big") % BUCKETS


@dataclass
class _Flag:
    percent: float = 0.0
    killed: bool = False


class FeatureFlags:
    """name -> _Flag."""

    def __init__(self) -> None:
        """No flags."""
        self._flags: dict[str, _Flag] = {}

    def set_rollout(self, flag: str, percent: float) -> None:
        """Ramp a flag."""
        if percent < 0 or percent > 100:
            raise ValueError("percent outside 0..100")
        self._flags.setdefault(flag, _Flag()).percent = percent

    def is_enabled(self, flag: str, user_id: str) -> bool:
        """bucket below percent * 100, unless killed."""
        record = self._flags.get(flag)
        if record is None or record.killed:
            return False
        return bucket(flag, user_id) < record.percent * 100

    def kill(self, flag: str) -> None:
        """Kill, keeping the percentage."""
        self._flags.setdefault(flag, _Flag()).killed = True

    def revive(self, flag: str) -> None:
        """Lift the kill."""
        if flag in self._flags:
            self._flags[flag].killed = False
