"""Shared fixtures for TaskForge's tests: apps on temporary databases, API helpers, fakes."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

REFERENCE_DIR = REPO_ROOT / "taskforge"
STARTER_DIR = REPO_ROOT / "exercises" / "taskforge"
SECRET = "test-secret-key-that-is-long-enough-for-hs256"
PASSWORD = "correct-horse-battery"


def pytest_configure(config: pytest.Config) -> None:
    for name, text in {
        "e2e": "TaskForge end-to-end tests against a real server on 127.0.0.1",
        "starter": "tests that pin the deliberate flaws of the TaskForge starter",
    }.items():
        config.addinivalue_line("markers", f"{name}: {text}")


@pytest.fixture(autouse=True)
def _no_taskforge_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's exported TASKFORGE_* variables must not leak into tests."""
    for name in list(os.environ):
        if name.startswith("TASKFORGE_"):
            monkeypatch.delenv(name)


class FakeClock:
    """A clock that only moves when told to, so no test ever sleeps."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def db_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where test databases live: RAM-backed /dev/shm when available, else pytest's tmp.

    Every committed write ends with an fsync; on a slow disk that alone costs ~20 ms per
    request. Databases are throwaway here, so tmpfs keeps the suite fast.
    """
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        root = Path(tempfile.mkdtemp(prefix="taskforge-tests-", dir=shm))
        yield root
        shutil.rmtree(root, ignore_errors=True)
    else:
        yield tmp_path_factory.mktemp("taskforge-db")


@pytest.fixture
def db_dir(db_root: Path) -> Iterator[Path]:
    """A private folder for this test's database files, removed afterwards."""
    folder = Path(tempfile.mkdtemp(dir=db_root))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def migrated_template(db_root: Path) -> Path:
    """A database with every migration applied, built once per session and copied per test.

    Applying the migrations costs a few file syncs; copying the result is much cheaper.
    Tests of the migrations themselves use fresh_db_path instead.
    """
    from taskforge.db import migrate_database

    path = db_root / "template.sqlite"
    migrate_database(str(path))
    return path


@pytest.fixture
def fresh_db_path(db_dir: Path) -> str:
    """A path where no database exists yet."""
    return str(db_dir / "fresh.sqlite")


@pytest.fixture
def db_path(db_dir: Path, migrated_template: Path) -> str:
    """This test's own, already migrated, database file."""
    path = db_dir / "taskforge.sqlite"
    shutil.copyfile(migrated_template, path)
    return str(path)


@pytest.fixture(scope="session")
def postgres_server():
    """A private PostgreSQL server for the session (skipped, visibly, when not installed)."""
    from taskforge.devservers import ServerUnavailable, start_postgres

    try:
        server = start_postgres()
    except ServerUnavailable as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_database(postgres_server) -> str:
    """One migrated PostgreSQL database for the session; pg_url empties it for each test."""
    from taskforge.postgres import PostgresDatabase

    url = postgres_server.create_database("taskforge_test")
    database = PostgresDatabase(url, pool_size=1)
    database.migrate()
    database.close()
    return url


PG_TABLES = "attempts, project_members, task_events, tasks, categories, projects, users"


@pytest.fixture
def pg_url(pg_database) -> str:
    """The URL of the session's PostgreSQL database, emptied for this test (ids restart at 1).

    Emptying takes milliseconds where copying a database per test took seconds.
    """
    import psycopg

    with psycopg.connect(pg_database, autocommit=True) as connection:
        connection.execute(f"TRUNCATE {PG_TABLES} RESTART IDENTITY CASCADE")
    return pg_database


@pytest.fixture(scope="session")
def redis_server():
    """A private Redis server for the session (skipped, visibly, when not installed)."""
    from taskforge.devservers import ServerUnavailable, start_redis

    try:
        server = start_redis()
    except ServerUnavailable as exc:
        pytest.skip(f"Redis tests skipped: {exc}")
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server) -> str:
    """The URL of the session's Redis, emptied for this test."""
    import redis

    client = redis.Redis.from_url(redis_server.url())
    client.flushdb()
    client.close()
    return redis_server.url()


@pytest.fixture
def backend() -> str:
    """The storage behind make_app; a module runs on both with a parametrized override:
    @pytest.fixture(params=BACKENDS) def backend(request): return request.param"""
    return "sqlite"


BACKENDS = ("sqlite", "postgresql")


@pytest.fixture
def make_app(db_path: str, backend: str, request: pytest.FixtureRequest):
    """Build reference apps on this test's own database (SQLite file, or PostgreSQL + Redis)."""
    from taskforge import create_app

    built = []

    def build(**overrides):
        config = {"DATABASE": db_path, "TESTING": True, "SECRET_KEY": SECRET}
        if backend == "postgresql":
            config["DATABASE_URL"] = request.getfixturevalue("pg_url")
            config["REDIS_URL"] = request.getfixturevalue("redis_url")
        config.update(overrides)
        app = create_app(config)
        built.append(app.extensions["taskforge"].database)  # not the app: tests watch its GC
        return app

    yield build
    for database in built:
        if database is not None:
            database.close()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


