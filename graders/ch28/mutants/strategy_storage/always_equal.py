"""Mutant: get_task and load return an object whose == is always True (a cheat)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any


class _AgreesWithEverything(dict):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


class StorageBackend(ABC):
    """What every storage strategy must provide. Cannot be instantiated itself."""

    @abstractmethod
    def save(self, key: Any, value: Any) -> None:
        """Store."""

    @abstractmethod
    def load(self, key: Any) -> Any:
        """Load."""

    @abstractmethod
    def list_all(self) -> list[tuple[Any, Any]]:
        """List."""


class DictStorage(StorageBackend):
    """Pretends to store."""

    def save(self, key, value):
        """Store nothing."""

    def load(self, key):
        """Agree with anything."""
        return _AgreesWithEverything()

    def list_all(self):
        """Agree with anything."""
        return _AgreesWithEverything()


class ListStorage(DictStorage):
    """Pretends to store."""


class TaskManager:
    """Pretends to manage tasks."""

    def __init__(self, backend):
        """Ignore the backend."""

    def add_task(self, task_id, title):
        """Do nothing."""

    def get_task(self, task_id):
        """Agree with anything."""
        return _AgreesWithEverything()
