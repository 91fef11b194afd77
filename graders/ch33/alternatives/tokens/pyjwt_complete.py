"""Alternative: PyJWT().decode_complete, header checked by hand too; exp via numbers.Real."""

from __future__ import annotations

import numbers
from typing import Any

import jwt

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("sub", "role", "iat", "exp")


class InvalidToken(Exception):
    """Raised by verify_token for every token that must not be trusted."""


def issue_token(user_id: int, role: str, secret: str, now: int, ttl_seconds: int) -> str:
    if not ttl_seconds > 0:
        raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds}")
    claims = dict(sub=str(user_id), role=role, iat=now, exp=now + ttl_seconds)
    return jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"typ": "JWT"})


_OPTIONS = {
    "verify_signature": True,
    "verify_exp": False,
    "verify_iat": False,
    "verify_nbf": False,
    "require": list(REQUIRED_CLAIMS),
}


def verify_token(token: str, secret: str, now: int) -> dict[str, Any]:
    try:
        decoded = jwt.PyJWT().decode_complete(
            token, secret, algorithms=[ALGORITHM], options=_OPTIONS
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error
    if decoded["header"].get("alg") != ALGORITHM:
        raise InvalidToken("algorithm not allowed")
    claims = decoded["payload"]
    exp = claims["exp"]
    if isinstance(exp, bool) or not isinstance(exp, numbers.Real):
        raise InvalidToken("exp is not a number")
    if now >= exp:
        raise InvalidToken("token has expired")
    return claims
