"""Exceptions that carry an HTTP status and a stable machine-readable error code."""

from __future__ import annotations

from collections.abc import Mapping


class TaskForgeError(Exception):
    """Base class: every expected failure in TaskForge has a status, a code and a message."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, details: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = dict(details) if details else None

    def to_dict(self) -> dict:
        """The body sent to clients: {"error": {"code", "message", "details"?}}."""
        body: dict = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}


class BadRequest(TaskForgeError):
    """The request itself is malformed (not a JSON object, unparsable query parameter)."""

    status = 400
    code = "bad_request"


class Unauthorized(TaskForgeError):
    """No credentials, or credentials that could not be verified."""

    status = 401
    code = "unauthorized"


class Forbidden(TaskForgeError):
    """The caller is known but their role does not allow the action."""

    status = 403
    code = "forbidden"


class NotFound(TaskForgeError, LookupError):
    """The resource named in the URL does not exist."""

    status = 404
    code = "not_found"


class Conflict(TaskForgeError):
    """The request clashes with the current state (duplicate name, last admin, ...)."""

    status = 409
    code = "conflict"


class ValidationFailed(TaskForgeError, ValueError):
    """The request is well-formed but some field values break the rules."""

    status = 422
    code = "validation_failed"


class RateLimited(TaskForgeError):
    """Too many attempts; the client should wait retry_after seconds."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class ServiceBusy(TaskForgeError):
    """The server has no capacity for this request right now; retry after retry_after seconds."""

    status = 503
    code = "busy"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))
