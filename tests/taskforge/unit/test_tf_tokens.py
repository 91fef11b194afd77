"""JWT access tokens: round trip, expiry, tampering, wrong keys and algorithm confusion."""

import base64
import json
import time

import jwt
import pytest

from taskforge.errors import Unauthorized
from taskforge.security.tokens import TokenService

KEY = "k" * 40
OTHER_KEY = "o" * 40


def _b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(**changes):
    now = int(time.time())
    claims = {"sub": "7", "iat": now, "exp": now + 600, "iss": "taskforge"}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def test_issued_token_names_the_user():
    service = TokenService(KEY, 60)
    assert service.verify(service.issue(42)) == 42


def test_token_carries_expiry_ttl_after_issue():
    service = TokenService(KEY, 900, clock=lambda: 1_000_000)
    claims = jwt.decode(service.issue(1), KEY, algorithms=["HS256"], options={"verify_exp": False})
    assert claims["iat"] == 1_000_000
    assert claims["exp"] == 1_000_900
    assert claims["sub"] == "1"


def test_expired_token_is_rejected():
    issued_two_hours_ago = TokenService(KEY, 3600, clock=lambda: time.time() - 7200)
    token = issued_two_hours_ago.issue(1)
    with pytest.raises(Unauthorized, match="expired"):
        TokenService(KEY, 3600).verify(token)


def test_token_signed_with_another_key_is_rejected():
    token = jwt.encode(_claims(), OTHER_KEY, algorithm="HS256")
    with pytest.raises(Unauthorized):
        TokenService(KEY, 60).verify(token)


def test_tampered_payload_is_rejected():
    header, _, signature = TokenService(KEY, 60).issue(7).split(".")
    forged = f"{header}.{_b64(_claims(sub='1'))}.{signature}"
    with pytest.raises(Unauthorized):
        TokenService(KEY, 60).verify(forged)


def test_alg_none_is_rejected():
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims())}."
    with pytest.raises(Unauthorized):
        TokenService(KEY, 60).verify(unsigned)


def test_other_hmac_algorithm_is_rejected_even_with_the_right_key():
    token = jwt.encode(_claims(), KEY + KEY, algorithm="HS512")
    with pytest.raises(Unauthorized):
        TokenService(KEY + KEY, 60).verify(token)


@pytest.mark.parametrize("missing", ["exp", "sub", "iat", "iss"])
def test_tokens_missing_a_required_claim_are_rejected(missing):
    token = jwt.encode(_claims(**{missing: None}), KEY, algorithm="HS256")
    with pytest.raises(Unauthorized):
        TokenService(KEY, 60).verify(token)


def test_wrong_issuer_and_odd_subject_are_rejected():
    service = TokenService(KEY, 60)
    with pytest.raises(Unauthorized):
        service.verify(jwt.encode(_claims(iss="someone-else"), KEY, algorithm="HS256"))
    with pytest.raises(Unauthorized):
        service.verify(jwt.encode(_claims(sub="admin"), KEY, algorithm="HS256"))


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "MQ=="])
def test_garbage_is_rejected(garbage):
    with pytest.raises(Unauthorized):
        TokenService(KEY, 60).verify(garbage)
