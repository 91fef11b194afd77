"""Mutant: StorageBackend is a plain class whose methods raise NotImplementedError, so it can be instantiated."""

from __future__ import annotations

from typing import Any


class StorageBackend:
    """What every storage strategy must provide. Cannot be instantiated itself."""

    def save(self, key: Any, value: Any) -> None:
        """Store ``value`` under ``key``, replacing any value already saved there."""
        raise NotImplementedError

    def load(self, key: Any) -> Any:
        """Return the value saved under ``key``, or ``None`` if there is none."""
        raise NotImplementedError

    def list_all(self) -> list[Any]:
        """Return a new list of the stored values, one per key, in any order."""
        raise NotImplementedError


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
