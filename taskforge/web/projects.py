"""Blueprint: projects."""

from __future__ import annotations

from flask import Blueprint, g

from .support import json_body, require, services, to_json

bp = Blueprint("projects", __name__, url_prefix="/api/projects")


@bp.get("")
@require("read")
def list_projects():
    """All projects."""
    return {"projects": [to_json(p) for p in services().tasks.list_projects()]}


@bp.post("")
@require("create")
def create_project():
    """Add a project owned by the caller."""
    body = json_body(allowed=("name", "description"), required=("name",))
    project = services().tasks.create_project(
        body["name"], body.get("description", ""), owner_id=g.user.id
    )
    return to_json(project), 201


@bp.get("/<int:project_id>")
@require("read")
def get_project(project_id: int):
    """One project."""
    return to_json(services().tasks.get_project(project_id))
