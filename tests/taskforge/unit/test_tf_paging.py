"""TaskManager pages through listings the same way on every backend."""

import pytest

from taskforge.domain import TaskQuery
from taskforge.errors import ValidationFailed
from taskforge.services import TaskManager


@pytest.fixture
def manager(backend):
    return TaskManager(backend.tasks, clock=lambda: "2030-01-01T00:00:00Z")


def test_limit_and_offset(manager):
    project = manager.create_project("Alpha")
    for number, priority in enumerate([5, 90, 40, 90, 70]):
        manager.create_task(project_id=project.id, title=f"t{number}", priority=priority)
    everything = [t.title for t in manager.list_tasks()]
    assert everything == ["t1", "t3", "t4", "t2", "t0"]
    assert [t.title for t in manager.list_tasks(TaskQuery(limit=2))] == everything[:2]
    assert [t.title for t in manager.list_tasks(TaskQuery(limit=2, offset=2))] == everything[2:4]
    assert [t.title for t in manager.list_tasks(TaskQuery(offset=4))] == everything[4:]
    assert manager.list_tasks(TaskQuery(limit=10, offset=9)) == []


@pytest.mark.parametrize("query", [TaskQuery(limit=0), TaskQuery(limit=501), TaskQuery(offset=-1)])
def test_bad_pages_are_refused(manager, query):
    with pytest.raises(ValidationFailed):
        manager.list_tasks(query)


def test_active_tasks_are_the_ones_not_done(manager):
    project = manager.create_project("Alpha")
    first = manager.create_task(project_id=project.id, title="a")
    manager.create_task(project_id=project.id, title="b", status="doing")
    manager.update_task(first.id, {"status": "done"})
    assert manager.count_active_tasks() == 1
