"""Alternative: index loop with reversed(range(i)); the store keeps one (snapshot, response) tuple
per key, snapshot taken before the handler runs."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any


class SagaFailed(Exception):
    """A saga step failed; the completed steps before it were compensated. Given."""

    def __init__(
        self,
        step: int,
        error: BaseException,
        compensation_errors: list[tuple[int, BaseException]],
    ) -> None:
        message = f"step {step} failed: {error!r}"
        if compensation_errors:
            message += f"; {len(compensation_errors)} compensation(s) failed too"
        super().__init__(message)
        self.step = step  # index of the action that raised
        self.error = error  # the exception that action raised
        self.compensation_errors = compensation_errors  # [(index, exception), ...]


class IdempotencyConflict(ValueError):
    """The same idempotency key was sent again with a different request. Given."""


def run_saga(steps: Sequence[tuple[Callable[[], Any], Callable[[], Any]]]) -> list[Any]:
    """Run actions in order; on failure compensate completed steps in reverse."""
    results = []
    for index, (action, _) in enumerate(steps):
        try:
            results.append(action())
        except Exception as error:
            failures = []
            for done in reversed(range(index)):
                try:
                    steps[done][1]()
                except Exception as comp_error:
                    failures.append((done, comp_error))
            raise SagaFailed(index, error, failures) from error
    return results


class IdempotencyStore:
    """key -> (request snapshot, response)."""

    def __init__(self) -> None:
        """An empty store."""
        self._entries: dict[str, tuple[Any, Any]] = {}

    def handle(self, key: str, request: Any, handler: Callable[[Any], Any]) -> Any:
        """Run once per key; replay after; conflict on a different request."""
        if key in self._entries:
            seen, response = self._entries[key]
            if seen != request:
                raise IdempotencyConflict(f"key {key!r} was used with another request")
            return response
        snapshot = copy.deepcopy(request)
        response = handler(request)
        self._entries[key] = (snapshot, response)
        return response
