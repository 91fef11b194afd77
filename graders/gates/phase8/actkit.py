"""Helpers for acts: code that runs in the sandbox, next to a TaskForge package."""

from __future__ import annotations

import json
import sys
from typing import Any

PASSWORD = "gate-password-1"
ADMIN = "gate_admin"
BODY_LIMIT = 256 * 1024


def use_standard_streams() -> None:
    """Make sys.stdout and sys.stderr the process's own streams (descriptors 1 and 2).

    Defensive: a worker forked from a judge running under pytest could otherwise inherit
    pytest's capture objects, whose descriptors may have been closed and reused (a print
    could then land in a database file). Every act calls this first.
    """
    for name in ("stdout", "stderr"):
        original = getattr(sys, f"__{name}__", None)
        if original is not None:
            setattr(sys, name, original)


def build_app(tf: Any, db_path: str, secret: str, **extra: Any) -> Any:
    """An app on db_path, configured as the contract's section 1 says (plus extra keys)."""
    config = {
        "DATABASE": db_path,
        "TESTING": True,
        "SECRET_KEY": secret,
        "PASSWORD_ITERATIONS": 1000,
        **extra,
    }
    return tf.create_app(config)


def describe_error(exc: BaseException) -> str:
    """An exception as one short line of text."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a hostile __str__ must not hide the failure
        text = "<message could not be shown>"
    return f"{type(exc).__name__}: {text}"[:500]


def send(
    client: Any,
    method: str,
    url: str,
    *,
    token: str | None = None,
    body: Any = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """One request through the test client, recorded as plain data. An exception raised
    into the client counts as a failed request (status None, 'raised' says why)."""
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if request_id is not None:
        headers["X-Request-ID"] = request_id
    answer: dict[str, Any] = {"request": f"{method} {url}", "status": None, "body": b""}
    answer.update(request_id_header=None, raised=None)
    try:
        response = client.open(url, method=method, headers=headers, json=body)
        answer["status"] = int(response.status_code)
        answer["body"] = bytes(response.get_data()[:BODY_LIMIT])
        header = response.headers.get("X-Request-ID")
        answer["request_id_header"] = None if header is None else str(header)
        response.close()
    except Exception as exc:  # noqa: BLE001 - the contract counts it as a failed request
        answer["raised"] = describe_error(exc)
    return answer


def parsed(answer: dict[str, Any]) -> Any:
    """The answer's JSON body, or None."""
    try:
        return json.loads(answer["body"])
    except (ValueError, TypeError, KeyError):
        return None


def field_of(answer: dict[str, Any], name: str) -> Any:
    body = parsed(answer)
    return body.get(name) if isinstance(body, dict) else None


def login(client: Any) -> tuple[dict[str, Any], str | None]:
    """Log the gate's admin in; the answer and its token (None if there is none)."""
    answer = send(client, "POST", "/api/auth/login", body={"username": ADMIN, "password": PASSWORD})
    token = field_of(answer, "token")
    return answer, token if isinstance(token, str) and token else None


def register_admin(client: Any) -> dict[str, Any]:
    """Register the gate's account first, so that it is the admin."""
    body = {"username": ADMIN, "password": PASSWORD}
    return send(client, "POST", "/api/auth/register", body=body)
