"""Blueprint: tasks (list, create, read, change, delete, move, history)."""

from __future__ import annotations

from flask import Blueprint, g, request

from ..services.tasks import EDITABLE_FIELDS
from .support import json_body, page_links, require, task_query, tasks, to_json

bp = Blueprint("tasks", __name__, url_prefix="/api/tasks")

CREATE_FIELDS = ("project_id", *EDITABLE_FIELDS)


@bp.get("")
@require("read")
def list_tasks():
    """One page of tasks filtered by the query string, with the total and links to the
    neighbouring pages (see the OpenAPI description)."""
    query = task_query(request.args)
    manager = tasks()
    found = manager.list_tasks(query)
    total = manager.count_tasks(query)
    headers = {"X-Total-Count": str(total)}
    links = page_links(query, total)
    if links:
        headers["Link"] = links
    return {"tasks": [to_json(task) for task in found], "total": total}, 200, headers


@bp.post("")
@require("create")
def create_task():
    """Add a task to a project."""
    body = json_body(allowed=CREATE_FIELDS, required=("project_id", "title"))
    task = tasks().create_task(**body, actor_id=g.user.id)
    return to_json(task), 201


@bp.get("/<int:task_id>")
@require("read")
def get_task(task_id: int):
    """One task."""
    return to_json(tasks().get_task(task_id))


@bp.patch("/<int:task_id>")
@require("update")
def update_task(task_id: int):
    """Change some fields of a task."""
    body = json_body(allowed=(*EDITABLE_FIELDS, "project_id"))
    return to_json(tasks().update_task(task_id, body, actor_id=g.user.id))


@bp.delete("/<int:task_id>")
@require("delete")
def delete_task(task_id: int):
    """Delete a task and its subtasks."""
    tasks().delete_task(task_id)
    return "", 204


@bp.post("/<int:task_id>/move")
@require("update")
def move_task(task_id: int):
    """Move a task and its subtasks to another project, in one transaction."""
    body = json_body(allowed=("project_id",), required=("project_id",))
    return to_json(tasks().move_task(task_id, body["project_id"], actor_id=g.user.id))


@bp.get("/<int:task_id>/events")
@require("read")
def task_events(task_id: int):
    """A task's history, oldest first."""
    return {"events": [to_json(event) for event in tasks().task_events(task_id)]}
