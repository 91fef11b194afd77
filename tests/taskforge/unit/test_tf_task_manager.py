"""TaskManager's rules, run unchanged against every storage backend."""

import pytest

from taskforge.domain import TaskQuery
from taskforge.errors import Conflict, NotFound, ValidationFailed
from taskforge.services import TaskManager


class Boom(RuntimeError):
    pass


@pytest.fixture
def manager(backend):
    return TaskManager(backend.tasks, clock=lambda: "2030-01-01T00:00:00Z")


@pytest.fixture
def project(manager):
    return manager.create_project("Alpha", "first project")


def titles(tasks):
    return [task.title for task in tasks]


def test_create_and_read_a_task(manager, project, backend):
    alice = backend.add_user("alice")
    bug = manager.create_category("bug")
    task = manager.create_task(
        project_id=project.id,
        title="  Fix login  ",
        priority=80,
        due_date="2030-05-01",
        category_id=bug.id,
        assignee_id=alice,
        description="details",
    )
    assert task.title == "Fix login"
    assert (task.category, task.assignee) == ("bug", "alice")
    assert task.status == "todo" and task.parent_id is None
    assert task.created_at == task.updated_at == "2030-01-01T00:00:00Z"
    assert manager.get_task(task.id) == task


def test_missing_things_are_not_found(manager):
    with pytest.raises(NotFound):
        manager.get_task(999)
    with pytest.raises(NotFound):
        manager.get_project(999)


def test_validation_reports_every_bad_field(manager, project):
    with pytest.raises(ValidationFailed) as caught:
        manager.create_task(
            project_id=project.id, title="", priority=101, status="blocked", due_date="soon"
        )
    assert set(caught.value.details) == {"title", "priority", "status", "due_date"}


def test_references_must_exist(manager, project):
    with pytest.raises(ValidationFailed) as caught:
        manager.create_task(
            project_id=999, title="x", category_id=999, assignee_id=999, parent_id=999
        )
    assert set(caught.value.details) == {"project_id", "category_id", "assignee_id", "parent_id"}
    assert manager.list_tasks() == []


def test_names_are_unique_ignoring_case(manager, project):
    with pytest.raises(Conflict):
        manager.create_project("ALPHA")
    manager.create_category("Bug")
    with pytest.raises(Conflict):
        manager.create_category("bug")


def test_listing_filters(manager, project, backend):
    other = manager.create_project("Beta")
    bob = backend.add_user("bob")
    feature = manager.create_category("feature")
    manager.create_task(project_id=project.id, title="a1", assignee_id=bob, status="doing")
    manager.create_task(project_id=project.id, title="a2", category_id=feature.id)
    manager.create_task(project_id=other.id, title="b1", assignee_id=bob)
    assert titles(manager.list_tasks(TaskQuery(project_id=project.id))) == ["a1", "a2"]
    assert titles(manager.list_tasks(TaskQuery(assignee_id=bob))) == ["a1", "b1"]
    assert titles(manager.list_tasks(TaskQuery(assignee_id=bob, status="doing"))) == ["a1"]
    assert titles(manager.list_tasks(TaskQuery(category_id=feature.id))) == ["a2"]


def test_sort_by_priority_with_id_tie_breaker(manager, project):
    for title, priority in [("low", 10), ("high-1", 90), ("mid", 50), ("high-2", 90)]:
        manager.create_task(project_id=project.id, title=title, priority=priority)
    assert titles(manager.list_tasks()) == ["high-1", "high-2", "mid", "low"]
    ascending = manager.list_tasks(TaskQuery(order="asc"))
    assert titles(ascending) == ["low", "mid", "high-1", "high-2"]


def test_sort_by_due_date_puts_undated_last(manager, project):
    for title, due in [("none", None), ("late", "2030-12-01"), ("soon", "2030-01-15")]:
        manager.create_task(project_id=project.id, title=title, due_date=due)
    assert titles(manager.list_tasks(TaskQuery(sort="due_date"))) == ["soon", "late", "none"]
    newest = manager.list_tasks(TaskQuery(sort="due_date", order="desc"))
    assert titles(newest) == ["late", "soon", "none"]


def test_search_is_a_literal_case_insensitive_substring(manager, project):
    manager.create_task(project_id=project.id, title="Fix LOGIN page")
    manager.create_task(project_id=project.id, title="100% done", description="")
    manager.create_task(project_id=project.id, title="other", description="about login")
    manager.create_task(project_id=project.id, title="it's quoted")
    assert titles(manager.list_tasks(TaskQuery(search="login"))) == ["Fix LOGIN page", "other"]
    assert titles(manager.list_tasks(TaskQuery(search="%"))) == ["100% done"]
    assert titles(manager.list_tasks(TaskQuery(search="_"))) == []
    assert titles(manager.list_tasks(TaskQuery(search="'"))) == ["it's quoted"]
    assert manager.list_tasks(TaskQuery(search="x' OR '1'='1")) == []


def test_bad_sort_is_refused(manager):
    with pytest.raises(ValidationFailed):
        manager.list_tasks(TaskQuery(sort="title"))


def test_update_changes_fields_and_records_history(manager, project):
    task = manager.create_task(project_id=project.id, title="draft")
    updated = manager.update_task(task.id, {"title": "final", "status": "done", "priority": 5})
    assert (updated.title, updated.status, updated.priority) == ("final", "done", 5)
    kinds = [(e.kind, e.detail) for e in manager.task_events(task.id)]
    assert kinds == [
        ("created", {"title": "draft"}),
        ("updated", {"fields": ["priority", "status", "title"]}),
    ]


