"""Mutant: the points and the node set are class attributes, shared by every HashRing."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable


def ring_hash(text: str) -> int:
    """The position of ``text`` on the ring: its MD5 digest as an int. Given; use it as is."""
    return int(hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest(), 16)


class HashRing:
    """Nodes placed ``replicas`` times on a hash ring; each key goes to the next point."""

    _points: list[tuple[int, str]] = []  # (position, node), sorted
    _nodes: set[str] = set()

    def __init__(self, nodes: Iterable[str] = (), replicas: int = 100) -> None:
        """Make a ring and add each of ``nodes`` to it. Raise ValueError if replicas < 1."""
        if replicas < 1:
            raise ValueError(f"replicas must be at least 1, got {replicas}")
        self.replicas = replicas
        for node in nodes:
            self.add_node(node)

    def add_node(self, node: str) -> None:
        """Place ``node`` on the ring at its ``replicas`` points. ValueError if already there."""
        if node in self._nodes:
            raise ValueError(f"{node!r} is already on the ring")
        self._nodes.add(node)
        for i in range(self.replicas):
            bisect.insort(self._points, (ring_hash(f"{node}#{i}"), node))

    def remove_node(self, node: str) -> None:
        """Take ``node`` and all its points off the ring. KeyError if it is not there."""
        if node not in self._nodes:
            raise KeyError(node)
        self._nodes.remove(node)
        self._points = [point for point in self._points if point[1] != node]

    def get_node(self, key: str) -> str:
        """Return the node that owns ``key``: the first point at or after ring_hash(key).

        Wraps around to the smallest point. Raises LookupError if the ring has no nodes.
        """
        if not self._points:
            raise LookupError("the ring has no nodes")
        index = bisect.bisect_left(self._points, (ring_hash(key), ""))
        return self._points[index % len(self._points)][1]
