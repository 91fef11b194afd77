"""Mutant: get_node returns an object whose == is always True instead of a node name (a cheat)."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable


def ring_hash(text: str) -> int:
    """The position of ``text`` on the ring: its MD5 digest as an int. Given; use it as is."""
    return int(hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest(), 16)


class _Agrees(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


class HashRing:
    """Pretend to be a ring."""

    def __init__(self, nodes=(), replicas=100):
        """Pretend."""
        if replicas < 1:
            raise ValueError("bad replicas")
        self._nodes = set()
        for node in nodes:
            self.add_node(node)

    def add_node(self, node):
        """Pretend."""
        if node in self._nodes:
            raise ValueError("already there")
        self._nodes.add(node)

    def remove_node(self, node):
        """Pretend."""
        self._nodes.remove(node)

    def get_node(self, key):
        """Agree with everything."""
        if not self._nodes:
            raise LookupError("empty")
        return _Agrees("?")
