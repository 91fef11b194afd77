"""Recognise how a stored password was hashed, from the stored value and the known password.

The gate knows the password it registered. It splits a stored value into pieces, decodes
each piece as hex or base64 where it can, and tries to rebuild the value: a plain or salted
single digest (MD5, SHA-1, SHA-2) is a fast hash; PBKDF2 is recognised with its iteration
count. Formats it cannot rebuild (bcrypt, scrypt, Argon2, anything else) are "unknown".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

FAST = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
PBKDF2 = ("sha1", "sha256", "sha512")
ALWAYS_TRIED = (1, 2, 5, 10, 100, 500, 999)  # iteration counts a hash may not state
MAX_TRIED = 2_000_000
PIECE = re.compile(r"[A-Za-z0-9+/=_.-]{4,}")


@dataclass(frozen=True)
class Finding:
    kind: str  # "plaintext", "fast", "pbkdf2", "unknown"
    detail: str
    iterations: int = 0


def pieces(value: str | bytes) -> list[bytes]:
    """The raw bytes a stored value may be made of: itself and each decodable piece."""
    if isinstance(value, bytes):
        found = [value]
        try:
            value = value.decode("ascii")
        except UnicodeDecodeError:
            return found
    else:
        found = [value.encode("utf-8", "replace")]
    for part in {value, *re.split(r"[$:;,| ]", value), *PIECE.findall(value)}:
        if not part:
            continue
        found.append(part.encode("utf-8", "replace"))
        for decode in (bytes.fromhex, base64.b64decode, base64.urlsafe_b64decode):
            try:
                padded = part + "=" * (-len(part) % 4) if decode is not bytes.fromhex else part
                raw = decode(padded)
            except (ValueError, binascii.Error):
                continue
            if raw:
                found.append(raw)
    return list(dict.fromkeys(found))


def fast_digests(password: str) -> dict[str, bytes]:
    """Unsalted fast digests of the password, for searching files and tables."""
    raw = password.encode("utf-8")
    return {name: hashlib.new(name, raw).digest() for name in FAST}


def encodings(digest: bytes) -> list[bytes]:
    return [
        digest,
        digest.hex().encode(),
        digest.hex().upper().encode(),
        base64.b64encode(digest).rstrip(b"="),
        base64.urlsafe_b64encode(digest).rstrip(b"="),
    ]


def analyse(value: str | bytes, password: str, configured: int) -> Finding:
    """How ``value`` was made from ``password`` (see the module docstring)."""
    raw = password.encode("utf-8")
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    if password in text:
        return Finding("plaintext", "the password as typed")
    parts = pieces(value)
    targets = set(parts)
    salts = [b"", *parts]
    for name in FAST:
        for salt in salts:
            for data in (salt + raw, raw + salt):
                if targets & set(encodings(hashlib.new(name, data).digest())):
                    salted = "salted " if salt else ""
                    return Finding("fast", f"one {salted}{name.upper()} digest: fast to guess")
    if not 20 <= len(text) <= 400 or any(c.isspace() for c in text):
        return Finding("unknown", "not shaped like a hash")
    if not any(len(p) >= 16 for p in parts if p != parts[0]):
        return Finding("unknown", "no piece long enough for a salt or a key")
    counts = {int(n) for n in re.split(r"[$:;,|]", text) if n.isdigit() and len(n) <= 7}
    counts = sorted({c for c in counts if 0 < c <= MAX_TRIED} | set(ALWAYS_TRIED) | {configured})
    for iterations in counts:
        for name in PBKDF2:
            for salt in parts:
                if len(salt) > 64:
                    continue
                # A shorter key is a prefix of a longer one: derive 64 bytes once.
                derived = hashlib.pbkdf2_hmac(name, raw, salt, iterations, dklen=64)
                for size in (16, 20, 24, 28, 32, 48, 64):
                    if targets & set(encodings(derived[:size])):
                        return Finding(
                            "pbkdf2",
                            f"PBKDF2-HMAC-{name.upper()}, {iterations} iterations",
                            iterations,
                        )
    return Finding("unknown", "a format the gate cannot rebuild (e.g. bcrypt, scrypt, Argon2)")


def needles(password: str) -> dict[str, bytes]:
    """Byte strings that must appear nowhere the app writes: the password and fast digests."""
    found = {"the password as typed": password.encode("utf-8")}
    for name, digest in fast_digests(password).items():
        found[f"its {name.upper()} (hex)"] = digest.hex().encode()
        found[f"its {name.upper()} (base64)"] = base64.b64encode(digest).rstrip(b"=")
    return found
