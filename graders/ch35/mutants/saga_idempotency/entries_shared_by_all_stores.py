"""Mutant: the entries dict is a class attribute shared by every IdempotencyStore."""

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
    """Run every action in order and return their results; on a failure, compensate.

    When action ``i`` raises, the compensations of steps ``i - 1`` down to ``0`` run (all
    of them, even if some raise), then ``SagaFailed(i, error, compensation_errors)`` is
    raised.
    """
    results = []
    for index, (action, _) in enumerate(steps):
        try:
            results.append(action())
        except Exception as error:
            compensation_errors = []
            for done in reversed(range(index)):
                try:
                    steps[done][1]()
                except Exception as failure:
                    compensation_errors.append((done, failure))
            raise SagaFailed(index, error, compensation_errors) from error
    return results


class IdempotencyStore:
    """Runs each idempotency key's handler once and replays the stored response after."""

    _entries: dict[str, tuple[Any, Any]] = {}  # key -> (request snapshot, response)

    def __init__(self) -> None:
        """An empty store."""
        pass

    def handle(self, key: str, request: Any, handler: Callable[[Any], Any]) -> Any:
        """Return ``handler(request)``'s response for this key, running it at most once.

        Raises ``IdempotencyConflict`` when ``key`` was already used with a different
        request. A handler that raises stores nothing.
        """
        if key in self._entries:
            stored_request, response = self._entries[key]
            if stored_request != request:
                raise IdempotencyConflict(f"idempotency key {key!r} reused with another request")
            return response
        snapshot = copy.deepcopy(request)
        response = handler(request)
        self._entries[key] = (snapshot, response)
        return response
