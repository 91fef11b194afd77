"""The request being served, in a context variable that log filters can read from anywhere."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming ID is reused only if it is short and plain, so a client cannot write
# arbitrary text (newlines, quotes, megabytes) into every log line of its request.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


@dataclass
class RequestInfo:
    """What the logs need to know about the request in progress."""

    correlation_id: str
    method: str
    path: str
    started: float
    logged: bool = False


_CURRENT: ContextVar[RequestInfo | None] = ContextVar("taskforge_request", default=None)


def current_request() -> RequestInfo | None:
    """The request being served in this context, or None outside requests."""
    return _CURRENT.get()


def enter(info: RequestInfo):
    """Make info the current request; returns the token that leave() needs."""
    return _CURRENT.set(info)


def leave(token) -> None:
    """Forget the current request (the end of a request's teardown)."""
    _CURRENT.reset(token)


def choose_request_id(incoming: str | None) -> str:
    """The client's X-Request-ID when it is acceptable, else a new random one."""
    if incoming and _ACCEPTED_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex
