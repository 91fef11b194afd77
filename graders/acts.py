"""Helpers that grader act functions use inside the sandbox (they run next to learner code)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def attempt(func: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Call learner code and record what happened as plain data, whatever it does."""
    try:
        return {"returned": func(*args, **kwargs)}
    except BaseException as exc:  # noqa: BLE001 - every outcome is data for the judge
        try:
            message = str(exc)[:2000]
        except BaseException:  # noqa: BLE001
            message = "<message could not be shown>"
        return {
            "raised": type(exc).__name__,
            "mro": [c.__name__ for c in type(exc).__mro__],
            "message": message,
        }


class FakeClock:
    """A clock the grader moves by hand, so time-based code is tested without waiting."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = float(start)
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
