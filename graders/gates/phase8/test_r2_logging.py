"""Gate R2: every request leaves one JSON log line with its correlation ID, method, path,
status, duration and user; an incoming X-Request-ID is reused and echoed; requests that fail
on the server's side (the gate breaks the database under the app) are logged like the rest."""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from graders.gates.phase8.actkit import (
    PASSWORD,
    build_app,
    describe_error,
    field_of,
    send,
    use_standard_streams,
)
from graders.gates.phase8.fixtures import (  # noqa: F401 - fixtures used by name
    Once,
    _gate_sandbox,
    gate_fixture,
    note_fixture,
    secret_fixture,
)
from graders.gates.phase8.judge import failure, short
from graders.harness import Learner

pytestmark = pytest.mark.requirement("R2")

LOG_LIMIT = 4 * 1024 * 1024
BASE_FIELDS = ("timestamp", "level", "service", "message")
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "user_id", "correlation_id")
GONE = "gate_tasks_gone"
LEVELS = {"DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL"}


# -- the act (runs in the sandbox) --------------------------------------------------------
def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def logging_scenario(tf: Any, db_path: str, secret: str, log_path: str) -> dict[str, Any]:
    """Sixteen requests, some with an X-Request-ID and some without, anonymous and with the
    tokens of an admin and a viewer, the last two after the database broke under the app; the
    log file's size is noted around each request."""
    use_standard_streams()
    try:
        client = build_app(tf, db_path, secret, LOG_FILE=log_path, LOG_LEVEL="INFO").test_client()
    except Exception as exc:  # noqa: BLE001 - reported to the learner
        return {
            "error": f"create_app with LOG_FILE and LOG_LEVEL failed: {describe_error(exc, tf)}"
        }
    steps: list[dict[str, Any]] = []
    users: dict[str, Any] = {}

    def run(
        method: str,
        url: str,
        *,
        who: str | None = None,
        body: Any = None,
        request_id: str | None = None,
        login_of: str | None = None,
        fault: bool = False,
    ) -> dict[str, Any]:
        token = users.get(f"{who}:token") if who else None
        start = _size(log_path)
        answer = send(
            client, method, url, token=token, body=body, request_id=request_id, package=tf
        )
        steps.append(
            {
                "request": f"{method} {url}",
                "method": method,
                "path": url.split("?", 1)[0],
                "sent_id": request_id,
                "status": answer["status"],
                "header_id": answer["request_id_header"],
                "raised": answer["raised"],
                "token_user": users.get(f"{who}:id") if who else None,
                "login_user": users.get(f"{login_of}:id") if login_of else None,
                "fault": fault,
                "start": start,
                "end": _size(log_path),
            }
        )
        return answer

    def account(name: str, request_id: str | None, login_id: str | None) -> None:
        body = {"username": name, "password": PASSWORD}
        users[f"{name}:id"] = field_of(
            run("POST", "/api/auth/register", body=body, request_id=request_id), "id"
        )
        answer = run("POST", "/api/auth/login", body=body, request_id=login_id, login_of=name)
        users[f"{name}:token"] = field_of(answer, "token")

    run("GET", "/api/health")
    account("gate_admin", "gate-p8-0002", None)
    account("gate_viewer", None, "gate-p8-0005")
    project = field_of(
        run(
            "POST",
            "/api/projects",
            who="gate_admin",
            body={"name": "Gate logging board"},
            request_id="gate-p8-0006",
        ),
        "id",
    )
    task_body = {"project_id": project, "title": "Read the logs", "priority": 60}
    task = field_of(run("POST", "/api/tasks", who="gate_admin", body=task_body), "id")
    run(
        "GET",
        f"/api/tasks?project_id={project}&sort=due_date",
        who="gate_viewer",
        request_id="gate-p8-0008",
    )
    run("GET", "/api/tasks", request_id="gate-p8-0009")
    run("GET", "/api/tasks/999999", who="gate_admin")
    run(
        "POST",
        "/api/tasks",
        who="gate_admin",
        request_id="gate-p8-0011",
        body={"project_id": project, "title": "Too urgent", "priority": 500},
    )
    run("PATCH", f"/api/tasks/{task}", who="gate_admin", body={"status": "doing"})
    run("GET", "/tasks", who="gate_admin", request_id="gate.p8_0013")
    users["bogus:token"] = "not-a-real-token"
    run("GET", "/api/tasks", who="bogus")
    # The database fails under the app (its tasks table disappears): the next requests are
    # the server's fault, and the log must show them like any other.
    try:
        with closing(sqlite3.connect(db_path, timeout=10)) as connection:
            connection.execute(f"ALTER TABLE tasks RENAME TO {GONE}")
            connection.commit()
    except sqlite3.Error as exc:
        return {"error": f"the gate could not rename the tasks table: {describe_error(exc)}"}
    run("GET", f"/api/tasks/{task}", who="gate_admin", request_id="gate-p8-fault", fault=True)
    run("GET", f"/api/tasks?project_id={project}", who="gate_viewer", fault=True)
    text = None
    if os.path.exists(log_path):
        with open(log_path, "rb") as handle:
            text = handle.read(LOG_LIMIT).decode("utf-8", "replace")
    return {"steps": steps, "log": text}


