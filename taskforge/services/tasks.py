"""TaskManager: the task-tracking rules, written against the TaskRepository interface only."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from .. import domain
from ..domain import Category, FieldErrors, NewTask, Project, Task, TaskEvent, TaskQuery, User
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..repository.base import TaskRepository

# The rule (and its options) that cleans each task field a client may set.
FIELD_RULES: dict[str, tuple[Callable[..., object], dict]] = {
    "title": (domain.clean_text, {"max_length": domain.MAX_TITLE, "required": True}),
    "description": (domain.clean_text, {"max_length": domain.MAX_DESCRIPTION, "required": False}),
    "priority": (domain.clean_priority, {}),
    "status": (domain.clean_status, {}),
    "due_date": (domain.clean_due_date, {}),
    "category_id": (domain.clean_id, {"optional": True}),
    "assignee_id": (domain.clean_id, {"optional": True}),
    "parent_id": (domain.clean_id, {"optional": True}),
}
EDITABLE_FIELDS = tuple(FIELD_RULES)


class TaskManager:
    """Creates, reads, changes, moves and deletes tasks, projects and categories.

    The repository is injected, so the same rules run unchanged on SQLite or in memory.
    Every multi-step write runs inside one ``repository.atomic()`` block.
    """

    def __init__(
        self,
        repository: TaskRepository,
        *,
        clock: Callable[[], str] = domain.utc_now,
        member_id: int | None = None,
    ) -> None:
        self._repo = repository
        self._now = clock
        self._member_id = member_id

    def scoped(self, member_id: int | None) -> TaskManager:
        """The same manager seeing only the projects member_id belongs to (None: all).

        Tenancy: a project, its tasks and their history exist, for a user who is not a
        member, exactly as much as a project that was never created: NotFound, or "no such
        project" for a reference in a request body.
        """
        return TaskManager(self._repo, clock=self._now, member_id=member_id)

    def _visible_project(self, project_id: int) -> Project | None:
        project = self._repo.get_project(project_id)
        if project is None or self._member_id is None:
            return project
        return project if self._repo.is_member(project_id, self._member_id) else None

    # ----------------------------------------------------------------- projects
    def create_project(
        self, name: str, description: str = "", *, owner_id: int | None = None
    ) -> Project:
        """Add a project; names are unique regardless of case."""
        errors = FieldErrors()
        name = errors.check(
            "name", domain.clean_text, name, max_length=domain.MAX_NAME, required=True
        )
        description = errors.check(
            "description",
            domain.clean_text,
            description,
            max_length=domain.MAX_DESCRIPTION,
            required=False,
        )
        _raise_if(errors)
        with self._repo.atomic():
            project = self._repo.add_project(name, description, owner_id, self._now())
            if owner_id is not None:
                self._repo.add_member(project.id, owner_id)  # whoever creates it belongs to it
            return project

    def get_project(self, project_id: int) -> Project:
        """The project, or NotFound (also when the caller is not a member)."""
        project = self._visible_project(project_id)
        if project is None:
            raise NotFound(f"project {project_id} does not exist")
        return project

    def list_projects(self) -> list[Project]:
        """All projects the caller may see."""
        return self._repo.list_projects(self._member_id)

    # ------------------------------------------------------------------ members
    def list_members(self, project_id: int) -> list[User]:
        """The members of a project the caller may see."""
        self.get_project(project_id)
        return self._repo.list_members(project_id)

    def add_member(self, project_id: int, user_id: object, *, actor: User) -> list[User]:
        """Add a member; only an admin or the project's owner may. Returns the members."""
        errors = FieldErrors()
        user_id = errors.check("user_id", domain.clean_id, user_id, optional=False)
        _raise_if(errors)
        with self._repo.atomic():
            project = self.get_project(project_id)
            if actor.role != "admin" and project.owner_id != actor.id:
                raise Forbidden("only an admin or the project's owner may add members")
            if not self._repo.user_exists(user_id):
                raise ValidationFailed(
                    f"user {user_id} does not exist", details={"user_id": "no such user"}
                )
            self._repo.add_member(project_id, user_id)
            return self._repo.list_members(project_id)

    # --------------------------------------------------------------- categories
    def create_category(self, name: str) -> Category:
        """Add a category; names are unique regardless of case."""
        errors = FieldErrors()
        name = errors.check(
            "name", domain.clean_text, name, max_length=domain.MAX_NAME, required=True
        )
        _raise_if(errors)
        with self._repo.atomic():
            return self._repo.add_category(name)

    def list_categories(self) -> list[Category]:
        """All categories, by name."""
        return self._repo.list_categories()

    # -------------------------------------------------------------------- tasks
    def create_task(
        self,
        *,
        project_id: int,
        title: str,
        description: str = "",
        priority: int = domain.DEFAULT_PRIORITY,
        status: str = "todo",
        due_date: str | None = None,
        category_id: int | None = None,
        assignee_id: int | None = None,
        parent_id: int | None = None,
        actor_id: int | None = None,
    ) -> Task:
        """Add a task (and its "created" history entry) in one transaction."""
        errors = FieldErrors()
        given = {
            "title": title, "description": description, "priority": priority, "status": status,
            "due_date": due_date, "category_id": category_id, "assignee_id": assignee_id,
            "parent_id": parent_id,
        }  # fmt: skip
        values = {
            "project_id": errors.check("project_id", domain.clean_id, project_id, optional=False),
            **{name: _clean(name, value, errors) for name, value in given.items()},
        }
        _raise_if(errors)
        with self._repo.atomic():
            if self._visible_project(values["project_id"]) is None:
                errors.add("project_id", "no such project")
            self._check_references(values, errors)
            if values["parent_id"] is not None:
                parent = self._visible_task(values["parent_id"])
                if parent is None:
                    errors.add("parent_id", "no such task")
                elif parent.project_id != values["project_id"]:
                    errors.add("parent_id", "a subtask must be in the same project as its parent")
            _raise_if(errors)
            now = self._now()
            task_id = self._repo.add_task(NewTask(**values, created_at=now))
            self._repo.add_event(task_id, "created", {"title": values["title"]}, actor_id, now)
            return self._repo.get_task(task_id)

    def _visible_task(self, task_id: int) -> Task | None:
        task = self._repo.get_task(task_id)
        if task is None or self._member_id is None:
            return task
        return task if self._repo.is_member(task.project_id, self._member_id) else None

    def get_task(self, task_id: int) -> Task:
        """The task, or NotFound (also when it belongs to a project the caller is not in)."""
        task = self._visible_task(task_id)
        if task is None:
            raise NotFound(f"task {task_id} does not exist")
        return task

    def list_tasks(self, query: TaskQuery | None = None) -> list[Task]:
        """Tasks matching query (all tasks by default), highest priority first by default."""
        query = query or TaskQuery()
        if query.sort not in domain.SORT_FIELDS:
            raise ValidationFailed(f"sort must be one of {', '.join(domain.SORT_FIELDS)}")
        if query.order is not None and query.order not in domain.SORT_ORDERS:
            raise ValidationFailed(f"order must be one of {', '.join(domain.SORT_ORDERS)}")
        if query.limit is not None and not 1 <= query.limit <= domain.MAX_PAGE_SIZE:
            raise ValidationFailed(f"limit must be between 1 and {domain.MAX_PAGE_SIZE}")
        if query.offset < 0:
            raise ValidationFailed("offset must not be negative")
        return self._repo.list_tasks(self._scope(query))

    def count_tasks(self, query: TaskQuery) -> int:
        """How many tasks match query's filters on every page together."""
        return self._repo.count_tasks(self._scope(query))

    def _scope(self, query: TaskQuery) -> TaskQuery:
        if self._member_id is None:
            return query
        return dataclasses.replace(query, member_id=self._member_id)

    def count_active_tasks(self) -> int:
        """How many tasks are not done yet (the active-tasks gauge)."""
        return self._repo.count_active_tasks()

    def update_task(
        self, task_id: int, changes: Mapping[str, object], *, actor_id: int | None = None
    ) -> Task:
        """Change some fields of a task (not its project: use move_task for that)."""
        if "project_id" in changes:
            raise ValidationFailed(
                "project_id cannot be changed here; POST /api/tasks/<id>/move moves a task "
                "together with its subtasks",
                details={"project_id": "use move"},
            )
        unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
        if unknown:
            raise ValidationFailed(
                "unknown fields: " + ", ".join(unknown),
                details=dict.fromkeys(unknown, "unknown field"),
            )
        if not changes:
            raise ValidationFailed("nothing to update: send at least one field")
        errors = FieldErrors()
        clean = {name: _clean(name, value, errors) for name, value in changes.items()}
        _raise_if(errors)
        with self._repo.atomic():
            task = self.get_task(task_id)
            self._check_references(clean, errors)
            if "parent_id" in clean:
                self._check_new_parent(task, clean["parent_id"], errors)
            _raise_if(errors)
            now = self._now()
            self._repo.update_task(task_id, clean, now)
            self._repo.add_event(task_id, "updated", {"fields": sorted(clean)}, actor_id, now)
            return self._repo.get_task(task_id)

    def move_task(self, task_id: int, project_id: int, *, actor_id: int | None = None) -> Task:
        """Move a task and all of its subtasks to another project, all or nothing.

        Three writes happen: the task itself, its subtasks, and a history entry. They share
        one transaction, so a failure in any of them leaves every task where it was.
        """
        errors = FieldErrors()
        errors.check("project_id", domain.clean_id, project_id, optional=False)
        _raise_if(errors)
        with self._repo.atomic():
            task = self.get_task(task_id)
            if self._visible_project(project_id) is None:
                raise ValidationFailed(
                    f"project {project_id} does not exist",
                    details={"project_id": "no such project"},
                )
            if task.parent_id is not None:
                raise Conflict(
                    f"task {task_id} is a subtask of task {task.parent_id}; move the parent task"
                )
            if task.project_id == project_id:
                return task
            now = self._now()
            self._repo.update_task(task_id, {"project_id": project_id}, now)
            subtasks = self._repo.descendant_ids(task_id)
            self._repo.set_project(subtasks, project_id, now)
            detail = {
                "from_project_id": task.project_id,
                "to_project_id": project_id,
                "subtask_ids": subtasks,
            }
            self._repo.add_event(task_id, "moved", detail, actor_id, now)
            return self._repo.get_task(task_id)

    def delete_task(self, task_id: int) -> list[int]:
        """Delete a task with all of its subtasks; return the ids removed."""
        with self._repo.atomic():
            self.get_task(task_id)
            doomed = [task_id, *self._repo.descendant_ids(task_id)]
            self._repo.delete_tasks(doomed)
            return doomed

    def task_events(self, task_id: int) -> list[TaskEvent]:
        """A task's history, oldest first."""
        self.get_task(task_id)
        return self._repo.list_events(task_id)

    # ------------------------------------------------------------------ helpers
    def _check_references(self, values: Mapping[str, object], errors: FieldErrors) -> None:
        category_id = values.get("category_id")
        if category_id and self._repo.get_category(category_id) is None:
            errors.add("category_id", "no such category")
        assignee_id = values.get("assignee_id")
        if assignee_id and not self._repo.user_exists(assignee_id):
            errors.add("assignee_id", "no such user")

    def _check_new_parent(self, task: Task, parent_id: int | None, errors: FieldErrors) -> None:
        if parent_id is None:
            return
        parent = self._visible_task(parent_id)
        if parent is None:
            errors.add("parent_id", "no such task")
        elif parent.project_id != task.project_id:
            errors.add("parent_id", "a subtask must be in the same project as its parent")
        elif parent_id == task.id or parent_id in self._repo.descendant_ids(task.id):
            errors.add("parent_id", "a task cannot be its own ancestor")


def _clean(name: str, value: object, errors: FieldErrors) -> object:
    rule, options = FIELD_RULES[name]
    return errors.check(name, rule, value, **options)


def _raise_if(errors: FieldErrors) -> None:
    if errors:
        raise ValidationFailed("some fields are invalid", details=errors.errors)
