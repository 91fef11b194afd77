"""The Strategy pattern: one abstract repository, interchangeable backends, injected."""

import inspect
import sqlite3

import pytest

from taskforge import repository
from taskforge.repository import (
    InMemoryTaskRepository,
    SqliteTaskRepository,
    TaskRepository,
    UserRepository,
)
from taskforge.services import TaskManager


def concrete_subclasses(base):
    found, stack = set(), list(base.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if not inspect.isabstract(cls):
            found.add(cls)
    return found


def test_repositories_are_abstract():
    for base in (TaskRepository, UserRepository):
        assert inspect.isabstract(base)
        with pytest.raises(TypeError):
            base()


def test_at_least_two_concrete_task_backends():
    backends = concrete_subclasses(TaskRepository)
    assert {SqliteTaskRepository, InMemoryTaskRepository} <= backends


def test_task_manager_takes_its_repository_by_constructor():
    parameters = list(inspect.signature(TaskManager).parameters)
    assert parameters[0] == "repository"


def test_task_manager_only_talks_to_the_injected_repository(monkeypatch):
    def no_sqlite(*args, **kwargs):
        raise AssertionError("the in-memory backend must not open SQLite")

    monkeypatch.setattr(sqlite3, "connect", no_sqlite)
    first, second = TaskManager(InMemoryTaskRepository()), TaskManager(InMemoryTaskRepository())
    project = first.create_project("Only in the first")
    first.create_task(project_id=project.id, title="hello")
    assert [t.title for t in first.list_tasks()] == ["hello"]
    assert second.list_tasks() == []  # no hidden shared storage


def test_a_spy_repository_sees_every_call():
    calls = []

    class Spy(InMemoryTaskRepository):
        def __getattribute__(self, name):
            if not name.startswith("_") and name != "store":
                calls.append(name)
            return super().__getattribute__(name)

    manager = TaskManager(Spy())
    manager.create_project("Spied")
    assert "add_project" in calls and "atomic" in calls


def test_package_exports_what_the_gate_imports():
    for name in ("TaskRepository", "SqliteTaskRepository", "InMemoryTaskRepository"):
        assert hasattr(repository, name)
