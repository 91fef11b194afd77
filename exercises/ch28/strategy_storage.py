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

from abc import ABC, abstractmethod  # noqa: F401 - you will need both (task 1)
from typing import Any


class StorageBackend:
    """What every storage strategy must provide. Cannot be instantiated itself."""

    # TODO (task 1): inherit from ABC and mark the three methods below with @abstractmethod.
    # An abstract method needs no body beyond its docstring.

    def save(self, key: Any, value: Any) -> None:
        """Store ``value`` under ``key``, replacing any value already saved there."""
        raise NotImplementedError("StorageBackend.save is not abstract yet")

    def load(self, key: Any) -> Any:
        """Return the value saved under ``key``, or ``None`` if there is none."""
        raise NotImplementedError("StorageBackend.load is not abstract yet")

    def list_all(self) -> list[Any]:
        """Return a new list of the stored values, one per key, in any order."""
        raise NotImplementedError("StorageBackend.list_all is not abstract yet")


class DictStorage(StorageBackend):
    """A backend that keeps its entries in a dict."""

    def __init__(self) -> None:
        """Start empty."""
        # TODO (task 2): create this object's own empty dict.
        raise NotImplementedError("DictStorage.__init__ is not written yet")

    def save(self, key: Any, value: Any) -> None:
        """Store ``value`` under ``key``, replacing any value already saved there."""
        # TODO (task 2)
        raise NotImplementedError("DictStorage.save is not written yet")

    def load(self, key: Any) -> Any:
        """Return the value saved under ``key``, or ``None`` if there is none."""
        # TODO (task 2): a missing key gives None, never a KeyError.
        raise NotImplementedError("DictStorage.load is not written yet")

    def list_all(self) -> list[Any]:
        """Return a new list of the stored values, one per key, in any order."""
        # TODO (task 2)
        raise NotImplementedError("DictStorage.list_all is not written yet")


class ListStorage(StorageBackend):
    """A backend that keeps its entries in a list of ``(key, value)`` tuples."""

    def __init__(self) -> None:
        """Start empty."""
        # TODO (task 3): create this object's own empty list.
        raise NotImplementedError("ListStorage.__init__ is not written yet")

    def save(self, key: Any, value: Any) -> None:
        """Store ``value`` under ``key``, replacing any value already saved there."""
        # TODO (task 3): if the key is already in the list, replace that tuple;
        # otherwise append a new one. One key, one tuple.
        raise NotImplementedError("ListStorage.save is not written yet")

    def load(self, key: Any) -> Any:
        """Return the value saved under ``key``, or ``None`` if there is none."""
        # TODO (task 3)
        raise NotImplementedError("ListStorage.load is not written yet")

    def list_all(self) -> list[Any]:
        """Return a new list of the stored values, one per key, in any order."""
        # TODO (task 3): a new list of the values, not the list you store things in.
        raise NotImplementedError("ListStorage.list_all is not written yet")


class TaskManager:
    """Adds and reads tasks through whichever backend it is given."""

    def __init__(self, backend: StorageBackend) -> None:
        """Keep the injected backend; every task goes in and out through it."""
        # TODO (task 4): remember the backend. Do not create a DictStorage here.
        raise NotImplementedError("TaskManager.__init__ is not written yet")

    def add_task(self, task_id: Any, title: str) -> None:
        """Save the task as ``{"title": title}`` under ``task_id``."""
        # TODO (task 4)
        raise NotImplementedError("TaskManager.add_task is not written yet")

    def get_task(self, task_id: Any) -> dict[str, Any] | None:
        """Return the task saved under ``task_id``, or ``None`` if there is none."""
        # TODO (task 4): ask the backend every time; keep no copy of your own.
        raise NotImplementedError("TaskManager.get_task is not written yet")
