"""Prometheus metrics per app (latency, traffic, errors, queries, active tasks) and /healthz."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families


class HandTimer:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def scrape(client) -> dict[tuple[str, tuple], float]:
    """Every sample of GET /metrics as {(name, sorted labels): value}."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def labels(method: str, route: str, status: int) -> tuple:
    return tuple(sorted({"method": method, "route": route, "status": str(status)}.items()))


@pytest.fixture
def admin(api):
    return api.admin()


def test_requests_are_counted_per_route_template(api, client, admin):
    project = api.project(admin)
    api.call("GET", "/api/tasks/999", admin)
    api.call("GET", "/api/tasks/998", admin)
    api.call("GET", "/no/such/page")
    samples = scrape(client)
    assert (
        samples[("taskforge_http_requests_total", labels("GET", "/api/tasks/<int:task_id>", 404))]
        == 2
    )
    assert samples[("taskforge_http_requests_total", labels("POST", "/api/projects", 201))] == 1
    assert samples[("taskforge_http_requests_total", labels("GET", "<unmatched>", 404))] == 1
    assert project["id"] == 1


def test_latency_histogram_uses_the_injected_timer(make_app, api, monkeypatch):
    from taskforge.services import TaskManager

    timer = HandTimer()
    real = TaskManager.list_tasks

    def slow(self, query=None):
        timer.now += 0.3
        return real(self, query)

    monkeypatch.setattr(TaskManager, "list_tasks", slow)
    app = make_app(TIMER=timer)
    other = type(api)(app.test_client())
    token = other.admin()
    other.call("GET", "/api/tasks", token)
    samples = scrape(app.test_client())
    key = labels("GET", "/api/tasks", 200)
    bucket = "taskforge_http_request_duration_seconds_bucket"
    assert samples[("taskforge_http_request_duration_seconds_count", key)] == 1
    assert samples[("taskforge_http_request_duration_seconds_sum", key)] == pytest.approx(0.3)
    assert samples[(bucket, tuple(sorted({**dict(key), "le": "0.25"}.items())))] == 0
    assert samples[(bucket, tuple(sorted({**dict(key), "le": "0.5"}.items())))] == 1


def test_only_server_errors_count_as_errors(api, client, admin, monkeypatch):
    from taskforge.services import TaskManager

    api.call("GET", "/api/tasks/12345", admin)  # 404: a client error

    def broken(self, query=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(TaskManager, "list_tasks", broken)
    api.call("GET", "/api/tasks", admin)
    samples = scrape(client)
    errors = {k: v for k, v in samples.items() if k[0] == "taskforge_http_request_errors_total"}
    assert errors == {("taskforge_http_request_errors_total", labels("GET", "/api/tasks", 500)): 1}


def test_query_durations_are_recorded_by_kind(api, client, admin):
    project = api.project(admin)
    api.task(admin, project["id"])
    api.call("GET", "/api/tasks", admin)
    samples = scrape(client)
    count = "taskforge_db_query_duration_seconds_count"
    assert samples[(count, (("operation", "select"),))] >= 3
    assert samples[(count, (("operation", "insert"),))] >= 2  # the task and its history entry


def test_active_tasks_gauge_counts_tasks_not_done(api, client, admin):
    project = api.project(admin)
    tasks = [api.task(admin, project["id"], f"t{n}") for n in range(3)]
    api.call("PATCH", f"/api/tasks/{tasks[0]['id']}", admin, json={"status": "done"})
    assert scrape(client)[("taskforge_active_tasks", ())] == 2


def test_active_tasks_on_the_memory_backend(make_app, api):
    app = make_app(STORAGE="memory")
    other = type(api)(app.test_client())
    token = other.admin()
    project = other.project(token)
    other.task(token, project["id"])
    assert scrape(app.test_client())[("taskforge_active_tasks", ())] == 1


def test_each_app_has_its_own_registry(make_app):
    first, second = make_app().test_client(), make_app().test_client()
    for _ in range(3):
        first.get("/api/health")
    key = ("taskforge_http_requests_total", labels("GET", "/api/health", 200))
    assert scrape(first)[key] == 3
    assert key not in scrape(second)


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok"}}


def test_healthz_on_the_memory_backend(make_app):
    response = make_app(STORAGE="memory").test_client().get("/healthz")
    assert response.get_json() == {"status": "ok", "checks": {"database": "memory"}}
