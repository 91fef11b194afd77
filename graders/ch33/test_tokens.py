"""Grader for ch33/tokens: HS256 JWTs issued with the right claims and verified strictly.

The judge never trusts the learner's tokens to be right: it splits every issued token
itself, decodes header and payload, recomputes the HMAC-SHA256 signature with its own
``hmac`` code and cross-checks with its own PyJWT call. Every token handed to
``verify_token`` is crafted here, byte by byte: valid ones, expired ones at the exact
boundary, unsigned ("alg": "none"), re-signed with HS512 using the right secret, payloads
edited after signing, other secrets, missing claims and plain garbage. Times are fixed
numbers far in the past and far in the future, so a solution that consults the real clock
fails in one direction or the other. Secrets are 35+ bytes (PyJWT warns about shorter
HMAC keys, and warnings are errors in grader runs).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import jwt
import pytest
from hypothesis import strategies as st

from graders.acts import attempt
from graders.differential import agree
from graders.expectations import same, show
from graders.harness import Outcome

EXERCISE = "ch33/tokens"

SECRET = "grader-secret-0123456789-abcdefghijklmnop"  # 41 bytes
OTHER_SECRET = "another-secret-9876543210-zyxwvutsrqponml"  # 41 bytes
PAST = 1_000_000_000  # 2001: long before the real clock
CLOCK_NOTE = (
    "the times here are in 2001 on purpose: compare exp with the `now` you are given, and "
    "switch off PyJWT's real-clock checks (verify_exp / verify_iat False); see task 3"
)
FUTURE = 4_000_000_000  # 2096: long after it


# -- the judge's own JWT code -----------------------------------------------------------
def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def part(value: Any) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def sign(signing_input: str, secret: str, alg: str = "HS256") -> str:
    digest = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}[alg]
    return b64(hmac.new(secret.encode("utf-8"), signing_input.encode("ascii"), digest).digest())


def craft(payload: Any, secret: str = SECRET, alg: str = "HS256", header: Any = None) -> str:
    head = part(header if header is not None else {"alg": alg, "typ": "JWT"})
    body = part(payload)
    return f"{head}.{body}.{sign(f'{head}.{body}', secret, alg)}"


def claims(sub: str = "42", role: str = "viewer", iat: int = PAST, ttl: int = 600) -> dict:
    return {"sub": sub, "role": role, "iat": iat, "exp": iat + ttl}


def unsigned(payload: dict, alg: str = "none") -> str:
    return f"{part({'alg': alg, 'typ': 'JWT'})}.{part(payload)}."


def tampered(token: str, payload: dict) -> str:
    """The same header and signature around a different payload."""
    head, _, signature = token.split(".")
    return f"{head}.{part(payload)}.{signature}"


# -- checking an issued token -------------------------------------------------------
def inspect_token(token: Any, secret: str) -> tuple[str, dict | None, dict | None]:
    """(problem or '', header, payload) of a token the learner issued."""
    if not isinstance(token, str):
        return "issue_token must return the token as a str", None, None
    pieces = token.split(".")
    if len(pieces) != 3:
        return f"a JWT has three parts separated by dots; this has {len(pieces)}", None, None
    try:
        header, payload = (json.loads(unb64(piece)) for piece in pieces[:2])
    except ValueError:
        return "the header and payload must be base64url-encoded JSON", None, None
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        return f"the header must say alg HS256; it is {show(header)}", header, None
    expected = sign(f"{pieces[0]}.{pieces[1]}", secret)
    if not hmac.compare_digest(expected, pieces[2]):
        return "the signature is not HMAC-SHA256 of header.payload with the secret", header, None
    try:  # a second opinion: the library's own strict decode
        jwt.decode(
            token, secret, algorithms=["HS256"], options={"verify_exp": False, "verify_iat": False}
        )
    except jwt.InvalidTokenError as exc:
        return f"PyJWT refuses to decode it: {exc}", header, payload
    return "", header, payload


# -- acts -------------------------------------------------------------------------------
def act_round_trip(module, user_id, role, secret, now, ttl, later):
    issued = attempt(module.issue_token, user_id, role, secret, now, ttl)
    if "returned" not in issued:
        return {"issued": issued}
    return {
        "issued": issued,
        "verified": attempt(module.verify_token, issued["returned"], secret, later),
    }


def short(token: str) -> str:
    return repr(token if len(token) <= 40 else token[:37] + "...")


def verify(learner, token: str, secret: str, now: int) -> Outcome:
    outcome = learner.call("verify_token", token, secret, now)
    secret_name = "SECRET" if secret == SECRET else "OTHER_SECRET"
    outcome.call = f"verify_token({short(token)}, {secret_name}, now={now})"
    return outcome


class InvalidToken(Exception):
    """Stands for the learner's InvalidToken: Outcome.expect_raises matches by class name."""


