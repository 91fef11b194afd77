"""The OpenAPI 3 description of the HTTP API (a test keeps it in step with the routes)."""

from __future__ import annotations

import copy

from . import domain

_ID = {"type": "integer", "minimum": 1}
_NULLABLE_ID = {"type": ["integer", "null"], "minimum": 1}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict, required: tuple[str, ...] = ()) -> dict:
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


_TASK_FIELDS = {
    "title": {"type": "string", "minLength": 1, "maxLength": domain.MAX_TITLE},
    "description": {"type": "string", "maxLength": domain.MAX_DESCRIPTION},
    "priority": {
        "type": "integer",
        "minimum": domain.MIN_PRIORITY,
        "maximum": domain.MAX_PRIORITY,
        "description": "Higher is more urgent. Default 50.",
    },
    "status": {"type": "string", "enum": list(domain.STATUSES)},
    "due_date": {"type": ["string", "null"], "format": "date"},
    "category_id": _NULLABLE_ID,
    "assignee_id": _NULLABLE_ID,
    "parent_id": _NULLABLE_ID,
}

SCHEMAS = {
    "Error": _obj(
        {
            "error": _obj(
                {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {"type": "object", "additionalProperties": {"type": "string"}},
                },
                ("code", "message"),
            )
        },
        ("error",),
    ),
    "User": _obj(
        {
            "id": _ID,
            "username": {"type": "string"},
            "role": {"type": "string", "enum": list(domain.ROLES)},
        },
        ("id", "username", "role"),
    ),
    "RegisterInput": _obj(
        {
            "username": {"type": "string", "pattern": "^[A-Za-z0-9_.-]{3,32}$"},
            "password": {"type": "string", "minLength": 8, "maxLength": 1024},
            "role": {"type": "string", "enum": list(domain.ROLES)},
        },
        ("username", "password"),
    ),
    "LoginInput": _obj(
        {"username": {"type": "string"}, "password": {"type": "string"}},
        ("username", "password"),
    ),
    "Token": _obj(
        {
            "token": {"type": "string"},
            "token_type": {"type": "string", "enum": ["Bearer"]},
            "expires_in": {"type": "integer"},
            "user": _ref("User"),
        },
        ("token", "token_type", "expires_in", "user"),
    ),
    "RoleInput": _obj({"role": {"type": "string", "enum": list(domain.ROLES)}}, ("role",)),
    "Project": _obj(
        {
            "id": _ID,
            "name": {"type": "string"},
            "description": {"type": "string"},
            "owner_id": _NULLABLE_ID,
            "created_at": {"type": "string", "format": "date-time"},
        },
        ("id", "name", "description", "owner_id", "created_at"),
    ),
    "ProjectInput": _obj(
        {
            "name": {"type": "string", "minLength": 1, "maxLength": domain.MAX_NAME},
            "description": {"type": "string"},
        },
        ("name",),
    ),
    "Category": _obj({"id": _ID, "name": {"type": "string"}}, ("id", "name")),
    "CategoryInput": _obj(
        {"name": {"type": "string", "minLength": 1, "maxLength": domain.MAX_NAME}}, ("name",)
    ),
    "Task": _obj(
        {
            "id": _ID,
            **_TASK_FIELDS,
            "project_id": _ID,
            "category": {"type": ["string", "null"]},
            "assignee": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
        (
            "id",
            "title",
            "description",
            "priority",
            "status",
            "due_date",
            "project_id",
            "category_id",
            "category",
            "assignee_id",
            "assignee",
            "parent_id",
            "created_at",
            "updated_at",
        ),
    ),
    "TaskInput": _obj({"project_id": _ID, **_TASK_FIELDS}, ("project_id", "title")),
    "TaskPatch": {**_obj(copy.deepcopy(_TASK_FIELDS)), "minProperties": 1},
    "MoveInput": _obj({"project_id": _ID}, ("project_id",)),
    "TaskEvent": _obj(
        {
            "id": _ID,
            "task_id": _ID,
            "kind": {"type": "string", "enum": ["created", "updated", "moved"]},
            "detail": {"type": "object"},
            "actor_id": _NULLABLE_ID,
            "created_at": {"type": "string", "format": "date-time"},
        },
        ("id", "task_id", "kind", "detail", "actor_id", "created_at"),
    ),
}

_ERROR_TEXT = {
    "400": "Malformed request (body is not a JSON object, bad query parameter)",
    "401": "Missing, invalid or expired token (or wrong credentials at login)",
    "403": "The caller's role does not allow this action",
    "404": "No such resource",
    "409": "Conflicts with the current state",
    "422": "Field values break the rules; details names each field",
    "429": "Too many failed logins; see the Retry-After header",
}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _op(
    summary: str,
    *,
    action: str | None,
    ok: tuple[str, str, dict | None],
    errors: tuple[str, ...] = (),
    body: str | None = None,
    params: list | None = None,
) -> dict:
    status, text, schema = ok
    responses = {status: {"description": text}}
    if schema is not None:
        responses[status]["content"] = _json(schema)
    if action is not None:
        errors = ("401", "403", *errors)
    for code in sorted(set(errors)):
        responses[code] = {"description": _ERROR_TEXT[code], "content": _json(_ref("Error"))}
    operation: dict = {"summary": summary, "responses": responses}
    if action is not None:
        operation["security"] = [{"bearerAuth": []}]
        operation["x-required-action"] = action
    if body is not None:
        operation["requestBody"] = {"required": True, "content": _json(_ref(body))}
    if params:
        operation["parameters"] = params
    return operation


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": _ID}


def _query(name: str, schema: dict, text: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": text}


def _list_of(key: str, item: str) -> dict:
    return _obj({key: {"type": "array", "items": _ref(item)}}, (key,))


_TASK_FILTERS = [
    _query("project_id", _ID, "Only tasks of this project"),
    _query("status", {"type": "string", "enum": list(domain.STATUSES)}, "Only this status"),
    _query("assignee_id", _ID, "Only tasks assigned to this user"),
    _query("category_id", _ID, "Only tasks in this category"),
    _query("search", {"type": "string"}, "Case-insensitive substring of title or description"),
    _query("sort", {"type": "string", "enum": list(domain.SORT_FIELDS)}, "Default priority"),
    _query(
        "order",
        {"type": "string", "enum": list(domain.SORT_ORDERS)},
        "Default desc for priority, asc for due_date; missing due dates always come last; "
        "ties are broken by id ascending",
    ),
    _query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": domain.MAX_PAGE_SIZE},
        "Return at most this many tasks (one page); default: all of them",
    ),
    _query(
        "offset",
        {"type": "integer", "minimum": 0},
        "Skip this many tasks of the ordered list first (default 0)",
    ),
]


def _paths() -> dict:
    task_id = [_path_id("task_id")]
    return {
        "/api/health": {
            "get": _op("Liveness check", action=None, ok=("200", "Alive", {"type": "object"}))
        },
        "/api/openapi.json": {
            "get": _op("This document", action=None, ok=("200", "OpenAPI 3", {"type": "object"}))
        },
        "/api/auth/register": {
            "post": _op(
                "Create an account. The first account becomes admin; later self-registrations "
                "become viewer; only an admin (sending its token) may create editors or admins.",
                action=None,
                ok=("201", "Created", _ref("User")),
                errors=("400", "401", "403", "409", "422"),
                body="RegisterInput",
            )
        },
        "/api/auth/login": {
            "post": _op(
                "Exchange credentials for a bearer token",
                action=None,
                ok=("200", "Logged in", _ref("Token")),
                errors=("400", "401", "422", "429"),
                body="LoginInput",
            )
        },
        "/api/auth/me": {
            "get": _op("The caller's account", action="read", ok=("200", "OK", _ref("User")))
        },
        "/api/users": {
            "get": _op(
                "All accounts", action="manage_users", ok=("200", "OK", _list_of("users", "User"))
            )
        },
        "/api/users/{user_id}": {
            "patch": _op(
                "Change an account's role (the last admin cannot be demoted)",
                action="manage_users",
                ok=("200", "Updated", _ref("User")),
                errors=("400", "404", "409", "422"),
                body="RoleInput",
                params=[_path_id("user_id")],
            )
        },
        "/api/projects": {
            "get": _op(
                "All projects", action="read", ok=("200", "OK", _list_of("projects", "Project"))
            ),
            "post": _op(
                "Create a project",
                action="create",
                ok=("201", "Created", _ref("Project")),
                errors=("400", "409", "422"),
                body="ProjectInput",
            ),
        },
        "/api/projects/{project_id}": {
            "get": _op(
                "One project",
                action="read",
                ok=("200", "OK", _ref("Project")),
                errors=("404",),
                params=[_path_id("project_id")],
            )
        },
        "/api/categories": {
            "get": _op(
                "All categories, by name",
                action="read",
                ok=("200", "OK", _list_of("categories", "Category")),
            ),
            "post": _op(
                "Create a category",
                action="create",
                ok=("201", "Created", _ref("Category")),
                errors=("400", "409", "422"),
                body="CategoryInput",
            ),
        },
        "/api/tasks": {
            "get": _op(
                "List tasks (one SQL query whatever the number of tasks)",
                action="read",
                ok=("200", "OK", _list_of("tasks", "Task")),
                errors=("400",),
                params=_TASK_FILTERS,
            ),
            "post": _op(
                "Create a task",
                action="create",
                ok=("201", "Created", _ref("Task")),
                errors=("400", "422"),
                body="TaskInput",
            ),
        },
        "/api/tasks/{task_id}": {
            "get": _op(
                "One task",
                action="read",
                ok=("200", "OK", _ref("Task")),
                errors=("404",),
                params=task_id,
            ),
            "patch": _op(
                "Change fields of a task (use /move to change its project)",
                action="update",
                ok=("200", "Updated", _ref("Task")),
                errors=("400", "404", "422"),
                body="TaskPatch",
                params=task_id,
            ),
            "delete": _op(
                "Delete a task and all of its subtasks",
                action="delete",
                ok=("204", "Deleted", None),
                errors=("404",),
                params=task_id,
            ),
        },
        "/api/tasks/{task_id}/move": {
            "post": _op(
                "Move a task and all of its subtasks to another project, in one transaction",
                action="update",
                ok=("200", "Moved", _ref("Task")),
                errors=("400", "404", "409", "422"),
                body="MoveInput",
                params=task_id,
            )
        },
        "/api/tasks/{task_id}/events": {
            "get": _op(
                "A task's history, oldest first",
                action="read",
                ok=("200", "OK", _list_of("events", "TaskEvent")),
                errors=("404",),
                params=task_id,
            )
        },
    }


def build_spec() -> dict:
    """The whole OpenAPI document (a fresh copy each call)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "TaskForge API",
            "version": "7.0.0",
            "description": "Task tracker used throughout the course. JSON errors have the "
            'shape {"error": {"code": ..., "message": ..., "details"?: {...}}}.',
        },
        "servers": [{"url": "http://127.0.0.1:5000"}],
        "paths": _paths(),
        "components": {
            "schemas": copy.deepcopy(SCHEMAS),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
