"""Chapter 28 exercise: interchangeable storage backends (the Strategy pattern).

TaskForge should not care *where* its tasks live. ``TaskManager`` only talks to a
``StorageBackend``: an abstract base class that promises three methods and nothing else.
Any class that keeps those promises can be plugged in through the constructor, which is
dependency injection without a framework::

    >>> manager = TaskManager(DictStorage())
    >>> manager.add_task(1, "Write the report")
    >>> manager.get_task(1)
    {'title': 'Write the report'}
    >>> print(manager.get_task(99))
    None
    >>> manager = TaskManager(ListStorage())   # same manager, another strategy

The contract every backend keeps:

* ``save(key, value)`` stores ``value`` under ``key``. Saving a key that is already there
  replaces its value: one key never has two entries.
* ``load(key)`` returns the value saved under ``key``, whatever it is (even ``0`` or
  ``{}``), or ``None`` when the key was never saved. A missing key never raises.
* ``list_all()`` returns a new list of the stored values, one per key, in any order.
  Changing that list (appending, clearing) must not change what the backend stores.
* Every backend object has its own entries: two ``DictStorage()`` objects share nothing.

Your tasks:

1. Make ``StorageBackend`` a real abstract base class with ``abc``: neither it nor a
   subclass that forgets one of the three methods can be instantiated (``TypeError``).
2. ``DictStorage`` keeps its entries in a dict.
3. ``ListStorage`` keeps its entries in a list of ``(key, value)`` tuples.
4. ``TaskManager`` receives its backend in the constructor and does every save and load
   through it. It never builds a backend itself and keeps no copy of the tasks.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any


class StorageBackend(ABC):
    """What every storage strategy must provide. Cannot be instantiated itself."""

    @abstractmethod
    def save(self, key: Any, value: Any) -> None:
        """Store ``value`` under ``key``, replacing any value already saved there."""

    @abstractmethod
    def load(self, key: Any) -> Any:
        """Return the value saved under ``key``, or ``None`` if there is none."""

    @abstractmethod
    def list_all(self) -> list[Any]:
        """Return a new list of the stored values, one per key, in any order."""


class DictStorage(StorageBackend):
    """A backend that keeps its entries in a dict."""

    def __init__(self) -> None:
        """Start empty."""
        self._entries: dict[Any, Any] = {}

    def save(self, key: Any, value: Any) -> None:
        """Store ``value`` under ``key``, replacing any value already saved there."""
        self._entries[key] = value

    def load(self, key: Any) -> Any:
        """Return the value saved under ``key``, or ``None`` if there is none."""
        return self._entries.get(key)

    def list_all(self) -> list[Any]:
        """Return a new list of the stored values, one per key, in any order."""
        return list(self._entries.values())


class ListStorage(StorageBackend):
    """A backend that keeps its entries in a list of ``(key, value)`` tuples."""

    def __init__(self) -> None:
        """Start empty."""
        self._pairs: list[tuple[Any, Any]] = []

    def save(self, key: Any, value: Any) -> None:
        """Store ``value`` under ``key``, replacing any value already saved there."""
        for index, (existing, _) in enumerate(self._pairs):
            if existing == key:
                self._pairs[index] = (key, value)
                return
        self._pairs.append((key, value))

    def load(self, key: Any) -> Any:
        """Return the value saved under ``key``, or ``None`` if there is none."""
        for existing, value in self._pairs:
            if existing == key:
                return value
        return None

    def list_all(self) -> list[Any]:
        """Return a new list of the stored values, one per key, in any order."""
        return [value for _, value in self._pairs]


class TaskManager:
    """Adds and reads tasks through whichever backend it is given."""

    def __init__(self, backend: StorageBackend) -> None:
        """Keep the injected backend; every task goes in and out through it."""
        self.backend = backend

    def add_task(self, task_id: Any, title: str) -> None:
        """Save the task as ``{"title": title}`` under ``task_id``."""
        self.backend.save(task_id, {"title": title})

    def get_task(self, task_id: Any) -> dict[str, Any] | None:
        """Return the task saved under ``task_id``, or ``None`` if there is none."""
        return self.backend.load(task_id)