def expect_refused(learner, token: str, why: str, *, now: int = PAST + 1, secret=SECRET):
    verify(learner, token, secret, now).expect_raises(InvalidToken, note=why)


# -- task 1: issue_token ------------------------------------------------------------------
ISSUE_CASES = [
    pytest.param(42, "admin", SECRET, 1_700_000_000, 900, id="admin_15_minutes"),
    pytest.param(0, "viewer", OTHER_SECRET, PAST, 1, id="user_0_one_second"),
    pytest.param(987654321, "éditeur", SECRET, FUTURE, 86_400, id="unicode_role_one_day"),
]


@pytest.mark.task(1)
@pytest.mark.parametrize("user_id, role, secret, now, ttl", ISSUE_CASES)
def test_issued_token_is_an_hs256_jwt_with_the_claims(learner, user_id, role, secret, now, ttl):
    """issue_token makes an HS256 JWT whose payload is exactly sub, role, iat and exp"""
    outcome = learner.call("issue_token", user_id, role, secret, now, ttl)
    token = outcome.value("a JWT string")
    problem, _, payload = inspect_token(token, secret)
    if problem:
        raise outcome.fail("an HS256 JWT signed with the secret", note=problem)
    wanted = {"sub": str(user_id), "role": role, "iat": now, "exp": now + ttl}
    if not same(payload, wanted):
        raise outcome.fail(
            f"a payload of exactly {show(wanted)}",
            got=f"Payload:  {show(payload)}",
            note="sub is str(user_id), iat is now, exp is now + ttl_seconds, nothing else",
        )


@pytest.mark.task(1)
@pytest.mark.parametrize("ttl", [0, -60])
def test_ttl_must_be_positive(learner, ttl):
    """issue_token refuses a ttl that is zero or negative with ValueError"""
    learner.call("issue_token", 1, "viewer", SECRET, PAST, ttl).expect_raises(ValueError)


# -- task 2: verify_token, the signature ---------------------------------------------------
@pytest.mark.task(2)
def test_verify_returns_the_claims_of_a_valid_token(learner):
    """verify_token returns the claims of a token the grader signed with the secret"""
    payload = claims(sub="7", role="admin", iat=PAST, ttl=3600)
    verify(learner, craft(payload), SECRET, PAST + 10).expect(payload, note=CLOCK_NOTE)


@pytest.mark.task(2)
def test_verify_returns_every_claim(learner):
    """verify_token returns all the claims, including ones it does not need"""
    payload = claims(sub="8", role="viewer", iat=PAST, ttl=60) | {"jti": "abc-123", "team": 5}
    verify(learner, craft(payload), SECRET, PAST + 59).expect(payload, note=CLOCK_NOTE)


@pytest.mark.task(2)
def test_round_trip(learner):
    """a token from issue_token passes verify_token with the same secret"""
    call = "token = issue_token(5, 'viewer', SECRET, 1_700_000_000, 300); "
    call += "verify_token(token, SECRET, 1_700_000_100)"
    result = learner.run(
        act_round_trip, 5, "viewer", SECRET, 1_700_000_000, 300, 1_700_000_100, call=call
    ).value()
    Outcome.from_attempt(call, result["issued"]).value("a token")
    Outcome.from_attempt(call, result["verified"]).expect(
        {"sub": "5", "role": "viewer", "iat": 1_700_000_000, "exp": 1_700_000_300}
    )


def _refusals() -> list:
    good = craft(claims(role="viewer"))
    head, body, signature = good.split(".")
    return [
        pytest.param(
            tampered(good, claims(role="admin")),
            SECRET,
            "the payload was changed after signing: the signature no longer matches",
            id="payload_edited_signature_kept",
        ),
        pytest.param(
            good,
            OTHER_SECRET,
            "it was signed with a different secret",
            id="signed_with_another_secret",
        ),
        pytest.param(
            craft(claims(), OTHER_SECRET),
            SECRET,
            "it was signed with a different secret",
            id="forged_with_another_secret",
        ),
        pytest.param(
            unsigned(claims()),
            SECRET,
            'an unsigned token ("alg": "none") proves nothing: pin algorithms=["HS256"]',
            id="alg_none_unsigned",
        ),
        pytest.param(
            unsigned(claims(), alg="None"),
            SECRET,
            'an unsigned token ("alg": "None") proves nothing',
            id="alg_None_unsigned",
        ),
        pytest.param(
            f"{part({'alg': 'none', 'typ': 'JWT'})}.{body}.{signature}",
            SECRET,
            'the header says "none": only HS256 may be accepted',
            id="alg_none_with_old_signature",
        ),
        pytest.param(
            craft(claims(), SECRET, alg="HS512"),
            SECRET,
            "HS512 is not HS256: accept only the algorithm you chose "
            '(algorithms=["HS256"]), never the one the token names',
            id="hs512_with_the_right_secret",
        ),
        pytest.param(f"{head}.{body}.", SECRET, "the signature is missing", id="empty_signature"),
        pytest.param(
            f"{head}.{body}.{signature[:-2]}",
            SECRET,
            "the signature is cut short",
            id="truncated_signature",
        ),
    ]


