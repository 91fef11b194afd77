"""Helpers and shared acts that run inside the sandbox, next to the learner's TaskForge."""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from typing import Any

PASSWORD = "gate-password-1"
BODY_LIMIT = 64 * 1024
KEPT_HEADERS = ("retry-after", "content-type", "www-authenticate", "location")
ACCOUNTS = ("gate_admin", "gate_viewer", "gate_editor")


def own_output() -> None:
    """Send prints and log lines to descriptors 1 and 2, where the sandbox collects output.

    The sandbox process is a fork of the judge: the sys.stdout/sys.stderr objects and the
    root logger's handlers it inherits may name descriptors that now belong to a socket, a
    pipe or a database file, and a print or a log line would land there."""
    for name, fd in (("stdout", 1), ("stderr", 2)):
        stream = open(fd, "w", encoding="utf-8", errors="replace", buffering=1, closefd=False)  # noqa: SIM115
        setattr(sys, name, stream)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)


def build_app(tf: Any, db_path: str, secret: str, **extra: Any) -> Any:
    """A fresh app on db_path, configured the way the contract's section 1 says."""
    own_output()
    config = {
        "DATABASE": db_path,
        "TESTING": True,
        "SECRET_KEY": secret,
        "PASSWORD_ITERATIONS": 1000,
        **extra,
    }
    return tf.create_app(config)


def learner_frame(exc: BaseException) -> str:
    """Where in the learner's package the exception was raised: " (at db.py, line 12, in f)"."""
    package = sys.modules.get("taskforge")
    folder = os.path.dirname(os.path.abspath(getattr(package, "__file__", "") or "."))
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(folder + os.sep)
    ]
    if not frames:
        return ""
    last = frames[-1]
    return f" (at {os.path.relpath(last.filename, folder)}, line {last.lineno}, in {last.name})"


