"""Helpers shared by the blueprints: services per request, JSON bodies, auth, query parsing."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import current_app, g, request

from .. import domain
from ..bootstrap import Runtime, Services, bootstrap
from ..db import get_db
from ..domain import TaskQuery, User
from ..errors import BadRequest, Forbidden, Unauthorized, ValidationFailed
from ..security.rbac import can
from ..services import TaskManager
from . import inputs

View = TypeVar("View", bound=Callable[..., Any])


def runtime() -> Runtime:
    """The current app's long-lived collaborators."""
    return current_app.extensions["taskforge"]


def services() -> Services:
    """This request's services, wired on first use by the composition root."""
    if "services" not in g:
        state = runtime()
        connection = None if state.memory is not None else get_db()
        g.services = bootstrap(state, connection)
    return g.services


def tasks() -> TaskManager:
    """The task manager as the caller sees it: admins see every project, everyone else only
    the projects they are a member of (call after the route's role check)."""
    user = g.user
    return services().tasks.scoped(None if can(user.role, "manage_users") else user.id)


@functools.cache
def _field_names(record_type: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(record_type))


def to_json(record: object) -> dict:
    """A domain record as a JSON-ready dict (field names are the API's names).

    A shallow copy of the fields: dataclasses.asdict deep-copies every value, which the
    profile of a large listing showed to be most of the request's time (docs/performance.md).
    """
    return {name: getattr(record, name) for name in _field_names(type(record))}


def _body_bytes() -> bytes:
    """The request body, or 413 when it is over MAX_CONTENT_LENGTH.

    A body with Content-Length over the limit is refused before reading. A chunked body has
    no length up front: the stream stops at the limit, and one more read tells whether the
    client had sent more (Werkzeug raises 413 then), rather than parsing a truncated body.
    """
    data = request.get_data(cache=True)
    limit = request.max_content_length
    if limit is not None and len(data) >= limit and request.content_length is None:
        request.stream.read(1)
    return data


def json_body(*, allowed: Iterable[str], required: Iterable[str] = ()) -> dict:
    """The request's JSON object, with unknown fields and missing required ones refused."""
    if not request.is_json:
        raise BadRequest("the request body must be a JSON object (Content-Type: application/json)")
    body = inputs.decode_json(_body_bytes())
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object (Content-Type: application/json)")
    allowed = set(allowed)
    problems = {name: "unknown field" for name in body if name not in allowed}
    problems.update({name: "is required" for name in required if name not in body})
    if problems:
        raise ValidationFailed("some fields are invalid", details=problems)
    return body


def bearer_token() -> str | None:
    """The token from "Authorization: Bearer <token>", None when the header is absent."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def authenticated_user(*, optional: bool = False) -> User | None:
    """The caller named by the bearer token; a bad token is refused even when optional."""
    token = bearer_token()
    if token is None:
        if optional:
            return None
        raise Unauthorized("log in first: send 'Authorization: Bearer <token>'")
    user = services().auth.authenticate(token)
    g.user = user
    return user


def require(action: str) -> Callable[[View], View]:
    """Decorator: the caller must hold a valid token whose user's role allows action."""
    if not can("admin", action):
        raise ValueError(f"unknown action {action!r}")

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = authenticated_user()
            if not can(user.role, action):
                raise Forbidden(f"the {user.role} role may not {action.replace('_', ' ')}")
            return view(*args, **kwargs)

        guarded.required_action = action  # read by the OpenAPI consistency test
        return guarded  # type: ignore[return-value]

    return decorate


def _choice_arg(args: Mapping[str, str], name: str, choices: Iterable[str]) -> str | None:
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    choices = tuple(choices)
    if raw not in choices:
        raise BadRequest(f"query parameter {name} must be one of {', '.join(choices)}")
    return raw


def task_query(args: Mapping[str, str]) -> TaskQuery:
    """A TaskQuery from ?project_id=&status=&assignee_id=&category_id=&search=&sort=&order=
    &limit=&offset=; without limit, one page of DEFAULT_PAGE_SIZE tasks."""
    limit = inputs.int_arg(args, "limit", minimum=1)
    if limit is not None and limit > domain.MAX_PAGE_SIZE:
        raise BadRequest(f"query parameter limit must be between 1 and {domain.MAX_PAGE_SIZE}")
    return TaskQuery(
        project_id=inputs.int_arg(args, "project_id", minimum=1),
        status=_choice_arg(args, "status", domain.STATUSES),
        assignee_id=inputs.int_arg(args, "assignee_id", minimum=1),
        category_id=inputs.int_arg(args, "category_id", minimum=1),
        search=inputs.text_arg(args, "search", max_length=domain.MAX_TITLE),
        sort=_choice_arg(args, "sort", domain.SORT_FIELDS) or "priority",
        order=_choice_arg(args, "order", domain.SORT_ORDERS),
        limit=domain.DEFAULT_PAGE_SIZE if limit is None else limit,
        offset=inputs.int_arg(args, "offset", minimum=0) or 0,
    )


def page_links(query: TaskQuery, total: int) -> str:
    """An RFC 8288 Link header value with rel="next" and rel="prev" pages, when they exist.

    The links repeat the request's own query string with another offset, relative to this
    server (so they are right behind any proxy that keeps the path).
    """
    limit = query.limit or domain.DEFAULT_PAGE_SIZE
    links = []
    if query.offset + limit < total:
        links.append((query.offset + limit, "next"))
    if query.offset > 0:
        links.append((max(0, query.offset - limit), "prev"))
    parts = []
    for offset, rel in links:
        args = request.args.to_dict()
        args.update(limit=str(limit), offset=str(offset))
        parts.append(f'<{request.path}?{urlencode(args)}>; rel="{rel}"')
    return ", ".join(parts)