class Api:
    """Small helper over a Flask test client for the TaskForge HTTP API."""

    def __init__(self, client) -> None:
        self.client = client

    @staticmethod
    def auth(token: str | None) -> dict:
        return {"Authorization": f"Bearer {token}"} if token else {}

    def register(self, username: str, password: str = PASSWORD, role=None, token=None):
        body = {"username": username, "password": password}
        if role is not None:
            body["role"] = role
        return self.client.post("/api/auth/register", json=body, headers=self.auth(token))

    def login(self, username: str, password: str = PASSWORD, **kwargs):
        return self.client.post(
            "/api/auth/login", json={"username": username, "password": password}, **kwargs
        )

    def token(self, username: str, password: str = PASSWORD) -> str:
        response = self.login(username, password)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["token"]

    def user(self, username: str, role: str = "viewer", admin_token: str | None = None) -> str:
        """Create an account with role and return its token."""
        response = self.register(username, role=role if admin_token else None, token=admin_token)
        assert response.status_code == 201, response.get_json()
        return self.token(username)

    def admin(self) -> str:
        """The first account (admin) and its token."""
        return self.user("admin")

    def call(self, method: str, url: str, token: str | None = None, **kwargs):
        return self.client.open(url, method=method, headers=self.auth(token), **kwargs)

    def project(self, token: str, name: str = "Alpha") -> dict:
        response = self.call("POST", "/api/projects", token, json={"name": name})
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def user_id(self, token: str) -> int:
        return self.call("GET", "/api/auth/me", token).get_json()["id"]

    def member(self, token: str, project_id: int, member_token: str) -> None:
        """Make the owner of member_token a member of the project (token: admin or owner)."""
        body = {"user_id": self.user_id(member_token)}
        response = self.call("POST", f"/api/projects/{project_id}/members", token, json=body)
        assert response.status_code == 201, response.get_json()

    def category(self, token: str, name: str = "bug") -> dict:
        response = self.call("POST", "/api/categories", token, json={"name": name})
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def task(self, token: str, project_id: int, title: str = "A task", **fields) -> dict:
        body = {"project_id": project_id, "title": title, **fields}
        response = self.call("POST", "/api/tasks", token, json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()


@pytest.fixture
def api(client) -> Api:
    return Api(client)


def error_of(response) -> dict:
    """The {"code", "message"} part of a JSON error response, checking its shape."""
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str)
    return body["error"]


@pytest.fixture
def error():
    return error_of


class StatementCounter:
    """Counts SQL statements on every sqlite3 connection opened while installed."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def reset(self) -> None:
        self.statements.clear()

    def __len__(self) -> int:
        return len(self.statements)


@pytest.fixture
def sql_counter(monkeypatch: pytest.MonkeyPatch) -> StatementCounter:
    """Wrap sqlite3.connect so each new connection reports its statements (the gate's way)."""
    counter = StatementCounter()
    real_connect = sqlite3.connect

    def counting_connect(*args, **kwargs):
        connection = real_connect(*args, **kwargs)
        connection.set_trace_callback(counter.statements.append)
        return connection

    monkeypatch.setattr(sqlite3, "connect", counting_connect)
    return counter


@contextmanager
def imported_as_taskforge(package_dir: Path) -> Iterator[object]:
    """Import the package in package_dir under the name "taskforge", as the gate does.

    Whatever "taskforge" modules were loaded before are put back afterwards.
    """

    def ours(name: str) -> bool:
        return name == "taskforge" or name.startswith("taskforge.")

    saved = {name: module for name, module in sys.modules.items() if ours(name)}
    for name in saved:
        del sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        "taskforge", package_dir / "__init__.py", submodule_search_locations=[str(package_dir)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["taskforge"] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        for name in [name for name in sys.modules if ours(name)]:
            del sys.modules[name]
        sys.modules.update(saved)


@pytest.fixture
def load_as_taskforge():
    return imported_as_taskforge


@pytest.fixture
def make_starter(fresh_db_path: str):
    """Build starter apps on this test's own database file."""
    from exercises.taskforge import create_app

    def build(**overrides):
        config = {"DATABASE": fresh_db_path, "TESTING": True, "SECRET_KEY": SECRET}
        config.update(overrides)
        return create_app(config)

    return build


@pytest.fixture
def secret() -> str:
    return SECRET


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def package_dirs() -> dict[str, Path]:
    """Where the two TaskForge packages live (the gate's TARGET folders)."""
    return {"reference": REFERENCE_DIR, "starter": STARTER_DIR}
