"""Pytest set-up shared by every grader suite: options, the task marker and fixtures."""

from __future__ import annotations

import pytest

from graders.harness import _sandbox, learner  # noqa: F401 - fixtures for every suite


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("graders")
    group.addoption(
        "--target",
        dest="grader_target",
        default=None,
        help="folder laid out like exercises/ to grade (default: exercises/)",
    )
    group.addoption(
        "--timeout-scale",
        dest="grader_timeout_scale",
        default=None,
        help="multiply every call's time limit (slow machines)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "task(number): the numbered task of the exercise a test checks"
    )
