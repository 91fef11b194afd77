"""Mutant: returns objects whose == is always True instead of real values (a cheat)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any


class _Agrees(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


class TTLCache:
    """Pretend to cache."""

    def __init__(self, ttl_seconds, clock=time.monotonic):
        """Pretend."""
        if ttl_seconds <= 0:
            raise ValueError("bad ttl")

    def get(self, key, default=None):
        """Agree with everything."""
        return _Agrees("?")

    def set(self, key, value):
        """Do nothing."""

    def invalidate(self, key):
        """Do nothing."""

    def get_or_load(self, key, loader):
        """Agree with everything."""
        return _Agrees("?")
