"""Grader for ch33/password_hashing: PBKDF2-HMAC-SHA256 hashing and exact verification.

Every expected hash is computed here, in the judge process, with ``hashlib.pbkdf2_hmac``;
the learner's module only ever runs in the sandbox.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pytest

from graders.acts import attempt
from graders.harness import GradeFailure, Learner, Outcome

EXERCISE = "ch33/password_hashing"
ITERATIONS = 100_000
SALT_A = bytes.fromhex("8f1c2a9b44d0e7a3119c5e6f02ab77d1")
SALT_B = bytes.fromhex("00112233445566778899aabbccddeeff")


def reference(password: str, salt: bytes) -> bytes:
    """The judge's own PBKDF2-HMAC-SHA256 (UTF-8 password, 100,000 rounds, 32 bytes)."""
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, ITERATIONS)


RECIPE = "PBKDF2-HMAC-SHA256 of the UTF-8 password, 100,000 rounds, 32 raw bytes"


def act_verify(module, password, salt, expected_hash):
    """verify_password with the judge's hash_password in place, watching compare_digest.

    The judge's own hash stands in for the learner's hash_password, so a task 1 mistake
    costs only task 1 (a verify that hashes by itself is judged on that). Every way of
    reaching compare_digest (hmac., secrets., a name imported into the module) is wrapped
    by a recorder, as the stub names the constant-time comparison.
    """
    original = hmac.compare_digest
    calls = []

    def recording(a, b):
        calls.append(1)
        return original(a, b)

    saved = dict(vars(module))
    module.hash_password = reference
    hmac.compare_digest = secrets.compare_digest = recording
    for name, value in saved.items():
        if value is original:
            setattr(module, name, recording)
    try:
        record = attempt(module.verify_password, password, salt, expected_hash)
    finally:
        hmac.compare_digest = secrets.compare_digest = original
        for name, value in saved.items():
            setattr(module, name, value)
    record["compare_digest_calls"] = len(calls)
    return record


def verify(learner: Learner, password, salt, expected_hash) -> tuple[Outcome, dict]:
    call = f"verify_password({password!r}, {salt!r}, {expected_hash!r})"
    record = learner.run(act_verify, password, salt, expected_hash, call=call).value()
    return Outcome.from_attempt(call, record), record


# -- task 1 --------------------------------------------------------------------------
@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("password", "salt"),
    [
        pytest.param("correct horse battery staple", SALT_A, id="passphrase"),
        pytest.param("hunter2", SALT_B, id="short"),
        pytest.param("x" * 200, b"\x00" * 16, id="long_password_zero_salt"),
    ],
)
def test_hash_matches_pbkdf2_sha256(learner, password, salt):
    """hash_password returns exactly PBKDF2-HMAC-SHA256 with 100,000 rounds, as 32 bytes"""
    learner.call("hash_password", password, salt).expect(reference(password, salt), note=RECIPE)


@pytest.mark.task(1)
@pytest.mark.parametrize(
    "password",
    [
        pytest.param("pässwörd", id="accents"),
        pytest.param("🔐 open sesame 🔑", id="emoji"),
        pytest.param("密码-пароль", id="cjk_cyrillic"),
    ],
)
def test_hash_of_non_ascii_password(learner, password):
    """non-ASCII passwords (accents, emoji, other scripts) are hashed from their UTF-8 bytes"""
    learner.call("hash_password", password, SALT_A).expect(
        reference(password, SALT_A),
        note="encode the password with password.encode('utf-8'), not latin-1 or ascii",
    )


@pytest.mark.task(1)
def test_hash_of_empty_password(learner):
    """the empty password still gets a proper 32-byte hash"""
    learner.call("hash_password", "", SALT_B).expect(reference("", SALT_B))


