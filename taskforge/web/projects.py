"""Blueprint: projects."""

from __future__ import annotations

from flask import Blueprint, g

from .support import json_body, require, tasks, to_json

bp = Blueprint("projects", __name__, url_prefix="/api/projects")


@bp.get("")
@require("read")
def list_projects():
    """All projects."""
    return {"projects": [to_json(p) for p in tasks().list_projects()]}


@bp.post("")
@require("create")
def create_project():
    """Add a project owned by the caller."""
    body = json_body(allowed=("name", "description"), required=("name",))
    project = tasks().create_project(body["name"], body.get("description", ""), owner_id=g.user.id)
    return to_json(project), 201


@bp.get("/<int:project_id>")
@require("read")
def get_project(project_id: int):
    """One project."""
    return to_json(tasks().get_project(project_id))


@bp.get("/<int:project_id>/members")
@require("read")
def list_members(project_id: int):
    """The members of a project (admins, and the project's own members, may look)."""
    return {"members": [to_json(user) for user in tasks().list_members(project_id)]}


@bp.post("/<int:project_id>/members")
@require("read")
def add_member(project_id: int):
    """Add a member to a project: an admin, or the project's owner, may."""
    body = json_body(allowed=("user_id",), required=("user_id",))
    members = tasks().add_member(project_id, body["user_id"], actor=g.user)
    return {"members": [to_json(user) for user in members]}, 201
