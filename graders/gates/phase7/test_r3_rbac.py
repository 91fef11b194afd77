"""Gate R3 (roles): viewers only read, admins may do everything, and nobody promotes themselves."""

from __future__ import annotations

from typing import Any

import pytest

from graders.gates.phase7.actkit import PASSWORD, Probe, build_app, prepare_board, send_plan
from graders.gates.phase7.fixtures import (  # noqa: F401 - fixtures
    _gate_sandbox,
    gate_fixture,
    secret_fixture,
    should_fixture,
)
from graders.gates.phase7.judge import (
    board_ids,
    brief,
    copy_database,
    differences,
    failure,
    result,
    rows,
    show_answer,
    snapshot,
)

pytestmark = pytest.mark.requirement("R3")


# -- acts (run in the sandbox) ------------------------------------------------------------
def escalate(tf: Any, db_path: str, secret: str) -> dict[str, Any]:
    """Anonymous registrations asking for admin and editor, then logins with those accounts."""
    probe = Probe(build_app(tf, db_path, secret))
    found = {}
    for role in ("admin", "editor"):
        body = {"username": f"gate_wants_{role}", "password": PASSWORD, "role": role}
        found[f"register {role}"] = probe.send("POST", "/api/auth/register", body=body)
        found[f"login {role}"] = probe.login(f"gate_wants_{role}")
    return found


# -- checks (run here, in the trusted process) ---------------------------------------------
@pytest.fixture(scope="module")
def board(gate, secret) -> dict[str, Any]:
    path = gate.workdir / "rbac-board.sqlite"
    outcome = gate.run(
        prepare_board,
        str(path),
        secret,
        call="create_app(...), register gate_admin, gate_viewer and gate_editor, "
        "then projects, a category and tasks",
    )
    return {"path": path, "ids": board_ids(result(outcome, "the set-up"), "the role checks")}


def writes(ids: dict[str, int], tag: str) -> list[dict[str, Any]]:
    """Every write of R3.5, plus one read; DELETE comes last."""
    task = f"/api/tasks/{ids['t']}"
    body = {"project_id": ids["p1"], "title": f"Gate {tag} task"}
    return [
        {"method": "GET", "url": "/api/tasks", "wanted": 200},
        {"method": "POST", "url": "/api/tasks", "body": body, "wanted": 201},
        {"method": "PATCH", "url": task, "body": {"title": f"Gate {tag} edit"}, "wanted": 200},
        {"method": "POST", "url": f"{task}/move", "body": {"project_id": ids["p2"]}, "wanted": 200},
        {"method": "POST", "url": "/api/projects", "body": {"name": f"Gate {tag}"}, "wanted": 201},
        {
            "method": "POST",
            "url": "/api/categories",
            "body": {"name": f"gate-{tag}"},
            "wanted": 201,
        },
        {"method": "GET", "url": "/api/users", "wanted": 200},
        {"method": "DELETE", "url": task, "wanted": 204},
    ]


def run_as(gate, board, secret, username: str, plan: list[dict[str, Any]]):
    path = copy_database(board["path"], gate.workdir / f"rbac-{username}.sqlite")
    before = snapshot(path)
    outcome = gate.run(
        send_plan,
        str(path),
        secret,
        username,
        plan,
        call=f"log in as {username}, then " + ", ".join(f"{s['method']} {s['url']}" for s in plan),
    )
    found = result(outcome, "the answers")
    if (found.get("login") or {}).get("status") != 200:
        raise failure(f"POST /api/auth/login as {username}", show_answer(found.get("login")), "200")
    return found["answers"], before, snapshot(path)


def test_viewer_reads_but_cannot_write(gate, board, secret):
    """a viewer may read; every write and the user list answer 403 and change nothing"""
    plan = writes(board["ids"], "viewer")
    answers, before, after = run_as(gate, board, secret, "gate_viewer", plan)
    if answers[0]["status"] != 200:
        raise failure("GET /api/tasks as gate_viewer", show_answer(answers[0]), "status 200")
    allowed = [brief(a) for a in answers[1:] if a["status"] != 403]
    if allowed:
        raise failure(
            "as gate_viewer (self-registered): "
            + ", ".join(f"{s['method']} {s['url']}" for s in plan[1:]),
            "not 403: " + "; ".join(allowed),
            "403 forbidden for each of them",
            "a viewer may only read; check the role on every route that writes",
        )
    changed = differences(before, after)
    if changed:
        raise failure(
            "as gate_viewer: every write, each refused with 403; then read the database",
            "; ".join(changed),
            "no change at all",
            "a refused request must change nothing",
        )


def test_admin_may_do_everything(gate, board, secret):
    """an admin's token allows every one of those requests"""
    plan = writes(board["ids"], "admin")
    answers, _, _ = run_as(gate, board, secret, "gate_admin", plan)
    refused = [
        show_answer(a) for a, s in zip(answers, plan, strict=False) if a["status"] != s["wanted"]
    ]
    if refused:
        raise failure(
            "as gate_admin: " + "; ".join(f"{s['method']} {s['url']}" for s in plan),
            "; ".join(refused),
            ", ".join(f"{s['method']} {s['wanted']}" for s in plan),
            "the admin role allows create, read, update, delete and manage_users",
        )


@pytest.mark.requirement("S")
def test_should_editor_creates_and_updates_only(should):
    """SHOULD (R3.5): an editor creates and updates, but cannot delete or list users"""
    with should.checking():
        gate = should.fixture("gate")
        board = should.fixture("board")
        secret = should.fixture("secret")
        ids = board["ids"]
        task = f"/api/tasks/{ids['t']}"
        plan = [
            {
                "method": "POST",
                "url": "/api/tasks",
                "body": {"project_id": ids["p1"], "title": "e"},
            },
            {"method": "PATCH", "url": task, "body": {"title": "Gate editor edit"}},
            {"method": "DELETE", "url": task},
            {"method": "GET", "url": "/api/users"},
        ]
        answers, _, _ = run_as(gate, board, secret, "gate_editor", plan)
        got = [a["status"] for a in answers]
        if got == [201, 200, 403, 403]:
            should(True, "editor: create 201, update 200, delete 403, user list 403")
        else:
            should(
                False, f"editor: {'; '.join(brief(a) for a in answers)} (wanted 201, 200, 403, 403)"
            )


def test_no_self_promotion_at_registration(gate, board, secret):
    """registering without an admin token cannot ask for the admin or editor role"""
    path = copy_database(board["path"], gate.workdir / "rbac-escalate.sqlite")
    outcome = gate.run(
        escalate,
        str(path),
        secret,
        call='POST /api/auth/register without a token, with "role": "admin" (then "editor"), '
        "then POST /api/auth/login with that account",
    )
    found = result(outcome, "the answers")
    for role in ("admin", "editor"):
        registered, login = found[f"register {role}"], found[f"login {role}"]
        did = f'POST /api/auth/register (no token) {{"username": ..., "role": "{role}"}}'
        if registered["status"] != 403:
            raise failure(
                did,
                show_answer(registered),
                "403, and no account created",
                "only an admin's token may give a role other than viewer; never trust the role "
                "a client sends",
            )
        if login["status"] == 200:
            raise failure(did + ", then logged in", show_answer(login), "login to fail")
        created = rows(
            path, "SELECT COUNT(*) FROM users WHERE username = ?", (f"gate_wants_{role}",)
        )
        if created[0][0]:
            raise failure(
                did, "status 403, but the account is in table users", "no account created"
            )
