"""Gate, reported only: the contract's section 6 (rate limit, OpenAPI, error shape, config)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from graders.gates.phase7.actkit import (
    Probe,
    build_app,
    describe_error,
    id_of,
    own_output,
    register_accounts,
)
from graders.gates.phase7.fixtures import (  # noqa: F401 - fixtures
    _gate_sandbox,
    gate_fixture,
    secret_fixture,
    should_fixture,
)
from graders.gates.phase7.judge import body_of, brief, error_code

pytestmark = pytest.mark.requirement("S")
WRONG_LOGINS = 30
API_ROUTES = (
    ("get", "/api/health"),
    ("post", "/api/auth/register"),
    ("post", "/api/auth/login"),
    ("get", "/api/auth/me"),
    ("get", "/api/users"),
    ("patch", "/api/users/{}"),
    ("get", "/api/projects"),
    ("post", "/api/projects"),
    ("get", "/api/projects/{}"),
    ("get", "/api/categories"),
    ("post", "/api/categories"),
    ("get", "/api/tasks"),
    ("post", "/api/tasks"),
    ("get", "/api/tasks/{}"),
    ("patch", "/api/tasks/{}"),
    ("delete", "/api/tasks/{}"),
    ("post", "/api/tasks/{}/move"),
    ("get", "/api/tasks/{}/events"),
)


# -- acts (run in the sandbox) ------------------------------------------------------------
def reported_items(tf: Any, db_path: str, secret: str) -> dict[str, Any]:
    """Wrong logins in a row, the OpenAPI document, and a handful of refused requests."""
    probe = Probe(build_app(tf, db_path, secret))
    steps, tokens = register_accounts(probe)
    admin, viewer = tokens["gate_admin"], tokens["gate_viewer"]
    found: dict[str, Any] = {"steps": steps}
    found["wrong logins"] = [
        probe.login("gate_editor", "wrong-password-1") for _ in range(WRONG_LOGINS)
    ]
    found["openapi"] = probe.send("GET", "/api/openapi.json", token=admin)
    project = probe.send("POST", "/api/projects", token=admin, body={"name": "Gate Errors"})
    project_id = id_of(project)
    found["errors"] = [
        probe.send("GET", "/api/no-such-route", token=admin),
        probe.send("POST", "/api/projects", token=admin, raw=b"not json"),
        probe.send("POST", "/api/tasks", token=admin, body={"project_id": project_id}),
        probe.send(
            "POST",
            "/api/tasks",
            token=admin,
            body={"project_id": project_id, "title": "t", "priority": 500},
        ),
        probe.send("GET", "/api/tasks/987654", token=admin),
        probe.send("GET", "/api/tasks"),
        probe.send("POST", "/api/projects", token=viewer, body={"name": "Gate Viewer"}),
        probe.send("POST", "/api/projects", token=admin, body={"name": "gate errors"}),
        probe.send("POST", "/api/auth/login", body={"username": "gate_admin", "password": "x"}),
    ]
    return found


def start_without_secret(tf: Any, db_path: str) -> str:
    """create_app outside development and testing, with no SECRET_KEY anywhere."""
    own_output()
    try:
        tf.create_app({"DATABASE": db_path})
    except Exception as exc:  # noqa: BLE001 - the refusal is what we hope for
        return "raised " + describe_error(exc)
    return "started"


# -- checks (run here, in the trusted process): each passes, with a note --------------------
@pytest.fixture(scope="module")
def observed(gate, secret) -> dict[str, Any] | None:
    outcome = gate.run(
        reported_items,
        str(gate.workdir / "reported.sqlite"),
        secret,
        call="wrong logins, GET /api/openapi.json, and requests that must be refused",
    )
    return outcome.value() if outcome.returned else None


def test_should_rate_limit_logins(should):
    """SHOULD: repeated wrong passwords lead to 429 with a numeric Retry-After"""
    with should.checking():
        observed = should.fixture("observed")
        if observed is None:
            should(False, "the requests could not be sent (see the checks of R0)")
            return
        limited = [a for a in observed["wrong logins"] if a["status"] == 429]
        numeric = [a for a in limited if str(a["headers"].get("retry-after", "")).isdigit()]
        if numeric:
            index = observed["wrong logins"].index(numeric[0]) + 1
            wait = numeric[0]["headers"]["retry-after"]
            should(True, f"429 from wrong login number {index}, with Retry-After: {wait}")
        elif limited:
            should(False, "429 came, but without a numeric Retry-After header")
        else:
            should(False, f"{WRONG_LOGINS} wrong passwords in a row, and no 429 Too Many Requests")


def route_key(method: str, path: str) -> tuple[str, str]:
    return method.lower(), re.sub(r"\{[^}/]*\}|<[^>/]*>", "{}", path)


def test_should_openapi_document(should):
    """SHOULD: GET /api/openapi.json is an OpenAPI 3 document listing every /api/ route"""
    with should.checking():
        observed = should.fixture("observed")
        if observed is None:
            should(False, "the requests could not be sent")
            return
        answer = observed["openapi"]
        body = body_of(answer)
        if answer["status"] != 200 or not isinstance(body, dict):
            should(False, f"{brief(answer)} (no JSON document)")
            return
        if not str(body.get("openapi", "")).startswith("3"):
            should(False, f'"openapi" is {body.get("openapi")!r}, not a 3.x version')
            return
        paths = body.get("paths") if isinstance(body.get("paths"), dict) else {}
        listed = {
            route_key(method, path)
            for path, item in paths.items()
            if isinstance(item, dict)
            for method in item
        }
        missing = [f"{m.upper()} {p}" for m, p in API_ROUTES if route_key(m, p) not in listed]
        if missing:
            should(False, "OpenAPI 3 document, but without: " + ", ".join(missing))
        else:
            should(True, f"OpenAPI {body['openapi']} lists every /api/ route")


def test_should_error_shape(should):
    """SHOULD: every 4xx under /api/ has the body {"error": {"code", "message"}}"""
    with should.checking():
        observed = should.fixture("observed")
        if observed is None:
            should(False, "the requests could not be sent")
            return
        answers = observed["errors"]
        refused = [a for a in answers if isinstance(a["status"], int) and 400 <= a["status"] < 500]
        unshaped = [brief(a) for a in refused if error_code(a) is None]
        accepted = [brief(a) for a in answers if a not in refused]
        notes = []
        if unshaped:
            notes.append("4xx without the error shape: " + "; ".join(unshaped))
        if accepted:
            notes.append("not refused at all: " + "; ".join(accepted))
        if notes:
            should(False, " | ".join(notes))
        else:
            should(
                True, "statuses " + ", ".join(str(a["status"]) for a in answers) + ", all shaped"
            )


def test_should_refuse_to_start_without_secret(should):
    """SHOULD: outside development and testing, create_app refuses to start without a secret"""
    with should.checking():
        gate = should.fixture("gate")
        outcome = gate.run(
            start_without_secret,
            str(gate.workdir / "no-secret.sqlite"),
            call="create_app({'DATABASE': ...}) with no SECRET_KEY and no TASKFORGE_* variables",
        )
        said = outcome.value() if outcome.returned else "crashed"
        if isinstance(said, str) and said.startswith("raised") and "TASKFORGE_SECRET_KEY" in said:
            should(True, "it refuses, naming TASKFORGE_SECRET_KEY")
        elif isinstance(said, str) and said.startswith("raised"):
            should(False, f"it refuses, but the message does not name TASKFORGE_SECRET_KEY: {said}")
        else:
            should(False, "it starts with a built-in secret key: anyone can sign tokens")
