"""The OpenAPI 3 description of the HTTP API (a test keeps it in step with the routes)."""

from __future__ import annotations

import copy

from . import domain

_ID = {"type": "integer", "minimum": 1, "maximum": domain.MAX_ID}
_NULLABLE_ID = {"type": ["integer", "null"], "minimum": 1, "maximum": domain.MAX_ID}
# Text is stored as sent (after trimming), so it may not hold NUL characters, which no
# database keeps faithfully; names and titles also need one character that is not a space.
_NO_NUL = "^[^\\u0000]*$"
_NOT_BLANK = "^[^\\u0000]*[^\\u0000\\s][^\\u0000]*$"


def _text(max_length: int | None = None, *, blank: bool = True) -> dict:
    schema: dict = {"type": "string", "pattern": _NO_NUL if blank else _NOT_BLANK}
    if not blank:
        schema["minLength"] = 1
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict, required: tuple[str, ...] = ()) -> dict:
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


_TASK_FIELDS = {
    "title": _text(domain.MAX_TITLE, blank=False),
    "description": _text(domain.MAX_DESCRIPTION),
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
            "password": {**_text(1024), "minLength": 8},
            "role": {"type": "string", "enum": list(domain.ROLES)},
        },
        ("username", "password"),
    ),
    "LoginInput": _obj({"username": _text(), "password": _text()}, ("username", "password")),
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
            "name": _text(domain.MAX_NAME, blank=False),
            "description": _text(domain.MAX_DESCRIPTION),
        },
        ("name",),
    ),
    "MemberInput": _obj({"user_id": _ID}, ("user_id",)),
    "Category": _obj({"id": _ID, "name": {"type": "string"}}, ("id", "name")),
    "CategoryInput": _obj({"name": _text(domain.MAX_NAME, blank=False)}, ("name",)),
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
    "400": "Malformed request: the body is not a JSON object in UTF-8, nests too deep, holds a "
    "NUL character or a number beyond 64 bits; or a query parameter is malformed",
    "401": "Missing, invalid or expired token (or wrong credentials at login)",
    "403": "The caller's role does not allow this action",
    "404": "No such resource",
    "409": "Conflicts with the current state",
    "422": "Field values break the rules; details names each field",
    "413": "The request body is larger than the server accepts (1 MiB)",
    "429": "Too many attempts (logins, or registrations from one address); see Retry-After",
    "500": "A bug on the server's side; the body says nothing more",
    "503": "The server is too busy checking passwords right now; see Retry-After",
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
    errors = (*errors, "500")
    if body is not None:
        errors = (*errors, "400", "413", "422")
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
    _query(
        "search",
        _text(domain.MAX_TITLE),
        "Case-insensitive substring of title or description",
    ),
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
        f"Return at most this many tasks (one page); default {domain.DEFAULT_PAGE_SIZE}",
    ),
    _query(
        "offset",
        {"type": "integer", "minimum": 0, "maximum": domain.MAX_ID},
        "Skip this many tasks of the ordered list first (default 0)",
    ),
]


def _listing() -> dict:
    page = {
        "type": "object",
        "properties": {
            "tasks": {"type": "array", "items": _ref("Task")},
            "total": {"type": "integer", "minimum": 0},
        },
        "required": ["tasks", "total"],
        "additionalProperties": False,
    }
    operation = _op(
        "One page of tasks (two SQL queries, the page and its total, whatever the sizes)",
        action="read",
        ok=("200", "OK", page),
        errors=("400",),
        params=_TASK_FILTERS,
    )
    operation["responses"]["200"]["headers"] = {
        "X-Total-Count": {
            "description": "How many tasks match the filters, on all pages together",
            "schema": {"type": "integer", "minimum": 0},
        },
        "Link": {
            "description": 'The next and previous pages (RFC 8288: rel="next", rel="prev")',
            "schema": {"type": "string"},
        },
    }
    return operation


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
                errors=("400", "401", "403", "409", "422", "429", "503"),
                body="RegisterInput",
            )
        },
        "/api/auth/login": {
            "post": _op(
                "Exchange credentials for a bearer token",
                action=None,
                ok=("200", "Logged in", _ref("Token")),
                errors=("400", "401", "422", "429", "503"),
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
        "/api/projects/{project_id}/members": {
            "get": _op(
                "The members of a project",
                action="read",
                ok=("200", "OK", _list_of("members", "User")),
                errors=("404",),
                params=[_path_id("project_id")],
            ),
            "post": _op(
                "Add a member to a project (an admin, or the project's owner)",
                action="read",
                ok=("201", "Added; the members now", _list_of("members", "User")),
                errors=("404",),
                body="MemberInput",
                params=[_path_id("project_id")],
            ),
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
            "get": _listing(),
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


def build_spec(server_url: str | None = None) -> dict:
    """The whole OpenAPI document (a fresh copy each call), naming server_url as its server:
    the address the client used to fetch it, so tools send their requests back there."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "TaskForge API",
            "version": "7.0.0",
            "description": "Task tracker used throughout the course. JSON errors have the "
            'shape {"error": {"code": ..., "message": ..., "details"?: {...}}}.',
        },
        "servers": [{"url": server_url or "/"}],
        "paths": _paths(),
        "components": {
            "schemas": copy.deepcopy(SCHEMAS),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
