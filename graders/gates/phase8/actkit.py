"""Helpers for acts: code that runs in the sandbox, next to a TaskForge package."""

from __future__ import annotations

import json
import os
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


def describe_error(exc: BaseException, package: Any = None) -> str:
    """An exception as one short line of text; with the package, where in it it was raised."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a hostile __str__ must not hide the failure
        text = "<message could not be shown>"
    line = f"{type(exc).__name__}: {text}"[:500]
    folder = os.path.dirname(getattr(package, "__file__", "") or "")
    at = where(exc, folder) if folder else ""
    return f"{line} (raised at {at})" if at else line


def send(
    client: Any,
    method: str,
    url: str,
    *,
    token: str | None = None,
    body: Any = None,
    request_id: str | None = None,
    package: Any = None,
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
        answer["raised"] = describe_error(exc, package)
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


def where(exc: BaseException, folder: str) -> str:
    """'path/inside/the/package.py, line N' of the deepest frame in folder, or ''."""
    found = ""
    trace = exc.__traceback__
    while trace is not None:
        name = trace.tb_frame.f_code.co_filename
        if name.startswith(folder.rstrip("/") + "/"):
            found = f"{name[len(folder.rstrip('/')) + 1 :]}, line {trace.tb_lineno}"
        trace = trace.tb_next
    return found


def in_child(function: Any, *args: Any, timeout: float = 120.0) -> Any:
    """function(*args) in a forked child; its JSON-able result, or {"error": ...}.

    Each run starts from the same clean state (nothing it imports or patches survives it),
    which is what running a learner's test file several times, or on a changed module,
    needs. Where fork is not available, it runs in this process.
    """
    import os
    import select
    import signal

    if not hasattr(os, "fork"):
        return function(*args)
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no process to spare: run here (later runs may see what this one did)
        os.close(read_end)
        os.close(write_end)
        return function(*args)
    if pid == 0:  # the child: run, write the answer, leave without cleanup
        os.close(read_end)
        try:
            data = json.dumps(function(*args)).encode("utf-8")
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            data = json.dumps({"error": describe_error(exc)}).encode("utf-8")
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        os._exit(0)
    os.close(write_end)
    chunks: list[bytes] = []
    import time

    deadline = time.monotonic() + timeout
    with os.fdopen(read_end, "rb") as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([pipe], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return {"error": f"did not finish within {timeout:g} s"}
            chunk = os.read(pipe.fileno(), 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    os.waitpid(pid, 0)
    try:
        return json.loads(b"".join(chunks) or b"null") or {"error": "the run ended early"}
    except ValueError:
        return {"error": "the run ended early"}
