"""Pytest set-up shared by every grader suite: options, the task marker and fixtures."""

from __future__ import annotations

import pytest

from graders.harness import _sandbox, _zygote, learner  # noqa: F401 - fixtures for every suite

OPTIONS = [
    ("--target", "grader_target", None, "folder laid out like exercises/ (default: exercises/)"),
    ("--timeout-scale", "grader_timeout_scale", None, "multiply every call's time limit"),
    ("--isolation", "grader_isolation", "none", "none, or full: limits, namespaces, own user"),
    ("--memory-mb", "grader_memory_mb", 1024, "address-space limit per sandbox process (full)"),
    ("--cpu-seconds", "grader_cpu_seconds", 60, "CPU-time limit per sandbox process (full)"),
    ("--time-limit", "grader_time_limit", None, "seconds per call into learner code (overrides)"),
    ("--slot", "grader_slot", None, "parallel job number: picks this job's sandbox user"),
]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("graders")
    for flag, dest, default, text in OPTIONS:
        group.addoption(flag, dest=dest, default=default, help=text)
    group.addoption(
        "--hide",
        dest="grader_hide",
        action="append",
        default=[],
        help="another folder the sandbox must not see (repeatable)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "task(number): the numbered task of the exercise a test checks"
    )
    config.addinivalue_line(
        "markers", "requirement(id): the phase-gate requirement a gate test checks"
    )
