"""Structured logging on the standard library: one JSON object per line, with the request's ID."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import IO

from .context import current_request

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Attributes every LogRecord has; anything else on a record came from `extra=` or a filter
# and becomes a field of the JSON line.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON: timestamp, level, service, message, then context."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, tz=timezone.utc)
        line = {
            "timestamp": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "service": self.service,
            "message": record.getMessage(),
        }
        for name, value in record.__dict__.items():
            if name not in _STANDARD and not name.startswith("_"):
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class RequestContextFilter(logging.Filter):
    """Adds the current request's correlation_id to every record made while it is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        info = current_request()
        if info is not None and not hasattr(record, "correlation_id"):
            record.correlation_id = info.correlation_id
        return True


class _StandardErrorHandler(logging.StreamHandler):
    """Writes to the process's standard error, file descriptor 2, looked up at each write.

    It uses sys.__stderr__ rather than sys.stderr: tools swap sys.stderr for objects of
    their own (a test runner's capture file, for one), and a forked child can inherit such an
    object after its file descriptor was closed or reused. Descriptor 2 is always the
    process's real standard error; a test runner capturing at descriptor level still sees it.
    """

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> IO[str]:
        return sys.__stderr__ or sys.stderr

    @stream.setter
    def stream(self, value: IO[str]) -> None:  # StreamHandler.__init__ assigns it
        pass


def build_logger(
    name: str,
    *,
    level: str = "INFO",
    service: str = "taskforge",
    file: str | None = None,
    stream: IO[str] | None = None,
) -> tuple[logging.Logger, logging.Handler]:
    """A logger for one app, writing JSON lines to file, to stream, or else to stderr.

    The logger is created directly rather than with logging.getLogger, so it is not shared by
    name: every app (tests build hundreds) gets its own handler, which the caller closes.
    """
    if file:
        handler: logging.Handler = logging.FileHandler(file, encoding="utf-8", delay=True)
    elif stream is not None:
        handler = logging.StreamHandler(stream)
    else:
        handler = _StandardErrorHandler()
    handler.setFormatter(JsonFormatter(service))
    handler.addFilter(RequestContextFilter())
    logger = logging.Logger(name, level)
    logger.propagate = False
    logger.addHandler(handler)
    return logger, handler
