"""Signed, expiring access tokens (JWT, HS256) that name a user by id."""

from __future__ import annotations

import time
from collections.abc import Callable

import jwt

from ..domain import MAX_ID
from ..errors import Unauthorized

ALGORITHM = "HS256"
ISSUER = "taskforge"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss"]


class TokenService:
    """Issues and verifies access tokens.

    Only HS256 is accepted when verifying, so a token that claims "alg": "none" or any other
    algorithm is refused before its signature is even considered.
    """

    def __init__(
        self, secret: str, ttl_seconds: int, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._secret = secret
        self.ttl_seconds = ttl_seconds
        self._clock = clock

    def issue(self, user_id: int) -> str:
        """A token for user_id that expires ttl_seconds from now."""
        now = int(self._clock())
        claims = {"sub": str(user_id), "iat": now, "exp": now + self.ttl_seconds, "iss": ISSUER}
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> int:
        """The user id inside a valid token; Unauthorized for anything else."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("token has expired; log in again") from None
        except jwt.InvalidTokenError:
            raise Unauthorized("token is invalid") from None
        subject = claims["sub"]
        # Recent PyJWT insists "sub" is a string, older ones do not. It must also be a plain
        # id: ASCII digits ("²".isdigit() is true) within the 64-bit range of the database.
        if not (isinstance(subject, str) and subject.isascii() and subject.isdigit()):
            raise Unauthorized("token is invalid")
        if not 1 <= int(subject) <= MAX_ID:
            raise Unauthorized("token is invalid")
        return int(subject)
