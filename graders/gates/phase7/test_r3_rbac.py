"""Gate R3 (roles): viewers only read, admins may do everything, and nobody promotes themselves."""

from __future__ import annotations

from typing import Any

import pytest

from graders.gates.phase7.actkit import (
    PASSWORD,
    Probe,
    build_app,
    prepare_board,
    send_plan,
    token_of,
)
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


def role_changes(tf: Any, db_path: str, secret: str, ids: dict[str, int]) -> dict[str, Any]:
    """Users' roles changed by the wrong people, the last admin, and tokens that outlive a
    role change (R3.5): every answer, in order."""
    probe = Probe(build_app(tf, db_path, secret))
    token = {
        name: token_of(probe.login(name)) for name in ("gate_admin", "gate_viewer", "gate_editor")
    }
    admin, viewer, editor = ids["gate_admin_id"], ids["gate_viewer_id"], ids["gate_editor_id"]
    plan = [
        ("gate_viewer", "PATCH", f"/api/users/{viewer}", {"role": "admin"}, 403),
        ("gate_viewer", "PATCH", f"/api/users/{admin}", {"role": "viewer"}, 403),
        ("gate_viewer", "GET", "/api/users", None, 403),
        ("gate_editor", "PATCH", f"/api/users/{editor}", {"role": "admin"}, 403),
        ("gate_editor", "PATCH", f"/api/users/{viewer}", {"role": "editor"}, 403),
        ("gate_editor", "GET", "/api/users", None, 403),
        ("gate_editor", "DELETE", f"/api/tasks/{ids['u']}", None, 403),
        ("gate_admin", "PATCH", f"/api/users/{admin}", {"role": "editor"}, 409),
        ("gate_admin", "PATCH", f"/api/users/{editor}", {"role": "viewer"}, 200),
        ("gate_editor", "POST", "/api/projects", {"name": "Gate After Demotion"}, 403),
        ("gate_admin", "PATCH", f"/api/users/{viewer}", {"role": "editor"}, 200),
        ("gate_viewer", "POST", "/api/projects", {"name": "Gate After Promotion"}, 201),
    ]
    answers = []
    for who, method, url, body, wanted in plan:
        answer = probe.send(method, url, token=token[who], body=body)
        answer.update(who=who, wanted=wanted)
        answers.append(answer)
    return {"tokens": [bool(t) for t in token.values()], "answers": answers}


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


@pytest.fixture(scope="module")
def changes(gate, board, secret) -> dict[str, Any]:
    path = copy_database(board["path"], gate.workdir / "rbac-roles.sqlite")
    outcome = gate.run(
        role_changes,
        str(path),
        secret,
        board["ids"],
        call="log in as gate_admin, gate_viewer and gate_editor, then role changes by each",
    )
    found = result(outcome, "the answers")
    if not all(found["tokens"]):
        raise failure("POST /api/auth/login as each account", f"tokens {found['tokens']}", "3")
    found["roles"] = dict(rows(path, "SELECT username, role FROM users"))
    return found


def unexpected(answers: list[dict[str, Any]], first: int, last: int) -> list[str]:
    return [
        f"{a['who']}: {brief(a)} (wanted {a['wanted']})"
        for a in answers[first:last]
        if a["status"] != a["wanted"]
    ]


def test_only_admins_manage_users(changes):
    """only an admin manages users: no viewer or editor changes a role, lists users or deletes"""
    wrong = unexpected(changes["answers"], 0, 7)
    if wrong:
        raise failure(
            'as gate_viewer and gate_editor: PATCH /api/users/<id> {"role": ...} (their own '
            "and others'), GET /api/users; as gate_editor DELETE /api/tasks/<id>",
            "; ".join(wrong),
            "403 for each",
            "manage_users and delete belong to admins only; a viewer promoting themselves "
            "through PATCH /api/users/<id> owns the app",
        )


def test_last_admin_cannot_be_demoted(changes):
    """the last admin cannot be demoted (409) and stays admin"""
    answer = changes["answers"][7]
    if answer["status"] != 409 or changes["roles"].get("gate_admin") != "admin":
        raise failure(
            'as gate_admin, the only admin: PATCH /api/users/<own id> {"role": "editor"}',
            f"{brief(answer)}; gate_admin's role is now {changes['roles'].get('gate_admin')!r}",
            "409 conflict, and gate_admin still admin",
            "with no admin left, nobody can ever manage users again",
        )


def test_current_role_decides(changes):
    """a role change applies to the next request, even with a token issued before it"""
    wrong = unexpected(changes["answers"], 8, 12)
    roles = changes["roles"]
    if wrong or roles.get("gate_editor") != "viewer" or roles.get("gate_viewer") != "editor":
        raise failure(
            "demoted gate_editor to viewer and promoted gate_viewer to editor, then used the "
            "tokens both had from before: POST /api/projects",
            "; ".join(wrong) or f"roles {roles}",
            "the demoted token refused (403), the promoted one allowed (201)",
            "the user's current role decides; a role frozen into the token outlives a demotion",
        )
