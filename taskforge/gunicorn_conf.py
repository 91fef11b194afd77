"""gunicorn settings for the reference: `gunicorn -c python:taskforge.gunicorn_conf`.

WEB_CONCURRENCY sets the number of worker processes (make serve-prod WORKERS=N) and
TASKFORGE_BIND the address (127.0.0.1:8000). Each worker builds its own app; the state they
must share lives in the database or Redis (rate limits) and in PROMETHEUS_MULTIPROC_DIR
(metrics), which this file creates and empties before any worker starts.
"""

import os
import shutil
import tempfile

# Must happen before prometheus_client is imported anywhere: it picks its storage at import.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="taskforge-metrics-")

from prometheus_client import multiprocess  # noqa: E402 - after the variable above

wsgi_app = "taskforge:create_app()"
bind = os.environ.get("TASKFORGE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"  # a few threads per worker: a slow password hash blocks only one
threads = int(os.environ.get("TASKFORGE_THREADS", "4"))
timeout = 30
graceful_timeout = 10
accesslog = None  # the app writes one JSON line per request itself


def on_starting(server):
    """Start from empty metric files: counts from an earlier run must not be added in."""
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    """A worker's live gauges leave with it; its counters stay in the totals."""
    multiprocess.mark_process_dead(worker.pid)
