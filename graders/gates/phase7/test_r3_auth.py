"""Gate R3 (auth): hashed passwords, login, signed expiring tokens, a token on every route."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import string
import time
from pathlib import Path
from typing import Any

import pytest

from graders.gates.phase7 import hashes
from graders.gates.phase7.actkit import PASSWORD, Probe, build_app, prepare_board, send_plan
from graders.gates.phase7.fixtures import (  # noqa: F401 - fixtures
    _gate_sandbox,
    gate_fixture,
    secret_fixture,
    should_fixture,
)
from graders.gates.phase7.judge import (
    board_ids,
    body_of,
    brief,
    clip,
    columns,
    copy_database,
    error_code,
    failure,
    quoted,
    result,
    rows,
    show_answer,
    tables,
)

pytestmark = pytest.mark.requirement("R3")
ITERATIONS = 1000  # PASSWORD_ITERATIONS in the gate's configuration (actkit.build_app)
MAX_TOKEN_SECONDS = 24 * 3600
KNOWN_FORMATS = re.compile(r"^(pbkdf2[_:$-]|\$2[aby]\$|\$argon2|scrypt)", re.I)


# -- acts (run in the sandbox) ------------------------------------------------------------
def logins(tf: Any, db_path: str, secret: str) -> dict[str, Any]:
    """Right password, wrong password, unknown username."""
    probe = Probe(build_app(tf, db_path, secret))
    return {
        "right": probe.login("gate_admin"),
        "wrong password": probe.login("gate_admin", "not-the-password-1"),
        "unknown user": probe.login("gate_nobody", PASSWORD),
    }


# -- checks (run here, in the trusted process) ---------------------------------------------
@pytest.fixture(scope="module")
def board(gate, secret) -> dict[str, Any]:
    path = gate.workdir / "r3-board.sqlite"
    outcome = gate.run(
        prepare_board,
        str(path),
        secret,
        call="create_app(...), register gate_admin, gate_viewer and gate_editor, "
        "then projects, a category and tasks",
    )
    data = result(outcome, "the set-up to finish")
    return {"path": path, "ids": board_ids(data, "the auth checks"), "steps": data["steps"]}


def private_copy(gate, board, name: str):
    return copy_database(board["path"], gate.workdir / f"r3-{name}.sqlite")


def stored_values(path) -> list[tuple[str, Any]]:
    """Every text or blob value of every table, as ("table.column", value)."""
    found = []
    for table in tables(path):
        names = columns(path, table)
        for row in rows(path, f"SELECT * FROM {quoted(table)}"):
            for column, value in zip(names, row, strict=False):
                if isinstance(value, (str, bytes)) and len(value) >= 16:
                    found.append((f"{table}.{column}", value))
    return found


def written_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.stat().st_size < 64 << 20)


def test_passwords_are_hashed_with_a_salt(gate, board):
    """no password is stored as typed or as a fast hash, anywhere; each has its own salt and at
    least PASSWORD_ITERATIONS rounds"""
    did = (
        "registered gate_admin, gate_viewer and gate_editor with the same password, then "
        "searched every table and every file the app wrote"
    )
    why = "anyone who reads the database (a backup, a leak) could recover the passwords"
    for label, needle in hashes.needles(PASSWORD).items():
        for path in written_files(gate.workdir):
            if needle in path.read_bytes():
                raise failure(
                    did, f"{label} in the file {path.name}", "only slow salted hashes", why
                )
    values = stored_values(board["path"])
    recognised: dict[str, list[Any]] = {}
    for where, value in values:
        found = hashes.analyse(value, PASSWORD, ITERATIONS)
        if found.kind in ("plaintext", "fast") or (
            found.kind == "pbkdf2" and found.iterations < ITERATIONS
        ):
            raise failure(
                did,
                f"{where} holds {found.detail}",
                f"a salted slow hash (PBKDF2 with at least PASSWORD_ITERATIONS = {ITERATIONS} "
                "rounds, bcrypt, scrypt or Argon2)",
                why + "; a GPU tries billions of fast hashes per second",
            )
        if found.kind == "pbkdf2":
            recognised.setdefault(where, []).append(value)
    repeated = [w for w, v in recognised.items() if len(set(map(repr, v))) < len(v)]
    if repeated:
        raise failure(
            did,
            f"the same hash twice in {', '.join(repeated)}",
            "different hashes for the same password",
            "without a random salt per password, one cracked hash cracks every equal password",
        )


@pytest.mark.requirement("S")
def test_should_hash_format(should):
    """SHOULD (R3.1): the hash is in a known format (pbkdf2_sha256$..., $2b$..., scrypt...)"""
    with should.checking():
        board = should.fixture("board")
        values = [str(v) for _, v in stored_values(board["path"]) if KNOWN_FORMATS.search(str(v))]
        if values:
            should(True, "the stored hash names its algorithm: " + clip(values[0], 40))
        else:
            should(
                False, "no value in a known format (pbkdf2_sha256$iterations$salt$hash, $2b$...)"
            )


def test_login(gate, board, secret):
    """login gives a token for the right password, and the same 401 for any wrong one"""
    path = private_copy(gate, board, "login")
    outcome = gate.run(
        logins,
        str(path),
        secret,
        call="POST /api/auth/login: right password, wrong password, unknown username",
    )
    found = result(outcome, "three answers")
    right = body_of(found["right"])
    if found["right"]["status"] != 200 or not isinstance(right, dict) or not right.get("token"):
        raise failure(
            "POST /api/auth/login with the right password",
            show_answer(found["right"]),
            'status 200 and a "token"',
        )
    wrong, unknown = found["wrong password"], found["unknown user"]
    if wrong["status"] != 401 or unknown["status"] != 401:
        raise failure(
            "POST /api/auth/login with a wrong password, then with an unknown username",
            f"{show_answer(wrong)}; {show_answer(unknown)}",
            "401 for both",
        )
    if body_of(wrong) != body_of(unknown) or (
        body_of(wrong) is None and wrong["body"] != unknown["body"]
    ):
        raise failure(
            "POST /api/auth/login with a wrong password, then with an unknown username",
            f"{show_answer(wrong)}; {show_answer(unknown)}",
            "identical bodies",
            "different answers tell an attacker which usernames exist",
        )


def b64(data: Any) -> str:
    """Base64url without padding, of compact JSON (or of raw bytes)."""
    raw = data if isinstance(data, bytes) else json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def signed(head: str, payload: dict[str, Any], key: str) -> str:
    """An HS256 JWT with the given header segment, signed here with hmac."""
    message = f"{head}.{b64(payload)}"
    digest = hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()
    return f"{message}.{b64(digest)}"


def other_key() -> str:
    return "".join(secrets.choice(string.ascii_letters) for _ in range(48))


def decoded(token: str) -> tuple[str, dict[str, Any], dict[str, Any], str]:
    """header segment, header, payload and signature of a JWT, or a failure."""
    try:
        parts = token.split(".")
        if len(parts) != 3:
            raise ValueError(f"{len(parts)} part(s) separated by '.', where a JWT has 3")
        head, body, signature = parts
        header, payload = unb64(head), unb64(body)
        if not isinstance(header, dict) or not isinstance(payload, dict):
            raise ValueError("header and payload must be JSON objects")
    except (ValueError, TypeError, binascii.Error) as exc:
        raise failure(
            "decoded the login token as a JWT (without checking the signature)",
            f"{clip(token, 60)!r}: {exc}",
            "a JWT: header.payload.signature, signed with HS256",
            "a token anyone can make up (like a user id in base64) is not authentication",
        ) from None
    return head, header, payload, signature


def forged_tokens(token: str, secret: str, admin_id: int, viewer_id: int) -> list[list[Any]]:
    """[what, token, expected status] for tokens rebuilt from a real one (R3.3)."""
    head, header, payload, signature = decoded(token)
    if header.get("alg") != "HS256" or type(payload.get("exp")) not in (int, float):
        raise failure(
            "decoded the login token as a JWT",
            f"header {header}, payload {payload}",
            'header "alg": "HS256" and a numeric "exp" claim in the payload',
        )
    shift = int(payload["exp"]) - (int(time.time()) - 3600)
    expired = {**payload, "exp": int(payload["exp"]) - shift}
    if type(payload.get("iat")) in (int, float):
        expired["iat"] = int(payload["iat"]) - shift
    claim = "sub" if "sub" in payload else None
    for key, value in payload.items():
        if claim is None and type(value) in (int, str) and value in (admin_id, str(admin_id)):
            claim = key
    forged = [
        [
            "the same payload signed again with SECRET_KEY (control)",
            signed(head, payload, secret),
            200,
        ],
        [
            "exp moved one hour into the past, signed with SECRET_KEY",
            signed(head, expired, secret),
            401,
        ],
        ["the same payload signed with another key", signed(head, payload, other_key()), 401],
        [
            'header {"alg": "none"} and an empty signature',
            f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(payload)}.",
            401,
        ],
    ]
    if claim is not None:
        value = str(viewer_id) if isinstance(payload[claim], str) else viewer_id
        forged.append(
            [
                f"the {claim!r} claim set to the viewer's id; header and signature unchanged",
                f"{head}.{b64({**payload, claim: value})}.{signature}",
                401,
            ]
        )
    return forged


def test_tokens_are_signed_and_expire(gate, board, secret):
    """tokens are HS256 JWTs with exp; expired, re-signed, unsigned and edited ones get 401"""
    login = body_of(board["steps"]["login gate_admin"])
    token = login.get("token") if isinstance(login, dict) else None
    if not isinstance(token, str):
        raise failure("POST /api/auth/login as gate_admin", repr(login), 'a string "token"')
    ids = board["ids"]
    forged = forged_tokens(token, secret, ids["gate_admin_id"], ids["gate_viewer_id"])
    plan = [
        {"method": "GET", "url": "/api/tasks", "authorization": f"Bearer {t}"} for _, t, _ in forged
    ]
    outcome = gate.run(
        send_plan,
        str(private_copy(gate, board, "tokens")),
        secret,
        None,
        plan,
        call="GET /api/tasks with tokens rebuilt from a real one",
    )
    answers = result(outcome, "the answers")["answers"]
    for (label, _, wanted), answer in zip(forged, answers, strict=False):
        if answer["status"] != wanted or (wanted == 401 and error_code(answer) != "unauthorized"):
            raise failure(
                f"GET /api/tasks with a token: {label}",
                show_answer(answer),
                f"status {wanted}"
                + (' with {"error": {"code": "unauthorized", ...}}' if wanted == 401 else ""),
                "only tokens signed with SECRET_KEY, with HS256, not expired and unchanged "
                "may pass; verify with algorithms=['HS256'] and never trust an unverified claim",
            )


def test_tokens_expire_within_a_day(board):
    """a token's exp is at most 24 hours after it was issued"""
    login = body_of(board["steps"]["login gate_admin"])
    token = login.get("token") if isinstance(login, dict) else None
    if not isinstance(token, str):
        raise failure("POST /api/auth/login as gate_admin", repr(login), 'a string "token"')
    _, _, payload, _ = decoded(token)
    issued = payload.get("iat") if isinstance(payload.get("iat"), (int, float)) else time.time()
    expires = payload.get("exp")
    if not isinstance(expires, (int, float)) or expires - issued > MAX_TOKEN_SECONDS:
        raise failure(
            "logged in as gate_admin and read the token's claims",
            f"exp {expires!r}, issued at {issued:.0f} "
            + (
                f"({(expires - issued) / 3600:.0f} hours)"
                if isinstance(expires, (int, float))
                else ""
            ),
            "exp no more than 24 hours after iat (the reference: 1 hour)",
            "a stolen token works until it expires; keep that window short",
        )


