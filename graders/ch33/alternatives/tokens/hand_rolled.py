"""Alternative: JWS compact serialisation by hand (base64url, json, hmac), no PyJWT at all."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("sub", "role", "iat", "exp")


class InvalidToken(Exception):
    """Raised by verify_token for every token that must not be trusted."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidToken("bad base64") from error


def _sign(signing_input: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), signing_input, hashlib.sha256).digest()


def issue_token(user_id: int, role: str, secret: str, now: int, ttl_seconds: int) -> str:
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    header = {"alg": ALGORITHM, "typ": "JWT"}
    claims = {"sub": str(user_id), "role": role, "iat": now, "exp": now + ttl_seconds}
    parts = [_b64(json.dumps(p, separators=(",", ":")).encode()) for p in (header, claims)]
    signing_input = ".".join(parts).encode("ascii")
    return ".".join([*parts, _b64(_sign(signing_input, secret))])


def _json_object(segment: str) -> dict:
    try:
        value = json.loads(_unb64(segment))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidToken("segment is not JSON") from error
    if not isinstance(value, dict):
        raise InvalidToken("segment is not a JSON object")
    return value


def verify_token(token: str, secret: str, now: int) -> dict[str, Any]:
    if not isinstance(token, str) or token.count(".") != 2:
        raise InvalidToken("not a compact JWS")
    head, body, signature = token.split(".")
    if _json_object(head).get("alg") != ALGORITHM:
        raise InvalidToken("only HS256 is accepted")
    try:
        signing_input = f"{head}.{body}".encode("ascii")
    except UnicodeEncodeError as error:
        raise InvalidToken("non-ASCII token") from error
    if not hmac.compare_digest(_sign(signing_input, secret), _unb64(signature)):
        raise InvalidToken("signature does not match")
    claims = _json_object(body)
    missing = [name for name in REQUIRED_CLAIMS if name not in claims]
    if missing:
        raise InvalidToken(f"missing claims: {missing}")
    exp = claims["exp"]
    if type(exp) not in (int, float):
        raise InvalidToken("exp is not a number")
    if exp <= now:
        raise InvalidToken("token has expired")
    return claims
