"""Chapter 34 exercise: a consistent-hash ring that moves few keys when servers change.

TaskForge spreads its cache over several servers. The obvious rule, "key goes to server
number ``hash(key) % N``", breaks down the day you add a server: N changes, so almost every
key changes server and the whole cache misses at once. A *consistent-hash ring* changes
only what it must. Adding a fifth server to four moves about a fifth of the keys, all of
them to the new server; removing a server moves only that server's keys.

    >>> ring = HashRing(["cache-a", "cache-b", "cache-c"], replicas=100)
    >>> ring.get_node("task:7")
    'cache-c'
    >>> ring.add_node("cache-d")
    >>> ring.get_node("task:7")               # most keys stay where they were
    'cache-c'
    >>> ring.remove_node("cache-c")
    >>> ring.get_node("task:7")               # cache-c's keys go to the next point's node
    'cache-b'

**The ring.** Picture the numbers ``ring_hash`` can return laid out on a circle. Each node
(server) is placed on it ``replicas`` times: its *virtual nodes*, at the positions
``ring_hash(f"{node}#{i}")`` for ``i`` in ``range(replicas)``, so ``"cache-a"`` sits at
``ring_hash("cache-a#0")``, ``ring_hash("cache-a#1")``, ... A key belongs to the node of
the first point at or after ``ring_hash(key)``, going up; if there is no such point, go
round the circle to the point with the smallest position. (Two points at the very same
position are so unlikely that you may ignore it; if you want a rule, the smaller node
name comes first.) Many virtual nodes per server spread the keys evenly: with a single
point each, one server may own half of the circle.

Follow this layout exactly: the grader checks which node you choose for every key.

**Why not Python's hash()?** ``hash("task:42")`` gives a different number every time
Python starts (string hashing is salted per process), so two app servers, or one after a
restart, would disagree about where every key lives. ``ring_hash`` (given below) uses MD5
from ``hashlib``, which is the same everywhere, forever. Use it for keys and for points.

A sorted list of point positions and the ``bisect`` module find "the first point at or
after" quickly; searching every point for every key works but is slow.

Errors: ``replicas`` below 1 raises ValueError; adding a node that is already on the ring
raises ValueError; removing a node that is not on the ring raises KeyError; ``get_node``
on a ring with no nodes raises LookupError (KeyError and IndexError are LookupErrors too).

Your tasks:

1. ``HashRing.__init__`` and ``HashRing.get_node``.
2. ``HashRing.add_node`` and ``HashRing.remove_node``.
3. Virtual nodes: ``replicas`` points per node keep the load even.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable


def ring_hash(text: str) -> int:
    """The position of ``text`` on the ring: its MD5 digest as an int. Given; use it as is."""
    return int(hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest(), 16)


class HashRing:
    """Nodes placed ``replicas`` times on a hash ring; each key goes to the next point."""

    def __init__(self, nodes: Iterable[str] = (), replicas: int = 100) -> None:
        """Make a ring and add each of ``nodes`` to it. Raise ValueError if replicas < 1."""
        if replicas < 1:
            raise ValueError(f"replicas must be at least 1, got {replicas}")
        self.replicas = replicas
        self._points: list[tuple[int, str]] = []  # (position, node), sorted
        self._nodes: set[str] = set()
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
