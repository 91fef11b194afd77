"""Request hooks: give every request an ID, then log it and count it once it is answered."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, request

from . import context
from .context import REQUEST_ID_HEADER, RequestInfo
from .metrics import Metrics

UNMATCHED_ROUTE = "<unmatched>"  # one label for every unknown URL (keeps label values few)
SQL_TEXT_LIMIT = 200


def sql_observer(metrics: Metrics, logger: logging.Logger) -> Callable[[str, float], None]:
    """The callback the SQLite session calls after each statement with its duration."""

    def observe(sql: str, seconds: float) -> None:
        metrics.observe_query(sql, seconds)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "sql query",
                extra={
                    "sql": " ".join(sql.split())[:SQL_TEXT_LIMIT],
                    "duration_ms": round(seconds * 1000, 3),
                },
            )

    return observe


def _route() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else UNMATCHED_ROUTE


def _user_id() -> int | None:
    user = g.get("user")
    return getattr(user, "id", None)


def init_app(app: Flask, runtime: Any) -> None:
    """Install the hooks; runtime provides logger, metrics and timer (see bootstrap.Runtime)."""
    logger: logging.Logger = runtime.logger
    metrics: Metrics = runtime.metrics
    timer: Callable[[], float] = runtime.timer
    # The log file is closed when the app is garbage-collected (or at interpreter exit).
    weakref.finalize(app, runtime.log_handler.close)

    def finish(info: RequestInfo, status: int) -> None:
        seconds = max(0.0, timer() - info.started)
        metrics.observe_request(info.method, _route(), status, seconds)
        logger.log(
            logging.ERROR if status >= 500 else logging.INFO,
            "request completed",
            extra={
                "method": info.method,
                "path": info.path,
                "status": status,
                "duration_ms": round(seconds * 1000, 3),
                "user_id": _user_id(),
                "correlation_id": info.correlation_id,
            },
        )
        info.logged = True

    @app.before_request
    def start_request() -> None:
        info = RequestInfo(
            correlation_id=context.choose_request_id(request.headers.get(REQUEST_ID_HEADER)),
            method=request.method,
            path=request.path,
            started=timer(),
        )
        g.observability = (info, context.enter(info))

    @app.after_request
    def answer_request(response: Response) -> Response:
        entry = g.get("observability")
        if entry is not None:
            info, _ = entry
            response.headers[REQUEST_ID_HEADER] = info.correlation_id
            finish(info, response.status_code)
        return response

    @app.teardown_request
    def end_request(exc: BaseException | None) -> None:
        entry = g.pop("observability", None)
        if entry is None:
            return
        info, token = entry
        try:
            if not info.logged:  # an exception escaped the handlers (TESTING re-raises it)
                finish(info, 500)
        finally:
            context.leave(token)
