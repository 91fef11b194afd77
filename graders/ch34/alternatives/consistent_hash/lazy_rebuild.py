"""Alternative: each node's points kept in a dict; the sorted ring is rebuilt lazily after a change
and searched with bisect on (position,) tuples."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable


def ring_hash(text: str) -> int:
    """MD5 position."""
    return int(hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest(), 16)


class HashRing:
    """node -> its points; a sorted (position, node) list built on demand."""

    def __init__(self, nodes: Iterable[str] = (), replicas: int = 100) -> None:
        """Add every node."""
        if not isinstance(replicas, int) or replicas < 1:
            raise ValueError("replicas must be an int >= 1")
        self.replicas = replicas
        self._points_of: dict[str, list[int]] = {}
        self._ring: list[tuple[int, str]] | None = []
        for node in nodes:
            self.add_node(node)

    def add_node(self, node: str) -> None:
        """Remember the node's points; the ring is rebuilt on the next lookup."""
        if node in self._points_of:
            raise ValueError("duplicate node")
        self._points_of[node] = [ring_hash(f"{node}#{i}") for i in range(self.replicas)]
        self._ring = None

    def remove_node(self, node: str) -> None:
        """Forget the node's points."""
        del self._points_of[node]  # KeyError for an unknown node
        self._ring = None

    def get_node(self, key: str) -> str:
        """Owner of the first point at or after ring_hash(key)."""
        if self._ring is None:
            self._ring = sorted(
                (position, node) for node, points in self._points_of.items() for position in points
            )
        if not self._ring:
            raise LookupError("empty ring")
        at = bisect.bisect_left(self._ring, (ring_hash(key),))
        if at == len(self._ring):
            at = 0
        return self._ring[at][1]