# -- judging (trusted side) ---------------------------------------------------------------
@dataclass
class Line:
    number: int
    text: str
    offset: int  # byte offset of the line's start in the file
    value: Any = None
    problem: str = ""


@dataclass
class Scenario:
    steps: list[dict[str, Any]]
    lines: list[Line]

    def lines_of(self, step: dict[str, Any]) -> list[Line]:
        return [line for line in self.lines if step["start"] <= line.offset < step["end"]]


def _split(text: str) -> list[Line]:
    lines, offset = [], 0
    for number, raw in enumerate(text.split("\n"), start=1):
        if raw.strip():
            line = Line(number, raw, offset)
            try:
                line.value = json.loads(raw)
            except ValueError as exc:
                line.problem = f"not JSON ({exc})"
            lines.append(line)
        offset += len(raw.encode("utf-8")) + 1
    return lines


@pytest.fixture(scope="module")
def _scenario_once(gate: Learner, secret: str) -> Once:
    return Once(lambda: _scenario(gate, secret))


@pytest.fixture
def scenario(_scenario_once: Once, request: pytest.FixtureRequest) -> Scenario:
    return _scenario_once.get(request)


def _scenario(gate: Learner, secret: str) -> Scenario:
    log_path = gate.workdir / "gate-requests.log"
    outcome = gate.run(
        logging_scenario,
        str(gate.workdir / "logging.sqlite"),
        secret,
        str(log_path),
        call="create_app({..., 'LOG_FILE': <file>, 'LOG_LEVEL': 'INFO'}) and 16 requests",
    )
    report = outcome.value("the requests to run")
    if report.get("error"):
        raise failure(
            "build the app with LOG_FILE and LOG_LEVEL",
            report["error"],
            "create_app accepts the logging keys of CONTRACT.md, section 3",
        )
    if not report.get("log"):
        raise failure(
            "the file named by LOG_FILE after 16 requests",
            "no file, or an empty one",
            "one JSON line per request (at least) in that file",
            "the gate reads the logs from LOG_FILE; logging only to the console is not enough",
        )
    return Scenario(report["steps"], _split(report["log"]))


