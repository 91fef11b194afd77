"""Alternative: ABCMeta metaclass, a sentinel-based dict lookup, and a ListStorage whose
save rebuilds the list without the old key (newest entry last)."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any

_MISSING = object()


class StorageBackend(metaclass=ABCMeta):
    """What every storage strategy must provide. Cannot be instantiated itself."""

    @abstractmethod
    def save(self, key: Any, value: Any) -> None:
        """Store ``value`` under ``key``, replacing any value already saved there."""
        raise NotImplementedError

    @abstractmethod
    def load(self, key: Any) -> Any:
        """Return the value saved under ``key``, or ``None`` if there is none."""
        raise NotImplementedError

    @abstractmethod
    def list_all(self) -> list[Any]:
        """Return a new list of the stored values, one per key, in any order."""
        raise NotImplementedError


class DictStorage(StorageBackend):
    """A backend that keeps its entries in a dict."""

    def __init__(self) -> None:
        """Start empty."""
        self.data = dict()

    def save(self, key: Any, value: Any) -> None:
        """Store ``value`` under ``key``, replacing any value already saved there."""
        self.data.update({key: value})

    def load(self, key: Any) -> Any:
        """Return the value saved under ``key``, or ``None`` if there is none."""
        found = self.data.get(key, _MISSING)
        return None if found is _MISSING else found

    def list_all(self) -> list[Any]:
        """Return a new list of the stored values, one per key, in any order."""
        return list(self.data.values())


class ListStorage(StorageBackend):
    """A backend that keeps its entries in a list of ``(key, value)`` tuples."""

    def __init__(self) -> None:
        """Start empty."""
        self.rows = []

    def save(self, key: Any, value: Any) -> None:
        """Store ``value`` under ``key``, replacing any value already saved there."""
        self.rows = [row for row in self.rows if row[0] != key]
        self.rows.append((key, value))

    def load(self, key: Any) -> Any:
        """Return the value saved under ``key``, or ``None`` if there is none."""
        matches = [value for stored, value in self.rows if stored == key]
        return matches[0] if matches else None

    def list_all(self) -> list[Any]:
        """Return a new list of the stored values, one per key, in any order."""
        return list(map(lambda row: row[1], self.rows))


class TaskManager:
    """Adds and reads tasks through whichever backend it is given."""

    def __init__(self, backend: StorageBackend) -> None:
        """Keep the injected backend; every task goes in and out through it."""
        self.storage = backend

    def add_task(self, task_id: Any, title: str) -> None:
        """Save the task as ``{"title": title}`` under ``task_id``."""
        self.storage.save(task_id, dict(title=title))

    def get_task(self, task_id: Any) -> dict[str, Any] | None:
        """Return the task saved under ``task_id``, or ``None`` if there is none."""
        return self.storage.load(task_id)
