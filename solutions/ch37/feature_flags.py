"""Chapter 37 exercise: percentage rollouts with a kill switch (feature flags).

New TaskForge code ships "dark": deployed, but switched off. A feature flag then turns it
on for 1% of users, 10%, 50%, 100%, and off again in one call if something goes wrong,
without a new deploy. Three promises make that safe:

* **Sticky**: a user who sees the feature keeps seeing it, on every request, on every
  server, after every restart. So the choice cannot be random; it comes from a hash.
* **Monotonic**: raising the percentage only adds users. Nobody already in drops out.
* **Even**: 10% means about 10% of users, and each flag picks its own users (the same
  unlucky 10% should not get every experiment).

The trick is a *bucket*: every (flag, user) pair gets a fixed number from 0 to 9999,
computed from a stable hash of the flag name and the user id. A user is in when their
bucket is below ``percent * 100``. Because the bucket never changes, ramping from 10% to
25% keeps everyone who was in and adds the buckets 1000 to 2499.

    >>> flags = FeatureFlags()
    >>> flags.is_enabled("new-board", "user-42")    # unknown flag: off
    False
    >>> flags.set_rollout("new-board", 100)
    >>> flags.is_enabled("new-board", "user-42")
    True
    >>> flags.kill("new-board")                     # something broke: off for everyone
    >>> flags.is_enabled("new-board", "user-42")
    False
    >>> flags.revive("new-board")                   # fixed: back to its 100%
    >>> flags.is_enabled("new-board", "user-42")
    True
    >>> bucket("new-board", "user-42") == bucket("new-board", "user-42")
    True

Careful: Python's built-in ``hash()`` of a string changes every time Python starts, so
two servers (or one server after a restart) would disagree. Use ``hashlib``.

Your tasks:

1. ``bucket(flag, user_id)``: an int from 0 to 9999, stable and evenly spread.
2. ``FeatureFlags.set_rollout`` and ``FeatureFlags.is_enabled``.
3. The kill switch: ``FeatureFlags.kill`` and ``FeatureFlags.revive``.
"""

from __future__ import annotations

import hashlib

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
        return bucket(flag, user_id) < self._percent[flag] * 100

    def kill(self, flag: str) -> None:
        """Switch ``flag`` off for everybody at once, keeping its rollout percentage.

        Works for any name, even one never rolled out. The flag stays off, whatever
        set_rollout is called with, until revive(flag).
        """
        self._killed.add(flag)

    def revive(self, flag: str) -> None:
        """Lift the kill switch: ``flag`` is back to its rollout percentage, same users."""
        self._killed.discard(flag)