@pytest.mark.task(2)
@pytest.mark.parametrize("token, secret, why", _refusals())
def test_verify_refuses_untrusted_signatures(learner, token, secret, why):
    """verify_token raises InvalidToken for a bad signature, another secret or algorithm"""
    expect_refused(learner, token, why, secret=secret)


def _garbage() -> list:
    payload_part = part(claims())
    header_part = part({"alg": "HS256", "typ": "JWT"})
    list_payload = part(["sub", "42"])
    return [
        pytest.param("", id="empty_string"),
        pytest.param("not-a-token", id="no_dots"),
        pytest.param("a.b", id="two_parts"),
        pytest.param("a.b.c.d", id="four_parts"),
        pytest.param("!!!.???.***", id="not_base64"),
        pytest.param(f"{b64(b'not json')}.{payload_part}.sig", id="header_not_json"),
        pytest.param(f"{header_part}.{b64(b'not json')}.sig", id="payload_not_json"),
        pytest.param(
            f"{header_part}.{list_payload}.{sign(f'{header_part}.{list_payload}', SECRET)}",
            id="payload_is_a_list_signed_correctly",
        ),
        pytest.param("Bearer " + craft(claims()), id="still_has_bearer_prefix"),
    ]


@pytest.mark.task(2)
@pytest.mark.parametrize("token", _garbage())
def test_verify_refuses_malformed_tokens(learner, token):
    """verify_token raises InvalidToken (and nothing else) for strings that are not JWTs"""
    expect_refused(
        learner, token, "catch PyJWT's errors (jwt.InvalidTokenError) and raise InvalidToken"
    )


# -- task 3: time and claims ---------------------------------------------------------------
@pytest.mark.task(3)
def test_valid_until_the_last_second(learner):
    """a token is still valid one second before exp"""
    payload = claims(iat=PAST, ttl=600)
    verify(learner, craft(payload), SECRET, PAST + 599).expect(payload)


@pytest.mark.task(3)
def test_expired_exactly_at_exp(learner):
    """at now == exp the token has expired"""
    payload = claims(iat=PAST, ttl=600)
    expect_refused(
        learner,
        craft(payload),
        "exp is the first second the token is NOT valid: expired when exp <= now",
        now=PAST + 600,
    )


@pytest.mark.task(3)
def test_expired_long_ago(learner):
    """a token an hour past its exp is refused"""
    payload = claims(iat=PAST, ttl=600)
    expect_refused(learner, craft(payload), "compare exp with now", now=PAST + 4200)


@pytest.mark.task(3)
def test_uses_now_not_the_real_clock_in_the_past(learner):
    """with now in 2001, a token valid then is accepted (the real clock says otherwise)"""
    payload = claims(iat=PAST - 30, ttl=3600)
    verify(learner, craft(payload), SECRET, PAST).expect(
        payload,
        note="check exp against the now you were given; PyJWT's own exp/iat checks use "
        "the real clock, so turn them off (verify_exp / verify_iat False)",
    )


@pytest.mark.task(3)
def test_uses_now_not_the_real_clock_in_the_future(learner):
    """with now in 2096, a token valid then is accepted and an expired one refused"""
    valid = claims(iat=FUTURE - 30, ttl=3600)
    verify(learner, craft(valid), SECRET, FUTURE).expect(
        valid,
        note="check exp against the now you were given; PyJWT's own exp/iat checks use "
        "the real clock, so turn them off (verify_exp / verify_iat False)",
    )
    expired = claims(iat=FUTURE - 7200, ttl=3600)
    expect_refused(
        learner,
        craft(expired),
        "it expired an hour before now (the real clock is not now)",
        now=FUTURE,
    )


@pytest.mark.task(3)
@pytest.mark.parametrize("missing", ["sub", "role", "iat", "exp"])
def test_missing_claim_is_refused(learner, missing):
    """a correctly signed token without one of the four claims is refused"""
    payload = {k: v for k, v in claims().items() if k != missing}
    expect_refused(
        learner,
        craft(payload),
        f'the "{missing}" claim is missing: options={{"require": ["sub", "role", "iat", "exp"]}}',
    )


