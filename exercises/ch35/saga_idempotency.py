"""Chapter 35 exercise: a saga that undoes itself, and requests that run only once.

Across services there is no shared transaction. This module gives you the two tools the
chapter uses instead.

**1. ``run_saga(steps)``.** ``steps`` is a list of ``(action, compensation)`` pairs of
functions that take no arguments. An order, for example: reserve the items (undo: release
them), charge the card (undo: refund it), ship the parcel (undo: nothing to do).

* The actions run one after the other, in order. If they all succeed, ``run_saga`` returns
  the list of their results, in order (``[]`` for no steps), and no compensation runs.
* If the action at index ``i`` raises, no later action runs. The compensations of the
  steps that COMPLETED (indexes ``i - 1`` down to ``0``) run in REVERSE order; the failed
  step's own compensation does not run, because that step never happened. Then
  ``run_saga`` raises ``SagaFailed`` (given below) with ``step=i``, ``error=`` the very
  exception the action raised, and ``compensation_errors``.
* A compensation that raises must not stop the others: record ``(index, exception)`` in
  ``compensation_errors`` (in the order the compensations ran) and carry on with the next.

**2. ``IdempotencyStore``.** A client that timed out cannot tell whether its request was
done, so it sends it again with the same idempotency key. ``handle(key, request, handler)``:

* The first time a key is seen, it calls ``handler(request)``, stores the response under
  the key (with the request), and returns the response.
* When the same key comes again with an equal request (``==``), it returns the stored
  response WITHOUT calling the handler: the work is done once, the answer is replayed.
* When the same key comes with a DIFFERENT request, that is a client bug (the HTTP answer
  would be 409 Conflict or 422): raise ``IdempotencyConflict`` (given below, a
  ``ValueError``), do not call the handler, and keep the stored entry as it was.
* If the handler raises, nothing is stored and the exception reaches the caller
  unchanged, so the same key can be tried again later.
* Requests are plain data (dicts, lists, str, numbers). Keep your own snapshot of the
  request (``copy.deepcopy``): if the caller later changes its dict, what you stored must
  not change with it.

    >>> log = []
    >>> steps = [
    ...     (lambda: log.append("reserve") or "reserved", lambda: log.append("release")),
    ...     (lambda: log.append("charge") or "charged", lambda: log.append("refund")),
    ... ]
    >>> run_saga(steps)
    ['reserved', 'charged']
    >>> store = IdempotencyStore()
    >>> store.handle("key-1", {"amount": 30}, lambda request: {"paid": request["amount"]})
    {'paid': 30}
    >>> store.handle("key-1", {"amount": 30}, lambda request: {"paid": "twice!"})
    {'paid': 30}
"""

from __future__ import annotations

import copy  # noqa: F401 - copy.deepcopy takes the request snapshot (task 5)
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
    # TODO (task 1): call each action in order and collect the results in a list.
    # TODO (task 2): when action i raises, run the compensations of steps i - 1 down to 0
    # (reversed!), then raise SagaFailed(i, error, compensation_errors) from the error.
    # TODO (task 3): wrap each compensation in its own try/except: record (index,
    # exception) in compensation_errors and go on with the next one.
    raise NotImplementedError("run_saga is not written yet")


class IdempotencyStore:
    """Runs each idempotency key's handler once and replays the stored response after."""

    def __init__(self) -> None:
        """An empty store."""
        # TODO (task 4): create the dict that maps each key to what you store for it
        # (the request snapshot and the response).
        raise NotImplementedError("IdempotencyStore is not written yet")

    def handle(self, key: str, request: Any, handler: Callable[[Any], Any]) -> Any:
        """Return ``handler(request)``'s response for this key, running it at most once.

        Raises ``IdempotencyConflict`` when ``key`` was already used with a different
        request. A handler that raises stores nothing.
        """
        # TODO (task 4): a new key runs handler(request) and stores the response; a known
        # key replays the stored response without calling the handler. A handler that
        # raises must leave nothing stored.
        # TODO (task 5): a known key with a request that is != the stored snapshot raises
        # IdempotencyConflict. Store copy.deepcopy(request), not the caller's own object.
        raise NotImplementedError("handle is not written yet")
