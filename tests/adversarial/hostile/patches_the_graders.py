"""Hostile: monkeypatches pytest and the graders so every check 'passes'."""

import sys

try:
    import _pytest.outcomes
    import graders.harness as harness

    harness.Outcome.expect = lambda self, *a, **k: None
    harness.Outcome.expect_raises = lambda self, *a, **k: None
    harness.Outcome.value = lambda self, *a, **k: {"Alice": 1000, "Bob": 500}
    harness.GradeFailure = type("Nope", (Exception,), {})
    _pytest.outcomes.fail = lambda *a, **k: None
    for name in list(sys.modules):
        if name.startswith("graders.ch30"):
            module = sys.modules[name]
            for attr in dir(module):
                if attr.startswith("test_"):
                    setattr(module, attr, lambda *a, **k: None)
except Exception:  # noqa: BLE001
    pass


def get_balances(conn):
    return {}


def transfer(conn, from_name, to_name, amount):
    return {}
