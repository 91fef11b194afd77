"""Several processes: a real 2-worker gunicorn on loopback, on SQLite and on PostgreSQL + Redis.

What one process kept in memory must now be shared: the login limit holds across workers
(even for guesses sent all at once), and /metrics, whichever worker answers, counts every
request of every worker.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from taskforge import create_app
from taskforge.devservers import ServerUnavailable, start_gunicorn

pytestmark = pytest.mark.e2e

SECRET = "gunicorn-secret-that-is-long-enough-for-hs256"
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
LIMIT = 5


@pytest.fixture(params=["sqlite", "postgresql"])
def gunicorn(request, tmp_path):
    """gunicorn with 2 workers in production mode on a migrated, empty database."""
    settings = {"SECRET_KEY": SECRET, "LOGIN_MAX_ATTEMPTS": LIMIT}
    if request.param == "sqlite":
        settings["DATABASE"] = str(tmp_path / "prod.sqlite")
    else:
        settings["DATABASE_URL"] = request.getfixturevalue("pg_url")
        settings["REDIS_URL"] = request.getfixturevalue("redis_url")
    app = create_app({**settings, "TESTING": True})  # migrates, as `flask migrate` would
    app.extensions["taskforge"].database.close()
    environment = {f"TASKFORGE_{key}": str(value) for key, value in settings.items()}
    environment.update(TASKFORGE_ENV="production", TASKFORGE_PASSWORD_ITERATIONS="100000")
    try:
        server = start_gunicorn(environment, workers=2, log_dir=str(tmp_path))
    except ServerUnavailable as exc:
        pytest.fail(f"gunicorn did not start: {exc}")
    yield server
    server.stop()


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    try:
        with OPENER.open(req, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as failure:
        with failure:
            return failure.code, failure.read()


def counter(base, route, status):
    """taskforge_http_requests_total for one route and status, as /metrics reports it."""
    _, text = call(base, "GET", "/metrics")
    for family in text_string_to_metric_families(text.decode()):
        if family.name == "taskforge_http_requests":
            return sum(
                s.value
                for s in family.samples
                if s.name.endswith("_total")
                and s.labels["route"] == route
                and s.labels["status"] == str(status)
            )
    return 0


def test_login_limit_and_metrics_hold_across_two_workers(gunicorn):
    base = gunicorn.base_url
    account = {"username": "owner", "password": "the-right-password"}
    assert call(base, "POST", "/api/auth/register", account)[0] == 201

    wrong = {"username": "owner", "password": "a-wrong-guess"}
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(
            pool.map(lambda _: call(base, "POST", "/api/auth/login", wrong)[0], range(20))
        )
    assert sorted(statuses) == [401] * LIMIT + [429] * (20 - LIMIT)
    # Sequential guesses afterwards, answered by either worker: still refused.
    assert {call(base, "POST", "/api/auth/login", wrong)[0] for _ in range(6)} == {429}
    assert call(base, "POST", "/api/auth/login", account)[0] == 429  # even the right one, now

    before = counter(base, "/api/health", 200)  # the start-up probe's requests
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: call(base, "GET", "/api/health"), range(40)))
    workers_seen = {p.name.split("_")[-1] for p in gunicorn.metrics_dir.glob("counter_*.db")}
    assert len(workers_seen) == 2, "both workers must have answered requests"
    for _ in range(4):  # each scrape may be answered by either worker: all see the totals
        assert counter(base, "/api/health", 200) == before + 40
        assert counter(base, "/api/auth/login", 401) == LIMIT
        assert counter(base, "/api/auth/login", 429) == 20 - LIMIT + 7


def test_the_gunicorn_config_leaves_prometheus_unimported():
    """gunicorn's master reads the config; had it loaded prometheus_client there, the workers
    (forked from it) would count in memory, each its own share, whatever the folder says."""
    import subprocess
    import sys

    code = (
        "import sys, taskforge.gunicorn_conf as conf; "
        "assert 'prometheus_client' not in sys.modules, 'imported too early'; "
        "assert callable(conf.on_starting) and conf.wsgi_app == 'taskforge:create_app()'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
