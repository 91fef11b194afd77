"""Blueprint: user administration (admins only)."""

from __future__ import annotations

from flask import Blueprint

from .support import json_body, require, services, to_json

bp = Blueprint("users", __name__, url_prefix="/api/users")


@bp.get("")
@require("manage_users")
def list_users():
    """Every account with its role."""
    return {"users": [to_json(user) for user in services().auth.list_users()]}


@bp.patch("/<int:user_id>")
@require("manage_users")
def change_role(user_id: int):
    """Give an account another role."""
    body = json_body(allowed=("role",), required=("role",))
    return to_json(services().auth.change_role(user_id, body["role"]))
