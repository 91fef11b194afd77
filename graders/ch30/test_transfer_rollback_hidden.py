"""Hidden tests for ch30/transfer_rollback: the same rules on accounts the public tests never use.

Learners never get this file (the release leaves out every ``*_hidden.py``) and their own
``make check`` does not run it; batch grading and ``graders verify`` do. Code fitted to
Alice's and Bob's numbers passes the public tests and fails these.
"""

from __future__ import annotations

import pytest

from graders.ch30.test_transfer_rollback import (
    committed,
    expect_unchanged,
    make_bank,
    run_transfers,
    step_outcome,
)
from graders.harness import GradeFailure

EXERCISE = "ch30/transfer_rollback"
OTHERS = {"Carol": 70, "Dan": 5, "Erin": 0}


@pytest.mark.task(2)
def test_hidden_transfer_between_other_accounts(learner):
    """a transfer between accounts other than Alice and Bob moves the money and is committed"""
    path = make_bank(learner, OTHERS)
    transfer = ("Dan", "Erin", 5)
    expected = {"Carol": 70, "Dan": 0, "Erin": 5}
    (step,) = run_transfers(learner, path, [transfer])
    step_outcome(transfer, step).expect(expected)
    if committed(path) != expected:
        raise GradeFailure(
            f"Then:     a second connection reads {committed(path)}\nExpected: {expected}"
        )


@pytest.mark.task(3)
def test_hidden_one_short_is_refused(learner):
    """sending one more than the sender has raises ValueError and changes nothing"""
    path = make_bank(learner, OTHERS)
    transfer = ("Carol", "Dan", 71)
    (step,) = run_transfers(learner, path, [transfer])
    step_outcome(transfer, step).expect_raises(ValueError)
    expect_unchanged(transfer, step, path, OTHERS)
