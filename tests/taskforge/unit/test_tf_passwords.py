"""PBKDF2 password hashing: format, salting, verification and rehash detection."""

import base64
import hashlib
import hmac

import pytest

from taskforge.security import passwords
from taskforge.security.passwords import PasswordHasher


def test_hash_records_algorithm_iterations_salt_and_digest():
    encoded = PasswordHasher(1_000).hash("s3cret-pass")
    algorithm, iterations, salt, digest = encoded.split("$")
    assert algorithm == "pbkdf2_sha256"
    assert iterations == "1000"
    assert len(base64.b64decode(salt)) == 16
    expected = hashlib.pbkdf2_hmac("sha256", b"s3cret-pass", base64.b64decode(salt), 1_000)
    assert base64.b64decode(digest) == expected


def test_same_password_hashes_differently_each_time():
    hasher = PasswordHasher(1_000)
    assert hasher.hash("same-password") != hasher.hash("same-password")


def test_hash_never_contains_the_password():
    assert "hunter2-password" not in PasswordHasher(1_000).hash("hunter2-password")


def test_verify_accepts_right_and_rejects_wrong_password():
    hasher = PasswordHasher(1_000)
    encoded = hasher.hash("right-password")
    assert hasher.verify("right-password", encoded)
    assert not hasher.verify("wrong-password", encoded)
    assert not hasher.verify("Right-password", encoded)


def test_verify_uses_the_iterations_stored_in_the_hash():
    old = PasswordHasher(500).hash("migrated-password")
    assert PasswordHasher(2_000).verify("migrated-password", old)


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "plaintext",
        "md5$1$abc$def",
        "pbkdf2_sha256$0$AAAA$AAAA",
        "pbkdf2_sha256$x$AA$AA",
        "pbkdf2_sha256$10$not base64!$AAAA",
        None,
    ],
)
def test_malformed_hashes_never_match(encoded):
    assert not PasswordHasher(1_000).verify("anything", encoded)


def test_comparison_is_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(passwords.hmac, "compare_digest", spy)
    hasher = PasswordHasher(1_000)
    hasher.verify("pw-123456", hasher.hash("pw-123456"))
    assert len(calls) == 1


def test_needs_rehash_when_iterations_were_raised():
    weak = PasswordHasher(1_000).hash("some-password")
    assert PasswordHasher(2_000).needs_rehash(weak)
    assert not PasswordHasher(1_000).needs_rehash(weak)


def test_decoy_verification_runs_a_full_derivation(monkeypatch):
    derivations = []
    real = hashlib.pbkdf2_hmac
    monkeypatch.setattr(
        passwords.hashlib,
        "pbkdf2_hmac",
        lambda *args: derivations.append(args[3]) or real(*args),
    )
    PasswordHasher(1_234).verify_decoy("guess")
    assert 1_234 in derivations


def test_iterations_must_be_positive():
    with pytest.raises(ValueError):
        PasswordHasher(0)