MALFORMED = [
    ["no Authorization header", None],
    ['"Bearer" with nothing after it', "Bearer "],
    ['"Bearer garbage"', "Bearer garbage"],
    [
        '"Basic ..." credentials',
        "Basic " + base64.b64encode(f"gate_admin:{PASSWORD}".encode()).decode(),
    ],
]


def test_missing_or_malformed_authorization(gate, board, secret):
    """no token, an empty or garbage token, or Basic credentials all get 401 unauthorized"""
    plan = [
        {"method": "GET", "url": "/api/tasks", "authorization": header} for _, header in MALFORMED
    ]
    outcome = gate.run(
        send_plan,
        str(private_copy(gate, board, "malformed")),
        secret,
        None,
        plan,
        call="GET /api/tasks with a missing or malformed Authorization header",
    )
    answers = result(outcome, "the answers")["answers"]
    for (label, _), answer in zip(MALFORMED, answers, strict=False):
        if answer["status"] != 401 or error_code(answer) != "unauthorized":
            raise failure(
                f"GET /api/tasks with {label}",
                show_answer(answer),
                'status 401 with {"error": {"code": "unauthorized", ...}}',
                "reading tasks is a protected action: it needs a valid token",
            )


def protected_routes(ids: dict[str, int]) -> list[dict[str, Any]]:
    """Every route whose action is not "none", with ids that exist and valid bodies."""
    task = f"/api/tasks/{ids['t']}"
    return [
        {"method": "GET", "url": "/api/auth/me"},
        {"method": "GET", "url": "/api/users"},
        {"method": "GET", "url": "/api/projects"},
        {"method": "GET", "url": f"/api/projects/{ids['p1']}"},
        {"method": "GET", "url": "/api/categories"},
        {"method": "GET", "url": "/api/tasks"},
        {"method": "GET", "url": task},
        {"method": "GET", "url": f"{task}/events"},
        {"method": "GET", "url": "/tasks"},
        {"method": "GET", "url": f"/tasks/{ids['t']}"},
        {"method": "POST", "url": "/api/projects", "body": {"name": "Gate anonymous"}},
        {"method": "POST", "url": "/api/categories", "body": {"name": "gate-anonymous"}},
        {"method": "POST", "url": "/api/tasks", "body": {"project_id": ids["p1"], "title": "anon"}},
        {"method": "PATCH", "url": task, "body": {"title": "changed without a token"}},
        {"method": "POST", "url": f"{task}/move", "body": {"project_id": ids["p2"]}},
        {
            "method": "PATCH",
            "url": f"/api/users/{ids['gate_viewer_id']}",
            "body": {"role": "admin"},
        },
        {"method": "DELETE", "url": task},
    ]


def test_every_protected_route_needs_a_token(gate, board, secret):
    """every route except health, register and login answers 401 without a token"""
    plan = protected_routes(board["ids"])
    outcome = gate.run(
        send_plan,
        str(private_copy(gate, board, "routes")),
        secret,
        None,
        plan,
        call="every protected route, with ids that exist, without a token",
    )
    answers = result(outcome, "the answers")["answers"]
    open_routes = [brief(a) for a in answers if a["status"] != 401]
    if open_routes:
        raise failure(
            "called every protected route (contract, section 2) without a token",
            f"{len(open_routes)} of {len(plan)} did not answer 401: " + "; ".join(open_routes),
            "401 from each of them",
            "check the token on every route (a decorator such as @require('read') on each view), "
            "not only on the ones that write",
        )
