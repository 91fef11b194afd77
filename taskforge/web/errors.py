"""Error handlers: every failure becomes {"error": {"code", "message"}} (HTML for pages)."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import RateLimited, ServiceBusy, TaskForgeError, Unauthorized

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    503: "unavailable",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def _respond(status: int, body: dict, headers: dict | None = None):
    if _wants_json():
        return body, status, headers or {}
    error = body["error"]
    html = render_template("error.html", status=status, error=error)
    return html, status, headers or {}


def handle_taskforge_error(exc: TaskForgeError):
    """Expected failures raised by services and handlers."""
    headers = {}
    if isinstance(exc, (RateLimited, ServiceBusy)):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="taskforge"'
    return _respond(exc.status, exc.to_dict(), headers)


def handle_http_exception(exc: HTTPException):
    """Werkzeug's own errors (unknown URL, wrong method, body too large...)."""
    status = exc.code or 500
    code = _HTTP_CODES.get(status, "http_error")
    headers = {}
    if status == 405 and exc.valid_methods:
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return _respond(status, {"error": {"code": code, "message": exc.description}}, headers)


def handle_unexpected(exc: Exception):
    """Anything else is a bug: log it in full, tell the client nothing internal."""
    current_app.extensions["taskforge"].logger.exception(
        "unhandled error", extra={"method": request.method, "path": request.path}
    )
    body = {"error": {"code": "internal_error", "message": "something went wrong on our side"}}
    return _respond(500, body)


def register(app: Flask) -> None:
    """Install the handlers on app."""
    app.register_error_handler(TaskForgeError, handle_taskforge_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
