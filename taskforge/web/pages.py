"""Blueprint: server-rendered HTML views of tasks (Jinja autoescapes every value)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from .support import require, task_query, tasks

bp = Blueprint("pages", __name__)


@bp.get("/tasks")
@require("read")
def task_list():
    """An HTML table of tasks; accepts the same filters as GET /api/tasks."""
    manager = tasks()
    found = manager.list_tasks(task_query(request.args))
    projects = {project.id: project for project in manager.list_projects()}
    return render_template("tasks.html", tasks=found, projects=projects)


@bp.get("/tasks/<int:task_id>")
@require("read")
def task_detail(task_id: int):
    """One task as an HTML page."""
    manager = tasks()
    task = manager.get_task(task_id)
    project = manager.get_project(task.project_id)
    return render_template(
        "task.html", task=task, project=project, events=manager.task_events(task_id)
    )