@pytest.mark.task(3)
@pytest.mark.parametrize(
    "exp", ["soon", None, [PAST + 600], True], ids=["text", "null", "list", "true"]
)
def test_exp_must_be_a_number(learner, exp):
    """a correctly signed token whose exp is not a number is refused"""
    payload = claims() | {"exp": exp}
    expect_refused(learner, craft(payload), "exp must be a number to compare with now")


@pytest.mark.task(3)
def test_iat_is_not_compared_with_now(learner):
    """a token whose iat lies after now is still valid while now < exp (iat is not checked)"""
    payload = {"sub": "42", "role": "viewer", "iat": PAST + 100, "exp": PAST + 700}
    verify(learner, craft(payload), SECRET, PAST).expect(
        payload, note="the stub compares only exp with now; iat is not compared in this exercise"
    )


# -- generated tokens, judged against the stub's rules ------------------------------------
def verify_rule(token: str, secret: str, now: int) -> dict:
    """verify_token as the stub states it, for the tokens generated below."""
    try:
        head, body, signature = token.split(".")
        header, payload = json.loads(unb64(head)), json.loads(unb64(body))
    except ValueError:
        raise InvalidToken("malformed") from None
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise InvalidToken("algorithm")
    try:  # compared as bytes, decoded the way PyJWT decodes them
        if not hmac.compare_digest(unb64(sign(f"{head}.{body}", secret)), unb64(signature)):
            raise InvalidToken("signature")
    except ValueError:
        raise InvalidToken("signature") from None
    if not isinstance(payload, dict) or any(name not in payload for name in CLAIMS):
        raise InvalidToken("claims")
    exp = payload["exp"]
    if type(exp) not in (int, float) or exp <= now:
        raise InvalidToken("exp")
    return payload


CLAIMS = ("sub", "role", "iat", "exp")


SIGNING_CHANGES = ["alg_none", "hs512", "other_secret", "tamper", "garbage"]
CLAIM_CHANGES = ["drop", "exp_type", "expiry"]


@st.composite
def tokens(draw, changes):
    """Tokens one change away from valid, or valid: each change is one the stub names.

    Only the changes of one task are drawn, so the test of task 2 (signatures) never needs
    task 3 (time and claims) and the other way round: ``now`` stays before exp unless the
    change is "expiry".
    """
    iat = draw(st.integers(PAST - 10**6, PAST + 10**6))
    payload = {
        "sub": draw(st.sampled_from(["42", "0", "alice"])),
        "role": draw(st.sampled_from(["admin", "viewer", "éditeur"])),
        "iat": iat,
        "exp": iat + draw(st.integers(1, 10**5)),
    }
    if draw(st.booleans()):
        payload["name"] = "extra claims come back too"
    change = draw(st.sampled_from(["none"] * 2 + changes))
    secret, alg = SECRET, "HS256"
    if change == "drop":
        del payload[draw(st.sampled_from(CLAIMS))]
    elif change == "exp_type":
        payload["exp"] = draw(st.sampled_from([str(payload["exp"]), None, True, [1], 1.5e12]))
    elif change == "other_secret":
        secret = OTHER_SECRET
    elif change == "hs512":
        alg = "HS512"
    token = unsigned(payload) if change == "alg_none" else craft(payload, secret, alg)
    if change == "tamper":
        token = tampered(token, payload | {"role": "admin", "sub": "1"})
    elif change == "garbage":
        cut = draw(st.integers(0, len(token) - 1))
        token = token[:cut] + draw(st.sampled_from(["", ".", "!", "=="])) + token[cut + 1 :]
    now = iat  # before exp; task 3's own tokens also try a now before iat
    if "expiry" in changes:
        now = iat - draw(st.sampled_from([0, 1, 10**4]))
    if change == "expiry":
        now = payload["exp"] + draw(st.sampled_from([-1, 0, 1, 10**4]))
    return token, SECRET, now


@pytest.mark.task(2)
def test_verify_agrees_on_generated_signatures(learner):
    """verify_token agrees with the stated rules on generated tokens: valid, re-signed, edited"""
    agree(learner, "verify_token", verify_rule, tokens(SIGNING_CHANGES), max_examples=60)


@pytest.mark.task(3)
def test_verify_agrees_on_generated_claims_and_times(learner):
    """verify_token agrees with the stated rules on generated claims, exp values and times"""
    agree(learner, "verify_token", verify_rule, tokens(CLAIM_CHANGES), max_examples=60)