def describe_error(exc: BaseException) -> str:
    """An exception as one short line of text, with the learner's file and line."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a hostile __str__ must not hide the failure
        text = "<message could not be shown>"
    return (f"{type(exc).__name__}: {text}"[:400] + learner_frame(exc))[:600]


class Probe:
    """Sends requests with the app's test client and records every answer as plain data."""

    def __init__(self, app: Any) -> None:
        self.client = app.test_client()

    def send(
        self,
        method: str,
        url: str,
        *,
        token: str | None = None,
        body: Any = None,
        raw: bytes | None = None,
        authorization: str | None = None,
        query: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """One request; an exception raised into the client counts as a failed request."""
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if authorization is not None:
            headers["Authorization"] = authorization
        kwargs: dict[str, Any] = {"headers": headers}
        if query:
            kwargs["query_string"] = query
        if body is not None:
            kwargs["json"] = body
        if raw is not None:
            kwargs["data"] = raw
            kwargs["content_type"] = "text/plain"
        shown = url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
        answer: dict[str, Any] = {"request": f"{method} {shown}", "status": None, "body": b""}
        answer.update(type="", headers={}, raised=None)
        try:
            response = self.client.open(url, method=method, **kwargs)
            answer["status"] = int(response.status_code)
            answer["body"] = bytes(response.get_data()[:BODY_LIMIT])
            answer["type"] = str(response.mimetype or "")
            answer["headers"] = {
                str(k).lower(): str(v)
                for k, v in response.headers.items()
                if str(k).lower() in KEPT_HEADERS
            }
            response.close()
        except Exception as exc:  # noqa: BLE001 - the contract counts it as a failed request
            answer["raised"] = describe_error(exc)
        return answer

    def login(self, username: str, password: str = PASSWORD) -> dict[str, Any]:
        body = {"username": username, "password": password}
        return self.send("POST", "/api/auth/login", body=body)


def parsed(answer: dict[str, Any]) -> Any:
    """The answer's JSON body, or None."""
    try:
        return json.loads(answer["body"])
    except (ValueError, TypeError, KeyError):
        return None


def token_of(answer: dict[str, Any]) -> str | None:
    body = parsed(answer)
    token = body.get("token") if isinstance(body, dict) else None
    return token if isinstance(token, str) and token else None


def id_of(answer: dict[str, Any]) -> int | None:
    body = parsed(answer)
    value = body.get("id") if isinstance(body, dict) else None
    return value if type(value) is int else None


def register_accounts(probe: Probe) -> tuple[dict[str, Any], dict[str, str | None]]:
    """The contract's "Register A": an admin (first), a viewer (self-registered) and an
    editor (registered with the admin's token); every account logs in once."""
    steps: dict[str, Any] = {}
    tokens: dict[str, str | None] = {}
    account = {"password": PASSWORD}
    steps["register gate_admin"] = probe.send(
        "POST", "/api/auth/register", body={"username": "gate_admin", **account}
    )
    steps["login gate_admin"] = probe.login("gate_admin")
    tokens["gate_admin"] = token_of(steps["login gate_admin"])
    steps["register gate_viewer"] = probe.send(
        "POST", "/api/auth/register", body={"username": "gate_viewer", **account}
    )
    steps["register gate_editor"] = probe.send(
        "POST",
        "/api/auth/register",
        token=tokens["gate_admin"],
        body={"username": "gate_editor", "role": "editor", **account},
    )
    for name in ("gate_viewer", "gate_editor"):
        steps[f"login {name}"] = probe.login(name)
        tokens[name] = token_of(steps[f"login {name}"])
    return steps, tokens


def prepare_board(tf: Any, db_path: str, secret: str) -> dict[str, Any]:
    """Shared act: Register A, projects P1 and P2, a category, and in P1 a task T with a
    subtask S that has its own subtask U."""
    probe = Probe(build_app(tf, db_path, secret))
    steps, tokens = register_accounts(probe)
    admin = tokens["gate_admin"]
    ids: dict[str, Any] = {f"{name}_id": id_of(steps[f"register {name}"]) for name in ACCOUNTS}
    for key, name in (("p1", "Gate Board One"), ("p2", "Gate Board Two")):
        steps[f"create project {name}"] = probe.send(
            "POST", "/api/projects", token=admin, body={"name": name}
        )
        ids[key] = id_of(steps[f"create project {name}"])
    join_projects(
        probe, admin, [ids["p1"], ids["p2"]], [ids["gate_viewer_id"], ids["gate_editor_id"]]
    )
    steps["create category"] = probe.send(
        "POST", "/api/categories", token=admin, body={"name": "gate-category"}
    )
    ids["category"] = id_of(steps["create category"])
    parent = None
    for key, title in (("t", "Gate task T"), ("s", "Gate subtask S"), ("u", "Gate subtask U")):
        body = {"project_id": ids["p1"], "title": title, "priority": 70}
        if parent is not None:
            body["parent_id"] = parent
        else:
            body.update(category_id=ids["category"], assignee_id=ids["gate_admin_id"])
        steps[f"create task {title}"] = probe.send("POST", "/api/tasks", token=admin, body=body)
        ids[key] = parent = id_of(steps[f"create task {title}"])
    return {"steps": steps, "ids": ids}


def join_projects(probe: Probe, token: str | None, projects: list, users: list) -> None:
    """Make users members of projects where the app has project membership (the contract
    leaves tenancy open: an app without the members route answers 404, which is ignored)."""
    for project in projects:
        for user in users:
            if project is not None and user is not None:
                probe.send(
                    "POST", f"/api/projects/{project}/members", token=token, body={"user_id": user}
                )


def send_plan(
    tf: Any, db_path: str, secret: str, username: str | None, plan: list[dict[str, Any]]
) -> dict[str, Any]:
    """Shared act: log in as username (or nobody), then send every request of the plan.

    A plan step is {"method", "url"} with optional "body", "query" and "authorization" (a
    raw header value sent instead of the token)."""
    probe = Probe(build_app(tf, db_path, secret))
    login = probe.login(username) if username else None
    token = token_of(login) if login else None
    answers = []
    for step in plan:
        answers.append(
            probe.send(
                step["method"],
                step["url"],
                token=token,
                body=step.get("body"),
                query=step.get("query"),
                authorization=step.get("authorization"),
            )
        )
    return {"login": login, "answers": answers}
