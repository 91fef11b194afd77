"""Alternative: a stack of completed compensations popped on failure; the store keeps requests
and responses in two dicts, the snapshot taken after the handler succeeded."""

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


def _undo(done: list[tuple[int, Callable[[], Any]]]) -> list[tuple[int, BaseException]]:
    errors: list[tuple[int, BaseException]] = []
    while done:
        index, compensation = done.pop()
        try:
            compensation()
        except Exception as error:  # one broken undo must not stop the others
            errors.append((index, error))
    return errors


def run_saga(steps: Sequence[tuple[Callable[[], Any], Callable[[], Any]]]) -> list[Any]:
    """Push each completed step's compensation; pop them all when an action fails."""
    done: list[tuple[int, Callable[[], Any]]] = []
    results: list[Any] = []
    for index, step in enumerate(steps):
        action, compensation = step
        try:
            value = action()
        except Exception as error:
            raise SagaFailed(index, error, _undo(done)) from error
        results.append(value)
        done.append((index, compensation))
    return results


class IdempotencyStore:
    """Two dicts: key -> request snapshot, key -> response."""

    def __init__(self) -> None:
        """An empty store."""
        self.requests: dict[str, Any] = {}
        self.responses: dict[str, Any] = {}

    def handle(self, key: str, request: Any, handler: Callable[[Any], Any]) -> Any:
        """Replay, refuse, or run and remember."""
        if key not in self.responses:
            response = handler(request)
            self.requests[key] = copy.deepcopy(request)
            self.responses[key] = response
            return response
        if not (self.requests[key] == request):
            raise IdempotencyConflict("same key, different request")
        return self.responses[key]
