"""Blueprint: categories."""

from __future__ import annotations

from flask import Blueprint

from .support import json_body, require, tasks, to_json

bp = Blueprint("categories", __name__, url_prefix="/api/categories")


@bp.get("")
@require("read")
def list_categories():
    """All categories, by name."""
    return {"categories": [to_json(c) for c in tasks().list_categories()]}


@bp.post("")
@require("create")
def create_category():
    """Add a category."""
    body = json_body(allowed=("name",), required=("name",))
    return to_json(tasks().create_category(body["name"])), 201
