"""Chapter 33 exercise: issue and verify signed, expiring tokens (JWT with HS256).

After a successful login, TaskForge hands the client a token; the client sends it back on
every request (``Authorization: Bearer <token>``) and the server verifies it each time. A
JWT is three base64url parts joined by dots, ``header.payload.signature``:

* the header says how it was signed, e.g. ``{"alg": "HS256", "typ": "JWT"}``;
* the payload holds the *claims*, here ``{"sub": "42", "role": "admin", "iat": ...,
  "exp": ...}``: who (sub, a string), what they may do (role), issued-at and expiry times
  (whole seconds since 1970);
* the signature is HMAC-SHA256 of ``header.payload`` with the server's secret.

Anyone can READ a JWT (base64 is not encryption); nobody without the secret can CHANGE
one: editing the payload breaks the signature. Verification is where the classic holes
are, so ``verify_token`` must refuse, by raising ``InvalidToken`` (defined below):

* a bad signature: a changed payload, or a token signed with another secret;
* any algorithm but HS256, above all ``"alg": "none"`` (an unsigned token). Tell PyJWT
  which algorithms YOU accept, ``algorithms=["HS256"]``; never trust the token's header
  to choose;
* a string that is not a well-formed JWT at all;
* a token missing any of the four claims, or whose ``exp`` is not a number;
* an expired token. The caller passes the current time as ``now`` (an int, Unix seconds),
  so tests can control the clock: a token is valid while ``now < exp`` and has expired
  from ``now == exp`` on (the same rule PyJWT applies: expired when ``exp <= now``).

Use the PyJWT library (``import jwt``). Two things to know:

* ``jwt.decode(token, secret, algorithms=["HS256"], options={...})`` checks the signature
  and raises a subclass of ``jwt.InvalidTokenError`` when something is wrong. Do not let
  those escape: catch them and raise ``InvalidToken`` instead, so callers need to know
  only one exception.
* PyJWT checks ``exp`` (and ``iat``, ``nbf``) against the REAL clock, which would ignore
  ``now``. Turn those checks off (``"verify_exp": False``, ``"verify_iat": False``,
  ``"verify_nbf": False`` in ``options``), make PyJWT insist on the claims
  (``"require": [...]``), and compare ``exp`` with ``now`` yourself. ``iat`` is not
  compared with ``now`` in this exercise.

Secrets here are at least 32 bytes long: PyJWT warns about shorter HMAC keys, because a
short secret can be guessed offline from any one token. Example::

    >>> secret = "s3cret-key-for-the-tokens-exercise!"   # 35 bytes
    >>> token = issue_token(42, "admin", secret, now=1_700_000_000, ttl_seconds=900)
    >>> token.count(".")
    2
    >>> verify_token(token, secret, now=1_700_000_899)
    {'sub': '42', 'role': 'admin', 'iat': 1700000000, 'exp': 1700000900}
    >>> verify_token(token, secret, now=1_700_000_900)
    Traceback (most recent call last):
      ...
    tokens.InvalidToken: token has expired
"""

from __future__ import annotations

from typing import Any

import jwt  # noqa: F401 - PyJWT: jwt.encode and jwt.decode

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
    # TODO (task 1): refuse a ttl_seconds that is not positive (ValueError), build the
    # four claims and sign them with jwt.encode(claims, secret, algorithm=ALGORITHM).
    raise NotImplementedError("issue_token is not written yet")


def verify_token(token: str, secret: str, now: int) -> dict[str, Any]:
    """Return the token's claims (all of them, as a dict) if it can be trusted at ``now``.

    Raises InvalidToken for a bad signature, another secret, any algorithm but HS256
    (including "none"), a malformed token, a missing claim (sub, role, iat, exp), an
    ``exp`` that is not a number, or an expired token (``exp <= now``).
    """
    # TODO (tasks 2 and 3): jwt.decode with algorithms pinned to [ALGORITHM] and options
    # that require REQUIRED_CLAIMS and switch off PyJWT's real-clock checks; turn every
    # jwt.InvalidTokenError into InvalidToken; then check exp is a number and exp > now.
    raise NotImplementedError("verify_token is not written yet")