def _timestamp_ok(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def test_every_log_line_is_a_json_object_with_the_base_fields(scenario):
    """Every line in LOG_FILE is a JSON object with timestamp, level, service and message"""
    for line in scenario.lines:
        problem = line.problem
        if not problem and not isinstance(line.value, dict):
            problem = "a JSON value that is not an object"
        if not problem:
            missing = [name for name in BASE_FIELDS if name not in line.value]
            if missing:
                problem = f"no {', '.join(missing)}"
            elif not _timestamp_ok(line.value["timestamp"]):
                problem = f"timestamp {line.value['timestamp']!r} is not ISO 8601"
            elif str(line.value["level"]).upper() not in LEVELS:
                problem = f"level {line.value['level']!r} is not a standard level name"
        if problem:
            raise failure(
                f"line {line.number} of LOG_FILE",
                f"{short(line.text, 200)}  ({problem})",
                "one JSON object per line with timestamp (ISO 8601), level, service, message",
                "log collectors parse each line on its own; one odd line breaks the search",
            )


def _request_line(scenario: Scenario, step: dict[str, Any]) -> dict[str, Any]:
    found = [
        line.value
        for line in scenario.lines_of(step)
        if isinstance(line.value, dict) and "status" in line.value
    ]
    if len(found) != 1:
        raised = f" (it raised {step['raised']})" if step["raised"] else ""
        raise failure(
            f"the log lines written while the gate sent {step['request']}{raised}",
            f"{len(found)} lines with a status field",
            "exactly one request line (with method, path, status, duration_ms, user_id and "
            "correlation_id)",
            "one line per request lets you count, time and search requests",
        )
    return found[0]


def _expected_users(step: dict[str, Any]) -> list[Any]:
    """The user_id values a request line may carry: the id as a number or as its text;
    for anonymous requests null or an empty string."""
    anonymous: list[Any] = [None, ""]
    user = step["token_user"]
    if step["login_user"] is not None:  # a login may name the account that logged in
        return [*anonymous, step["login_user"], str(step["login_user"])]
    return anonymous if user is None else [user, str(user)]


def test_each_request_has_one_line_with_its_details(scenario):
    """Each request has one line with method, path, status, duration_ms and user_id"""
    for step in scenario.steps:
        line = _request_line(scenario, step)
        missing = [name for name in REQUEST_FIELDS if name not in line]
        status = step["status"] if step["status"] is not None else 500
        problems = []
        if missing:
            problems.append(f"no {', '.join(missing)}")
        else:
            if str(line["method"]).upper() != step["method"]:
                problems.append(f"method {line['method']!r}, sent {step['method']}")
            if line["path"] != step["path"]:
                problems.append(f"path {line['path']!r}, sent {step['path']!r}")
            if line["status"] != status or type(line["status"]) is not int:
                problems.append(f"status {line['status']!r}, the response was {status}")
            duration = line["duration_ms"]
            if type(duration) not in (int, float) or duration < 0:
                problems.append(f"duration_ms {duration!r} is not a number of milliseconds")
            allowed = _expected_users(step)
            if line["user_id"] not in allowed or type(line["user_id"]) not in (
                int,
                str,
                type(None),
            ):
                shown = " or ".join(repr(u) for u in allowed)
                problems.append(f"user_id {line['user_id']!r}, expected {shown}")
        if problems:
            raise failure(
                f"the request line for {step['request']}",
                f"{short(line, 400)}: {'; '.join(problems)}",
                "method, path (no query string), status, duration_ms, and user_id: the id of "
                "the token's user (a number, or the same number as text), or null without a "
                "valid token",
            )


def test_correlation_ids_are_reused_echoed_and_on_every_line(scenario):
    """A sent X-Request-ID is reused, else one is made; echoed, and on all the request's lines"""
    made: dict[str, str] = {}
    for step in scenario.steps:
        header, sent = step["header_id"], step["sent_id"]
        if step["raised"] is not None:  # no response reached the client: check the line only
            _check_raised_line(scenario, step, made)
            continue
        if not header:
            raise failure(
                f"the X-Request-ID response header of {step['request']}",
                "no such header",
                "every response carries X-Request-ID (the client's, or one the app made)",
                "a client (or a support ticket) can then quote the ID to find the logs",
            )
        if sent is not None and header != sent:
            raise failure(
                f"the X-Request-ID response header of {step['request']}",
                f"{header!r}, although the request sent {sent!r}",
                "the incoming ID echoed unchanged",
                "the caller's ID ties its logs and yours together",
            )
        if sent is None:
            if header in made:
                raise failure(
                    "the X-Request-IDs the app made",
                    f"{header!r} for both {made[header]} and {step['request']}",
                    "a new ID for every request without one",
                )
            made[header] = step["request"]
        line = _request_line(scenario, step)
        if line.get("correlation_id") != header:
            raise failure(
                f"correlation_id in the request line of {step['request']}",
                repr(line.get("correlation_id")),
                f"{header!r}, the ID of that request",
            )
        for other in scenario.lines_of(step):
            value = other.value
            if not isinstance(value, dict) or value.get("correlation_id") != header:
                raise failure(
                    f"line {other.number}, written while the app served {step['request']}",
                    short(other.text, 300),
                    f"correlation_id {header!r} on every line the request causes",
                )


def _check_raised_line(scenario: Scenario, step: dict[str, Any], made: dict[str, str]) -> None:
    line = _request_line(scenario, step)
    value = line.get("correlation_id")
    wanted = step["sent_id"]
    if (wanted is not None and value != wanted) or not isinstance(value, str) or not value:
        raise failure(
            f"correlation_id in the request line of {step['request']} (it raised {step['raised']})",
            repr(value),
            repr(wanted) if wanted is not None else "a new ID, made for this request",
        )
    if wanted is None:
        if value in made:
            raise failure(
                "the X-Request-IDs the app made",
                f"{value!r} for both {made[value]} and {step['request']}",
                "a new ID for every request without one",
            )
        made[value] = step["request"]
    for other in scenario.lines_of(step):
        if not isinstance(other.value, dict) or other.value.get("correlation_id") != value:
            raise failure(
                f"line {other.number}, written while the app served {step['request']}",
                short(other.text, 300),
                f"correlation_id {value!r} on every line the request causes",
            )


def test_failing_requests_are_logged_too(scenario, note):
    """Requests that fail on the server's side (5xx) are logged like the others"""
    faults = [step for step in scenario.steps if step.get("fault")]
    for step in faults:
        status = 500 if step["raised"] is not None else step["status"]
        if not isinstance(status, int) or status < 500:
            raise failure(
                f"{step['request']} after the gate renamed your tasks table to {GONE}",
                f"status {status}",
                "a 5xx answer (or an exception): the database failed, not the client",
                "the gate needs a server error to see that failed requests are logged",
            )
        line = _request_line(scenario, step)
        if line.get("status") != status:
            raise failure(
                f"the request line for {step['request']} (the database had failed)",
                short(line, 400),
                f"status {status}: failed requests are logged with the status they got "
                "(500 when an exception escaped)",
                "the requests that fail are the ones an operator needs to find",
            )
    note(f"{len(faults)} requests that met a broken database: each logged with its 5xx status")
