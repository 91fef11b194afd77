"""The gate's report: requirements counted alone, set-up failures shown once, -v shows passes."""

from __future__ import annotations

from pathlib import Path

from graders.commands.gate import Verdict, render

SETUP = (
    "Did:      Setting up: register gate_admin\n"
    "Got:      POST /api/auth/register -> 500 oops\n"
    "Expected: status 201\n"
    "Why:      the check needs this step to work before it can test anything else"
)


def check(name: str, outcome: str = "passed", message: str = "") -> dict:
    return {"check": name, "outcome": outcome, "message": message}


def verdicts() -> list[Verdict]:
    return [
        Verdict("R0", "It runs", 10, 10, True, [check("health answers")]),
        Verdict(
            "R3",
            "Auth",
            30,
            0,
            False,
            [
                check("passwords are hashed", "failed", SETUP),
                check("tokens expire", "failed", SETUP),
                check("login works", "failed", SETUP),
            ],
        ),
        Verdict(
            "S",
            "Reported only",
            0,
            0,
            True,
            [check("SHOULD: a", message="met: yes"), check("SHOULD: b", message="not met: no")],
        ),
    ]


def test_summary_counts_requirements_with_points_only(capsys):
    render(verdicts(), "phase7", Path("x"), verbose=False)
    out = capsys.readouterr().out
    assert "Gate score: 10/40 points; 1/2 requirements hold." in out
    assert "reported only" in out and "1/2 met" in out


def test_one_setup_failure_is_shown_once_and_the_rest_are_not_run(capsys):
    render(verdicts(), "phase7", Path("x"), verbose=False)
    out = capsys.readouterr().out
    assert out.count("Got:      POST /api/auth/register -> 500 oops") == 1
    assert "not run (2), stopped by the failure shown for “passwords are hashed”" in out
    assert "tokens expire" in out and "login works" in out


def test_verbose_shows_passing_checks(capsys):
    render(verdicts(), "phase7", Path("x"), verbose=False)
    assert "health answers" not in capsys.readouterr().out
    render(verdicts(), "phase7", Path("x"), verbose=True)
    assert "✓ health answers" in capsys.readouterr().out
