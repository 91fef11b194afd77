"""Blueprint: registration, login and "who am I"."""

from __future__ import annotations

from flask import Blueprint, g, request

from ..errors import ValidationFailed
from .support import authenticated_user, json_body, require, services, to_json

bp = Blueprint("auth", __name__, url_prefix="/api/auth")


@bp.post("/register")
def register():
    """Create an account. An admin's token may be sent to create editors or admins."""
    actor = authenticated_user(optional=True)
    body = json_body(allowed=("username", "password", "role"), required=("username", "password"))
    if "role" in body and body["role"] is None:  # leave it out for the default, never null
        raise ValidationFailed("some fields are invalid", details={"role": "must not be null"})
    user = services().auth.register(
        body["username"],
        body["password"],
        body.get("role"),
        actor=actor,
        client=request.remote_addr,
    )
    return to_json(user), 201


@bp.post("/login")
def login():
    """Exchange a username and password for a bearer token."""
    body = json_body(allowed=("username", "password"), required=("username", "password"))
    issued = services().auth.login(body["username"], body["password"], request.remote_addr)
    g.user = issued.user  # so the request's log line names who logged in
    return {
        "token": issued.token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "user": to_json(issued.user),
    }


@bp.get("/me")
@require("read")
def me():
    """The account the token belongs to."""
    return to_json(authenticated_user())
