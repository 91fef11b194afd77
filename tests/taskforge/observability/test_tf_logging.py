"""Structured request logs: one JSON line per request, tied together by a correlation ID."""

from __future__ import annotations

import gc
import io
import json
import re

import pytest

from taskforge.config import ConfigError


class StepTimer:
    """A timer that moves only when told to (request durations become exact numbers)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def timer() -> StepTimer:
    return StepTimer()


@pytest.fixture
def stream() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def logged(make_app, stream, timer):
    """An app writing its log lines to a StringIO, with a hand-driven timer."""

    def build(**overrides):
        return make_app(LOG_STREAM=stream, TIMER=timer, **overrides)

    return build


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(text) for text in stream.getvalue().splitlines()]


def request_lines(stream: io.StringIO) -> list[dict]:
    return [line for line in lines(stream) if "status" in line]


@pytest.fixture
def api_on(api):
    """The suite's Api helper, bound to the client of another app."""
    return lambda app: type(api)(app.test_client())


def get(api, url: str, token: str | None = None, request_id: str | None = None):
    headers = api.auth(token)
    if request_id is not None:
        headers["X-Request-ID"] = request_id
    return api.client.get(url, headers=headers)


def test_one_line_per_request_with_every_field(logged, stream, api_on):
    api = api_on(logged())
    token = api.admin()
    get(api, "/api/tasks", token, "abc-123")
    line = request_lines(stream)[-1]
    assert set(line) == {
        "timestamp",
        "level",
        "service",
        "message",
        "method",
        "path",
        "status",
        "duration_ms",
        "user_id",
        "correlation_id",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["timestamp"])
    assert (line["level"], line["service"], line["message"]) == (
        "INFO",
        "taskforge",
        "request completed",
    )
    assert (line["method"], line["path"], line["status"], line["user_id"]) == (
        "GET",
        "/api/tasks",
        200,
        1,
    )
    assert line["duration_ms"] == 0.0  # the injected timer did not move


def test_duration_comes_from_the_injected_timer(logged, stream, api_on, timer, monkeypatch):
    from taskforge.services import TaskManager

    real = TaskManager.list_tasks

    def slow(self, query=None):
        timer.now += 0.25
        return real(self, query)

    monkeypatch.setattr(TaskManager, "list_tasks", slow)
    api = api_on(logged())
    api.call("GET", "/api/tasks", api.admin())
    assert request_lines(stream)[-1]["duration_ms"] == 250.0


def test_incoming_request_id_is_reused_and_echoed(logged, stream):
    client = logged().test_client()
    response = client.get("/api/health", headers={"X-Request-ID": "req.42_a:b-c"})
    assert response.headers["X-Request-ID"] == "req.42_a:b-c"
    assert request_lines(stream)[-1]["correlation_id"] == "req.42_a:b-c"


def test_missing_request_id_is_generated_and_echoed(logged, stream):
    client = logged().test_client()
    first = client.get("/api/health").headers["X-Request-ID"]
    second = client.get("/api/health").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second
    assert [line["correlation_id"] for line in request_lines(stream)] == [first, second]


@pytest.mark.parametrize("unsafe", ["has space", "x" * 129, 'quote"d', "semi;colon", ""])
def test_unsafe_request_ids_are_replaced(logged, stream, unsafe):
    client = logged().test_client()
    echoed = client.get("/api/health", headers={"X-Request-ID": unsafe}).headers["X-Request-ID"]
    assert echoed != unsafe and re.fullmatch(r"[0-9a-f]{32}", echoed)


def test_user_id_is_null_without_a_valid_token(logged, stream, api_on):
    api = api_on(logged())
    api.admin()
    api.call("GET", "/api/tasks")
    api.call("GET", "/api/tasks", "not-a-token")
    assert [line["user_id"] for line in request_lines(stream)[-2:]] == [None, None]
    assert [line["status"] for line in request_lines(stream)[-2:]] == [401, 401]


def test_login_line_names_the_account_that_logged_in(logged, stream, api_on):
    api = api_on(logged())
    api.register("admin")
    api.login("admin")
    assert request_lines(stream)[-1]["user_id"] == 1


def test_sql_lines_at_debug_carry_the_request_id(logged, stream, api_on):
    api = api_on(logged(LOG_LEVEL="DEBUG"))
    token = api.admin()
    stream.truncate(0)
    stream.seek(0)
    get(api, "/api/tasks", token, "list-1")
    found = lines(stream)
    sql = [line for line in found if line["message"] == "sql query"]
    assert len(sql) == 3  # the caller's role, the listing, its total
    assert all(line["level"] == "DEBUG" and line["correlation_id"] == "list-1" for line in sql)
    assert all(isinstance(line["duration_ms"], float) and line["sql"] for line in sql)
    assert found[-1]["message"] == "request completed"


def test_no_sql_lines_at_info(logged, stream, api_on):
    api = api_on(logged())
    api.call("GET", "/api/tasks", api.admin())
    assert all(line["message"] != "sql query" for line in lines(stream))


def test_an_unexpected_error_logs_the_exception_and_a_500_line(logged, stream, api_on, monkeypatch):
    from taskforge.services import TaskManager

    def broken(self, query=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(TaskManager, "list_tasks", broken)
    api = api_on(logged())
    token = api.admin()
    get(api, "/api/tasks", token, "oops")
    error, request = lines(stream)[-2:]
    assert error["level"] == "ERROR" and "RuntimeError: boom" in error["exception"]
    assert error["correlation_id"] == request["correlation_id"] == "oops"
    assert (request["level"], request["status"]) == ("ERROR", 500)


def test_log_file_gets_the_lines_and_is_closed_with_the_app(make_app, tmp_path):
    path = tmp_path / "requests.log"
    app = make_app(LOG_FILE=str(path))
    app.test_client().get("/api/health")
    handler = app.extensions["taskforge"].log_handler
    assert json.loads(path.read_text().splitlines()[-1])["path"] == "/api/health"
    del app
    gc.collect()
    assert handler.stream is None  # closed by the finaliser


def test_default_destination_is_standard_error(make_app, capfd):
    make_app().test_client().get("/api/health")
    err = capfd.readouterr().err
    assert json.loads(err.strip().splitlines()[-1])["path"] == "/api/health"


def test_each_app_has_its_own_logger(make_app):
    first, second = io.StringIO(), io.StringIO()
    make_app(LOG_STREAM=first).test_client().get("/api/health")
    make_app(LOG_STREAM=second).test_client().get("/api/health")
    assert len(first.getvalue().splitlines()) == len(second.getvalue().splitlines()) == 1


def test_log_level_is_checked(make_app, monkeypatch):
    with pytest.raises(ConfigError, match="LOG_LEVEL"):
        make_app(LOG_LEVEL="chatty")
    monkeypatch.setenv("TASKFORGE_LOG_LEVEL", "debug")
    assert make_app().config["LOG_LEVEL"] == "DEBUG"