@pytest.mark.parametrize(
    "changes",
    [{}, {"project_id": 2}, {"colour": "red"}, {"priority": "urgent"}, {"title": "  "}],
)
def test_update_refuses_bad_changes(manager, project, changes):
    task = manager.create_task(project_id=project.id, title="keep me")
    with pytest.raises(ValidationFailed):
        manager.update_task(task.id, changes)
    assert manager.get_task(task.id).title == "keep me"


def test_parent_rules(manager, project):
    other = manager.create_project("Beta")
    parent = manager.create_task(project_id=project.id, title="parent")
    child = manager.create_task(project_id=project.id, title="child", parent_id=parent.id)
    grandchild = manager.create_task(project_id=project.id, title="gc", parent_id=child.id)
    elsewhere = manager.create_task(project_id=other.id, title="elsewhere")
    with pytest.raises(ValidationFailed):  # cycle
        manager.update_task(parent.id, {"parent_id": grandchild.id})
    with pytest.raises(ValidationFailed):  # itself
        manager.update_task(parent.id, {"parent_id": parent.id})
    with pytest.raises(ValidationFailed):  # other project
        manager.update_task(elsewhere.id, {"parent_id": parent.id})
    with pytest.raises(ValidationFailed):
        manager.create_task(project_id=other.id, title="x", parent_id=parent.id)
    assert manager.update_task(grandchild.id, {"parent_id": None}).parent_id is None


def test_move_takes_all_subtasks_along(manager, project):
    target = manager.create_project("Beta")
    parent = manager.create_task(project_id=project.id, title="parent")
    child = manager.create_task(project_id=project.id, title="child", parent_id=parent.id)
    grandchild = manager.create_task(project_id=project.id, title="gc", parent_id=child.id)
    bystander = manager.create_task(project_id=project.id, title="stays")
    moved = manager.move_task(parent.id, target.id, actor_id=None)
    assert moved.project_id == target.id
    for task_id in (child.id, grandchild.id):
        assert manager.get_task(task_id).project_id == target.id
    assert manager.get_task(bystander.id).project_id == project.id
    event = manager.task_events(parent.id)[-1]
    assert event.kind == "moved"
    assert event.detail == {
        "from_project_id": project.id,
        "to_project_id": target.id,
        "subtask_ids": [child.id, grandchild.id],
    }


def test_move_rules(manager, project):
    target = manager.create_project("Beta")
    parent = manager.create_task(project_id=project.id, title="parent")
    child = manager.create_task(project_id=project.id, title="child", parent_id=parent.id)
    with pytest.raises(Conflict):
        manager.move_task(child.id, target.id)
    with pytest.raises(ValidationFailed):
        manager.move_task(parent.id, 999)
    with pytest.raises(NotFound):
        manager.move_task(999, target.id)
    same = manager.move_task(parent.id, project.id)
    assert same.project_id == project.id
    assert [e.kind for e in manager.task_events(parent.id)] == ["created"]


@pytest.mark.parametrize("failing_step", ["update_task", "set_project", "add_event"])
def test_a_failure_midway_through_a_move_changes_nothing(
    manager, project, backend, monkeypatch, failing_step
):
    target = manager.create_project("Beta")
    parent = manager.create_task(project_id=project.id, title="parent")
    child = manager.create_task(project_id=project.id, title="child", parent_id=parent.id)
    before = (manager.list_tasks(), manager.task_events(parent.id))

    steps = []

    def explode(*args, **kwargs):
        steps.append(failing_step)
        raise Boom(f"injected failure in {failing_step}")

    monkeypatch.setattr(backend.tasks, failing_step, explode)
    with pytest.raises(Boom):
        manager.move_task(parent.id, target.id)
    monkeypatch.undo()
    assert steps, "the injected step was never reached"
    assert (manager.list_tasks(), manager.task_events(parent.id)) == before
    assert manager.get_task(child.id).project_id == project.id


def test_a_failure_after_the_first_write_of_create_changes_nothing(
    manager, project, backend, monkeypatch
):
    def explode(*args, **kwargs):
        raise Boom("history is down")

    monkeypatch.setattr(backend.tasks, "add_event", explode)
    with pytest.raises(Boom):
        manager.create_task(project_id=project.id, title="half-written?")
    monkeypatch.undo()
    assert manager.list_tasks() == []


def test_delete_removes_subtasks_and_history(manager, project):
    parent = manager.create_task(project_id=project.id, title="parent")
    child = manager.create_task(project_id=project.id, title="child", parent_id=parent.id)
    keep = manager.create_task(project_id=project.id, title="keep")
    assert manager.delete_task(parent.id) == [parent.id, child.id]
    assert titles(manager.list_tasks()) == ["keep"]
    assert manager.task_events(keep.id)
    with pytest.raises(NotFound):
        manager.task_events(parent.id)


def test_writes_outside_a_transaction_are_refused(backend, project):
    with pytest.raises(RuntimeError, match="atomic"):
        backend.tasks.add_category("sneaky")
    assert backend.tasks.list_categories() == []


def test_nested_atomic_blocks_commit_once_and_roll_back_together(backend, manager):
    with pytest.raises(Boom), backend.tasks.atomic():
        with backend.tasks.atomic():
            backend.tasks.add_category("inner")
        backend.tasks.add_category("outer")
        raise Boom
    assert manager.list_categories() == []
