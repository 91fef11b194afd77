"""Prometheus metrics for one app, in its own registry (never the process-wide default)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

REQUEST_LABELS = ("method", "route", "status")
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
QUERY_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 1.0)
SQL_OPERATIONS = ("select", "insert", "update", "delete")
CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


class _LiveGauge:
    """A gauge read from a function at each scrape (a collector, so it never lands in the
    multiprocess files, where each worker would report its own copy)."""

    def __init__(self, name: str, documentation: str) -> None:
        self.name = name
        self.documentation = documentation
        self.read: Callable[[], float] = lambda: math.nan

    def collect(self):
        family = GaugeMetricFamily(self.name, self.documentation)
        family.add_metric([], self.read())
        yield family


def sql_operation(sql: str) -> str:
    """select, insert, update, delete or other: the label of a statement's query histogram."""
    words = sql.split(None, 1)
    first = words[0].lower() if words else ""
    if first == "with":  # a common table expression leading a SELECT
        return "select"
    return first if first in SQL_OPERATIONS else "other"


class Metrics:
    """Request latency, traffic and errors per route; DB query time; active tasks.

    Each app owns one registry, so tests that build many apps never collide on metric names.
    Under several worker processes (gunicorn), PROMETHEUS_MULTIPROC_DIR names a folder that
    must be set before prometheus_client is imported: each process then writes its counts
    there, and a scrape answered by any worker adds up every process's files.
    """

    def __init__(self) -> None:
        # Multiprocess mode only if prometheus_client really writes to files, which it decided
        # when it was first imported; a variable set later would make scrapes read nothing.
        writes_files = values.ValueClass is not values.MutexValue
        self.multiprocess_dir = os.environ.get(MULTIPROCESS_ENV) if writes_files else None
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "taskforge_http_requests",
            "HTTP requests handled, by method, route template and status",
            REQUEST_LABELS,
            registry=self.registry,
        )
        self.errors = Counter(
            "taskforge_http_request_errors",
            "HTTP requests that ended in a server error (status 500 or above)",
            REQUEST_LABELS,
            registry=self.registry,
        )
        self.latency = Histogram(
            "taskforge_http_request_duration_seconds",
            "Time to handle an HTTP request, by method, route template and status",
            REQUEST_LABELS,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.queries = Histogram(
            "taskforge_db_query_duration_seconds",
            "Time to run one SQL statement, by kind of statement",
            ("operation",),
            buckets=QUERY_BUCKETS,
            registry=self.registry,
        )
        self.active_tasks = _LiveGauge(
            "taskforge_active_tasks",
            "Tasks whose status is not done (counted when the metrics are read)",
        )
        self.live_registry = CollectorRegistry()
        self.live_registry.register(self.active_tasks)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one finished request."""
        labels = (method, route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)
        if status >= 500:
            self.errors.labels(*labels).inc()

    def observe_query(self, sql: str, seconds: float) -> None:
        """Record one SQL statement's duration."""
        self.queries.labels(sql_operation(sql)).observe(seconds)

    def count_active_tasks_with(self, count: Callable[[], int]) -> None:
        """Read the active-task gauge from count() at each scrape (NaN if it fails)."""

        def safely() -> float:
            try:
                return float(count())
            except Exception:  # noqa: BLE001 - a scrape must not fail because the DB did
                return math.nan

        self.active_tasks.read = safely

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric (every worker's, in multiprocess mode)."""
        if self.multiprocess_dir is None:
            counted = generate_latest(self.registry)
        else:
            merged = CollectorRegistry()
            MultiProcessCollector(merged, path=self.multiprocess_dir)
            counted = generate_latest(merged)
        return counted + generate_latest(self.live_registry)
