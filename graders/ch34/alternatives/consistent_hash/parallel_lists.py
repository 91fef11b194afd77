"""Alternative: two parallel sorted lists (positions, owners) kept in step with bisect.insort-style
inserts and index deletes."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable


def ring_hash(text: str) -> int:
    """MD5 position."""
    return int(hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest(), 16)


class HashRing:
    """positions[i] belongs to owners[i]."""

    def __init__(self, nodes: Iterable[str] = (), replicas: int = 100) -> None:
        """Empty ring, then add the nodes."""
        if replicas < 1:
            raise ValueError("replicas must be at least 1")
        self.replicas = replicas
        self.positions: list[int] = []
        self.owners: list[str] = []
        self.nodes: set[str] = set()
        for node in nodes:
            self.add_node(node)

    def add_node(self, node: str) -> None:
        """Insert the node's points."""
        if node in self.nodes:
            raise ValueError(f"{node!r} is already on the ring")
        self.nodes.add(node)
        for i in range(self.replicas):
            position = ring_hash(f"{node}#{i}")
            at = bisect.bisect_left(self.positions, position)
            self.positions.insert(at, position)
            self.owners.insert(at, node)

    def remove_node(self, node: str) -> None:
        """Delete every point the node owns."""
        if node not in self.nodes:
            raise KeyError(node)
        self.nodes.remove(node)
        keep = [i for i, owner in enumerate(self.owners) if owner != node]
        self.positions = [self.positions[i] for i in keep]
        self.owners = [self.owners[i] for i in keep]

    def get_node(self, key: str) -> str:
        """First point at or after the key's hash, wrapping round."""
        if not self.positions:
            raise LookupError("the ring has no nodes")
        at = bisect.bisect_left(self.positions, ring_hash(key))
        return self.owners[at % len(self.owners)]
