"""Mutant: labels points by the node's index in the sorted list, so a join moves keys between old nodes."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable


def ring_hash(text: str) -> int:
    """The position of ``text`` on the ring: its MD5 digest as an int. Given; use it as is."""
    return int(hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest(), 16)


class HashRing:
    """Nodes placed ``replicas`` times on a hash ring, labelled by their index."""

    def __init__(self, nodes: Iterable[str] = (), replicas: int = 100) -> None:
        """Make a ring and add each of ``nodes`` to it. Raise ValueError if replicas < 1."""
        if replicas < 1:
            raise ValueError(f"replicas must be at least 1, got {replicas}")
        self.replicas = replicas
        self._nodes: list[str] = []
        self._points: list[tuple[int, str]] = []
        for node in nodes:
            self.add_node(node)

    def _rebuild(self) -> None:
        self._points = sorted(
            (ring_hash(f"server-{index}#{i}"), node)
            for index, node in enumerate(sorted(self._nodes))
            for i in range(self.replicas)
        )

    def add_node(self, node: str) -> None:
        """Add a node and rebuild the ring."""
        if node in self._nodes:
            raise ValueError(f"{node!r} is already on the ring")
        self._nodes.append(node)
        self._rebuild()

    def remove_node(self, node: str) -> None:
        """Remove a node and rebuild the ring."""
        if node not in self._nodes:
            raise KeyError(node)
        self._nodes.remove(node)
        self._rebuild()

    def get_node(self, key: str) -> str:
        """Return the node of the first point at or after ring_hash(key)."""
        if not self._points:
            raise LookupError("the ring has no nodes")
        index = bisect.bisect_left(self._points, (ring_hash(key), ""))
        return self._points[index % len(self._points)][1]
