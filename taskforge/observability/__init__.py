"""Observability: JSON request logs with correlation IDs, Prometheus metrics, SQL timing."""

from .context import RequestInfo, current_request
from .hooks import init_app, sql_observer
from .logs import JsonFormatter, RequestContextFilter, build_logger
from .metrics import Metrics

__all__ = [
    "JsonFormatter",
    "Metrics",
    "RequestContextFilter",
    "RequestInfo",
    "build_logger",
    "current_request",
    "init_app",
    "sql_observer",
]
