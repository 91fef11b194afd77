"""gunicorn settings for the reference: `gunicorn -c python:taskforge.gunicorn_conf`.

WEB_CONCURRENCY sets the number of worker processes (make serve-prod WORKERS=N) and
TASKFORGE_BIND the address (127.0.0.1:8000). Each worker builds its own app; the state they
must share lives in the database or Redis (rate limits) and in PROMETHEUS_MULTIPROC_DIR
(metrics), which this file creates and empties before any worker starts.
"""

import os
import shutil
import tempfile

wsgi_app = "taskforge:create_app()"
bind = os.environ.get("TASKFORGE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"  # a few threads per worker: a slow password hash blocks only one
threads = int(os.environ.get("TASKFORGE_THREADS", "4"))
timeout = 30
graceful_timeout = 10
accesslog = None  # the app writes one JSON line per request itself


def on_starting(server):
    """In the master, before any worker exists: choose and empty the metrics folder.

    prometheus_client picks its storage when first imported, so the variable must be set
    before the workers import the app (they inherit it); nothing here imports it earlier.
    Counts from an earlier run must not be added in, hence the emptying.
    """
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
        prefix="taskforge-metrics-"
    )
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder


def child_exit(server, worker):
    """A worker's live gauges leave with it; its counters stay in the totals."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
