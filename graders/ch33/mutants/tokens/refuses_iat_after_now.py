"""Mutant: also refuses a token whose iat lies after now, a check the stub does not ask for."""

from __future__ import annotations

from typing import Any

import jwt

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("sub", "role", "iat", "exp")


class InvalidToken(Exception):
    """Raised by verify_token for every token that must not be trusted. Already done."""


def issue_token(user_id: int, role: str, secret: str, now: int, ttl_seconds: int) -> str:
    """A JWT signed with HS256 whose payload is exactly the four claims.

    The claims are ``sub`` (``str(user_id)``: JWT subjects are strings), ``role``,
    ``iat`` (``now``) and ``exp`` (``now + ttl_seconds``). Raises ValueError when
    ``ttl_seconds`` is not positive (such a token would be born expired).
    """
    if ttl_seconds <= 0:
        raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds}")
    claims = {"sub": str(user_id), "role": role, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(token: str, secret: str, now: int) -> dict[str, Any]:
    """Return the token's claims (all of them, as a dict) if it can be trusted at ``now``.

    Raises InvalidToken for a bad signature, another secret, any algorithm but HS256
    (including "none"), a malformed token, a missing claim (sub, role, iat, exp), an
    ``exp`` that is not a number, or an expired token (``exp <= now``).
    """
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={
                "require": list(REQUIRED_CLAIMS),
                "verify_exp": False,  # PyJWT would use the real clock; we use `now`
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.InvalidTokenError as exc:
        raise InvalidToken(str(exc)) from exc
    expiry = claims["exp"]
    if isinstance(expiry, bool) or not isinstance(expiry, int | float):
        raise InvalidToken("exp must be a number")
    if expiry <= now or claims["iat"] > now:
        raise InvalidToken("token has expired")
    return claims