@pytest.mark.task(1)
def test_salt_changes_the_hash(learner):
    """the same password with two different salts gives two different (correct) hashes"""
    first = learner.call("hash_password", "same password", SALT_A).expect(
        reference("same password", SALT_A), note="the salt must go into PBKDF2"
    )
    second = learner.call("hash_password", "same password", SALT_B).expect(
        reference("same password", SALT_B), note="the salt must go into PBKDF2"
    )
    if first == second:  # plain bytes from the sandbox: safe to compare
        raise GradeFailure(
            "Called:   hash_password with two different salts\n"
            "Got:      the same hash twice\n"
            "Expected: different hashes for different salts"
        )


@pytest.mark.task(1)
def test_str_salt_is_refused(learner):
    """a str salt is a bug: hash_password raises TypeError instead of guessing an encoding"""
    learner.call("hash_password", "hunter2", "not-bytes-salt").expect_raises(
        TypeError, note="the salt is bytes (os.urandom(16)); hashlib raises TypeError for a str"
    )


# -- task 2 --------------------------------------------------------------------------
@pytest.mark.task(2)
@pytest.mark.parametrize(
    ("password", "salt"),
    [
        pytest.param("correct horse battery staple", SALT_A, id="passphrase"),
        pytest.param("pässwörd 🔑", SALT_B, id="non_ascii"),
        pytest.param("", SALT_A, id="empty_password"),
    ],
)
def test_verify_accepts_the_right_password(learner, password, salt):
    """verify_password returns True (a real bool) for the right password and salt"""
    outcome, _ = verify(learner, password, salt, reference(password, salt))
    outcome.expect(True, note="return a bool: hmac.compare_digest(...) already gives True or False")


@pytest.mark.task(2)
def test_verify_works_with_its_own_hash(learner):
    """a hash made by hash_password is accepted by verify_password"""
    # Whatever hash_password returns (task 1 judges its value), verify must accept it.
    stored = learner.call("hash_password", "round trip", SALT_B).value("a hash")
    learner.call("verify_password", "round trip", SALT_B, stored).expect(True)


# -- task 3 --------------------------------------------------------------------------
STORED = reference("s3cret!", SALT_A)
REJECTED = [
    pytest.param("S3cret!", SALT_A, STORED, id="wrong_case"),
    pytest.param("s3cret! ", SALT_A, STORED, id="trailing_space"),
    pytest.param("", SALT_A, STORED, id="empty_attempt"),
    pytest.param("s3cret!", SALT_B, STORED, id="wrong_salt"),
    pytest.param("s3cret!", SALT_A, STORED[:16], id="truncated_hash_16_bytes"),
    pytest.param("s3cret!", SALT_A, STORED[:-1], id="truncated_hash_31_bytes"),
    pytest.param("s3cret!", SALT_A, STORED[:1], id="truncated_hash_1_byte"),
    pytest.param("s3cret!", SALT_A, b"", id="empty_hash"),
    pytest.param("s3cret!", SALT_A, STORED + b"\x00", id="hash_with_extra_byte"),
    pytest.param("s3cret!", SALT_A, STORED[:-1] + bytes([STORED[-1] ^ 1]), id="last_bit_flipped"),
]


@pytest.mark.task(3)
@pytest.mark.parametrize(("password", "salt", "expected_hash"), REJECTED)
def test_verify_rejects_anything_but_an_exact_match(learner, password, salt, expected_hash):
    """verify_password returns False (a real bool) unless password, salt and hash all match"""
    outcome, _ = verify(learner, password, salt, expected_hash)
    outcome.expect(
        False,
        note="only the full 32-byte hash of this exact password and salt may match; "
        "compare whole values with hmac.compare_digest",
    )


@pytest.mark.task(2)
def test_verify_compares_in_constant_time(learner):
    """the decision is made by hmac.compare_digest (checked by wrapping it), not by =="""
    for attempt_text, want in (("s3cret!", True), ("s3cret?", False)):
        outcome, record = verify(learner, attempt_text, SALT_A, STORED)
        outcome.expect(want)
        if not record["compare_digest_calls"]:
            raise outcome.fail(
                "hmac.compare_digest (or secrets.compare_digest) to be called",
                got="Then:     the hashes were compared without hmac.compare_digest",
                note="== on bytes stops at the first differing byte, so its timing leaks "
                "how much of a guess was right; compare_digest takes the same time",
            )
